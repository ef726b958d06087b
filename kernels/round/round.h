/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family: f32 -> bf16 (nearest, stochastic) and bf16 -> f32.
   The lists below are the kernel table: best first, ending with the scalar
   reference.  Adding a variant = one source file + one line here. */
#ifndef LPK_ROUND_H
#define LPK_ROUND_H

#include "lpk_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* dst[i] = rne(src[i]), i < n. */
typedef void lpk_round_rne_fn(const float *src, lpk_bf16 *dst, size_t n);
/* dst[i] = sr(src[i]) with the bits of element offset + i (see lpk.h). */
typedef void lpk_round_sr_fn(const float *src, lpk_bf16 *dst, size_t n,
                             uint64_t seed, uint64_t offset);
/* dst[i] = widen(src[i]). */
typedef void lpk_round_widen_fn(const lpk_bf16 *src, float *dst, size_t n);

#define LPK_ROUND_RNE_VARIANTS(V)                        \
    V(AVX512BF16, lpk_round_rne_f32_bf16__avx512bf16)    \
    V(AVX512, lpk_round_rne_f32_bf16__avx512)            \
    V(AVX2, lpk_round_rne_f32_bf16__avx2)                \
    V(NEONBF16, lpk_round_rne_f32_bf16__neonbf16)        \
    V(SVE, lpk_round_rne_f32_bf16__sve)                  \
    V(NEON, lpk_round_rne_f32_bf16__neon)                \
    V(HWY, lpk_round_rne_f32_bf16__hwy)                  \
    V(SCALAR, lpk_round_rne_f32_bf16__ref)

#define LPK_ROUND_SR_VARIANTS(V)                         \
    V(AVX512, lpk_round_sr_f32_bf16__avx512)             \
    V(AVX2, lpk_round_sr_f32_bf16__avx2)                 \
    V(SVE, lpk_round_sr_f32_bf16__sve)                   \
    V(NEON, lpk_round_sr_f32_bf16__neon)                 \
    V(HWY, lpk_round_sr_f32_bf16__hwy)                   \
    V(SCALAR, lpk_round_sr_f32_bf16__ref)

/* Stochastic rounding with ARS-7 bits (lpk.h, LPK_ROUND_STOCHASTIC_ARS). */
#define LPK_ROUND_SR_ARS_VARIANTS(V)                     \
    V(AVX512VAES, lpk_round_sr_ars_f32_bf16__avx512vaes) \
    V(AVX2VAES, lpk_round_sr_ars_f32_bf16__avx2vaes)     \
    V(AVX2AES, lpk_round_sr_ars_f32_bf16__avx2aes)       \
    V(NEONAES, lpk_round_sr_ars_f32_bf16__neonaes)       \
    V(NEON, lpk_round_sr_ars_f32_bf16__neon)             \
    V(SCALAR, lpk_round_sr_ars_f32_bf16__ref)

#define LPK_ROUND_WIDEN_VARIANTS(V)                      \
    V(AVX512, lpk_round_bf16_f32__avx512)                \
    V(AVX2, lpk_round_bf16_f32__avx2)                    \
    V(SVE, lpk_round_bf16_f32__sve)                      \
    V(NEON, lpk_round_bf16_f32__neon)                    \
    V(HWY, lpk_round_bf16_f32__hwy)                      \
    V(SCALAR, lpk_round_bf16_f32__ref)

#define LPK_DECL_RNE(tier, fn) lpk_round_rne_fn fn;
#define LPK_DECL_SR(tier, fn) lpk_round_sr_fn fn;
#define LPK_DECL_WIDEN(tier, fn) lpk_round_widen_fn fn;
LPK_ROUND_RNE_VARIANTS(LPK_DECL_RNE)
LPK_ROUND_SR_VARIANTS(LPK_DECL_SR)
LPK_ROUND_SR_ARS_VARIANTS(LPK_DECL_SR)
LPK_ROUND_WIDEN_VARIANTS(LPK_DECL_WIDEN)
#undef LPK_DECL_RNE
#undef LPK_DECL_SR
#undef LPK_DECL_WIDEN

LPK_TYPED_OP(lpk_round_rne);
LPK_TYPED_OP(lpk_round_sr);
LPK_TYPED_OP(lpk_round_widen);
extern const lpk_round_rne_op lpk_op_round_rne;
extern const lpk_round_sr_op lpk_op_round_sr;
extern const lpk_round_sr_op lpk_op_round_sr_ars;
extern const lpk_round_widen_op lpk_op_round_widen;

#ifdef __cplusplus
}
#endif

#endif
