/* SPDX-License-Identifier: Apache-2.0 */
/* Stochastic rounding of 16 f32 with the 16 random uint16 of one YMM in
   element order, AVX2, shared by the Philox kernel (avx2.c) and the ARS
   kernels (avx2vaes.c, avx2aes.c).
   The 16 elements are read as X = [0..3 | 8..11] and Y = [4..7 | 12..15]
   (VBROADCASTI128 loads and VPBLENDD), which puts them in the lanes where
   VPUNPCKLWD / VPUNPCKHWD with zero leave their bits, and where VPACKUSDW
   of (X + r) >> 16 and (Y + r) >> 16 leaves the results in order: no
   VPMOVZXWD, VEXTRACTI128, VPBLENDVB or VPERMQ (on Zen 4 those share the
   two pipes VAESENC needs, and they are 7 of the ~20 ops a 16-element
   step took with per-vector NaN selects).  NaN lanes, which must give
   u | quiet bit instead of u + r, are found once per run of elements from
   the running max(u << 1) > 0xFF000000 and, when there are any, rewritten
   by the scalar definition (common/bf16.h). */
#ifndef LPK_ROUND_SR16_AVX2_INL_H
#define LPK_ROUND_SR16_AVX2_INL_H

#include <immintrin.h>

#include "round.h"
#include "../common/bf16.h"
#include "../common/stream.h"

/* Elements 0..3 and 8..11 of p in the two 128-bit lanes. */
static inline __m256i split_lanes(const float *p)
{
    const __m256i a = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));
    const __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(p + 8)));
    return _mm256_blend_epi32(a, b, 0xF0);
}

/* 16 elements with the 16 uint16 of r in order, no NaN handling (sr_fix_nan);
   *nan gets the running unsigned max of u << 1. */
static inline __attribute__((always_inline)) __m256i sr16(const float *src, __m256i r,
                                                         __m256i *nan)
{
    const __m256i x = split_lanes(src), y = split_lanes(src + 4);
    const __m256i zero = _mm256_setzero_si256();
    *nan = _mm256_max_epu32(*nan, _mm256_max_epu32(_mm256_slli_epi32(x, 1),
                                                   _mm256_slli_epi32(y, 1)));
    const __m256i tx = _mm256_add_epi32(x, _mm256_unpacklo_epi16(r, zero));
    const __m256i ty = _mm256_add_epi32(y, _mm256_unpackhi_epi16(r, zero));
    return _mm256_packus_epi32(_mm256_srli_epi32(tx, 16), _mm256_srli_epi32(ty, 16));
}

static inline __attribute__((always_inline)) void sr_put16(const float *src, lpk_bf16 *dst,
                                                        __m256i r, __m256i *nan, int stream)
{
    const __m256i out = sr16(src, r, nan);
    if (stream) {
        lpk_stream_prefetch(src);
        _mm256_stream_si256((__m256i *)dst, out);
    } else {
        _mm256_storeu_si256((__m256i *)dst, out);
    }
}

/* The m elements just written hold u + r for NaN inputs too: when nan says
   there is one, give those elements the NaN result (which does not depend
   on the bits). */
static inline void sr_fix_nan(const float *src, lpk_bf16 *dst, size_t m, __m256i nan)
{
    const __m256i big = _mm256_max_epu32(nan, _mm256_set1_epi32((int)0xFF000001u));
    if (__builtin_expect(!_mm256_testc_si256(_mm256_cmpeq_epi32(big, _mm256_set1_epi32(
                                                 (int)0xFF000001u)),
                                             _mm256_set1_epi32(-1)),
                         0)) {
        lpk_bf16_redo_nans(src, dst, m);
    }
}

#endif
