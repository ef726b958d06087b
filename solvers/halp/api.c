/* SPDX-License-Identifier: Apache-2.0 */
/* lpk_halp_train, the public entry of the HALP solvers (contract in lpk.h):
   option and argument checks, the run's setup, the epoch loop and the
   trace.  The epochs themselves are in epoch.c. */
#include <math.h>
#include <string.h>

#include "halp.h"

/* ---- checks ------------------------------------------------------------- */

#define BAD(...) lpk_fail(LPK_EINVAL, "lpk_halp_train: " __VA_ARGS__)

static int finite_pos(float v) { return isfinite(v) && v > 0.0f; }

/* NULL pointers, empty or overflowing shapes; *x_bytes = n d floats. */
static lpk_status check_shapes(const lpk_halp_options *o, const float *X, const float *y,
                               size_t n, size_t d, const float *w, size_t *x_bytes)
{
    if (!o)
        return BAD("options is NULL");
    if (!X || !y || !w)
        return BAD("%s is NULL", !X ? "X" : !y ? "y" : "w");
    if (n == 0 || d == 0)
        return BAD("%s = 0; need at least one example and one feature", n == 0 ? "n" : "d");
    if (!lpk_size_mul3(n, d, sizeof(float), x_bytes))
        return BAD("n * d = %zu * %zu floats overflows", n, d);
    return LPK_OK;
}

/* Offset between the stochastic-rounding bits of consecutive inner steps
   (lpk.h): 64 for Philox (shared period), ceil(d / 8) * 8 for ARS. */
static uint64_t sr_stride(lpk_rng rng, size_t d)
{
    return rng == LPK_RNG_ARS ? ((uint64_t)d + 7) / 8 * 8 : (uint64_t)LPK_FIXED_SR_PERIOD;
}

static lpk_status check_options(const lpk_halp_options *o, size_t n, size_t d)
{
    const int s = (int)o->solver;
    if (s < LPK_SOLVER_GD || s > LPK_SOLVER_HALP)
        return BAD("unknown solver %d", s);
    if ((int)o->loss != LPK_LOSS_LSQ && (int)o->loss != LPK_LOSS_LOGISTIC)
        return BAD("unknown loss %d", (int)o->loss);
    if (halp_solver_is_lp(o->solver) && o->bits != 8 && o->bits != 16)
        return BAD("bits = %d; the low-precision solvers take 8 or 16", o->bits);
    if (!finite_pos(o->step))
        return BAD("step = %g; need a finite step > 0", (double)o->step);
    if (!isfinite(o->lambda) || o->lambda < 0.0f)
        return BAD("lambda = %g; need a finite lambda >= 0", (double)o->lambda);
    if (!isfinite(o->lp_delta) || o->lp_delta < 0.0f)
        return BAD("lp_delta = %g; need a finite lp_delta >= 0 (0 = automatic)",
                   (double)o->lp_delta);
    const int needs_mu = s == LPK_SOLVER_HALP ||
                         ((s == LPK_SOLVER_LP_SGD || s == LPK_SOLVER_LP_SVRG) && o->lp_delta == 0.0f);
    if (needs_mu && !finite_pos(o->mu))
        return BAD("mu = %g; %s needs a finite mu > 0", (double)o->mu,
                   s == LPK_SOLVER_HALP ? "HALP" : "an automatic lp_delta");
    if (o->epochs < 0)
        return BAD("epochs = %d; need epochs >= 0", o->epochs);
    const uint64_t T = o->T ? (uint64_t)o->T : (uint64_t)n;
    if ((int)o->rng != LPK_RNG_PHILOX && (int)o->rng != LPK_RNG_ARS)
        return BAD("unknown rng %d; LPK_RNG_PHILOX (0) or LPK_RNG_ARS (1)", (int)o->rng);
    const uint64_t stride = sr_stride(o->rng, d);
    if (o->epochs > 0 && T > (UINT64_MAX / stride) / (uint64_t)o->epochs)
        return BAD("T * epochs = %llu * %d steps is too many", (unsigned long long)T, o->epochs);
    return LPK_OK;
}

/* w and trace overlapping the inputs or each other. */
static lpk_status check_overlaps(const lpk_halp_options *o, const float *X, size_t x_bytes,
                                 const float *y, size_t n, size_t d, const float *w,
                                 const lpk_halp_trace *trace)
{
    const size_t y_bytes = n * sizeof(float), w_bytes = d * sizeof(float);
    if (lpk_overlap(w, w_bytes, X, x_bytes) || lpk_overlap(w, w_bytes, y, y_bytes))
        return BAD("w overlaps %s", lpk_overlap(w, w_bytes, X, x_bytes) ? "X" : "y");
    if (trace) {
        size_t trace_bytes;
        if (!lpk_size_mul((size_t)o->epochs + 1, sizeof(lpk_halp_trace), &trace_bytes))
            return BAD("epochs + 1 trace entries overflow");
        if (lpk_overlap(trace, trace_bytes, X, x_bytes) ||
            lpk_overlap(trace, trace_bytes, y, y_bytes) ||
            lpk_overlap(trace, trace_bytes, w, w_bytes))
            return BAD("trace overlaps X, y or w");
    }
    return LPK_OK;
}

/* NaN/Inf in w, y or X; logistic labels other than +-1. */
static lpk_status check_values(const lpk_halp_options *o, const float *X, const float *y,
                               size_t n, size_t d, const float *w)
{
    for (size_t j = 0; j < d; j++)
        if (!isfinite(w[j]))
            return BAD("w[%zu] = %g is not finite", j, (double)w[j]);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return BAD("y[%zu] = %g is not finite", i, (double)y[i]);
        if (o->loss == LPK_LOSS_LOGISTIC && y[i] != 1.0f && y[i] != -1.0f)
            return BAD("y[%zu] = %g; logistic labels must be +1 or -1", i, (double)y[i]);
    }
    for (size_t k = 0; k < n * d; k++)
        if (!isfinite(X[k]))
            return BAD("X[%zu][%zu] = %g is not finite", k / d, k % d, (double)X[k]);
    return LPK_OK;
}

#undef BAD

static lpk_status validate(const lpk_halp_options *o, const float *X, const float *y, size_t n,
                           size_t d, const float *w, const lpk_halp_trace *trace)
{
    size_t x_bytes;
    lpk_status st = check_shapes(o, X, y, n, d, w, &x_bytes);
    if (st == LPK_OK)
        st = check_options(o, n, d);
    if (st == LPK_OK)
        st = check_overlaps(o, X, x_bytes, y, n, d, w, trace);
    if (st == LPK_OK)
        st = check_values(o, X, y, n, d, w);
    return st;
}

/* ---- setup -------------------------------------------------------------- */

/* The problem, its row blocks and the kernels; no buffers yet. */
static void init_run(halp_run *R, const lpk_halp_options *o, const float *X, const float *y,
                     size_t n, size_t d)
{
    memset(R, 0, sizeof *R);
    R->X = X;
    R->y = y;
    R->n = n;
    R->d = d;
    R->loss = o->loss;
    R->lambda = o->lambda;
    R->bits = halp_solver_is_lp(o->solver) ? o->bits : 0;
    R->nblk = n < HALP_BLOCKS ? n : HALP_BLOCKS;
    R->brows = (n + R->nblk - 1) / R->nblk;
    R->nblk = (n + R->brows - 1) / R->brows;
    R->quant8 = LPK_SELECTED(lpk_op_fixed_quant8);
    R->quant16 = LPK_SELECTED(lpk_op_fixed_quant16);
    R->dequant8 = LPK_SELECTED(lpk_op_fixed_dequant8);
    R->dequant16 = LPK_SELECTED(lpk_op_fixed_dequant16);
    R->dot8 = LPK_SELECTED(lpk_op_fixed_dot8);
    R->dot16 = LPK_SELECTED(lpk_op_fixed_dot16);
    if (o->rng == LPK_RNG_ARS) {
        R->update8 = LPK_SELECTED(lpk_op_fixed_update8_ars);
        R->update16 = LPK_SELECTED(lpk_op_fixed_update16_ars);
    } else {
        R->update8 = LPK_SELECTED(lpk_op_fixed_update8);
        R->update16 = LPK_SELECTED(lpk_op_fixed_update16);
    }
    R->sr_stride = sr_stride(o->rng, d);
    R->dotf = LPK_SELECTED(lpk_op_fixed_dotf);
    R->updatef = LPK_SELECTED(lpk_op_fixed_updatef);
}

static void init_state(halp_state *S, const lpk_halp_options *o)
{
    memset(S, 0, sizeof *S);
    S->solver = o->solver;
    S->alpha = o->step;
    S->mu = o->mu;
    S->a = (float)(1.0 - S->alpha * o->lambda);
}

/* The starting point, the row records, the b-bit rows and (LP_SGD,
   LP_SVRG) the fixed grid, on allocated buffers. */
static void prepare(halp_run *R, halp_state *S, const lpk_halp_options *o, const float *w0)
{
    const size_t d = R->d;
    memcpy(S->w, w0, d * sizeof(float));
    memset(R->zeros, 0, d * sizeof(float));
    if (R->bits) {
        memset(S->zq, 0, R->qbytes);
        memset(S->wq, 0, R->qbytes);
    }
    for (size_t i = 0; i < R->n; i++)
        R->info[i] = (halp_row_info){.y = R->y[i], .s = 0.0f, .r = 0.0f, .unused = 0.0f};
    if (R->bits) {
        halp_quantize_rows(R);
        R->full_from_q = R->rows_exact && !o->fp32_full_pass && R->rowbuf != NULL;
    }
    if (S->solver == LPK_SOLVER_LP_SGD || S->solver == LPK_SOLVER_LP_SVRG)
        halp_fixed_grid(R, S, o->lp_delta);
}

/* ---- the epoch loop ------------------------------------------------------ */

static void record(const halp_run *R, const halp_state *S, lpk_halp_trace *tr, double seconds,
                   double inner_seconds, double delta, int full_pass_bits)
{
    halp_evaluate(R, S->w, &tr->objective, &tr->grad_norm);
    tr->seconds = seconds;
    tr->inner_seconds = inner_seconds;
    tr->delta = delta;
    tr->full_pass_bits = full_pass_bits;
}

/* o->epochs epochs from the prepared state; trace (may be NULL) gets
   epochs + 1 entries, setup_seconds being the time before the first. */
static void train(const halp_run *R, halp_state *S, const lpk_halp_options *o,
                  double setup_seconds, lpk_halp_trace *trace)
{
    const size_t T = o->T ? o->T : R->n;
    const int full_pass_bits = !halp_solver_has_full_pass(S->solver) ? 0
                               : R->full_from_q                        ? R->bits
                                                                       : 32;
    double elapsed = setup_seconds, inner_total = 0.0;
    if (trace)
        record(R, S, &trace[0], elapsed, 0.0, 0.0, 0);
    for (int k = 0; k < o->epochs; k++) {
        const double t_epoch = halp_now();
        const halp_inner_args A = {T, (uint64_t)k * (uint64_t)T, o->seed, S->alpha, S->a};
        const halp_epoch_result res = halp_epoch(R, S, &A);
        elapsed += halp_now() - t_epoch;
        inner_total += res.inner_seconds;
        if (trace)
            record(R, S, &trace[k + 1], elapsed, inner_total, res.delta, full_pass_bits);
    }
}

lpk_status lpk_halp_train(const lpk_halp_options *o, const float *X, const float *y, size_t n,
                          size_t d, float *w, lpk_halp_trace *trace)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    const double t_setup = halp_now();
    const lpk_status vs = validate(o, X, y, n, d, w, trace);
    if (vs != LPK_OK)
        return vs;

    halp_run R;
    halp_state S;
    init_run(&R, o, X, y, n, d);
    init_state(&S, o);
    const lpk_status result = halp_workspace_alloc(&R, &S);
    if (result != LPK_OK)
        return result;
    prepare(&R, &S, o, w);
    train(&R, &S, o, halp_now() - t_setup, trace);
    memcpy(w, S.w, d * sizeof(float));
    halp_workspace_free(&R, &S);
    return LPK_OK;
}
