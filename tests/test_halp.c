/* SPDX-License-Identifier: Apache-2.0 */
/* HALP driver (lpk_halp_train): the paper's convergence claims at small
   scale against a double-precision reference, determinism (seed, thread
   count, ISA tier where the contract promises it, the exact-rows full pass),
   the trace, and every bad-option case. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refsolve.h"
#include "testutil.h"

/* ---- problems ------------------------------------------------------------ */

static double normal(uint64_t *s)
{
    const double u = ((double)(tu_rand(s) >> 11) + 0.5) * 0x1p-53;
    const double v = ((double)(tu_rand(s) >> 11) + 0.5) * 0x1p-53;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

typedef struct {
    size_t n, d;
    float *X, *y;
    float lambda;
    double fstar, mu, L, Lmax; /* least squares: f*, Hessian eigenvalue range, max ||x||^2 */
    double *wstar;
} problem;

/* x_ij ~ N(0,1) (or, when grid != 0, k/128 with k uniform in [-127, 127]
   and one +-127 per row: rows exact in 8 bits with scale 1/128),
   y = x.w_true + 0.1 N(0,1); logistic: y = sign(x.w_true + 0.5 N(0,1)). */
static problem make(size_t n, size_t d, float lambda, int logistic, int grid, uint64_t seed)
{
    problem p = {n, d, malloc(n * d * sizeof(float)), malloc(n * sizeof(float)), lambda,
                 0, 0, 0, 0, calloc(d, sizeof(double))};
    assert_non_null(p.X);
    assert_non_null(p.y);
    uint64_t s = seed;
    double *wt = calloc(d, sizeof(double));
    for (size_t j = 0; j < d; j++)
        wt[j] = normal(&s) / sqrt((double)d);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            p.X[i * d + j] =
                grid ? (float)((int)(tu_rand(&s) % 255) - 127) / 128.0f : (float)normal(&s);
        if (grid)
            p.X[i * d + i % d] = (i & 1) ? 127.0f / 128.0f : -127.0f / 128.0f;
        double dot = 0.0;
        for (size_t j = 0; j < d; j++)
            dot += p.X[i * d + j] * wt[j];
        if (logistic)
            p.y[i] = dot + 0.5 * normal(&s) >= 0 ? 1.0f : -1.0f;
        else
            p.y[i] = (float)(dot + 0.1 * normal(&s));
    }
    free(wt);
    return p;
}

static void drop(problem *p)
{
    free(p->X);
    free(p->y);
    free(p->wstar);
}

static double objective(const problem *p, int logistic, const float *w)
{
    return ref_objective(logistic ? LPK_LOSS_LOGISTIC : LPK_LOSS_LSQ, p->X, p->y, p->n, p->d,
                         (double)p->lambda, w);
}

/* Hessian of f at w: (1/n) sum_i c_i x_i x_i^T + lambda I, c_i = 1 for least
   squares, sigma(m)(1 - sigma(m)) at the margin m = y_i x_i.w for logistic. */
static double *hessian(const problem *p, int logistic, const float *w)
{
    const size_t n = p->n, d = p->d;
    double *H = calloc(d * d, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const float *x = p->X + i * d;
        double c = 1.0;
        if (logistic) {
            double m = 0.0;
            for (size_t j = 0; j < d; j++)
                m += (double)x[j] * w[j];
            const double sg = 1.0 / (1.0 + exp(-m));
            c = sg * (1.0 - sg);
        }
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
                H[a * d + b] += c * x[a] * x[b];
    }
    for (size_t a = 0; a < d; a++) {
        for (size_t b = 0; b < d; b++)
            H[a * d + b] /= (double)n;
        H[a * d + a] += p->lambda;
    }
    return H;
}

/* Least squares reference (refsolve.h): f*, w*, the extreme Hessian
   eigenvalues, and the largest ||x_i||^2. */
static void solve_lsq(problem *p)
{
    for (size_t i = 0; i < p->n; i++) {
        double sq = 0.0;
        for (size_t a = 0; a < p->d; a++)
            sq += (double)p->X[i * p->d + a] * p->X[i * p->d + a];
        p->Lmax = sq > p->Lmax ? sq : p->Lmax;
    }
    p->fstar = ref_lsq_solve(p->X, p->y, p->n, p->d, (double)p->lambda, p->wstar, &p->mu, &p->L);
    assert_true(p->fstar > 0);
}

static lpk_halp_options opts(lpk_solver s, int bits, const problem *p, int epochs)
{
    lpk_halp_options o;
    memset(&o, 0, sizeof o);
    o.solver = s;
    o.loss = LPK_LOSS_LSQ;
    o.bits = bits;
    o.step = (float)(1.0 / (4.0 * (p->Lmax + p->lambda)));
    o.lambda = p->lambda;
    o.mu = (float)p->mu;
    o.epochs = epochs;
    o.seed = 2024;
    return o;
}

static double subopt(const problem *p, double f) { return (f - p->fstar) / p->fstar; }

/* ---- convergence claims ---------------------------------------------------- */

#define EPOCHS 30

/* HALP 8-bit reaches 1e-9 relative suboptimality, like fp32 SVRG, where
   LP-SVRG and LP-SGD with the same 8 bits never get below 1e-4. */
static void test_lsq_claims(void **state)
{
    problem p = make(256, 16, 1e-3f, 0, 0, 11);
    solve_lsq(&p);
    print_message("lsq n=256 d=16: f* = %.6g, Hessian [%.3g, %.3g], max|x|^2 = %.3g\n", p.fstar,
                  p.mu, p.L, p.Lmax);
    static const struct {
        lpk_solver s;
        int bits;
        double bound; /* best subopt must be <= bound (converging) or >= -bound (plateau) */
        lpk_rng rng;
    } cases[] = {
        {LPK_SOLVER_SVRG, 0, 1e-9, 0},        {LPK_SOLVER_HALP, 8, 1e-9, 0},
        {LPK_SOLVER_HALP, 16, 1e-9, 0},       {LPK_SOLVER_LP_SVRG, 8, -1e-4, 0},
        {LPK_SOLVER_LP_SGD, 8, -1e-4, 0},     {LPK_SOLVER_SGD, 0, -1e-6, 0},
        /* the same claims with per-element ARS bits */
        {LPK_SOLVER_HALP, 8, 1e-9, LPK_RNG_ARS},     {LPK_SOLVER_HALP, 16, 1e-9, LPK_RNG_ARS},
        {LPK_SOLVER_LP_SVRG, 8, -1e-4, LPK_RNG_ARS}, {LPK_SOLVER_LP_SGD, 8, -1e-4, LPK_RNG_ARS},
    };
    lpk_halp_trace tr[EPOCHS + 1];
    float w[16];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lpk_halp_options o = opts(cases[c].s, cases[c].bits, &p, EPOCHS);
        o.rng = cases[c].rng;
        memset(w, 0, sizeof w);
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, w, tr), LPK_OK);
        double best = INFINITY;
        for (int k = 0; k <= EPOCHS; k++)
            best = fmin(best, subopt(&p, tr[k].objective));
        /* The trace's last objective is f at the returned w. */
        assert_true(fabs(tr[EPOCHS].objective - objective(&p, 0, w)) <= 1e-12 * p.fstar);
        print_message("  solver %d bits %2d rng %s: best subopt %.3e, final %.3e\n", cases[c].s,
                      cases[c].bits, cases[c].rng == LPK_RNG_ARS ? "ARS" : "Philox", best,
                      subopt(&p, tr[EPOCHS].objective));
        if (cases[c].bound > 0)
            assert_true(best <= cases[c].bound);
        else
            assert_true(best >= -cases[c].bound);
        /* Nothing goes below the true optimum (f* is exact to ~1e-15). */
        assert_true(best > -1e-11);
        if (cases[c].s == LPK_SOLVER_HALP) {
            /* Bit centering: the grid shrinks with the gradient. */
            assert_true(tr[1].delta > 0);
            assert_true(tr[EPOCHS].delta < 1e-4 * tr[1].delta);
        }
    }
    drop(&p);
}

/* GD (full gradient, step 1/L) decreases f monotonically towards f*. */
static void test_gd(void **state)
{
    problem p = make(128, 8, 1e-2f, 0, 0, 5);
    solve_lsq(&p);
    lpk_halp_options o = opts(LPK_SOLVER_GD, 0, &p, 60);
    o.step = (float)(1.0 / p.L);
    lpk_halp_trace tr[61];
    float w[8] = {0};
    assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, w, tr), LPK_OK);
    for (int k = 1; k <= 60; k++)
        assert_true(tr[k].objective <= tr[k - 1].objective + 1e-15);
    assert_true(subopt(&p, tr[60].objective) < 1e-6);
    drop(&p);
}

/* Logistic regression: SVRG and HALP (8 and 16 bits) drive the gradient
   norm down by 1e-5; LP-SVRG-8 does not get to 1e-3. */
static void test_logistic(void **state)
{
    problem p = make(256, 12, 1e-2f, 1, 0, 77);
    double lmax = 0.0;
    for (size_t i = 0; i < p.n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < p.d; j++)
            s += (double)p.X[i * p.d + j] * p.X[i * p.d + j];
        lmax = s > lmax ? s : lmax;
    }
    /* mu: the strong convexity at the optimum (fp32 SVRG's solution),
       the smallest eigenvalue of the logistic Hessian there. */
    float wsol[12] = {0};
    {
        lpk_halp_options o;
        memset(&o, 0, sizeof o);
        o.solver = LPK_SOLVER_SVRG;
        o.loss = LPK_LOSS_LOGISTIC;
        o.step = (float)(1.0 / (lmax / 4.0 + p.lambda));
        o.lambda = p.lambda;
        o.epochs = 40;
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, wsol, NULL), LPK_OK);
    }
    double *H = hessian(&p, 1, wsol), *L = malloc(p.d * p.d * sizeof(double)), mu, big;
    memcpy(L, H, p.d * p.d * sizeof(double));
    assert_int_equal(ref_cholesky(L, p.d), 0);
    ref_extreme_eigs(H, L, p.d, 300, &mu, &big);
    free(H);
    free(L);
    print_message("logistic n=256 d=12: Hessian at the optimum [%.3g, %.3g], lambda %.3g\n", mu,
                  big, (double)p.lambda);
    static const struct {
        lpk_solver s;
        int bits;
        double ratio;
    } cases[] = {{LPK_SOLVER_SVRG, 0, 1e-5},
                 {LPK_SOLVER_HALP, 8, 1e-5},
                 {LPK_SOLVER_HALP, 16, 1e-5},
                 {LPK_SOLVER_LP_SVRG, 8, -1e-3}};
    lpk_halp_trace tr[EPOCHS + 1];
    float w[12];
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lpk_halp_options o;
        memset(&o, 0, sizeof o);
        o.solver = cases[c].s;
        o.loss = LPK_LOSS_LOGISTIC;
        o.bits = cases[c].bits;
        o.step = (float)(1.0 / (lmax / 4.0 + p.lambda)); /* 1/L_i of the logistic loss */
        o.lambda = p.lambda;
        o.mu = (float)mu;
        o.epochs = EPOCHS;
        o.seed = 9;
        memset(w, 0, sizeof w);
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, w, tr), LPK_OK);
        double best = INFINITY;
        for (int k = 0; k <= EPOCHS; k++)
            best = fmin(best, tr[k].grad_norm / tr[0].grad_norm);
        print_message("  logistic solver %d bits %2d: best |g|/|g0| %.3e\n", cases[c].s,
                      cases[c].bits, best);
        if (cases[c].ratio > 0)
            assert_true(best <= cases[c].ratio);
        else
            assert_true(best >= -cases[c].ratio);
        assert_true(fabs(tr[EPOCHS].objective - objective(&p, 1, w)) <= 1e-12);
    }
    drop(&p);
}

/* ---- determinism ------------------------------------------------------------ */

static void train_bits(const lpk_halp_options *o, const problem *p, float *w)
{
    memset(w, 0, p->d * sizeof(float));
    assert_int_equal(lpk_halp_train(o, p->X, p->y, p->n, p->d, w, NULL), LPK_OK);
}

/* Same seed -> same bits; another seed -> another w; the same bits for 1
   and 2 threads (the problem is large enough that the full-gradient pass,
   the quantization and the trace are split). */
static void test_determinism(void **state)
{
    problem p = make(4096, 128, 1e-2f, 0, 0, 3); /* 2 MiB of fp32 rows */
    static const lpk_solver solvers[] = {LPK_SOLVER_GD, LPK_SOLVER_SGD, LPK_SOLVER_SVRG,
                                         LPK_SOLVER_LP_SGD, LPK_SOLVER_LP_SVRG, LPK_SOLVER_HALP};
    float *w1 = malloc(p.d * sizeof(float)), *w2 = malloc(p.d * sizeof(float));
    lpk_halp_trace t1[3], t2[3];
    for (size_t sg = 0; sg < 2 * sizeof solvers / sizeof solvers[0]; sg++) {
        const size_t s = sg % (sizeof solvers / sizeof solvers[0]);
        const lpk_rng rng = sg < sizeof solvers / sizeof solvers[0] ? LPK_RNG_PHILOX : LPK_RNG_ARS;
        lpk_halp_options o;
        memset(&o, 0, sizeof o);
        o.solver = solvers[s];
        o.loss = LPK_LOSS_LSQ;
        o.bits = 8;
        o.step = 1.0f / (4.0f * 160.0f);
        o.lambda = p.lambda;
        o.mu = 0.5f;
        o.T = 300;
        o.epochs = 2;
        o.seed = 99;
        o.rng = rng;
        assert_int_equal(lpk_set_num_threads(1), LPK_OK);
        train_bits(&o, &p, w1);
        train_bits(&o, &p, w2);
        assert_memory_equal(w1, w2, p.d * sizeof(float));
        assert_int_equal(lpk_set_num_threads(2), LPK_OK);
        train_bits(&o, &p, w2);
        assert_memory_equal(w1, w2, p.d * sizeof(float));
        /* Traces agree too (objective and gradient norm, not the times). */
        memset(w1, 0, p.d * sizeof(float));
        memset(w2, 0, p.d * sizeof(float));
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, w2, t2), LPK_OK);
        assert_int_equal(lpk_set_num_threads(1), LPK_OK);
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, w1, t1), LPK_OK);
        for (int k = 0; k < 3; k++) {
            assert_true(t1[k].objective == t2[k].objective);
            assert_true(t1[k].grad_norm == t2[k].grad_norm);
            assert_true(t1[k].delta == t2[k].delta);
        }
        if (solvers[s] != LPK_SOLVER_GD) { /* GD draws nothing */
            o.seed = 100;
            train_bits(&o, &p, w2);
            assert_true(memcmp(w1, w2, p.d * sizeof(float)) != 0);
        }
        if (rng == LPK_RNG_ARS && (solvers[s] == LPK_SOLVER_LP_SGD ||
                                   solvers[s] == LPK_SOLVER_LP_SVRG ||
                                   solvers[s] == LPK_SOLVER_HALP)) {
            /* the generator matters: ARS bits are not Philox's */
            o.seed = 99;
            train_bits(&o, &p, w1);
            o.rng = LPK_RNG_PHILOX;
            train_bits(&o, &p, w2);
            assert_true(memcmp(w1, w2, p.d * sizeof(float)) != 0);
        }
    }
    assert_int_equal(lpk_set_num_threads(0), LPK_OK);
    free(w1);
    free(w2);
    drop(&p);
}

/* LP_SGD runs only bit-exact kernels: the same bits under every tier. */
static void test_tiers(void **state)
{
    problem p = make(200, 24, 1e-2f, 0, 0, 8);
    lpk_halp_options o;
    memset(&o, 0, sizeof o);
    o.solver = LPK_SOLVER_LP_SGD;
    o.loss = LPK_LOSS_LSQ;
    o.step = 0.01f;
    o.lambda = p.lambda;
    o.mu = 0.3f;
    o.epochs = 3;
    o.seed = 5;
    float w_ref[24], w[24];
    for (int bg = 0; bg < 4; bg++) {
        const int bits = bg % 2 ? 16 : 8;
        o.bits = bits;
        o.rng = bg < 2 ? LPK_RNG_PHILOX : LPK_RNG_ARS;
        assert_int_equal(lpk_set_isa("scalar"), LPK_OK);
        train_bits(&o, &p, w_ref);
        assert_int_equal(lpk_set_isa("auto"), LPK_OK);
        print_message("  LP_SGD-%d: scalar vs %s (update %s)\n", bits, lpk_isa(),
                      lpk_kernel_variant(o.rng == LPK_RNG_ARS
                                             ? (bits == 8 ? "fixed.update8_ars" : "fixed.update16_ars")
                                             : (bits == 8 ? "fixed.update8" : "fixed.update16")));
        train_bits(&o, &p, w);
        assert_memory_equal(w_ref, w, sizeof w);
    }
    drop(&p);
}

/* Rows already on an 8-bit grid: the full pass may read the int8 rows,
   and the result is the same bits as with the fp32 rows. */
static void test_exact_rows(void **state)
{
    problem p = make(300, 20, 1e-2f, 0, 1, 21);
    solve_lsq(&p);
    lpk_halp_trace tr[7];
    for (int s = 0; s < 2; s++) {
        lpk_halp_options o = opts(s ? LPK_SOLVER_LP_SVRG : LPK_SOLVER_HALP, 8, &p, 6);
        float a[20], b[20];
        o.fp32_full_pass = 0;
        memset(a, 0, sizeof a);
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, a, tr), LPK_OK);
        assert_int_equal(tr[0].full_pass_bits, 0);
        for (int k = 1; k <= 6; k++)
            assert_int_equal(tr[k].full_pass_bits, 8);
        assert_true(subopt(&p, tr[6].objective) < subopt(&p, tr[0].objective));
        o.fp32_full_pass = 1;
        memset(b, 0, sizeof b);
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, b, tr), LPK_OK);
        assert_int_equal(tr[6].full_pass_bits, 32);
        assert_memory_equal(a, b, sizeof a);
        /* 16 bits: these rows are not exact at scale max/32767. */
        o.bits = 16;
        o.fp32_full_pass = 0;
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, b, tr), LPK_OK);
        assert_int_equal(tr[6].full_pass_bits, 32);
    }
    /* One inexact row is enough to fall back to the fp32 rows. */
    p.X[5 * p.d + 3] = 0.3f;
    lpk_halp_options o = opts(LPK_SOLVER_HALP, 8, &p, 1);
    float c[20] = {0};
    assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, c, tr), LPK_OK);
    assert_int_equal(tr[1].full_pass_bits, 32);
    drop(&p);
}

/* ---- the trace ----------------------------------------------------------------- */

static void test_trace(void **state)
{
    problem p = make(100, 10, 1e-2f, 0, 0, 4);
    solve_lsq(&p);
    float w0[10], w[10];
    for (int j = 0; j < 10; j++)
        w0[j] = 0.1f * (float)(j - 5);
    for (int s = LPK_SOLVER_GD; s <= LPK_SOLVER_HALP; s++) {
        lpk_halp_options o = opts((lpk_solver)s, 16, &p, 4);
        lpk_halp_trace tr[6];
        memset(tr, 0xAB, sizeof tr);
        memcpy(w, w0, sizeof w);
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, w, tr), LPK_OK);
        /* trace[5] is beyond epochs + 1 entries: untouched. */
        const unsigned char *tail = (const unsigned char *)&tr[5];
        for (size_t b = 0; b < sizeof tr[5]; b++)
            assert_int_equal(tail[b], 0xAB);
        const int lp = s == LPK_SOLVER_LP_SGD || s == LPK_SOLVER_LP_SVRG;
        /* trace[0] is f at w0 (for the fixed grids: w0 rounded onto it). */
        if (!lp)
            assert_true(fabs(tr[0].objective - objective(&p, 0, w0)) <= 1e-12 * tr[0].objective);
        assert_true(tr[0].grad_norm > 0);
        assert_true(tr[0].delta == 0.0);
        assert_true(tr[0].inner_seconds == 0.0);
        for (int k = 0; k <= 4; k++) {
            assert_true(isfinite(tr[k].objective) && tr[k].objective > 0);
            assert_true(tr[k].seconds >= 0);
            if (k > 0) {
                assert_true(tr[k].seconds >= tr[k - 1].seconds);
                assert_true(tr[k].inner_seconds >= tr[k - 1].inner_seconds);
                assert_true(tr[k].inner_seconds <= tr[k].seconds - tr[0].seconds + 1e-9);
                if (lp || s == LPK_SOLVER_HALP)
                    assert_true(tr[k].delta > 0);
                else
                    assert_true(tr[k].delta == 0.0);
                if (lp)
                    assert_true(tr[k].delta == tr[1].delta);
            }
        }
        assert_true(fabs(tr[4].objective - objective(&p, 0, w)) <= 1e-12 * tr[4].objective);
        /* epochs = 0: trace[0] only, and w comes back as it went in (fp32
           solvers) or rounded onto the grid (fixed-grid solvers). */
        o.epochs = 0;
        memcpy(w, w0, sizeof w);
        lpk_halp_trace t0[2];
        memset(t0, 0xCD, sizeof t0);
        assert_int_equal(lpk_halp_train(&o, p.X, p.y, p.n, p.d, w, t0), LPK_OK);
        assert_true(t0[0].objective == tr[0].objective);
        assert_int_equal(((const unsigned char *)&t0[1])[0], 0xCD);
        if (!lp)
            assert_memory_equal(w, w0, sizeof w);
    }
    drop(&p);
}

/* ---- bad options -------------------------------------------------------------- */

static void expect_bad(const lpk_halp_options *o, const float *X, const float *y, size_t n,
                       size_t d, float *w, lpk_halp_trace *tr, const char *needle)
{
    float before[8];
    lpk_halp_trace tbefore[3];
    if (w)
        memcpy(before, w, d < 8 ? d * sizeof(float) : sizeof before);
    if (tr)
        memcpy(tbefore, tr, sizeof tbefore);
    const lpk_status st = lpk_halp_train(o, X, y, n, d, w, tr);
    if (st != LPK_EINVAL)
        fail_msg("expected LPK_EINVAL for '%s', got %d", needle, (int)st);
    const char *msg = lpk_last_error();
    if (!strstr(msg, "lpk_halp_train") || !strstr(msg, needle))
        fail_msg("message '%s' lacks '%s'", msg, needle);
    if (w)
        assert_memory_equal(before, w, d < 8 ? d * sizeof(float) : sizeof before);
    if (tr)
        assert_memory_equal(tbefore, tr, sizeof tbefore);
}

static void test_bad_options(void **state)
{
    enum { N = 6, D = 4 };
    float X[N * D], y[N], w[D];
    for (int k = 0; k < N * D; k++)
        X[k] = (float)((k * 7) % 5) - 2.0f;
    for (int i = 0; i < N; i++)
        y[i] = (i & 1) ? 1.0f : -1.0f;
    for (int j = 0; j < D; j++)
        w[j] = 0.25f * (float)j;
    lpk_halp_trace tr[3];
    memset(tr, 0x5A, sizeof tr);
    lpk_halp_options good;
    memset(&good, 0, sizeof good);
    good.solver = LPK_SOLVER_HALP;
    good.loss = LPK_LOSS_LOGISTIC;
    good.bits = 8;
    good.step = 0.1f;
    good.lambda = 0.1f;
    good.mu = 0.1f;
    good.epochs = 2;
    lpk_halp_options o;

    expect_bad(NULL, X, y, N, D, w, tr, "options is NULL");
    expect_bad(&good, NULL, y, N, D, w, tr, "X is NULL");
    expect_bad(&good, X, NULL, N, D, w, tr, "y is NULL");
    expect_bad(&good, X, y, N, D, NULL, tr, "w is NULL");
    expect_bad(&good, X, y, 0, D, w, tr, "n = 0");
    expect_bad(&good, X, y, N, 0, w, tr, "d = 0");
    expect_bad(&good, X, y, SIZE_MAX / 2, 3, w, tr, "overflows");
    o = good, o.solver = (lpk_solver)6;
    expect_bad(&o, X, y, N, D, w, tr, "unknown solver 6");
    o = good, o.solver = (lpk_solver)-1;
    expect_bad(&o, X, y, N, D, w, tr, "unknown solver -1");
    o = good, o.loss = (lpk_loss)2;
    expect_bad(&o, X, y, N, D, w, tr, "unknown loss 2");
    o = good, o.rng = (lpk_rng)2;
    expect_bad(&o, X, y, N, D, w, tr, "unknown rng 2");
    o = good, o.rng = (lpk_rng)-1;
    expect_bad(&o, X, y, N, D, w, tr, "unknown rng -1");
    static const int badbits[] = {0, 4, 7, 9, 32, -8};
    for (size_t k = 0; k < sizeof badbits / sizeof badbits[0]; k++)
        for (int s = LPK_SOLVER_LP_SGD; s <= LPK_SOLVER_HALP; s++) {
            o = good, o.solver = (lpk_solver)s, o.bits = badbits[k];
            expect_bad(&o, X, y, N, D, w, tr, "bits");
        }
    static const float badstep[] = {0.0f, -1.0f, INFINITY, NAN};
    for (size_t k = 0; k < 4; k++) {
        o = good, o.step = badstep[k];
        expect_bad(&o, X, y, N, D, w, tr, "step");
    }
    static const float badlam[] = {-1e-3f, INFINITY, NAN};
    for (size_t k = 0; k < 3; k++) {
        o = good, o.lambda = badlam[k];
        expect_bad(&o, X, y, N, D, w, tr, "lambda");
    }
    static const float badmu[] = {0.0f, -1.0f, INFINITY, NAN};
    for (size_t k = 0; k < 4; k++) {
        o = good, o.mu = badmu[k];
        expect_bad(&o, X, y, N, D, w, tr, "mu");
        o.solver = LPK_SOLVER_LP_SVRG; /* automatic lp_delta needs mu */
        expect_bad(&o, X, y, N, D, w, tr, "mu");
        o.solver = LPK_SOLVER_LP_SGD;
        expect_bad(&o, X, y, N, D, w, tr, "mu");
    }
    o = good, o.lp_delta = -1.0f;
    expect_bad(&o, X, y, N, D, w, tr, "lp_delta");
    o = good, o.lp_delta = NAN;
    expect_bad(&o, X, y, N, D, w, tr, "lp_delta");
    o = good, o.epochs = -1;
    expect_bad(&o, X, y, N, D, w, tr, "epochs");
    o = good, o.T = SIZE_MAX, o.epochs = 1000;
    expect_bad(&o, X, y, N, D, w, tr, "too many");
    /* Labels: logistic needs +-1 exactly. */
    float ybad[N];
    memcpy(ybad, y, sizeof y);
    ybad[3] = 0.0f;
    expect_bad(&good, X, ybad, N, D, w, tr, "y[3]");
    ybad[3] = 2.0f;
    expect_bad(&good, X, ybad, N, D, w, tr, "+1 or -1");
    ybad[3] = NAN;
    o = good, o.loss = LPK_LOSS_LSQ;
    expect_bad(&o, X, ybad, N, D, w, tr, "y[3]");
    /* Non-finite data or start. */
    float Xbad[N * D];
    memcpy(Xbad, X, sizeof X);
    Xbad[2 * D + 1] = INFINITY;
    expect_bad(&good, Xbad, y, N, D, w, tr, "X[2][1]");
    float wbad[D];
    memcpy(wbad, w, sizeof w);
    wbad[2] = NAN;
    expect_bad(&good, X, y, N, D, wbad, tr, "w[2]");
    /* Overlaps. */
    float both[N * D];
    memcpy(both, X, sizeof X);
    expect_bad(&good, both, y, N, D, both + 4, tr, "w overlaps X");
    expect_bad(&good, X, both, N, D, both + 1, tr, "w overlaps y");
    static double bigbuf[128]; /* X, w and traces over them, in one buffer */
    float *big = (float *)bigbuf;
    memcpy(big, X, sizeof X);
    memcpy(big + 100, w, sizeof w);
    expect_bad(&good, big, y, N, D, w, (lpk_halp_trace *)(void *)(bigbuf + 8), "trace overlaps");
    expect_bad(&good, X, y, N, D, big + 100, (lpk_halp_trace *)(void *)(bigbuf + 49),
               "trace overlaps");
    /* None of the above wrote anything; the good options work. */
    float wg[D];
    memcpy(wg, w, sizeof w);
    assert_int_equal(lpk_halp_train(&good, X, y, N, D, wg, tr), LPK_OK);
    /* Options ignored by a solver are not checked: bits for fp32 solvers,
       mu for SVRG / GD / SGD, mu for fixed grids with a given lp_delta. */
    o = good, o.solver = LPK_SOLVER_SVRG, o.bits = 3, o.mu = 0.0f;
    assert_int_equal(lpk_halp_train(&o, X, y, N, D, wg, NULL), LPK_OK);
    o = good, o.solver = LPK_SOLVER_LP_SVRG, o.mu = 0.0f, o.lp_delta = 0.01f;
    assert_int_equal(lpk_halp_train(&o, X, y, N, D, wg, NULL), LPK_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lsq_claims),  cmocka_unit_test(test_gd),
        cmocka_unit_test(test_logistic),    cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_tiers),       cmocka_unit_test(test_exact_rows),
        cmocka_unit_test(test_trace),       cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
