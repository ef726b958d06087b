/* SPDX-License-Identifier: Apache-2.0 */
/* AVX2 + FMA primitives of the fixed-point family shared by avx2.c (Philox
   bits) and avx2vaes.c (ARS bits): the rounding cores, narrowing, widening,
   and the vector primitives of update-inl.h except the bits (the scheme is
   described in avx2.c).  Include from a file compiled with -mavx2 -mfma. */
#ifndef LPK_FIXED_AVX2_INL_H
#define LPK_FIXED_AVX2_INL_H

#include <immintrin.h>

#include "fixed.h"

#define INLINE static inline __attribute__((always_inline))

/* ---- rounding cores ---------------------------------------------------- */

INLINE __m256i round_near(__m256 v, __m256 hi)
{
    const __m256 ord = _mm256_cmp_ps(v, v, _CMP_ORD_Q);
    return _mm256_cvtps_epi32(_mm256_and_ps(_mm256_min_ps(v, hi), ord));
}

INLINE __m256i round_sr(__m256 v, __m256 r, __m256 hi1)
{
    const __m256 ord = _mm256_cmp_ps(v, v, _CMP_ORD_Q);
    const __m256 c = _mm256_and_ps(_mm256_min_ps(v, hi1), ord);
    const __m256 f = _mm256_round_ps(c, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m256 up = _mm256_cmp_ps(r, _mm256_sub_ps(c, f), _CMP_LT_OQ);
    return _mm256_sub_epi32(_mm256_cvttps_epi32(f), _mm256_castps_si256(up));
}

/* int8: q = ceil(c - r) (fixed.h, "One subtraction"), c = v with NaN -> 0
   and clamped to at most 2^7; the ceiling is VROUNDPS up, then exact
   VCVTTPS2DQ (0x80000000 past -2^31, which the packs saturate). */
INLINE __m256i round_sr8(__m256 v, __m256 r, __m256 hi1)
{
    const __m256 ord = _mm256_cmp_ps(v, v, _CMP_ORD_Q);
    const __m256 c = _mm256_and_ps(_mm256_min_ps(v, hi1), ord);
    const __m256 x = _mm256_sub_ps(c, r);
    return _mm256_cvttps_epi32(_mm256_round_ps(x, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC));
}

INLINE __m256i round_srb(__m256 v, __m256 r, __m256 hi1, int bits)
{
    return bits == 8 ? round_sr8(v, r, hi1) : round_sr(v, r, hi1);
}

/* Rounding without the NaN / upper-end treatment: exact for every finite v
   below 2^31, 0x80000000 (0x80000001) for NaN and past it. */
INLINE __m256i fix_round_fast(__m256 v, __m256 r, int sr, int bits)
{
    if (!sr)
        return _mm256_cvtps_epi32(v);
    if (bits == 8)
        return _mm256_cvttps_epi32(
            _mm256_round_ps(_mm256_sub_ps(v, r), _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC));
    const __m256 f = _mm256_round_ps(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m256 up = _mm256_cmp_ps(r, _mm256_sub_ps(v, f), _CMP_LT_OQ);
    return _mm256_sub_epi32(_mm256_cvttps_epi32(f), _mm256_castps_si256(up));
}

/* 32 int32 (four vectors in order) -> 32 saturated int8 in order. */
INLINE __m256i narrow8(__m256i a, __m256i b, __m256i c, __m256i d)
{
    const __m256i w = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
    return _mm256_permutevar8x32_epi32(w, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

/* 16 int32 -> 16 saturated int16 in order. */
INLINE __m256i narrow16(__m256i a, __m256i b)
{
    return _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
}

INLINE __m256 load8_f32(const int8_t *p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}

INLINE __m256 load16_f32(const int16_t *p)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)p)));
}

INLINE __m256 r16_f32(__m128i r)
{
    return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(r)),
                         _mm256_set1_ps(1.0f / 65536.0f));
}

/* Stores 32 int32 results (four vectors) as int8 or int16. */
INLINE void store32(void *q, int bits, __m256i o0, __m256i o1, __m256i o2, __m256i o3)
{
    if (bits == 8) {
        _mm256_storeu_si256((__m256i *)q, narrow8(o0, o1, o2, o3));
    } else {
        _mm256_storeu_si256((__m256i *)q, narrow16(o0, o1));
        _mm256_storeu_si256((__m256i *)q + 1, narrow16(o2, o3));
    }
}

INLINE void store1(void *q, int bits, size_t i, float v)
{
    if (bits == 8)
        ((int8_t *)q)[i] = (int8_t)lpk_fixed_sat1(v, 8);
    else
        ((int16_t *)q)[i] = (int16_t)lpk_fixed_sat1(v, 16);
}

/* ---- update primitives (update-inl.h) ----------------------------------- */

#define FIX_UV __m256
#define FIX_IV __m256i
#define FIX_VL 8
#define FIX_STEP 32
#define FIX_MASKED_TAIL 0

INLINE __m256 fix_set(float x) { return _mm256_set1_ps(x); }
INLINE __m256 fix_loadf(const float *p) { return _mm256_loadu_ps(p); }
INLINE __m256 fix_fma(__m256 a, __m256 x, __m256 c) { return _mm256_fmadd_ps(a, x, c); }

INLINE void fix_widen4(const void *p, int bits, __m256 f[4])
{
    for (int j = 0; j < 4; j++)
        f[j] = bits == 8 ? load8_f32((const int8_t *)p + 8 * j) : load16_f32((const int16_t *)p + 8 * j);
}

INLINE __m256i fix_round(__m256 v, __m256 r, __m256 hi, int sr, int bits)
{
    return !sr ? round_near(v, hi) : round_srb(v, r, hi, bits);
}

/* The fast rounding is exact unless a lane converted to 0x80000000 (NaN,
   overflow; 0x80000001 after a stochastic int16 round-up): see avx512.c. */
INLINE int fix_store_fast(void *z, const __m256i o[4], int bits)
{
    if (bits == 8) {
        const __m256i p01 = _mm256_packs_epi32(o[0], o[1]);
        const __m256i p23 = _mm256_packs_epi32(o[2], o[3]);
        const __m256i low = _mm256_cmpeq_epi16(_mm256_min_epi16(p01, p23),
                                               _mm256_set1_epi16(-32768));
        if (_mm256_movemask_epi8(low) != 0)
            return 0;
        const __m256i w = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23),
                                                      _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)z, w);
        return 1;
    }
    const __m256i m = _mm256_min_epi32(_mm256_min_epi32(o[0], o[1]), _mm256_min_epi32(o[2], o[3]));
    if (_mm256_movemask_epi8(_mm256_cmpgt_epi32(_mm256_set1_epi32(INT32_MIN + 2), m)) != 0)
        return 0;
    store32(z, bits, o[0], o[1], o[2], o[3]);
    return 1;
}

INLINE void fix_store(void *z, const __m256i o[4], int bits)
{
    store32(z, bits, o[0], o[1], o[2], o[3]);
}

#endif
