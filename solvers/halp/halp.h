/* SPDX-License-Identifier: Apache-2.0 */
/* HALP solver layer: the interfaces between its parts.  The algorithms and
   their numerics contract are documented in lpk.h (lpk_halp_train); this
   layer only sequences the fixed family's dispatched kernels (integer dot,
   fixed-point update, quantize, dequantize and their fp32 twins), draws the
   sample indices, prefetches the next rows and does the O(1)-per-step
   scalar math in double.  Portable C, no ISA flags.

     api.c        lpk_halp_train: option checks, setup, the epoch loop, trace
     workspace.c  every buffer of a run, sizes overflow-checked
     quantize.c   the b-bit rows and their scales, once per run
     full.c       the full-gradient pass (fp32, blocked, deterministic)
     loss.h       phi, stable phi differences, loss values (inline: per step)
     loss.c       objective and gradient norm in double (trace, automatic grid)
     sample.c     the sample-index stream (Philox, lpk.h "Sampling")
     prefetch.h   which bytes of the coming steps are prefetched, and how far
     inner.c      the inner loops, one function per solver family
     epoch.c      one epoch of each solver, and the fixed grid of LP_SGD/LP_SVRG
     refsolve.c   double-precision reference solver for tests and examples
                  (not part of the library) */
#ifndef LPK_SOLVERS_HALP_H
#define LPK_SOLVERS_HALP_H

#include <time.h>

#include "../../kernels/fixed/fixed.h"

#define HALP_BLOCKS 64          /* full passes: fixed row blocks (thread-count independent) */
#define HALP_BATCH 256          /* sample indices drawn per batch */
#define HALP_PF_FAR 6           /* row heads and per-row records this many steps ahead */
#define HALP_PF_NEAR 3          /* whole rows this many steps ahead */
#define HALP_PF_MAX_BYTES 32768 /* prefetch at most this much of a row */
#define HALP_FULL_PF_BYTES 4096 /* full passes: prefetch distance in the row stream */
#define HALP_IDX_TAG 0x48414C50u /* "HALP": counter word 2 of the index stream */
#define HALP_HUGE_MIN ((size_t)4 << 20) /* quantized rows this large go on 2 MiB pages */

/* What an inner step needs of row i besides the row itself, in one 16-byte
   record (one cache line to fetch instead of three): label, scale of the
   quantized row, and r_i = x_i . w~ from the last full pass. */
typedef struct {
    float y, s, r, unused;
} halp_row_info;

/* The problem, its quantized rows, the scratch of the blocked passes and
   the kernels: what the passes and inner loops read. */
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
    halp_row_info *info; /* n records: y_i, s_i (scale), r_i */
    int rows_exact;      /* every row widens back to X's row bit for bit */
    int full_from_q;     /* full passes read Xq */
    /* row blocks of the full passes */
    size_t nblk, brows;
    float *part;         /* nblk x d fp32 partial gradients */
    float *rowbuf;       /* nblk x d widened rows (full_from_q) */
    double *dpart;       /* nblk x (d + 1): trace partial gradients, objective */
    int *block_exact;    /* nblk flags: the block's rows widen back exactly */
    float *zeros;        /* d zeros: h of plain axpy-style updates */
    /* kernels */
    lpk_fixed_quant8_fn *quant8;
    lpk_fixed_quant16_fn *quant16;
    lpk_fixed_dequant8_fn *dequant8;
    lpk_fixed_dequant16_fn *dequant16;
    lpk_fixed_dot8_fn *dot8;
    lpk_fixed_dot16_fn *dot16;
    lpk_fixed_update8_fn *update8;   /* the rng's: update8 (Philox) or update8_ars */
    lpk_fixed_update16_fn *update16;
    uint64_t sr_stride;  /* offset between inner steps' bits: 64 (Philox), ceil8(d) (ARS) */
    lpk_fixed_dotf_fn *dotf;
    lpk_fixed_updatef_fn *updatef;
} halp_run;

/* The solver's iterates and per-run constants. */
typedef struct {
    lpk_solver solver;
    double alpha;        /* step */
    double mu;           /* strong-convexity estimate (HALP's grid) */
    float a;             /* 1 - alpha lambda */
    double lp_delta;     /* LP_SGD / LP_SVRG: the run's grid spacing */
    float *w;            /* w, or w~ (SVRG family) */
    float *g;            /* full gradient */
    float *h;            /* per-epoch offset of the inner update */
    float *z;            /* SVRG: fp32 z */
    void *zq;            /* low precision: grid integers, z or w */
    void *wq;            /* LP_SVRG: w~ on the grid */
    int64_t *cdot;       /* LP_SVRG: xq_i . wq */
} halp_state;

/* Shared arguments of one epoch's inner loop. */
typedef struct {
    size_t T;
    uint64_t step0; /* global index of the first step */
    uint64_t seed;
    double alpha;
    float a;        /* 1 - alpha lambda */
} halp_inner_args;

/* What one epoch reports for the trace. */
typedef struct {
    double inner_seconds; /* time in the inner loop */
    double delta;         /* grid spacing used (0 for the fp32 solvers) */
} halp_epoch_result;

static inline double halp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int halp_solver_is_lp(lpk_solver s)
{
    return s == LPK_SOLVER_LP_SGD || s == LPK_SOLVER_LP_SVRG || s == LPK_SOLVER_HALP;
}

static inline int halp_solver_has_full_pass(lpk_solver s)
{
    return s != LPK_SOLVER_SGD && s != LPK_SOLVER_LP_SGD;
}

/* ---- the b-bit kernels at the run's width ---------------------------------- */

static inline const void *halp_qrow(const halp_run *R, size_t i)
{
    return R->Xq + i * R->qbytes;
}

static inline int64_t halp_qdot(const halp_run *R, const void *a, const void *b)
{
    return R->bits == 8 ? R->dot8(a, b, R->d) : R->dot16(a, b, R->d);
}

static inline void halp_qupdate(const halp_run *R, void *z, const void *x, const float *h, float a,
                                float c, uint64_t seed, uint64_t offset)
{
    if (R->bits == 8)
        R->update8(z, x, h, R->d, a, c, LPK_ROUND_STOCHASTIC, seed, offset);
    else
        R->update16(z, x, h, R->d, a, c, LPK_ROUND_STOCHASTIC, seed, offset);
}

static inline void halp_qwiden(const halp_run *R, const void *q, float *x, float delta, size_t n)
{
    if (R->bits == 8)
        R->dequant8(q, x, n, delta);
    else
        R->dequant16(q, x, n, delta);
}

static inline void halp_qquant(const halp_run *R, const float *x, void *q, size_t n,
                               float inv_delta)
{
    if (R->bits == 8)
        R->quant8(x, q, n, inv_delta, LPK_ROUND_NEAREST, 0, 0);
    else
        R->quant16(x, q, n, inv_delta, LPK_ROUND_NEAREST, 0, 0);
}

static inline int64_t halp_qget(const halp_run *R, const void *q, size_t j)
{
    return R->bits == 8 ? ((const int8_t *)q)[j] : ((const int16_t *)q)[j];
}

/* The largest grid integer, 2^(bits-1) - 1. */
static inline double halp_qmax(int bits)
{
    return (double)((1 << (bits - 1)) - 1);
}

/* Rows [lo, hi) of row block b. */
static inline void halp_block_rows(const halp_run *R, size_t b, size_t *lo, size_t *hi)
{
    *lo = b * R->brows;
    *hi = *lo + R->brows < R->n ? *lo + R->brows : R->n;
}

/* ---- workspace.c ------------------------------------------------------------ */

/* Allocates every buffer of a run (R's problem fields and bits set, S's
   solver set); on failure frees what it got and returns LPK_ENOMEM with the
   message set.  halp_workspace_free releases them (NULLs are fine). */
lpk_status halp_workspace_alloc(halp_run *R, halp_state *S);
void halp_workspace_free(halp_run *R, halp_state *S);

/* ---- quantize.c ------------------------------------------------------------- */

/* Quantizes every row of X to R->Xq (nearest, per-row scale into info[].s)
   and sets R->rows_exact. */
void halp_quantize_rows(halp_run *R);

/* ---- full.c ----------------------------------------------------------------- */

/* g = grad f(w) = (1/n) sum_i phi_i(x_i.w) x_i + lambda w; info[i].r = x_i . w;
   with wq and c (LP_SVRG): c[i] = xq_i . wq. */
void halp_full_gradient(const halp_run *R, const float *w, float *g, const void *wq, int64_t *c);

/* ---- loss.c ----------------------------------------------------------------- */

/* f(w) and ||grad f(w)|| in double on the fp32 X (untimed). */
void halp_evaluate(const halp_run *R, const float *w, double *obj, double *gnorm);

/* ---- sample.c --------------------------------------------------------------- */

/* Sample indices of steps t0 .. t0 + cnt - 1 (see lpk.h, "Sampling"). */
void halp_draw_indices(uint64_t seed, uint64_t t0, size_t cnt, size_t n, size_t *out);

/* ---- inner.c ---------------------------------------------------------------- */

/* fp32 z-form, z = a z + c x_i + h:
     SGD  (z = w, h = 0):  c = -alpha phi(x_i.w)
     SVRG (h = -alpha g):  c = -alpha (phi(r_i + x_i.z) - phi(r_i)). */
void halp_inner_sgd(const halp_run *R, const halp_inner_args *A, float *w);
void halp_inner_svrg(const halp_run *R, const halp_inner_args *A, const float *h, float *z);
/* Low precision on the grid integers zq (spacing delta),
   zq = sat(R(a zq + c xq_i + h)), c = -alpha dphi s_i / delta:
     LP_SGD   zq = w on the grid, h = 0: dphi = phi(s_i delta (xq_i.zq))
     LP_SVRG  zq = w on the grid:  e = s_i delta (xq_i.zq - cdot_i),
              dphi = phi(r_i + e) - phi(r_i)
     HALP     zq = z:              e = s_i delta (xq_i.zq), same dphi. */
void halp_inner_lp_sgd(const halp_run *R, const halp_inner_args *A, double delta, void *zq);
void halp_inner_lp_svrg(const halp_run *R, const halp_inner_args *A, double delta,
                        const int64_t *cdot, const float *h, void *zq);
void halp_inner_halp(const halp_run *R, const halp_inner_args *A, double delta, const float *h,
                     void *zq);

/* ---- epoch.c ---------------------------------------------------------------- */

/* LP_SGD / LP_SVRG: sets S->lp_delta (o->lp_delta, or automatic from w0)
   and rounds S->w to nearest onto that grid (S->zq gets its integers). */
void halp_fixed_grid(const halp_run *R, halp_state *S, float lp_delta);

/* One epoch of S->solver (A: the epoch's inner-loop arguments). */
halp_epoch_result halp_epoch(const halp_run *R, halp_state *S, const halp_inner_args *A);

#endif
