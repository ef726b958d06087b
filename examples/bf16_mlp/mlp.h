/* SPDX-License-Identifier: Apache-2.0 */
/* "Revisiting BFloat16 Training" (Zamirai et al., 2020) on Fashion-MNIST:
   a 784-512-256-10 MLP trained in four precision modes that differ only in
   how the weight update is rounded (see mlp.c for what each mode stores). */
#ifndef BF16_MLP_H
#define BF16_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "fmnist.h"
#include "lpk.h"

/* ---- data ----------------------------------------------------------------- */

typedef fmnist_set mlp_dataset; /* examples/common/fmnist.h */

/* ---- softmax cross-entropy (xent.c) -------------------------------------- */

/* Row-wise softmax of z (rows x c, fp32).  Returns the summed cross-entropy
   of the rows against labels; when grad != NULL writes
   grad = scale * (softmax(z) - onehot(label)).  tmp holds rows * c + 32
   floats. */
double mlp_xent(const float *z, const uint8_t *labels, size_t rows, size_t c, float scale,
                float *grad, float *tmp);
/* The SLEEF entry points the build uses ("Sleef_expf16_u10", ...). */
const char *mlp_xent_impl(void);

/* ---- the model (mlp.c) ---------------------------------------------------- */

typedef enum { MLP_FP32 = 0, MLP_NEAREST, MLP_SR, MLP_KAHAN, MLP_NMODES } mlp_mode;
const char *mlp_mode_name(mlp_mode m);

#define MLP_LAYERS 3

typedef struct {
    size_t nb_max;   /* rows per forward pass at most */
    int fp32_terms;  /* fp32 mode: bf16 products per fp32 GEMM (1, 3 or 6) */
    uint64_t seed;   /* init and stochastic-rounding streams */
} mlp_config;

typedef struct mlp mlp;

/* Builds the network with He-normal weights drawn from `seed` (the same
   fp32 draw in every mode; bf16 modes round it to nearest) and zero biases. */
mlp *mlp_create(mlp_mode mode, const mlp_config *cfg);
void mlp_free(mlp *net);
size_t mlp_param_count(const mlp *net);

/* One SGD step on the nb images `idx` of `ds`.  Returns the mean loss of the
   batch (computed in fp32 from the logits the mode produced).
   changed (optional): fraction of weights whose stored value (bf16 w, or
   the fp32 master in fp32 mode) this step changed. */
double mlp_train_step(mlp *net, const mlp_dataset *ds, const uint32_t *idx, size_t nb,
                      const lpk_sgd_params *p, double *changed);
/* Mean loss and accuracy of the network over images [0, n) of ds (forward
   in the mode's precision, chunks of nb_max rows). */
void mlp_evaluate(mlp *net, const mlp_dataset *ds, size_t n, double *loss, double *acc);

/* ---- counter-based random numbers (Philox through lpk) ------------------- */

/* 4 x 32 random bits for (seed, stream, counter). */
void mlp_random4(uint64_t seed, uint32_t stream, uint64_t counter, uint32_t out[4]);

#endif
