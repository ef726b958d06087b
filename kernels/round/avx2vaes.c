/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, stochastic rounding with ARS-7 bits on AVX2 + VAES,
   bit-identical to ref_ars.c.
   Bits: eight independent YMM states of two ARS blocks each per 128
   elements (VAESENC / VAESENCLAST on 256 bits, common/ars_x86.h); a YMM
   holds the random uint16 of 16 consecutive elements in order.
   Rounding: t = u + r16 (VPMOVZXWD), NaN lanes (|u| > 0x7F800000, signed
   compare) get u | quiet bit instead (VPBLENDVB); t >> 16, VPACKUSDW
   (values < 2^16) and VPERMQ restore the order.  Streaming, head and tail:
   sr_ars-inl.h.  Relies on AVX2, VAES and AES-NI. */
#if !defined(__AVX2__) || !defined(__VAES__) || !defined(__AES__)
#error "avx2vaes.c needs -mavx2 -mvaes -maes (CMake sets them for this file)"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/ars_x86.h"

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

static inline __m256i sr8(__m256i u, __m256i r32)
{
    const __m256i t = _mm256_add_epi32(u, r32);
    const __m256i nan = _mm256_cmpgt_epi32(_mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF)),
                                           _mm256_set1_epi32(0x7F800000));
    const __m256i qn = _mm256_or_si256(u, _mm256_set1_epi32(0x400000));
    return _mm256_srli_epi32(_mm256_blendv_epi8(t, qn, nan), 16);
}

/* 16 elements with the 16 uint16 of r in order. */
static inline __m256i sr16(const float *src, __m256i r)
{
    const __m256i u0 = _mm256_loadu_si256((const __m256i *)src);
    const __m256i u1 = _mm256_loadu_si256((const __m256i *)(src + 8));
    const __m256i s0 = sr8(u0, _mm256_cvtepu16_epi32(_mm256_castsi256_si128(r)));
    const __m256i s1 = sr8(u1, _mm256_cvtepu16_epi32(_mm256_extracti128_si256(r, 1)));
    return _mm256_permute4x64_epi64(_mm256_packus_epi32(s0, s1), 0xD8);
}

static inline __attribute__((always_inline)) void block(const float *src, lpk_bf16 *dst,
                                                        uint64_t q, const keys_t *k, int stream)
{
    const __m256i qmask = _mm256_set1_epi64x((long long)LPK_ARS_QMASK);
    const __m256i base = _mm256_set_epi64x(0, (long long)(q + 1), 0, (long long)q);
    __m256i v[8];
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_and_si256(_mm256_add_epi64(base, _mm256_set_epi64x(0, 2 * i, 0, 2 * i)),
                                qmask);
    lpk_ars_x2n(v, 8, &k->v);
    for (int i = 0; i < 8; i++) {
        const __m256i out = sr16(src + 16 * i, v[i]);
        if (stream)
            _mm256_stream_si256((__m256i *)(dst + 16 * i), out);
        else
            _mm256_storeu_si256((__m256i *)(dst + 16 * i), out);
    }
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__avx2vaes
#define ARS_KEYS keys_t
#define ARS_KEYS_INIT keys_init
#define ARS_STEP 128
#define ARS_BLOCK block
#define ARS_BITS bits
#define ARS_STREAM 1
#include "sr_ars-inl.h"
