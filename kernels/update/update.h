/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer-update family: fused SGD / AdamW steps over bf16 weights, and the
   Kahan checkpoint split/merge.  The lists below are the kernel table: best
   first, ending with the scalar reference (ref.c, the specification).
   Adding a variant = one source file + one line here.

   Kernel interface: the public entry points (api.c) validate, compute the
   per-call fp32 constants once, and hand each thread a chunk [lo, hi) as a
   lpk_upd_bufs whose pointers and SR offset are already advanced by lo.
   The SIMD kernels are written once over vector primitives (step-inl.h),
   with loops specialised on mode, gradient type and momentum state.
   The SR bits come from the generator the caller names (Philox4x32-10, or
   ARS-7 with LPK_UPDATE_RNG_ARS): the AES variants first in each step
   list make ARS bits with AES instructions and are otherwise their base
   tier's kernels; a plain-tier variant computes ARS in software. */
#ifndef LPK_UPDATE_H
#define LPK_UPDATE_H

#include "lpk_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The buffers of one chunk of n elements (see lpk_opt_tensor).  Exactly one
   of g16 / g32 is non-NULL; buffers the mode does not use are NULL.
   SR bits of element i come from (seed, offset + i). */
typedef struct {
    size_t n;
    lpk_bf16 *w, *comp;
    float *master;
    const lpk_bf16 *g16;
    const float *g32;
    lpk_bf16 *m, *v;
    float *m32, *v32;
    uint64_t seed, offset;
} lpk_upd_bufs;

/* SGD per-call constants (fp32 scalars, computed once in api.c; never NaN:
   the SIMD roundings rely on it, see step-inl.h). */
typedef struct {
    int mode;        /* lpk_update_mode without LPK_UPDATE_STATE_SR */
    int decay;       /* weight_decay != 0 */
    int momentum_on; /* momentum != 0: m (m32) is the momentum buffer */
    int first;       /* step == 1: the buffer is initialised, not read */
    int nesterov;
    float wd;        /* weight_decay */
    float mom;       /* momentum */
    float one_minus_damp;     /* 1 - dampening */
    float neg_lr;    /* -lr */
    int state_sr;    /* fp32-arithmetic modes: state rounded stochastically */
    int rng_ars;     /* SR bits from ARS-7 (LPK_UPDATE_RNG_ARS), else Philox */
} lpk_upd_sgd_k;

/* AdamW per-call constants (fp32 scalars, computed once in api.c; never
   NaN). */
typedef struct {
    int mode;     /* lpk_update_mode without LPK_UPDATE_STATE_SR */
    int decay;    /* weight_decay != 0 */
    float b1, b2; /* beta1, beta2 */
    float one_minus_beta1;   /* 1 - beta1 */
    float one_minus_beta2;   /* 1 - beta2 */
    float eps;
    float inv_sqrt_bc2;   /* 1 / sqrt(1 - beta2^step) */
    float neg_step_size;    /* -lr / (1 - beta1^step) */
    float lr_weight_decay;   /* lr * weight_decay */
    int state_sr;    /* fp32-arithmetic modes: state rounded stochastically */
    int rng_ars;     /* SR bits from ARS-7 (LPK_UPDATE_RNG_ARS), else Philox */
} lpk_upd_adamw_k;

typedef void lpk_update_sgd_fn(const lpk_upd_bufs *b, const lpk_upd_sgd_k *k);
typedef void lpk_update_adamw_fn(const lpk_upd_bufs *b, const lpk_upd_adamw_k *k);
/* w[i] = rne(w32[i]); comp[i] = rne(w[i] - w32[i]) (fp32 subtraction). */
typedef void lpk_update_kahan_split_fn(const float *w32, lpk_bf16 *w, lpk_bf16 *comp, size_t n);
/* w32[i] = w[i] - comp[i] (fp32). */
typedef void lpk_update_kahan_merge_fn(const lpk_bf16 *w, const lpk_bf16 *comp, float *w32,
                                       size_t n);

/* The canonical quiet NaN every rounding of this family produces for a NaN
   (bf16 and fp32 patterns): payloads never depend on which NaN operand the
   hardware or the compiler's operand order propagates. */
#define LPK_UPD_QNAN16 0x7FC0u
#define LPK_UPD_QNAN32 0x7FC00000u

/* The fp32-arithmetic modes (LPK_UPDATE_F32_*) and the seeds of their
   state's stochastic rounding (lpk.h): m draws from seed ^ LPK_UPD_SEED_M,
   v from seed ^ LPK_UPD_SEED_V. */
/* The SR bits' generator: ARS-7 with this flag (lpk.h LPK_UPDATE_RNG_ARS),
   Philox4x32-10 without.  The AES variants (<isa>vaes.c, neonaes.c) make
   ARS bits with AES instructions; the others with the software AES round. */
#define LPK_UPD_RNG_ARS 64
#define LPK_UPD_IS_F32(mode) ((mode) >= LPK_UPDATE_F32_NEAREST && (mode) <= LPK_UPDATE_F32_KAHAN)
#define LPK_UPD_SEED_M 0x9E3779B97F4A7C15ull
#define LPK_UPD_SEED_V 0xBF58476D1CE4E5B9ull

#define LPK_UPDATE_SGD_VARIANTS(V) \
    V(AVX512VAES, lpk_update_sgd__avx512vaes) \
    V(AVX512, lpk_update_sgd__avx512) \
    V(AVX2VAES, lpk_update_sgd__avx2vaes) \
    V(AVX2AES, lpk_update_sgd__avx2aes) \
    V(AVX2, lpk_update_sgd__avx2) \
    V(NEONAES, lpk_update_sgd__neonaes) \
    V(NEON, lpk_update_sgd__neon) \
    V(SCALAR, lpk_update_sgd__ref)

#define LPK_UPDATE_ADAMW_VARIANTS(V) \
    V(AVX512VAES, lpk_update_adamw__avx512vaes) \
    V(AVX512, lpk_update_adamw__avx512) \
    V(AVX2VAES, lpk_update_adamw__avx2vaes) \
    V(AVX2AES, lpk_update_adamw__avx2aes) \
    V(AVX2, lpk_update_adamw__avx2) \
    V(NEONAES, lpk_update_adamw__neonaes) \
    V(NEON, lpk_update_adamw__neon) \
    V(SCALAR, lpk_update_adamw__ref)

#define LPK_UPDATE_KAHAN_SPLIT_VARIANTS(V) \
    V(AVX512, lpk_update_kahan_split__avx512) \
    V(AVX2, lpk_update_kahan_split__avx2) \
    V(NEON, lpk_update_kahan_split__neon) \
    V(SCALAR, lpk_update_kahan_split__ref)

#define LPK_UPDATE_KAHAN_MERGE_VARIANTS(V) \
    V(AVX512, lpk_update_kahan_merge__avx512) \
    V(AVX2, lpk_update_kahan_merge__avx2) \
    V(NEON, lpk_update_kahan_merge__neon) \
    V(SCALAR, lpk_update_kahan_merge__ref)

#define LPK_DECL_SGD(tier, fn) lpk_update_sgd_fn fn;
#define LPK_DECL_ADAMW(tier, fn) lpk_update_adamw_fn fn;
#define LPK_DECL_SPLIT(tier, fn) lpk_update_kahan_split_fn fn;
#define LPK_DECL_MERGE(tier, fn) lpk_update_kahan_merge_fn fn;
LPK_UPDATE_SGD_VARIANTS(LPK_DECL_SGD)
LPK_UPDATE_ADAMW_VARIANTS(LPK_DECL_ADAMW)
LPK_UPDATE_KAHAN_SPLIT_VARIANTS(LPK_DECL_SPLIT)
LPK_UPDATE_KAHAN_MERGE_VARIANTS(LPK_DECL_MERGE)
#undef LPK_DECL_SGD
#undef LPK_DECL_ADAMW
#undef LPK_DECL_SPLIT
#undef LPK_DECL_MERGE

LPK_TYPED_OP(lpk_update_sgd);
LPK_TYPED_OP(lpk_update_adamw);
LPK_TYPED_OP(lpk_update_kahan_split);
LPK_TYPED_OP(lpk_update_kahan_merge);
extern const lpk_update_sgd_op lpk_op_update_sgd;
extern const lpk_update_adamw_op lpk_op_update_adamw;
extern const lpk_update_kahan_split_op lpk_op_update_kahan_split;
extern const lpk_update_kahan_merge_op lpk_op_update_kahan_merge;

#ifdef __cplusplus
}
#endif

#endif
