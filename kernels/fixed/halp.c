/* HALP driver: bit-centered SVRG (De Sa et al., "High-Accuracy Low-Precision
   Training", 2018) and the baselines of its experiments (GD, SGD, SVRG in
   fp32; LP-SGD, LP-SVRG on a fixed grid), for L2-regularized least squares
   and logistic regression.  The contract is documented in lpk.h.

   Portable C on purpose (no ISA flags): every O(d) vector operation of the
   training loop goes through the fixed family's dispatched kernels (integer
   dot, fixed-point update, quantize, dequantize, and their fp32 twins), so
   HALP and the fp32 SVRG baseline run the same loop structure with kernels
   of equal care.  This file only sequences them, draws the sample indices,
   prefetches the next rows (see prefetch_step), and does the O(1)-per-step
   scalar math (in double).  Trace evaluation is a separate, untimed
   double-precision pass. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "fixed.h"
#include "../common/philox.h"

#define HALP_BLOCKS 64          /* full passes: fixed row blocks (thread-count independent) */
#define HALP_BATCH 256          /* sample indices drawn per batch */
#define HALP_PF_FAR 6           /* row heads and per-row records this many steps ahead */
#define HALP_PF_NEAR 3          /* whole rows this many steps ahead */
#define HALP_PF_MAX_BYTES 32768 /* prefetch at most this much of a row */
#define HALP_FULL_PF_BYTES 4096 /* full passes: prefetch distance in the row stream */
#define HALP_IDX_TAG 0x48414C50u /* "HALP": counter word 2 of the index stream */
#define HALP_HUGE_MIN ((size_t)4 << 20) /* quantized rows this large go on 2 MiB pages */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- losses ------------------------------------------------------------- */

/* phi(s) = dl/ds. */
static double loss_phi(lpk_loss loss, double s, double y)
{
    if (loss == LPK_LOSS_LSQ)
        return s - y;
    /* -y sigma(-y s) = -y / (1 + exp(y s)) */
    const double t = y * s;
    return t >= 0 ? -y * exp(-t) / (1.0 + exp(-t)) : -y / (1.0 + exp(t));
}

static double sigmoid(double u) { return u >= 0 ? 1.0 / (1.0 + exp(-u)) : exp(u) / (1.0 + exp(u)); }

/* phi(r + e) - phi(r) without cancellation: e exactly for least squares;
   for the logistic loss, with u = -y r and v = -y e,
   sigma(u + v) - sigma(u) = -sigma(u + v) sigma(-u) expm1(-v). */
static double loss_dphi(lpk_loss loss, double r, double e, double y)
{
    if (loss == LPK_LOSS_LSQ)
        return e;
    const double u = -y * r, v = -y * e;
    if (fabs(v) > 30.0)
        return -y * (sigmoid(u + v) - sigmoid(u));
    return -y * (-sigmoid(u + v) * sigmoid(-u) * expm1(-v));
}

/* l(s, y) in double, overflow-free. */
static double loss_value(lpk_loss loss, double s, double y)
{
    if (loss == LPK_LOSS_LSQ)
        return 0.5 * (s - y) * (s - y);
    const double t = -y * s; /* log(1 + exp(t)) */
    return (t > 0 ? t : 0.0) + log1p(exp(-fabs(t)));
}

/* ---- the run's state ---------------------------------------------------- */

/* What an inner step needs of row i besides the row itself, in one 16-byte
   record (one cache line to fetch instead of three): label, scale of the
   quantized row, and r_i = x_i . w~ from the last full pass. */
typedef struct {
    float y, s, r, unused;
} row_info;

typedef struct {
    /* problem */
    const float *X, *y;
    size_t n, d;
    lpk_loss loss;
    double lambda;
    /* quantized rows (low-precision solvers) */
    int bits;            /* 8 or 16; 0 for the fp32 solvers */
    size_t qbytes;       /* row stride of Xq in bytes (64-byte multiple) */
    unsigned char *Xq;
    row_info *info;      /* n records: y_i, s_i (scale), r_i */
    int rows_exact;      /* every row widens back to X's row bit for bit */
    int full_from_q;     /* full passes read Xq */
    /* row blocks of the full passes */
    size_t nblk, brows;
    float *part;         /* nblk x d fp32 partial gradients */
    float *rowbuf;       /* nblk x d widened rows (full_from_q) */
    double *dpart;       /* nblk x (d + 1): trace partial gradients, objective */
    float *zeros;        /* d zeros: h of plain axpy-style updates */
    /* kernels */
    lpk_fixed_quant8_fn *quant8;
    lpk_fixed_quant16_fn *quant16;
    lpk_fixed_dequant8_fn *dequant8;
    lpk_fixed_dequant16_fn *dequant16;
    lpk_fixed_dot8_fn *dot8;
    lpk_fixed_dot16_fn *dot16;
    lpk_fixed_update8_fn *update8;
    lpk_fixed_update16_fn *update16;
    lpk_fixed_dotf_fn *dotf;
    lpk_fixed_updatef_fn *updatef;
} halp_run;

static const void *qrow(const halp_run *R, size_t i) { return R->Xq + i * R->qbytes; }

static int64_t qdot(const halp_run *R, const void *a, const void *b)
{
    return R->bits == 8 ? R->dot8(a, b, R->d) : R->dot16(a, b, R->d);
}

static void qupdate(const halp_run *R, void *z, const void *x, const float *h, float a, float c,
                    uint64_t seed, uint64_t offset)
{
    if (R->bits == 8)
        R->update8(z, x, h, R->d, a, c, LPK_ROUND_STOCHASTIC, seed, offset);
    else
        R->update16(z, x, h, R->d, a, c, LPK_ROUND_STOCHASTIC, seed, offset);
}

static void qwiden(const halp_run *R, const void *q, float *x, float delta, size_t n)
{
    if (R->bits == 8)
        R->dequant8(q, x, n, delta);
    else
        R->dequant16(q, x, n, delta);
}

static void qquant(const halp_run *R, const float *x, void *q, size_t n, float inv_delta)
{
    if (R->bits == 8)
        R->quant8(x, q, n, inv_delta, LPK_ROUND_NEAREST, 0, 0);
    else
        R->quant16(x, q, n, inv_delta, LPK_ROUND_NEAREST, 0, 0);
}

static int64_t qget(const halp_run *R, const void *q, size_t j)
{
    return R->bits == 8 ? ((const int8_t *)q)[j] : ((const int16_t *)q)[j];
}

static double qmax_of(int bits) { return (double)((1 << (bits - 1)) - 1); }

/* Prefetching of the inner loops.  A step reads one random row (d fp32 or
   b-bit values), its 16-byte row record and (LP_SVRG) c_i, besides z and h,
   which stay in L1.  Prefetching every line of the row into L1 at one
   distance holds one of the core's few line-fill buffers per line for a
   whole DRAM latency, and the current step's loads queue behind them, so
   two distances are used, which measured best for both row sizes
   (perf/RESULTS-archive.md, section "halp.c: inner-loop prefetching"):
     far  (HALP_PF_FAR steps ahead): the first three lines of the row and
          the first line of every further 4 KiB page it spans, into L1, and
          the row record and c_i.  This starts the page walks and trains
          the hardware's page-local stream prefetcher, which then brings
          the rest of the row towards the core without holding fill
          buffers;
     near (HALP_PF_NEAR steps ahead): every line of the row (up to
          HALP_PF_MAX_BYTES) with PREFETCHT2-class hints, which mostly hit
          in L2/L3 by then and complete quickly.
   The same code serves the fp32 and the low-precision loops, so that SVRG
   and HALP are compared with prefetching of equal care. */
static void prefetch_far(const void *row, size_t bytes)
{
    if (bytes > HALP_PF_MAX_BYTES)
        bytes = HALP_PF_MAX_BYTES;
    const char *p = row;
    const uintptr_t a = (uintptr_t)p, end = a + bytes;
    for (size_t o = 0; o < 3 * 64 && o < bytes; o += 64)
        __builtin_prefetch(p + o, 0, 3);
    for (uintptr_t pg = (a + 4095) & ~(uintptr_t)4095; pg < end; pg += 4096)
        __builtin_prefetch((const void *)pg, 0, 3);
}

static void prefetch_near(const void *row, size_t bytes)
{
    const char *p = row;
    if (bytes > HALP_PF_MAX_BYTES)
        bytes = HALP_PF_MAX_BYTES;
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(p + o, 0, 1);
}

/* Prefetches for step k of a batch whose sample indices are idx[0 ..
   k + HALP_PF_FAR]: rows start at base + i * stride and are `bytes` long. */
static void prefetch_step(const halp_run *R, const size_t *idx, size_t k, const void *base,
                          size_t stride, size_t bytes, const int64_t *c)
{
    const size_t f = idx[k + HALP_PF_FAR], m = idx[k + HALP_PF_NEAR];
    prefetch_far((const char *)base + f * stride, bytes);
    __builtin_prefetch(R->info + f, 0, 3);
    if (c)
        __builtin_prefetch(c + f, 0, 3);
    prefetch_near((const char *)base + m * stride, bytes);
}

/* Sample indices of steps t0 .. t0 + cnt - 1 (see lpk.h, "Sampling"). */
static void draw_indices(uint64_t seed, uint64_t t0, size_t cnt, size_t n, size_t *out)
{
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t w[4];
    uint64_t have = UINT64_MAX;
    for (size_t k = 0; k < cnt; k++) {
        const uint64_t t = t0 + k, q = t >> 1;
        if (q != have) {
            const uint32_t ctr[4] = {(uint32_t)q, (uint32_t)(q >> 32), HALP_IDX_TAG, 0};
            lpk_philox_block(ctr, key, w);
            have = q;
        }
        const uint64_t u = (uint64_t)w[2 * (t & 1)] | (uint64_t)w[2 * (t & 1) + 1] << 32;
        out[k] = (size_t)(((unsigned __int128)u * n) >> 64);
    }
}

/* ---- data quantization -------------------------------------------------- */

typedef struct {
    halp_run *R;
    int *exact; /* per block */
} quant_job;

static void quant_chunk(void *ctx, size_t blo, size_t bhi)
{
    const quant_job *J = ctx;
    halp_run *R = J->R;
    const size_t d = R->d;
    const float qm = (float)qmax_of(R->bits);
    float *buf = R->part + blo * d; /* free until the first full pass */
    for (size_t b = blo; b < bhi; b++) {
        int exact = 1;
        const size_t lo = b * R->brows, hi = lo + R->brows < R->n ? lo + R->brows : R->n;
        for (size_t i = lo; i < hi; i++) {
            const float *x = R->X + i * d;
            float m = 0.0f;
            for (size_t j = 0; j < d; j++)
                m = fabsf(x[j]) > m ? fabsf(x[j]) : m;
            const float inv = m > 0.0f ? qm / m : 0.0f, s = m / qm;
            void *q = R->Xq + i * R->qbytes;
            memset(q, 0, R->qbytes);
            qquant(R, x, q, d, inv);
            R->info[i].s = s;
            if (exact) {
                qwiden(R, q, buf, s, d);
                exact = memcmp(buf, x, d * sizeof(float)) == 0;
            }
        }
        J->exact[b] = exact;
    }
}

/* ---- full-gradient pass (fp32, blocked, deterministic) -------------------- */

typedef struct {
    const halp_run *R;
    const float *w;   /* the point */
    const void *wq;   /* LP_SVRG: the grid point, for c */
    int64_t *c;       /* LP_SVRG: xq_i . wq */
} full_job;

static void full_chunk(void *ctx, size_t blo, size_t bhi)
{
    const full_job *J = ctx;
    const halp_run *R = J->R;
    const size_t d = R->d;
    float *buf = R->full_from_q ? R->rowbuf + blo * d : NULL;
    for (size_t b = blo; b < bhi; b++) {
        float *acc = R->part + b * d;
        memset(acc, 0, d * sizeof(float));
        const size_t lo = b * R->brows, hi = lo + R->brows < R->n ? lo + R->brows : R->n;
        const size_t rb = buf ? R->qbytes : d * sizeof(float);
        const char *base = buf ? (const char *)R->Xq : (const char *)R->X;
        for (size_t i = lo; i < hi; i++) {
            /* the rows are one stream: each row prefetches as many bytes
               HALP_FULL_PF_BYTES ahead into L2 (the dot's result gates the
               axpy, so the row loads alone keep few misses in flight):
               n = 50000, d = 1024, interleaved runs: int8 rows 9.1-13.8 ->
               8.2-10.3 ms a pass, fp32 rows 18.3-23.6 -> 18.8-21.1 */
            if (i + 1 < hi)
                for (size_t o = 0; o < rb; o += 64)
                    __builtin_prefetch(base + i * rb + HALP_FULL_PF_BYTES + o, 0, 2);
            const float *x = R->X + i * d;
            if (buf) {
                qwiden(R, qrow(R, i), buf, R->info[i].s, d);
                x = buf;
            }
            const float s = R->dotf(x, J->w, d);
            R->info[i].r = s;
            const float ph = (float)loss_phi(R->loss, s, R->y[i]);
            R->updatef(acc, x, R->zeros, d, 1.0f, ph);
            if (J->c)
                J->c[i] = qdot(R, qrow(R, i), J->wq);
        }
    }
}

/* g = grad f(w) = (1/n) sum_i phi_i(x_i.w) x_i + lambda w; info[i].r = x_i . w. */
static void full_gradient(const halp_run *R, const float *w, float *g, const void *wq, int64_t *c)
{
    full_job J = {R, w, wq, c};
    lpk_parallel_for(R->nblk, 1, R->brows * R->d * (R->full_from_q ? (size_t)R->bits / 8 : 4),
                     full_chunk, &J);
    const double inv_n = 1.0 / (double)R->n;
    for (size_t j = 0; j < R->d; j++) {
        double s = 0.0;
        for (size_t b = 0; b < R->nblk; b++)
            s += R->part[b * R->d + j];
        g[j] = (float)(s * inv_n + R->lambda * w[j]);
    }
}

/* ---- trace evaluation (double, untimed) --------------------------------- */

typedef struct {
    const halp_run *R;
    const float *w;
} eval_job;

static void eval_chunk(void *ctx, size_t blo, size_t bhi)
{
    const eval_job *J = ctx;
    const halp_run *R = J->R;
    const size_t d = R->d;
    for (size_t b = blo; b < bhi; b++) {
        double *gp = R->dpart + b * (d + 1);
        memset(gp, 0, (d + 1) * sizeof(double));
        const size_t lo = b * R->brows, hi = lo + R->brows < R->n ? lo + R->brows : R->n;
        for (size_t i = lo; i < hi; i++) {
            const float *x = R->X + i * d;
            double s = 0.0;
            for (size_t j = 0; j < d; j++)
                s += (double)x[j] * J->w[j];
            gp[d] += loss_value(R->loss, s, R->y[i]);
            const double ph = loss_phi(R->loss, s, R->y[i]);
            for (size_t j = 0; j < d; j++)
                gp[j] += ph * x[j];
        }
    }
}

static void evaluate(const halp_run *R, const float *w, double *obj, double *gnorm)
{
    eval_job J = {R, w};
    lpk_parallel_for(R->nblk, 1, R->brows * R->d * 4, eval_chunk, &J);
    const size_t d = R->d;
    const double inv_n = 1.0 / (double)R->n;
    double f = 0.0, ww = 0.0, gg = 0.0;
    for (size_t b = 0; b < R->nblk; b++)
        f += R->dpart[b * (d + 1) + d];
    for (size_t j = 0; j < d; j++) {
        double s = 0.0;
        for (size_t b = 0; b < R->nblk; b++)
            s += R->dpart[b * (d + 1) + j];
        const double gj = s * inv_n + R->lambda * w[j];
        gg += gj * gj;
        ww += (double)w[j] * w[j];
    }
    *obj = f * inv_n + 0.5 * R->lambda * ww;
    *gnorm = sqrt(gg);
}

/* ---- inner loops -------------------------------------------------------- */

/* The SVRG step is memory-bound (it streams a random 4 KiB fp32 row) and
   the HALP step compute-bound (update8's vector uops and the Philox draw
   exceed the time to stream its 1 KiB int8 row), so on one core 8 bits buy
   far less than the paper's "up to 4x" in the inner loop, and the fp32
   full-gradient pass caps the whole epoch further.  The roofline and the
   figures: perf/RESULTS-archive.md, section "halp.c: what bounds the inner
   loops". */

/* Shared arguments of one epoch's inner loop. */
typedef struct {
    size_t T;
    uint64_t step0; /* global index of the first step */
    uint64_t seed;
    double alpha;
    float a;        /* 1 - alpha lambda */
} inner_args;

/* fp32 inner loop on z: z = a z + c x_i + h with
     SGD  (sgd != 0, z = w, h = 0): c = -alpha phi(x_i.w)
     SVRG (h = -alpha g):           c = -alpha (phi(r_i + x_i.z) - phi(r_i)). */
static void inner_f32(const halp_run *R, const inner_args *A, int sgd, const float *h, float *z)
{
    size_t idx[HALP_BATCH + HALP_PF_FAR];
    const size_t d = R->d, rb = d * sizeof(float);
    for (size_t t0 = 0; t0 < A->T; t0 += HALP_BATCH) {
        const size_t cnt = A->T - t0 < HALP_BATCH ? A->T - t0 : HALP_BATCH;
        draw_indices(A->seed, A->step0 + t0, cnt + HALP_PF_FAR, R->n, idx);
        for (size_t k = 0; k < cnt; k++) {
            prefetch_step(R, idx, k, R->X, rb, rb, NULL);
            const size_t i = idx[k];
            const float *x = R->X + i * d;
            const double e = R->dotf(x, z, d);
            const row_info *ri = R->info + i;
            const double ph = sgd ? loss_phi(R->loss, e, ri->y) : loss_dphi(R->loss, ri->r, e, ri->y);
            R->updatef(z, x, h, d, A->a, (float)(-A->alpha * ph));
        }
    }
}

/* Low-precision inner loop on the grid integers zq (spacing delta):
     mode 0 (HALP):    e = x_i.z = s_i delta (xq_i.zq),   dphi = phi(r_i + e) - phi(r_i)
     mode 1 (LP_SVRG): e = s_i delta (xq_i.wq - c_i),      same dphi
     mode 2 (LP_SGD):  s = s_i delta (xq_i.wq),            dphi = phi(s)
   then zq = sat(R(a zq + c xq_i + h)), c = -alpha dphi s_i / delta. */
static void inner_lp(const halp_run *R, const inner_args *A, int mode, double delta,
                     const int64_t *cdot, const float *h, void *zq)
{
    size_t idx[HALP_BATCH + HALP_PF_FAR];
    const size_t rb = R->d * (size_t)R->bits / 8;
    for (size_t t0 = 0; t0 < A->T; t0 += HALP_BATCH) {
        const size_t cnt = A->T - t0 < HALP_BATCH ? A->T - t0 : HALP_BATCH;
        draw_indices(A->seed, A->step0 + t0, cnt + HALP_PF_FAR, R->n, idx);
        for (size_t k = 0; k < cnt; k++) {
            prefetch_step(R, idx, k, R->Xq, R->qbytes, rb, cdot);
            const size_t i = idx[k];
            const void *xq = qrow(R, i);
            const row_info *ri = R->info + i;
            const double si = ri->s;
            int64_t dz = qdot(R, xq, zq);
            double dphi;
            if (mode == 2) {
                dphi = loss_phi(R->loss, si * delta * (double)dz, ri->y);
            } else {
                if (mode == 1)
                    dz -= cdot[i];
                dphi = loss_dphi(R->loss, ri->r, si * delta * (double)dz, ri->y);
            }
            const float c = (float)(-A->alpha * dphi * si / delta);
            qupdate(R, zq, xq, h, A->a, c, A->seed,
                    (A->step0 + t0 + k) * (uint64_t)LPK_FIXED_SR_PERIOD);
        }
    }
}

/* ---- validation --------------------------------------------------------- */

static int finite_pos(float v) { return isfinite(v) && v > 0.0f; }

static lpk_status validate(const lpk_halp_options *o, const float *X, const float *y, size_t n,
                           size_t d, const float *w, const lpk_halp_trace *trace)
{
#define BAD(...) lpk_fail(LPK_EINVAL, "lpk_halp_train: " __VA_ARGS__)
    if (!o)
        return BAD("options is NULL");
    if (!X || !y || !w)
        return BAD("%s is NULL", !X ? "X" : !y ? "y" : "w");
    if (n == 0 || d == 0)
        return BAD("%s = 0; need at least one example and one feature", n == 0 ? "n" : "d");
    size_t xb;
    if (!lpk_size_mul3(n, d, sizeof(float), &xb))
        return BAD("n * d = %zu * %zu floats overflows", n, d);
    const int s = (int)o->solver;
    if (s < LPK_SOLVER_GD || s > LPK_SOLVER_HALP)
        return BAD("unknown solver %d", s);
    if ((int)o->loss != LPK_LOSS_LSQ && (int)o->loss != LPK_LOSS_LOGISTIC)
        return BAD("unknown loss %d", (int)o->loss);
    const int lp = s == LPK_SOLVER_LP_SGD || s == LPK_SOLVER_LP_SVRG || s == LPK_SOLVER_HALP;
    if (lp && o->bits != 8 && o->bits != 16)
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
    if (o->epochs > 0 && T > (UINT64_MAX / LPK_FIXED_SR_PERIOD) / (uint64_t)o->epochs)
        return BAD("T * epochs = %llu * %d steps is too many", (unsigned long long)T, o->epochs);
    const size_t vb = n * sizeof(float), wb = d * sizeof(float);
    if (lpk_overlap(w, wb, X, xb) || lpk_overlap(w, wb, y, vb))
        return BAD("w overlaps %s", lpk_overlap(w, wb, X, xb) ? "X" : "y");
    if (trace) {
        size_t tb;
        if (!lpk_size_mul((size_t)o->epochs + 1, sizeof(lpk_halp_trace), &tb))
            return BAD("epochs + 1 trace entries overflow");
        if (lpk_overlap(trace, tb, X, xb) || lpk_overlap(trace, tb, y, vb) ||
            lpk_overlap(trace, tb, w, wb))
            return BAD("trace overlaps X, y or w");
    }
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
#undef BAD
}

/* ---- the driver ----------------------------------------------------------- */

/* a * b * c bytes, or SIZE_MAX (which alloc64 refuses) on overflow. */
static size_t bytes3(size_t a, size_t b, size_t c)
{
    size_t r;
    lpk_size_mul3(a, b, c, &r);
    return r;
}

static void *alloc64(size_t bytes, int *fail)
{
    if (bytes == SIZE_MAX) {
        *fail = 1;
        return NULL;
    }
    if (bytes == 0)
        bytes = 64;
    const size_t want = (bytes + 63) / 64 * 64;
    if (want < bytes) {
        *fail = 1;
        return NULL;
    }
    void *p = aligned_alloc(64, want);
    if (!p)
        *fail = 1;
    return p;
}

/* The quantized rows: 2 MiB aligned and advised onto transparent huge pages
   when large (Linux), so that the inner loop's random rows cost no page
   walk (one 4 KiB TLB entry covers 4 rows of d = 1024 int8).  Falls back
   to alloc64 where that is not available. */
static void *alloc_rows(size_t bytes, int *fail)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const size_t huge = (size_t)2 << 20;
    if (bytes != SIZE_MAX && bytes >= HALP_HUGE_MIN && bytes <= SIZE_MAX - huge) {
        const size_t want = (bytes + huge - 1) / huge * huge;
        void *p = aligned_alloc(huge, want);
        if (p) {
            (void)madvise(p, want, MADV_HUGEPAGE); /* advice only: failure is harmless */
            return p;
        }
    }
#endif
    return alloc64(bytes, fail);
}

lpk_status lpk_halp_train(const lpk_halp_options *o, const float *X, const float *y, size_t n,
                          size_t d, float *w, lpk_halp_trace *trace)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    const double t_setup = now_s();
    const lpk_status vs = validate(o, X, y, n, d, w, trace);
    if (vs != LPK_OK)
        return vs;

    const lpk_solver solver = o->solver;
    const int lp = solver == LPK_SOLVER_LP_SGD || solver == LPK_SOLVER_LP_SVRG ||
                   solver == LPK_SOLVER_HALP;
    const int svrg_like = solver == LPK_SOLVER_SVRG || solver == LPK_SOLVER_LP_SVRG ||
                          solver == LPK_SOLVER_HALP;
    const size_t T = o->T ? o->T : n;
    const double alpha = o->step;

    halp_run R;
    memset(&R, 0, sizeof R);
    R.X = X;
    R.y = y;
    R.n = n;
    R.d = d;
    R.loss = o->loss;
    R.lambda = o->lambda;
    R.bits = lp ? o->bits : 0;
    R.nblk = n < HALP_BLOCKS ? n : HALP_BLOCKS;
    R.brows = (n + R.nblk - 1) / R.nblk;
    R.nblk = (n + R.brows - 1) / R.brows;
    R.quant8 = LPK_SELECTED(lpk_op_fixed_quant8);
    R.quant16 = LPK_SELECTED(lpk_op_fixed_quant16);
    R.dequant8 = LPK_SELECTED(lpk_op_fixed_dequant8);
    R.dequant16 = LPK_SELECTED(lpk_op_fixed_dequant16);
    R.dot8 = LPK_SELECTED(lpk_op_fixed_dot8);
    R.dot16 = LPK_SELECTED(lpk_op_fixed_dot16);
    R.update8 = LPK_SELECTED(lpk_op_fixed_update8);
    R.update16 = LPK_SELECTED(lpk_op_fixed_update16);
    R.dotf = LPK_SELECTED(lpk_op_fixed_dotf);
    R.updatef = LPK_SELECTED(lpk_op_fixed_updatef);

    /* Workspace (sizes checked: an overflowing one fails as ENOMEM). */
    int fail = 0;
    const size_t esz = lp ? (size_t)R.bits / 8 : 0;
    R.qbytes = 0;
    if (lp && (!lpk_size_mul(d, esz, &R.qbytes) || !lpk_size_add(R.qbytes, 63, &R.qbytes)))
        R.qbytes = SIZE_MAX;
    else if (lp)
        R.qbytes = R.qbytes / 64 * 64;
    float *wt = alloc64(bytes3(d, sizeof(float), 1), &fail); /* w, or w~ */
    float *g = alloc64(bytes3(d, sizeof(float), 1), &fail);  /* full gradient */
    float *h = alloc64(bytes3(d, sizeof(float), 1), &fail);  /* per-epoch offset */
    float *zf = alloc64(bytes3(d, sizeof(float), 1), &fail); /* SVRG z */
    int64_t *cdot =
        solver == LPK_SOLVER_LP_SVRG ? alloc64(bytes3(n, sizeof(int64_t), 1), &fail) : NULL;
    void *zq = lp ? alloc64(R.qbytes, &fail) : NULL;  /* grid integers: z or w */
    void *wtq = lp ? alloc64(R.qbytes, &fail) : NULL; /* LP_SVRG: w~ on the grid */
    int *exact = alloc64(bytes3(R.nblk, sizeof(int), 1), &fail);
    R.zeros = alloc64(bytes3(d, sizeof(float), 1), &fail);
    R.part = alloc64(bytes3(R.nblk, d, sizeof(float)), &fail);
    R.dpart = alloc64(bytes3(R.nblk, d + 1, sizeof(double)), &fail); /* d < SIZE_MAX / 4 */
    R.Xq = lp ? alloc_rows(bytes3(n, R.qbytes, 1), &fail) : NULL;
    R.info = alloc64(bytes3(n, sizeof(row_info), 1), &fail);
    R.rowbuf = lp && svrg_like ? alloc64(bytes3(R.nblk, d, sizeof(float)), &fail) : NULL;
    lpk_status result = LPK_OK;
    if (fail) {
        result = lpk_fail(LPK_ENOMEM,
                          "lpk_halp_train: cannot allocate the workspace (n = %zu, d = %zu)", n, d);
        goto out;
    }
    memcpy(wt, w, d * sizeof(float));
    memset(R.zeros, 0, d * sizeof(float));
    if (lp) {
        memset(zq, 0, R.qbytes);
        memset(wtq, 0, R.qbytes);
    }
    for (size_t i = 0; i < n; i++) {
        R.info[i].y = y[i];
        R.info[i].s = 0.0f;
        R.info[i].r = 0.0f;
        R.info[i].unused = 0.0f;
    }

    if (lp) {
        quant_job J = {&R, exact};
        lpk_parallel_for(R.nblk, 1, R.brows * d * (4 + esz), quant_chunk, &J);
        R.rows_exact = 1;
        for (size_t b = 0; b < R.nblk; b++)
            R.rows_exact &= exact[b];
        R.full_from_q = R.rows_exact && !o->fp32_full_pass && R.rowbuf != NULL;
    }

    /* LP_SGD / LP_SVRG: one grid for the whole run. */
    double lp_delta = 0.0;
    if (solver == LPK_SOLVER_LP_SGD || solver == LPK_SOLVER_LP_SVRG) {
        lp_delta = o->lp_delta;
        if (lp_delta == 0.0) {
            double f0, g0, winf = 0.0;
            evaluate(&R, wt, &f0, &g0);
            for (size_t j = 0; j < d; j++)
                winf = fabs(wt[j]) > winf ? fabs(wt[j]) : winf;
            lp_delta = (winf + g0 / o->mu) / qmax_of(R.bits);
        }
        lp_delta = (float)lp_delta;
        if (!(lp_delta >= FLT_MIN)) /* w0 = 0 at a stationary point: any grid will do */
            lp_delta = FLT_MIN;
        const float inv = (float)(1.0 / lp_delta);
        qquant(&R, wt, zq, d, inv);
        qwiden(&R, zq, wt, (float)lp_delta, d);
    }

    double elapsed = now_s() - t_setup, inner_total = 0.0;
    if (trace) {
        evaluate(&R, wt, &trace[0].objective, &trace[0].grad_norm);
        trace[0].seconds = elapsed;
        trace[0].inner_seconds = 0.0;
        trace[0].delta = 0.0;
        trace[0].full_pass_bits = 0;
    }

    const float a = (float)(1.0 - alpha * o->lambda);
    for (int k = 0; k < o->epochs; k++) {
        const double t_ep = now_s();
        double t_in = 0.0, delta = 0.0;
        inner_args A = {T, (uint64_t)k * (uint64_t)T, o->seed, alpha, a};
        switch (solver) {
        case LPK_SOLVER_GD:
            full_gradient(&R, wt, g, NULL, NULL);
            for (size_t j = 0; j < d; j++)
                wt[j] = (float)((double)wt[j] - alpha * g[j]);
            break;
        case LPK_SOLVER_SGD: {
            const double t0 = now_s();
            inner_f32(&R, &A, 1, R.zeros, wt);
            t_in = now_s() - t0;
            break;
        }
        case LPK_SOLVER_SVRG: {
            full_gradient(&R, wt, g, NULL, NULL);
            for (size_t j = 0; j < d; j++)
                h[j] = (float)(-alpha * g[j]);
            memset(zf, 0, d * sizeof(float));
            const double t0 = now_s();
            inner_f32(&R, &A, 0, h, zf);
            t_in = now_s() - t0;
            for (size_t j = 0; j < d; j++)
                wt[j] = wt[j] + zf[j];
            break;
        }
        case LPK_SOLVER_LP_SGD: {
            delta = lp_delta;
            const double t0 = now_s();
            inner_lp(&R, &A, 2, delta, NULL, R.zeros, zq);
            t_in = now_s() - t0;
            qwiden(&R, zq, wt, (float)delta, d);
            break;
        }
        case LPK_SOLVER_LP_SVRG: {
            delta = lp_delta;
            memcpy(wtq, zq, R.qbytes);
            full_gradient(&R, wt, g, wtq, cdot);
            for (size_t j = 0; j < d; j++)
                h[j] = (float)((alpha * o->lambda * (double)qget(&R, wtq, j)) -
                               alpha * g[j] / delta);
            const double t0 = now_s();
            inner_lp(&R, &A, 1, delta, cdot, h, zq);
            t_in = now_s() - t0;
            qwiden(&R, zq, wt, (float)delta, d);
            break;
        }
        case LPK_SOLVER_HALP: {
            full_gradient(&R, wt, g, NULL, NULL);
            double gn = 0.0;
            for (size_t j = 0; j < d; j++)
                gn += (double)g[j] * g[j];
            delta = (float)(sqrt(gn) / (o->mu * qmax_of(R.bits)));
            if (!(delta >= FLT_MIN) || !isfinite(delta)) {
                delta = 0.0;
                break;
            }
            for (size_t j = 0; j < d; j++)
                h[j] = (float)(-alpha * g[j] / delta);
            memset(zq, 0, R.qbytes);
            const double t0 = now_s();
            inner_lp(&R, &A, 0, delta, NULL, h, zq);
            t_in = now_s() - t0;
            for (size_t j = 0; j < d; j++)
                wt[j] = (float)((double)wt[j] + (double)qget(&R, zq, j) * delta);
            break;
        }
        }
        elapsed += now_s() - t_ep;
        inner_total += t_in;
        if (trace) {
            lpk_halp_trace *tr = &trace[k + 1];
            evaluate(&R, wt, &tr->objective, &tr->grad_norm);
            tr->seconds = elapsed;
            tr->inner_seconds = inner_total;
            tr->delta = delta;
            tr->full_pass_bits = solver == LPK_SOLVER_SGD || solver == LPK_SOLVER_LP_SGD ? 0
                                 : R.full_from_q ? R.bits : 32;
        }
    }
    memcpy(w, wt, d * sizeof(float));

out:
    free(wt);
    free(g);
    free(h);
    free(zf);
    free(cdot);
    free(zq);
    free(wtq);
    free(exact);
    free(R.zeros);
    free(R.part);
    free(R.dpart);
    free(R.Xq);
    free(R.info);
    free(R.rowbuf);
    return result;
}
