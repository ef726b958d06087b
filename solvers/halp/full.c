/* SPDX-License-Identifier: Apache-2.0 */
/* The full-gradient pass: fp32, over fixed row blocks (a function of n
   only), the block sums added in double, so the gradient does not depend
   on the thread count.  It reads the b-bit rows, widened, when they are X
   exactly (R->full_from_q): the same numbers for less memory traffic. */
#include <string.h>

#include "halp.h"
#include "loss.h"

typedef struct {
    const halp_run *R;
    const float *w;   /* the point */
    const void *wq;   /* LP_SVRG: the grid point, for c */
    int64_t *c;       /* LP_SVRG: xq_i . wq */
} full_job;

/* Prefetch of the row stream: each row fetches as many bytes,
   HALP_FULL_PF_BYTES ahead, into L2 (the dot's result gates the axpy, so
   the row loads alone keep few misses in flight; perf/RESULTS-archive.md,
   "HALP driver notes"). */
static void prefetch_stream(const char *row, size_t row_bytes)
{
    for (size_t o = 0; o < row_bytes; o += 64)
        __builtin_prefetch(row + HALP_FULL_PF_BYTES + o, 0, 2);
}

/* Blocks [blo, bhi): part[b] = sum over the block of phi_i(x_i.w) x_i. */
static void full_blocks(void *ctx, size_t blo, size_t bhi)
{
    const full_job *J = ctx;
    const halp_run *R = J->R;
    const size_t d = R->d;
    float *widened = R->full_from_q ? R->rowbuf + blo * d : NULL;
    const size_t row_bytes = widened ? R->qbytes : d * sizeof(float);
    const char *rows = widened ? (const char *)R->Xq : (const char *)R->X;
    for (size_t b = blo; b < bhi; b++) {
        float *acc = R->part + b * d;
        memset(acc, 0, d * sizeof(float));
        size_t lo, hi;
        halp_block_rows(R, b, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            if (i + 1 < hi)
                prefetch_stream(rows + i * row_bytes, row_bytes);
            const float *x = R->X + i * d;
            if (widened) {
                halp_qwiden(R, halp_qrow(R, i), widened, R->info[i].s, d);
                x = widened;
            }
            const float s = R->dotf(x, J->w, d);
            R->info[i].r = s;
            const float ph = (float)halp_loss_phi(R->loss, s, R->y[i]);
            R->updatef(acc, x, R->zeros, d, 1.0f, ph);
            if (J->c)
                J->c[i] = halp_qdot(R, halp_qrow(R, i), J->wq);
        }
    }
}

void halp_full_gradient(const halp_run *R, const float *w, float *g, const void *wq, int64_t *c)
{
    full_job J = {R, w, wq, c};
    const size_t elem_bytes = R->full_from_q ? (size_t)R->bits / 8 : 4;
    lpk_parallel_for(R->nblk, 1, R->brows * R->d * elem_bytes, full_blocks, &J);
    const double inv_n = 1.0 / (double)R->n;
    for (size_t j = 0; j < R->d; j++) {
        double s = 0.0;
        for (size_t b = 0; b < R->nblk; b++)
            s += R->part[b * R->d + j];
        g[j] = (float)(s * inv_n + R->lambda * w[j]);
    }
}
