/* SPDX-License-Identifier: Apache-2.0 */
/* One epoch of each solver (lpk.h defines them), chosen from a table
   indexed by lpk_solver, and the fixed grid that LP_SGD and LP_SVRG keep
   for the whole run. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "halp.h"

void halp_fixed_grid(const halp_run *R, halp_state *S, float lp_delta)
{
    const size_t d = R->d;
    double delta = lp_delta;
    if (delta == 0.0) { /* automatic: HALP's first scale, widened to hold w0 */
        double f0, g0, winf = 0.0;
        halp_evaluate(R, S->w, &f0, &g0);
        for (size_t j = 0; j < d; j++)
            winf = fabs(S->w[j]) > winf ? fabs(S->w[j]) : winf;
        delta = (winf + g0 / S->mu) / halp_qmax(R->bits);
    }
    delta = (float)delta;
    if (!(delta >= FLT_MIN)) /* w0 = 0 at a stationary point: any grid will do */
        delta = FLT_MIN;
    S->lp_delta = delta;
    halp_qquant(R, S->w, S->zq, d, (float)(1.0 / delta));
    halp_qwiden(R, S->zq, S->w, (float)delta, d);
}

/* w -= alpha g. */
static halp_epoch_result epoch_gd(const halp_run *R, halp_state *S, const halp_inner_args *A)
{
    halp_full_gradient(R, S->w, S->g, NULL, NULL);
    for (size_t j = 0; j < R->d; j++)
        S->w[j] = (float)((double)S->w[j] - S->alpha * S->g[j]);
    return (halp_epoch_result){0.0, 0.0};
}

static halp_epoch_result epoch_sgd(const halp_run *R, halp_state *S, const halp_inner_args *A)
{
    halp_epoch_result res = {0.0, 0.0};
    const double t0 = halp_now();
    halp_inner_sgd(R, A, S->w);
    res.inner_seconds = halp_now() - t0;
    return res;
}

/* g = grad f(w~), h = -alpha g, z = 0, the inner loop, w~ += z. */
static halp_epoch_result epoch_svrg(const halp_run *R, halp_state *S, const halp_inner_args *A)
{
    const size_t d = R->d;
    halp_epoch_result res = {0.0, 0.0};
    halp_full_gradient(R, S->w, S->g, NULL, NULL);
    for (size_t j = 0; j < d; j++)
        S->h[j] = (float)(-S->alpha * S->g[j]);
    memset(S->z, 0, d * sizeof(float));
    const double t0 = halp_now();
    halp_inner_svrg(R, A, S->h, S->z);
    res.inner_seconds = halp_now() - t0;
    for (size_t j = 0; j < d; j++)
        S->w[j] = S->w[j] + S->z[j];
    return res;
}

/* The inner loop on the run's grid (zq holds w), then w = its fp32 value. */
static halp_epoch_result epoch_lp_sgd(const halp_run *R, halp_state *S, const halp_inner_args *A)
{
    halp_epoch_result res = {0.0, S->lp_delta};
    const double t0 = halp_now();
    halp_inner_lp_sgd(R, A, res.delta, S->zq);
    res.inner_seconds = halp_now() - t0;
    halp_qwiden(R, S->zq, S->w, (float)res.delta, R->d);
    return res;
}

/* w~ = w on the grid, g = grad f(w~) with c_i = xq_i . wq,
   h = alpha lambda wq - alpha g / delta (the inner loop's z-form keeps
   a = 1 - alpha lambda), the inner loop, w = its fp32 value. */
static halp_epoch_result epoch_lp_svrg(const halp_run *R, halp_state *S, const halp_inner_args *A)
{
    const size_t d = R->d;
    const double delta = S->lp_delta;
    halp_epoch_result res = {0.0, delta};
    memcpy(S->wq, S->zq, R->qbytes);
    halp_full_gradient(R, S->w, S->g, S->wq, S->cdot);
    for (size_t j = 0; j < d; j++)
        S->h[j] = (float)((S->alpha * R->lambda * (double)halp_qget(R, S->wq, j)) -
                          S->alpha * S->g[j] / delta);
    const double t0 = halp_now();
    halp_inner_lp_svrg(R, A, delta, S->cdot, S->h, S->zq);
    res.inner_seconds = halp_now() - t0;
    halp_qwiden(R, S->zq, S->w, (float)delta, d);
    return res;
}

/* g = grad f(w~), delta = ||g|| / (mu qmax) (no inner loop when it is 0 or
   below FLT_MIN), h = -alpha g / delta, zq = 0, the inner loop,
   w~ += zq delta. */
static halp_epoch_result epoch_halp(const halp_run *R, halp_state *S, const halp_inner_args *A)
{
    const size_t d = R->d;
    halp_epoch_result res = {0.0, 0.0};
    halp_full_gradient(R, S->w, S->g, NULL, NULL);
    double gn = 0.0;
    for (size_t j = 0; j < d; j++)
        gn += (double)S->g[j] * S->g[j];
    const double delta = (float)(sqrt(gn) / (S->mu * halp_qmax(R->bits)));
    if (!(delta >= FLT_MIN) || !isfinite(delta))
        return res;
    res.delta = delta;
    for (size_t j = 0; j < d; j++)
        S->h[j] = (float)(-S->alpha * S->g[j] / delta);
    memset(S->zq, 0, R->qbytes);
    const double t0 = halp_now();
    halp_inner_halp(R, A, delta, S->h, S->zq);
    res.inner_seconds = halp_now() - t0;
    for (size_t j = 0; j < d; j++)
        S->w[j] = (float)((double)S->w[j] + (double)halp_qget(R, S->zq, j) * delta);
    return res;
}

typedef halp_epoch_result epoch_fn(const halp_run *R, halp_state *S, const halp_inner_args *A);

static epoch_fn *const epochs[] = {
    [LPK_SOLVER_GD] = epoch_gd,           [LPK_SOLVER_SGD] = epoch_sgd,
    [LPK_SOLVER_SVRG] = epoch_svrg,       [LPK_SOLVER_LP_SGD] = epoch_lp_sgd,
    [LPK_SOLVER_LP_SVRG] = epoch_lp_svrg, [LPK_SOLVER_HALP] = epoch_halp,
};

halp_epoch_result halp_epoch(const halp_run *R, halp_state *S, const halp_inner_args *A)
{
    return epochs[S->solver](R, S, A);
}
