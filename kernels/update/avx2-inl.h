/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AVX2: the vector primitives and the Philox bits of
   step-inl.h on 8 fp32 lanes, shared by avx2.c and avx2vaes.c (which add
   the ARS bits and the kernel names).  Numerics and layout: avx2.c. */
#if !defined(__AVX2__)
#error "avx2-inl.h needs -mavx2"
#endif
#include <immintrin.h>
#include <string.h>

#include "update.h"
#include "../common/philox_x86.h"
#include "../common/stream.h"

#define UV __m256
#define UPD_VL 8
#define UPD_STEP 32
/* Philox chains per bits call: two (the rounding kernels' four measured
   no faster here, where the bits are a smaller part of the work, and twice
   the bits buffer cost AdamW ~5%). */
#define UPD_PHILOX_NC 2
#define UPD_RB (2 * UPD_PHILOX_NC)
/* step-inl.h's groups: four vectors, one pair for the few modes where
   four measured slower (step-inl.h says which). */
#define UPD_G 4
#define UPD_G_LIGHT 2
/* step-inl.h's loops specialised per call (sgd_steps says why) */
#define UPD_PER_CALL_LOOPS 1

static inline __m256 v_set(float x) { return _mm256_set1_ps(x); }
static inline __m256 v_add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
static inline __m256 v_sub(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
static inline __m256 v_mul(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
static inline __m256 v_div(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }
static inline __m256 v_sqrt(__m256 a) { return _mm256_sqrt_ps(a); }

/* 16 bf16 as 8 pairs in 32-bit lanes: even elements are lane << 16, odd
   ones lane & 0xFFFF0000. */
static inline void v_ld16(const lpk_bf16 *p, __m256 *lo, __m256 *hi)
{
    const __m256i x = _mm256_loadu_si256((const __m256i *)p);
    *lo = _mm256_castsi256_ps(_mm256_slli_epi32(x, 16));
    *hi = _mm256_castsi256_ps(_mm256_and_si256(x, _mm256_set1_epi32((int)0xFFFF0000u)));
}

/* The same even / odd split of 16 fp32: VPERMPS gathers each half's even
   and odd elements, VPERM2F128 joins the halves. */
static inline void v_ld32(const float *p, __m256 *lo, __m256 *hi)
{
    const __m256i idx = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
    const __m256 a = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p), idx);
    const __m256 b = _mm256_permutevar8x32_ps(_mm256_loadu_ps(p + 8), idx);
    *lo = _mm256_permute2f128_ps(a, b, 0x20);
    *hi = _mm256_permute2f128_ps(a, b, 0x31);
}

/* Interleave back: VUNPCKLPS / VUNPCKHPS give elements 0-3 | 8-11 and
   4-7 | 12-15, VPERM2F128 orders the halves. */
static inline void v_st32(float *p, __m256 lo, __m256 hi)
{
    const __m256 l = _mm256_unpacklo_ps(lo, hi), h = _mm256_unpackhi_ps(lo, hi);
    _mm256_storeu_ps(p, _mm256_permute2f128_ps(l, h, 0x20));
    _mm256_storeu_ps(p + 8, _mm256_permute2f128_ps(l, h, 0x31));
}

/* High halves of the even (lo) and odd (hi) results back into pairs. */
static inline void v_st16(lpk_bf16 *p, __m256 lo, __m256 hi)
{
    const __m256i h = _mm256_or_si256(
        _mm256_and_si256(_mm256_castps_si256(hi), _mm256_set1_epi32((int)0xFFFF0000u)),
        _mm256_srli_epi32(_mm256_castps_si256(lo), 16));
    /* |h| > 0x7F80 as signed 16-bit: both sides are below 2^15 */
    const __m256i nan = _mm256_cmpgt_epi16(_mm256_and_si256(h, _mm256_set1_epi16(0x7FFF)),
                                           _mm256_set1_epi16(0x7F80));
    _mm256_storeu_si256((__m256i *)p,
                        _mm256_blendv_epi8(h, _mm256_set1_epi16((short)LPK_UPD_QNAN16), nan));
}

static inline __m256 v_canon(__m256 x)
{
    return _mm256_blendv_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32((int)LPK_UPD_QNAN32)),
                            _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

static inline __m256 v_rne_raw(__m256 x)
{
    const __m256i u = _mm256_castps_si256(x);
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7FFF)), lsb));
}

static inline __m256 v_bf(__m256 x)
{
    return _mm256_castsi256_ps(_mm256_and_si256(_mm256_castps_si256(v_rne_raw(x)),
                                                _mm256_set1_epi32((int)0xFFFF0000u)));
}

/* Bitwise OR, and whether every lane is a bf16 value (low half zero). */
static inline __m256 v_or(__m256 a, __m256 b) { return _mm256_or_ps(a, b); }
static inline int v_is_bf16(__m256 x)
{
    return _mm256_testz_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0xFFFF));
}

static inline __m256 v_sr_raw(__m256 x, __m256 r)
{
    return _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(x), _mm256_castps_si256(r)));
}

/* Philox bits of elements 8q .. 8q + 64 * UPD_PHILOX_NC - 1
   (lpk_philox8n_avx2): r[2p] (even elements), r[2p+1] (odd) serve pair p
   (16 elements), uint16 in the low half of each lane. */
typedef lpk_philox_keys256 upd_pkeys;
static inline void upd_pkeys_init(upd_pkeys *k, uint64_t seed) { lpk_philox_keys256_init(k, seed); }

/* The two bit vectors of a pair from the uint16 of its 16 elements in order
   (as 8 dwords x). */
static inline void upd_r16(__m256i x, __m256 r[2])
{
    r[0] = _mm256_castsi256_ps(_mm256_and_si256(x, _mm256_set1_epi32(0xFFFF)));
    r[1] = _mm256_castsi256_ps(_mm256_srli_epi32(x, 16));
}

static inline void upd_prbits(const upd_pkeys *k, uint64_t q, __m256 r[UPD_RB * UPD_STEP / 8])
{
    __m256i e[4 * LPK_PHILOX8_CHAINS];
    lpk_philox8n_avx2(q, k, e, UPD_PHILOX_NC);
    for (int p = 0; p < 4 * UPD_PHILOX_NC; p++)
        upd_r16(e[p], r + 2 * p);
}

/* The ARS fallback of step-inl.h reads the bits of a pair from memory. */
static inline void upd_r16_load(const uint16_t *b, UV r[2])
{
    upd_r16(_mm256_loadu_si256((const __m256i *)b), r);
}
