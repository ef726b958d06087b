/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, AVX-512 (F+BW+DQ+VL): integer bit arithmetic on 16 lanes,
   bit-identical to ref.c.
   rne: t = u + 0x7FFF + ((u >> 16) & 1); NaN lanes (VFPCLASSPS) get the
        quiet bit instead; result = t >> 16.
   sr:  t = u + r16, r16 from Philox4x32-10 (philox_x86.h), 64 elements
        (8 blocks) per iteration; head elements up to the next multiple of 8
        of offset+i use the scalar definition, the tail uses masked loads.
   widen: VPMOVZXWD then shift left 16.
   Narrowing packs two vectors with VPACKUSDW (values < 2^16, no saturation)
   and restores the order with one VPERMQ.
   The loops are the templates stream-inl.h (nearest and widening, streaming
   stores for large outputs) and sr-inl.h; this file gives them its blocks. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__)
#error "avx512.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/bf16.h"
#include "../common/philox_x86.h"
#include "../common/stream.h"

/* NaN lanes: QNaN (0x01) | SNaN (0x80). */
static inline __mmask16 nan_mask(__m512i u)
{
    return _mm512_fpclass_ps_mask(_mm512_castsi512_ps(u), 0x81);
}

static inline __m512i rne16(__m512i u)
{
    const __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    __m512i t = _mm512_add_epi32(_mm512_add_epi32(u, _mm512_set1_epi32(0x7FFF)), lsb);
    t = _mm512_mask_or_epi32(t, nan_mask(u), u, _mm512_set1_epi32(0x400000));
    return _mm512_srli_epi32(t, 16);
}

static inline __m512i sr16(__m512i u, __m512i r32)
{
    __m512i t = _mm512_add_epi32(u, r32);
    t = _mm512_mask_or_epi32(t, nan_mask(u), u, _mm512_set1_epi32(0x400000));
    return _mm512_srli_epi32(t, 16);
}

/* 32 results (each < 2^16 in a 32-bit lane) to 32 uint16 in order. */
static inline __m512i narrow32(__m512i lo, __m512i hi)
{
    return _mm512_permutexvar_epi64(_mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0),
                                    _mm512_packus_epi32(lo, hi));
}

/* The high uint16 of each 32-bit lane of lo then hi, in order: one VPERMT2W
   replaces two shifts, a pack and a permute. */
static inline __m512i high_halves32(__m512i lo, __m512i hi)
{
    const __m512i idx = _mm512_set_epi16(63, 61, 59, 57, 55, 53, 51, 49, 47, 45, 43, 41, 39, 37,
                                         35, 33, 31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9,
                                         7, 5, 3, 1);
    return _mm512_permutex2var_epi16(lo, idx, hi);
}

/* u + r, or u | quiet bit for NaN lanes: the sum whose high half is the result. */
static inline __m512i sr_sum16(__m512i u, __m512i r32)
{
    return _mm512_mask_or_epi32(_mm512_add_epi32(u, r32), nan_mask(u), u,
                                _mm512_set1_epi32(0x400000));
}

static inline __m512i load16(const float *p)
{
    return _mm512_loadu_si512((const void *)p);
}

static inline __m512i maskz_load16(const float *p, size_t n)
{
    return _mm512_maskz_loadu_epi32((__mmask16)((1u << n) - 1u), p);
}

/* m <= 32 elements with masked loads and stores. */
static inline void rne_part(const float *src, lpk_bf16 *dst, size_t m)
{
    const __m512i lo = rne16(maskz_load16(src, m < 16 ? m : 16));
    const __m512i hi = rne16(maskz_load16(src + 16, m > 16 ? m - 16 : 0));
    _mm512_mask_storeu_epi16(dst, (__mmask32)((1ull << m) - 1u), narrow32(lo, hi));
}

/* The f32 -> bf16 nearest blocks of stream-inl.h: 32 elements. */
static inline __m512i rne32(const float *src)
{
    return narrow32(rne16(load16(src)), rne16(load16(src + 16)));
}
static inline void rne_stream(const float *src, lpk_bf16 *dst)
{
    _mm512_stream_si512((void *)dst, rne32(src));
}
static inline void rne_regular(const float *src, lpk_bf16 *dst)
{
    _mm512_storeu_si512((void *)dst, rne32(src));
}

#define CVT_NAME lpk_round_rne_f32_bf16__avx512
#define CVT_IN float
#define CVT_OUT lpk_bf16
#define CVT_ALIGN 64
#define CVT_QSTEP 32
#define CVT_STEP 32
#define CVT_STREAM rne_stream
#define CVT_BLOCK rne_regular
#define CVT_PART rne_part
#include "stream-inl.h"

/* 32 elements at src/dst with their random uint16 in r (element order). */
static inline void sr32(const float *src, lpk_bf16 *dst, __m512i r, size_t m)
{
    const __m512i r0 = _mm512_cvtepu16_epi32(_mm512_castsi512_si256(r));
    const __m512i r1 = _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(r, 1));
    if (m == 32) {
        _mm512_storeu_si512((void *)dst,
                            narrow32(sr16(load16(src), r0), sr16(load16(src + 16), r1)));
    } else if (m > 0) {
        const __m512i lo = sr16(maskz_load16(src, m < 16 ? m : 16), r0);
        const __m512i hi = sr16(maskz_load16(src + 16, m > 16 ? m - 16 : 0), r1);
        _mm512_mask_storeu_epi16(dst, (__mmask32)((1ull << m) - 1u), narrow32(lo, hi));
    }
}

/* 32 full elements, random uint16 in r (element order). */
static inline __m512i sr32_full(const float *src, __m512i r)
{
    const __m512i r0 = _mm512_cvtepu16_epi32(_mm512_castsi512_si256(r));
    const __m512i r1 = _mm512_cvtepu16_epi32(_mm512_extracti64x4_epi64(r, 1));
    return high_halves32(sr_sum16(load16(src), r0), sr_sum16(load16(src + 16), r1));
}

/* LPK_SR_STEP elements from block (offset+i)/8 on (one Philox block per 8). */
#define LPK_SR_STEP (64 * LPK_PHILOX_CHAINS)
static inline void sr_step(const float *src, lpk_bf16 *dst, uint64_t q,
                           const lpk_philox_keys512 *keys)
{
    __m512i ab[2 * LPK_PHILOX_CHAINS];
    lpk_philox_chains_avx512(q, keys, ab);
#pragma GCC unroll 4
    for (int c = 0; c < LPK_PHILOX_CHAINS; c++) {
        __m512i lo, hi;
        lpk_philox_order_raw_avx512(ab[2 * c], ab[2 * c + 1], &lo, &hi);
        _mm512_storeu_si512((void *)(dst + 64 * c), sr32_full(src + 64 * c, lo));
        _mm512_storeu_si512((void *)(dst + 64 * c + 32), sr32_full(src + 64 * c + 32, hi));
    }
}

/* m (a multiple of LPK_SR_STEP) elements from element index j (a multiple
   of 8). */
static inline void sr_steps(const float *src, lpk_bf16 *dst, size_t m, uint64_t j,
                            const lpk_philox_keys512 *keys)
{
    for (size_t i = 0; i < m; i += LPK_SR_STEP)
        sr_step(src + i, dst + i, (j + i) >> 3, keys);
}

/* m < LPK_SR_STEP elements from element index j (a multiple of 8), 64 at
   a time with masked loads and stores. */
static inline void sr_part(const float *src, lpk_bf16 *dst, size_t m, uint64_t seed, uint64_t j,
                           const lpk_philox_keys512 *keys)
{
    (void)seed;
    for (size_t i = 0; i < m; i += 64) {
        __m512i a, b, lo, hi;
        lpk_philox8_avx512((j + i) >> 3, keys, &a, &b);
        lpk_philox_order_avx512(a, b, &lo, &hi);
        const size_t r = m - i;
        sr32(src + i, dst + i, lo, r < 32 ? r : 32);
        sr32(src + i + 32, dst + i + 32, hi, r < 32 ? 0 : (r < 64 ? r - 32 : 32));
    }
}

#define SR_NAME lpk_round_sr_f32_bf16__avx512
#define SR_KEYS lpk_philox_keys512
#define SR_KEYS_INIT lpk_philox_keys512_init
#define SR_STEP LPK_SR_STEP
#define SR_RUN sr_steps
#define SR_PART sr_part
#include "sr-inl.h"

/* The bf16 -> f32 blocks of stream-inl.h: 16 elements per vector. */
static inline __m512i widen16(const lpk_bf16 *src)
{
    return _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)src)), 16);
}
static inline void widen_stream(const lpk_bf16 *src, float *dst)
{
    for (size_t h = 0; h < 32; h += 16)
        _mm512_stream_si512((void *)(dst + h), widen16(src + h));
}
static inline void widen_regular(const lpk_bf16 *src, float *dst)
{
    _mm512_storeu_si512((void *)dst, widen16(src));
}
/* m < 16 elements with masked loads and stores. */
static inline void widen_part(const lpk_bf16 *src, float *dst, size_t m)
{
    const __mmask16 k = (__mmask16)((1u << m) - 1u);
    _mm512_mask_storeu_epi32(dst, k, _mm512_slli_epi32(
        _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(k, src)), 16));
}

#define CVT_NAME lpk_round_bf16_f32__avx512
#define CVT_IN lpk_bf16
#define CVT_OUT float
#define CVT_ALIGN 64
#define CVT_QSTEP 32
#define CVT_STEP 16
#define CVT_STREAM widen_stream
#define CVT_BLOCK widen_regular
#define CVT_PART widen_part
#include "stream-inl.h"
