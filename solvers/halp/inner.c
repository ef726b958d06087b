/* SPDX-License-Identifier: Apache-2.0 */
/* The inner loops: T steps on one sampled row each, in batches of
   HALP_BATCH indices, the coming rows prefetched (prefetch.h).  One loop
   body per precision, specialised per solver family by a named step kind;
   each family has its own entry point (halp.h).  The SVRG step is bound by
   its random fp32 row's memory traffic and the HALP step by update8's
   arithmetic, so on one core 8 bits buy less than the paper's "up to 4x"
   (perf/RESULTS-archive.md, "halp.c: what bounds the inner loops"). */
#include "halp.h"
#include "loss.h"
#include "prefetch.h"

#define HALP_ALWAYS static inline __attribute__((always_inline))

/* What the fp32 step differentiates: phi at x_i.w (SGD, z = w) or the
   difference phi(r_i + x_i.z) - phi(r_i) (SVRG, z = w - w~). */
typedef enum { F32_STEP_SGD, F32_STEP_SVRG } f32_step;

/* What the low-precision step's dot product gives, and what it
   differentiates (halp.h, above halp_inner_lp_sgd). */
typedef enum { LP_STEP_SGD, LP_STEP_SVRG, LP_STEP_HALP } lp_step;

/* Steps of batch [t0, t0 + cnt) of the epoch. */
static size_t batch_size(const halp_inner_args *A, size_t t0)
{
    return A->T - t0 < HALP_BATCH ? A->T - t0 : HALP_BATCH;
}

/* z = a z + c x_i + h, c = -alpha phi or -alpha dphi (kind). */
HALP_ALWAYS void inner_f32(const halp_run *R, const halp_inner_args *A, f32_step kind,
                           const float *h, float *z)
{
    size_t idx[HALP_BATCH + HALP_PF_FAR];
    const size_t d = R->d, row_bytes = d * sizeof(float);
    for (size_t t0 = 0; t0 < A->T; t0 += HALP_BATCH) {
        const size_t cnt = batch_size(A, t0);
        halp_draw_indices(A->seed, A->step0 + t0, cnt + HALP_PF_FAR, R->n, idx);
        for (size_t k = 0; k < cnt; k++) {
            halp_prefetch_step(R, idx, k, R->X, row_bytes, row_bytes, NULL);
            const size_t i = idx[k];
            const float *x = R->X + i * d;
            const double e = R->dotf(x, z, d);
            const halp_row_info *ri = R->info + i;
            const double ph = kind == F32_STEP_SGD ? halp_loss_phi(R->loss, e, ri->y)
                                                   : halp_loss_dphi(R->loss, ri->r, e, ri->y);
            R->updatef(z, x, h, d, A->a, (float)(-A->alpha * ph));
        }
    }
}

/* zq = sat(R(a zq + c xq_i + h)), c = -alpha dphi s_i / delta (kind);
   step t of the run rounds with offset t * R->sr_stride (lpk.h: 64 for
   Philox, ceil(d / 8) * 8 for ARS). */
HALP_ALWAYS void inner_lp(const halp_run *R, const halp_inner_args *A, lp_step kind,
                          double delta, const int64_t *cdot, const float *h, void *zq)
{
    size_t idx[HALP_BATCH + HALP_PF_FAR];
    const size_t row_bytes = R->d * (size_t)R->bits / 8;
    for (size_t t0 = 0; t0 < A->T; t0 += HALP_BATCH) {
        const size_t cnt = batch_size(A, t0);
        halp_draw_indices(A->seed, A->step0 + t0, cnt + HALP_PF_FAR, R->n, idx);
        for (size_t k = 0; k < cnt; k++) {
            halp_prefetch_step(R, idx, k, R->Xq, R->qbytes, row_bytes, cdot);
            const size_t i = idx[k];
            const void *xq = halp_qrow(R, i);
            const halp_row_info *ri = R->info + i;
            const double si = ri->s;
            int64_t dz = halp_qdot(R, xq, zq);
            double dphi;
            if (kind == LP_STEP_SGD) {
                dphi = halp_loss_phi(R->loss, si * delta * (double)dz, ri->y);
            } else {
                if (kind == LP_STEP_SVRG)
                    dz -= cdot[i];
                dphi = halp_loss_dphi(R->loss, ri->r, si * delta * (double)dz, ri->y);
            }
            const float c = (float)(-A->alpha * dphi * si / delta);
            halp_qupdate(R, zq, xq, h, A->a, c, A->seed,
                         (A->step0 + t0 + k) * R->sr_stride);
        }
    }
}

void halp_inner_sgd(const halp_run *R, const halp_inner_args *A, float *w)
{
    inner_f32(R, A, F32_STEP_SGD, R->zeros, w);
}

void halp_inner_svrg(const halp_run *R, const halp_inner_args *A, const float *h, float *z)
{
    inner_f32(R, A, F32_STEP_SVRG, h, z);
}

void halp_inner_lp_sgd(const halp_run *R, const halp_inner_args *A, double delta, void *zq)
{
    inner_lp(R, A, LP_STEP_SGD, delta, NULL, R->zeros, zq);
}

void halp_inner_lp_svrg(const halp_run *R, const halp_inner_args *A, double delta,
                        const int64_t *cdot, const float *h, void *zq)
{
    inner_lp(R, A, LP_STEP_SVRG, delta, cdot, h, zq);
}

void halp_inner_halp(const halp_run *R, const halp_inner_args *A, double delta, const float *h,
                     void *zq)
{
    inner_lp(R, A, LP_STEP_HALP, delta, NULL, h, zq);
}
