/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, stochastic rounding with ARS-7 bits on AVX2 + VAES,
   bit-identical to ref_ars.c.
   Bits: eight independent YMM states of two ARS blocks each per 128
   elements (VAESENC / VAESENCLAST on 256 bits); a YMM holds the random
   uint16 of 16 consecutive elements in order.  Software-pipelined as in
   avx512vaes.c: the rounds of the next 128 elements' bits are issued among
   the roundings of the current 128, whose bits wait in a stack buffer
   (16 YMM registers cannot hold both sets and the keys).
   Rounding: sr16_avx2-inl.h (shared with the Philox kernel of avx2.c),
   chosen to stay off the two pipes VAESENC needs on Zen 4; NaN found per
   128 elements.  Streaming, head and tail: sr_ars-inl.h.
   Relies on AVX2, VAES and AES-NI.  avx2aes.c builds this file again with
   LPK_AESNI_ONLY for the avx2aes tier: the same rounding, 128 elements at a
   time without the pipelining, the eight states run as sixteen 128-bit
   AESENC chains (common/ars_x86.h, lpk_ars_x2n). */
#if !defined(__AVX2__) || !defined(__AES__) || (!defined(__VAES__) && !defined(LPK_AESNI_ONLY))
#error "avx2vaes.c needs -mavx2 -mvaes -maes (CMake sets them for this file)"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/ars_x86.h"
#include "sr16_avx2-inl.h"

typedef struct {
    lpk_ars_keys256 v;
    lpk_ars_keys128 x;
} keys_t;

static inline void keys_init(keys_t *k, uint64_t seed)
{
    lpk_ars_keys256_init(&k->v, seed, 0);
    lpk_ars_keys128_init(&k->x, seed, 0);
}

static inline void bits(uint64_t q, size_t nb, const keys_t *k, uint16_t *r)
{
    for (size_t b = 0; b < nb; b++)
        _mm_storeu_si128((__m128i *)(r + 8 * b),
                         lpk_ars_x1(_mm_set_epi64x(0, (long long)((q + b) & LPK_ARS_QMASK)), &k->x));
}

/* The counters of blocks q .. q+15 (mod 2^61): blocks q + 2i and q + 2i + 1
   in v[i]. */
static inline __attribute__((always_inline)) void counters(uint64_t q, __m256i v[8])
{
    const __m256i qmask = _mm256_set1_epi64x((long long)LPK_ARS_QMASK);
    const __m256i base = _mm256_set_epi64x(0, (long long)(q + 1), 0, (long long)q);
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_and_si256(_mm256_add_epi64(base, _mm256_set_epi64x(0, 2 * i, 0, 2 * i)),
                                qmask);
}

#ifdef LPK_AESNI_ONLY
/* 128 elements from element 8q, bits made first (no VAES to pipeline). */
static inline __attribute__((always_inline)) void block(const float *src, lpk_bf16 *dst,
                                                        uint64_t q, const keys_t *k, int stream)
{
    __m256i v[8], nan = _mm256_setzero_si256();
    counters(q, v);
    lpk_ars_x2n(v, 8, &k->v);
    for (int c = 0; c < 8; c++)
        sr_put16(src + 16 * c, dst + 16 * c, v[c], &nan, stream);
    sr_fix_nan(src, dst, 128, nan);
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__avx2aes
#define ARS_BLOCK block
#else
/* The states of blocks q .. q+15 (mod 2^61) after the first key. */
static inline __attribute__((always_inline)) void start(uint64_t q, const keys_t *k, __m256i v[8])
{
    counters(q, v);
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_xor_si256(v[i], k->v.k[0]);
}

static inline __attribute__((always_inline)) void enc(__m256i v[8], __m256i key)
{
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_aesenc_epi128(v[i], key);
}

static inline __attribute__((always_inline)) void last(__m256i v[8], __m256i key)
{
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_aesenclast_epi128(v[i], key);
}

_Static_assert(LPK_ARS_ROUNDS == 7, "run() issues the rounds of ARS-7 by hand");

/* m (a multiple of 128) elements from element 8q, pipelined (avx512vaes.c,
   run(), says why). */
static inline __attribute__((always_inline)) void run(const float *src, lpk_bf16 *dst, size_t m,
                                                      uint64_t q, const keys_t *k, int stream)
{
    __m256i cur[8], nx[8];
    start(q, k, nx);
    for (int r = 1; r < LPK_ARS_ROUNDS; r++)
        enc(nx, k->v.k[r]);
    last(nx, k->v.k[LPK_ARS_ROUNDS]);
    size_t i = 0;
    for (;; i += 128) {
        for (int c = 0; c < 8; c++)
            _mm256_store_si256(&cur[c], nx[c]);
        __asm__("" : : "r"(cur) : "memory"); /* keep cur in memory, not in registers */
        __m256i nan = _mm256_setzero_si256();
        if (i + 128 == m) {
            for (int c = 0; c < 8; c++)
                sr_put16(src + i + 16 * c, dst + i + 16 * c, cur[c], &nan, stream);
            sr_fix_nan(src + i, dst + i, 128, nan);
            return;
        }
        start(q + (i + 128) / 8, k, nx);
        for (int r = 1; r < LPK_ARS_ROUNDS; r++) {
            enc(nx, k->v.k[r]);
            sr_put16(src + i + 16 * (r - 1), dst + i + 16 * (r - 1), cur[r - 1], &nan, stream);
        }
        last(nx, k->v.k[LPK_ARS_ROUNDS]);
        sr_put16(src + i + 96, dst + i + 96, cur[6], &nan, stream);
        sr_put16(src + i + 112, dst + i + 112, cur[7], &nan, stream);
        sr_fix_nan(src + i, dst + i, 128, nan);
    }
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__avx2vaes
#define ARS_RUN run
#endif
#define ARS_KEYS keys_t
#define ARS_KEYS_INIT keys_init
#define ARS_STEP 128
#define ARS_BITS bits
#define ARS_STREAM 1
#include "sr_ars-inl.h"
