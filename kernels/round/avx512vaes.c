/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, stochastic rounding with ARS-7 bits on AVX-512 + VAES,
   bit-identical to ref_ars.c.
   Bits: four independent ZMM states of four ARS blocks each per 128
   elements (VAESENC / VAESENCLAST, common/ars_x86.h); a block's 16 bytes
   are the random uint16 of its 8 elements in order, so a ZMM holds the bits
   of 32 consecutive elements as they come.
   Rounding: t = u + r16 (VPMOVZXWD widens the bits), NaN lanes (VFPCLASSPS)
   get u | quiet bit instead; the high halves of two vectors of t in order
   with one VPERMT2W.  Streaming, head and tail: sr_ars-inl.h.
   Relies on AVX-512 F+BW+DQ+VL, VAES and AES-NI. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || \
    !defined(__AVX512VL__) || !defined(__VAES__) || !defined(__AES__)
#error "avx512vaes.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl -mvaes -maes"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/ars_x86.h"

typedef struct {
    lpk_ars_keys512 v;
    lpk_ars_keys128 x;
} keys_t;

static inline void keys_init(keys_t *k, uint64_t seed)
{
    lpk_ars_keys512_init(&k->v, seed, 0);
    lpk_ars_keys128_init(&k->x, seed, 0);
}

static inline void bits(uint64_t q, size_t nb, const keys_t *k, uint16_t *r)
{
    for (size_t b = 0; b < nb; b++)
        _mm_storeu_si128((__m128i *)(r + 8 * b),
                         lpk_ars_x1(_mm_set_epi64x(0, (long long)((q + b) & LPK_ARS_QMASK)), &k->x));
}

/* 32 elements: u + r (r the 32 uint16 in order), the high halves. */
static inline __m512i sr32(const float *src, __m512i r)
{
    const __m512i quiet = _mm512_set1_epi32(0x400000);
    const __m512i u0 = _mm512_loadu_si512((const void *)src);
    const __m512i u1 = _mm512_loadu_si512((const void *)(src + 16));
    const __m512i r0 = _mm512_cvtepu16_epi32(_mm512_castsi512_si256(r));
    const __m512i r1 = _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(r, 1));
    const __mmask16 n0 = _mm512_fpclass_ps_mask(_mm512_castsi512_ps(u0), 0x81);
    const __mmask16 n1 = _mm512_fpclass_ps_mask(_mm512_castsi512_ps(u1), 0x81);
    const __m512i t0 = _mm512_mask_or_epi32(_mm512_add_epi32(u0, r0), n0, u0, quiet);
    const __m512i t1 = _mm512_mask_or_epi32(_mm512_add_epi32(u1, r1), n1, u1, quiet);
    const __m512i idx = _mm512_set_epi16(63, 61, 59, 57, 55, 53, 51, 49, 47, 45, 43, 41, 39, 37,
                                         35, 33, 31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9,
                                         7, 5, 3, 1);
    return _mm512_permutex2var_epi16(t0, idx, t1);
}

static inline __attribute__((always_inline)) void block(const float *src, lpk_bf16 *dst,
                                                        uint64_t q, const keys_t *k, int stream)
{
    const __m512i qmask = _mm512_set1_epi64((long long)LPK_ARS_QMASK);
    const __m512i base = _mm512_add_epi64(_mm512_maskz_set1_epi64(0x55, (long long)q),
                                          _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
    __m512i v[4];
    for (int i = 0; i < 4; i++)
        v[i] = _mm512_and_si512(_mm512_add_epi64(base, _mm512_set_epi64(0, 4 * i, 0, 4 * i, 0,
                                                                        4 * i, 0, 4 * i)),
                                qmask);
    lpk_ars_x4n(v, 4, &k->v);
    for (int i = 0; i < 4; i++) {
        const __m512i out = sr32(src + 32 * i, v[i]);
        if (stream)
            _mm512_stream_si512((void *)(dst + 32 * i), out);
        else
            _mm512_storeu_si512((void *)(dst + 32 * i), out);
    }
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__avx512vaes
#define ARS_KEYS keys_t
#define ARS_KEYS_INIT keys_init
#define ARS_STEP 128
#define ARS_BLOCK block
#define ARS_BITS bits
#define ARS_STREAM 1
#include "sr_ars-inl.h"
