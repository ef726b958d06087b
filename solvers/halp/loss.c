/* SPDX-License-Identifier: Apache-2.0 */
/* Objective and gradient norm of the current point in double, on the fp32
   X: the trace's figures and the automatic grid of LP_SGD / LP_SVRG.  Row
   blocks as in the full pass, so the result is thread-count independent. */
#include <string.h>

#include "halp.h"
#include "loss.h"

typedef struct {
    const halp_run *R;
    const float *w;
} eval_job;

/* Per block b: dpart[b] = (sum_i phi_i(x_i.w) x_i, sum_i l_i(x_i.w)). */
static void eval_chunk(void *ctx, size_t blo, size_t bhi)
{
    const eval_job *J = ctx;
    const halp_run *R = J->R;
    const size_t d = R->d;
    for (size_t b = blo; b < bhi; b++) {
        double *gp = R->dpart + b * (d + 1);
        memset(gp, 0, (d + 1) * sizeof(double));
        size_t lo, hi;
        halp_block_rows(R, b, &lo, &hi);
        for (size_t i = lo; i < hi; i++) {
            const float *x = R->X + i * d;
            double s = 0.0;
            for (size_t j = 0; j < d; j++)
                s += (double)x[j] * J->w[j];
            gp[d] += halp_loss_value(R->loss, s, R->y[i]);
            const double ph = halp_loss_phi(R->loss, s, R->y[i]);
            for (size_t j = 0; j < d; j++)
                gp[j] += ph * x[j];
        }
    }
}

void halp_evaluate(const halp_run *R, const float *w, double *obj, double *gnorm)
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
