/* SPDX-License-Identifier: Apache-2.0 */
/* AVX-512 (F+BW+DQ+VL) primitives of the fixed-point family shared by
   avx512.c (Philox bits) and avx512vaes.c (ARS bits): the rounding cores,
   narrowing, widening, masks, and the vector primitives of update-inl.h
   except the bits (the scheme is described in avx512.c).  Include from a
   file compiled with the avx512 tier's flags. */
#ifndef LPK_FIXED_AVX512_INL_H
#define LPK_FIXED_AVX512_INL_H

#include <immintrin.h>

#include "fixed.h"

#define INLINE static inline __attribute__((always_inline))

/* ---- rounding cores ---------------------------------------------------- */

INLINE __m512i round_near(__m512 v, __m512 hi)
{
    const __mmask16 ord = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
    return _mm512_cvt_roundps_epi32(_mm512_maskz_min_ps(ord, v, hi),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

/* hi1 = 2^(b-1); r in [0, 1). */
INLINE __m512i round_sr(__m512 v, __m512 r, __m512 hi1)
{
    const __mmask16 ord = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
    const __m512 c = _mm512_maskz_min_ps(ord, v, hi1);
    const __m512i fi = _mm512_cvt_roundps_epi32(c, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512 frac = _mm512_sub_ps(c, _mm512_cvtepi32_ps(fi));
    const __mmask16 up = _mm512_cmp_ps_mask(r, frac, _CMP_LT_OQ);
    return _mm512_mask_sub_epi32(fi, up, fi, _mm512_set1_epi32(-1));
}

/* Stochastic rounding to int8 in one subtraction: q = ceil(c - r), c = v
   with NaN -> 0 and clamped to at most 2^7 (fixed.h, "One subtraction").
   Below the range the ceiling stays below -2^7 (0x80000000 past -2^31),
   which the packs saturate. */
INLINE __m512i round_sr8(__m512 v, __m512 r, __m512 hi1)
{
    const __mmask16 ord = _mm512_cmp_ps_mask(v, v, _CMP_ORD_Q);
    const __m512 c = _mm512_maskz_min_ps(ord, v, hi1);
    return _mm512_cvt_roundps_epi32(_mm512_sub_ps(c, r),
                                    _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
}

/* 64 int32 (four vectors, in order) -> 64 saturated int8 in order. */
INLINE __m512i narrow8(__m512i a, __m512i b, __m512i c, __m512i d)
{
    const __m512i w = _mm512_packs_epi16(_mm512_packs_epi32(a, b), _mm512_packs_epi32(c, d));
    return _mm512_permutexvar_epi32(
        _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0), w);
}

/* 32 int32 -> 32 saturated int16 in order. */
INLINE __m512i narrow16(__m512i a, __m512i b)
{
    return _mm512_permutexvar_epi64(_mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0),
                                    _mm512_packs_epi32(a, b));
}

/* 16-lane masks of a 64-lane mask. */
INLINE __mmask16 part16(__mmask64 k, int j) { return (__mmask16)(k >> (16 * j)); }

/* int8 / int16 lanes 16j .. 16j+15 of p as fp32; masked lanes are 0. */
INLINE __m512 load8_f32(const int8_t *p, int j, __mmask64 k, int full)
{
    const __m128i q = full ? _mm_loadu_si128((const __m128i *)(p + 16 * j))
                           : _mm_maskz_loadu_epi8(part16(k, j), p + 16 * j);
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q));
}

INLINE __m512 load16_f32(const int16_t *p, int j, __mmask64 k, int full)
{
    const __m256i q = full ? _mm256_loadu_si256((const __m256i *)(p + 16 * j))
                           : _mm256_maskz_loadu_epi16(part16(k, j), p + 16 * j);
    return _mm512_cvtepi32_ps(_mm512_cvtepi16_epi32(q));
}

INLINE __m512 loadf(const float *p, int j, __mmask64 k, int full)
{
    return full ? _mm512_loadu_ps(p + 16 * j) : _mm512_maskz_loadu_ps(part16(k, j), p + 16 * j);
}

INLINE __mmask64 mask64(size_t m) { return m >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << m) - 1); }

/* uint16 r16 (16 lanes of a 256-bit vector) -> r16 / 2^16 as fp32. */
INLINE __m512 r16_f32(__m256i r)
{
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu16_epi32(r)),
                         _mm512_set1_ps(1.0f / 65536.0f));
}


/* ---- update primitives (update-inl.h) ----------------------------------- */

#define FIX_UV __m512
#define FIX_IV __m512i
#define FIX_VL 16
#define FIX_STEP 64
#define FIX_MASKED_TAIL 1


INLINE __m512 fix_set(float x) { return _mm512_set1_ps(x); }
INLINE __m512 fix_loadf(const float *p) { return _mm512_loadu_ps(p); }
INLINE __m512 fix_fma(__m512 a, __m512 x, __m512 c) { return _mm512_fmadd_ps(a, x, c); }

INLINE void fix_widen4(const void *p, int bits, __m512 f[4])
{
    for (int j = 0; j < 4; j++)
        f[j] = bits == 8 ? load8_f32(p, j, 0, 1) : load16_f32(p, j, 0, 1);
}

/* Rounding without the NaN / upper-end treatment: after the saturating
   packs it is the reference's result for every v except NaN and the v
   whose conversion overflows, which give 0x80000000 (0x80000001 after an
   int16 stochastic round-up); see fix_store_fast. */
INLINE __m512i fix_round_fast(__m512 v, __m512 r, int sr, int bits)
{
    if (!sr)
        return _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    if (bits == 8)
        return _mm512_cvt_roundps_epi32(_mm512_sub_ps(v, r),
                                        _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC);
    const __m512i fi = _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    const __m512 frac = _mm512_sub_ps(v, _mm512_cvtepi32_ps(fi));
    const __mmask16 up = _mm512_cmp_ps_mask(r, frac, _CMP_LT_OQ);
    return _mm512_mask_sub_epi32(fi, up, fi, _mm512_set1_epi32(-1));
}

INLINE __m512i fix_round(__m512 v, __m512 r, __m512 hi, int sr, int bits)
{
    return !sr ? round_near(v, hi) : bits == 8 ? round_sr8(v, r, hi) : round_sr(v, r, hi);
}

INLINE void store_z(void *z, __mmask64 k, int full, int bits, __m512i w0, __m512i w1)
{
    if (bits == 8) {
        if (full)
            _mm512_storeu_si512(z, w0);
        else
            _mm512_mask_storeu_epi8(z, k, w0);
    } else if (full) {
        _mm512_storeu_si512(z, w0);
        _mm512_storeu_si512((void *)((int16_t *)z + 32), w1);
    } else {
        _mm512_mask_storeu_epi16(z, (__mmask32)k, w0);
        _mm512_mask_storeu_epi16((int16_t *)z + 32, (__mmask32)(k >> 32), w1);
    }
}

INLINE void store_o(void *z, __mmask64 k, int full, const __m512i o[4], int bits)
{
    if (bits == 8)
        store_z(z, k, full, 8, narrow8(o[0], o[1], o[2], o[3]), _mm512_setzero_si512());
    else
        store_z(z, k, full, 16, narrow16(o[0], o[1]), narrow16(o[2], o[3]));
}

INLINE void fix_store(void *z, const __m512i o[4], int bits) { store_o(z, ~(__mmask64)0, 1, o, bits); }

/* Why the fast path is exact: without the NaN / clamp step, NaN and every
   v at or past 2^31 convert to 0x80000000 (or 0x80000001), which the test
   catches.  Every other v converts exactly: nearest; int8 stochastic as
   ceil(v - r), which fixed.h's identity covers up to 2^7 and which stays
   at or above 2^7 past it (v - r > 2^7 - 1, so its ceiling is at least
   2^7); int16 stochastic by floor and frac, where fi + 1 < 2^31.  The packs
   then saturate what lies past either end, which is the reference's
   sat_b.  The test is on the int32 lanes (their minimum, int16 after the
   first saturating pack for int8), so a genuine result at the type's
   minimum does not trigger it; only v below about -2^15 (int8) or -2^31
   (int16) do, besides NaN and overflow. */
INLINE int fix_store_fast(void *z, const __m512i o[4], int bits)
{
    if (bits == 8) {
        const __m512i p01 = _mm512_packs_epi32(o[0], o[1]), p23 = _mm512_packs_epi32(o[2], o[3]);
        if (_mm512_cmpeq_epi16_mask(_mm512_min_epi16(p01, p23), _mm512_set1_epi16(-32768)) != 0)
            return 0;
        const __m512i w = _mm512_permutexvar_epi32(
            _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0),
            _mm512_packs_epi16(p01, p23));
        _mm512_storeu_si512(z, w);
        return 1;
    }
    const __m512i m = _mm512_min_epi32(_mm512_min_epi32(o[0], o[1]), _mm512_min_epi32(o[2], o[3]));
    if (_mm512_cmplt_epi32_mask(m, _mm512_set1_epi32(INT32_MIN + 2)) != 0)
        return 0;
    store_o(z, ~(__mmask64)0, 1, o, 16);
    return 1;
}

/* The bits are the including file's: struct fix_bits and fix_bits_vec. */
typedef struct fix_bits fix_bits;
INLINE __m512 fix_bits_vec(const fix_bits *rb, size_t i, int j);

/* The last m < 64 elements: masked loads (zero lanes) and stores, the
   complete treatment (NaN -> 0, the upper clamp). */
INLINE void fix_update_part(void *z, const void *x, const float *h, size_t m, __m512 va,
                            __m512 vb, __m512 hi, const fix_bits *rb, size_t i, int sr, int bits)
{
    const __mmask64 k = mask64(m);
    __m512i o[4];
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        const __m512 zf = bits == 8 ? load8_f32(z, j, k, 0) : load16_f32(z, j, k, 0);
        const __m512 xf = bits == 8 ? load8_f32(x, j, k, 0) : load16_f32(x, j, k, 0);
        const __m512 v = _mm512_fmadd_ps(va, zf, _mm512_fmadd_ps(vb, xf, loadf(h, j, k, 0)));
        o[j] = fix_round(v, sr ? fix_bits_vec(rb, i, j) : va, hi, sr, bits);
    }
    store_o(z, k, 0, o, bits);
}
#endif
