/* SPDX-License-Identifier: Apache-2.0 */
/* The b-bit rows of the low-precision solvers, made once per run: row i is
   quantized to nearest with its own scale s_i = max_j |x_ij| / (2^(b-1)-1),
   and each block notes whether all its rows widen back to X bit for bit
   (then the full passes may read the b-bit rows: lpk.h). */
#include <math.h>
#include <string.h>

#include "halp.h"

/* Row i into Xq and info[i].s; returns the row's scale. */
static float quantize_row(const halp_run *R, size_t i, float qmax)
{
    const size_t d = R->d;
    const float *x = R->X + i * d;
    float m = 0.0f;
    for (size_t j = 0; j < d; j++)
        m = fabsf(x[j]) > m ? fabsf(x[j]) : m;
    const float inv = m > 0.0f ? qmax / m : 0.0f, s = m / qmax;
    void *q = R->Xq + i * R->qbytes;
    memset(q, 0, R->qbytes);
    halp_qquant(R, x, q, d, inv);
    R->info[i].s = s;
    return s;
}

/* Blocks [blo, bhi): rows and the blocks' exactness flags.  The widened
   rows are checked in part[], free until the first full pass. */
static void quantize_blocks(void *ctx, size_t blo, size_t bhi)
{
    halp_run *R = ctx;
    const size_t d = R->d;
    const float qmax = (float)halp_qmax(R->bits);
    float *widened = R->part + blo * d;
    for (size_t b = blo; b < bhi; b++) {
        int exact = 1;
        size_t lo, hi;
        halp_block_rows(R, b, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            const float s = quantize_row(R, i, qmax);
            if (exact) {
                halp_qwiden(R, halp_qrow(R, i), widened, s, d);
                exact = memcmp(widened, R->X + i * d, d * sizeof(float)) == 0;
            }
        }
        R->block_exact[b] = exact;
    }
}

void halp_quantize_rows(halp_run *R)
{
    lpk_parallel_for(R->nblk, 1, R->brows * R->d * (4 + (size_t)R->bits / 8), quantize_blocks, R);
    R->rows_exact = 1;
    for (size_t b = 0; b < R->nblk; b++)
        R->rows_exact &= R->block_exact[b];
}
