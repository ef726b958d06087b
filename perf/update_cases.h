/* SPDX-License-Identifier: Apache-2.0 */
/* The optimizer-update cases that perf/bench_update.c times and
   perf/ab_update.c compares (every mode, bf16 gradients): name, AdamW or
   SGD, mode (with its RNG and state-SR flags), SGD momentum, and the bytes
   each element moves. */
#ifndef LPK_PERF_UPDATE_CASES_H
#define LPK_PERF_UPDATE_CASES_H

#include "lpk.h"

typedef struct {
    const char *name;
    int adamw, mode, momentum;
    int bytes; /* traffic per element */
} update_case;

static const update_case cases[] = {
    {"sgd nearest", 0, LPK_UPDATE_NEAREST, 0, 6},
    {"sgd stochastic", 0, LPK_UPDATE_STOCHASTIC, 0, 6},
    {"sgd stochastic ars", 0, LPK_UPDATE_STOCHASTIC | LPK_UPDATE_RNG_ARS, 0, 6},
    {"sgd kahan", 0, LPK_UPDATE_KAHAN, 0, 10},
    {"sgd fp32", 0, LPK_UPDATE_FP32, 0, 12},
    {"sgd+momentum nearest", 0, LPK_UPDATE_NEAREST, 1, 10},
    {"sgd+momentum stochastic", 0, LPK_UPDATE_STOCHASTIC, 1, 10},
    {"sgd+momentum stochastic ars", 0, LPK_UPDATE_STOCHASTIC | LPK_UPDATE_RNG_ARS, 1, 10},
    {"sgd+momentum kahan", 0, LPK_UPDATE_KAHAN, 1, 14},
    {"sgd+momentum fp32", 0, LPK_UPDATE_FP32, 1, 20},
    {"adamw nearest", 1, LPK_UPDATE_NEAREST, 0, 14},
    {"adamw stochastic", 1, LPK_UPDATE_STOCHASTIC, 0, 14},
    {"adamw stochastic ars", 1, LPK_UPDATE_STOCHASTIC | LPK_UPDATE_RNG_ARS, 0, 14},
    {"adamw kahan", 1, LPK_UPDATE_KAHAN, 0, 18},
    /* fp32 arithmetic, bf16 storage (one rounding per stored value) */
    {"sgd f32_nearest", 0, LPK_UPDATE_F32_NEAREST, 0, 6},
    {"sgd f32_stochastic", 0, LPK_UPDATE_F32_STOCHASTIC, 0, 6},
    {"sgd f32_stochastic ars", 0, LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_RNG_ARS, 0, 6},
    {"sgd f32_kahan", 0, LPK_UPDATE_F32_KAHAN, 0, 10},
    {"sgd+momentum f32_nearest", 0, LPK_UPDATE_F32_NEAREST, 1, 10},
    {"sgd+momentum f32_stochastic", 0, LPK_UPDATE_F32_STOCHASTIC, 1, 10},
    {"sgd+momentum f32_stochastic ars", 0, LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_RNG_ARS, 1,
     10},
    {"sgd+momentum f32_kahan", 0, LPK_UPDATE_F32_KAHAN, 1, 14},
    {"sgd+momentum f32_stochastic+state_sr", 0,
     LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_STATE_SR, 1, 10},
    {"sgd+momentum f32_stochastic+state_sr ars", 0,
     LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_STATE_SR | LPK_UPDATE_RNG_ARS, 1, 10},
    {"adamw f32_nearest", 1, LPK_UPDATE_F32_NEAREST, 0, 14},
    {"adamw f32_stochastic", 1, LPK_UPDATE_F32_STOCHASTIC, 0, 14},
    {"adamw f32_stochastic ars", 1, LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_RNG_ARS, 0, 14},
    {"adamw f32_kahan", 1, LPK_UPDATE_F32_KAHAN, 0, 18},
    {"adamw f32_stochastic+state_sr", 1, LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_STATE_SR, 0, 14},
    {"adamw f32_stochastic+state_sr ars", 1,
     LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_STATE_SR | LPK_UPDATE_RNG_ARS, 0, 14},
    {"adamw fp32", 1, LPK_UPDATE_FP32, 0, 26},
};

#endif
