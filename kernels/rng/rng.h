/* SPDX-License-Identifier: Apache-2.0 */
/* Counter-based generators alone: the random words that stochastic
   rounding consumes, without the rounding.  Tests check every variant
   against the scalar reference and Random123 (tests/test_ars.c); the
   benchmark times them (perf/bench_round.c, "generator alone").  rng.ars is
   in dispatch/ops.c's list: the update kernels of a tier without AES
   instructions of its own (avx512 on a CPU without VAES) draw their ARS
   blocks through its selected variant (update/step-inl.h); rng.philox
   serves no call and stays out of it. */
#ifndef LPK_RNG_H
#define LPK_RNG_H

#include "lpk_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

/* out[4b .. 4b+3] = ARS-7 (kernels/common/ars.h) of key and of counter ctr
   with its low 64 bits (ctr[0] | ctr[1] << 32) plus b, mod 2^64, for
   b < nblocks; words as Random123's ars4x32. */
typedef void lpk_rng_ars_fn(const uint32_t key[4], const uint32_t ctr[4], size_t nblocks,
                            uint32_t *out);
/* out[4b .. 4b+3] = Philox4x32-10 block q + b of stochastic-rounding stream
   `seed` (counter {lo32, hi32 of q + b, 0, 0}, key {lo32, hi32 of seed}),
   for b < nblocks; q + nblocks <= 2^61. */
typedef void lpk_rng_philox_fn(uint64_t seed, uint64_t q, size_t nblocks, uint32_t *out);

#define LPK_RNG_ARS_VARIANTS(V)                         \
    V(AVX512VAES, lpk_rng_ars__avx512vaes)              \
    V(AVX2VAES, lpk_rng_ars__avx2vaes)                  \
    V(AVX2AES, lpk_rng_ars__avx2aes)                    \
    V(NEONAES, lpk_rng_ars__neonaes)                    \
    V(SCALAR, lpk_rng_ars__ref)

#define LPK_RNG_PHILOX_VARIANTS(V)                      \
    V(AVX512, lpk_rng_philox__avx512)                   \
    V(AVX2, lpk_rng_philox__avx2)                       \
    V(NEON, lpk_rng_philox__neon)                       \
    V(SCALAR, lpk_rng_philox__ref)

#define LPK_DECL_RNG_ARS(tier, fn) lpk_rng_ars_fn fn;
#define LPK_DECL_RNG_PHILOX(tier, fn) lpk_rng_philox_fn fn;
LPK_RNG_ARS_VARIANTS(LPK_DECL_RNG_ARS)
LPK_RNG_PHILOX_VARIANTS(LPK_DECL_RNG_PHILOX)
#undef LPK_DECL_RNG_ARS
#undef LPK_DECL_RNG_PHILOX

LPK_TYPED_OP(lpk_rng_ars);
LPK_TYPED_OP(lpk_rng_philox);
extern const lpk_rng_ars_op lpk_op_rng_ars;
extern const lpk_rng_philox_op lpk_op_rng_philox;

#ifdef __cplusplus
}
#endif

#endif
