/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, AVX2 (+FMA, F16C tier): integer bit arithmetic on 8 lanes,
   bit-identical to ref.c.  Nearest: as avx512.c, NaN lanes found by
   |u| > 0x7F800000 (signed compare is safe: both sides are < 2^31), narrowing
   with VPACKUSDW + VPERMQ.  Stochastic: Philox eight blocks wide in
   LPK_PHILOX8_CHAINS interleaved chains (common/philox_x86.h:
   lpk_philox8_avx2) per iteration, rounded as the ARS kernels round
   (sr16_avx2-inl.h: NaN found once per iteration).
   Tails use the scalar definitions of common/bf16.h.  The loops are the
   templates stream-inl.h (nearest and widening, streaming stores for large
   outputs) and sr-inl.h; this file gives them its blocks. */
#if !defined(__AVX2__)
#error "avx2.c needs -mavx2"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/bf16.h"
#include "../common/philox_x86.h"
#include "../common/stream.h"
#include "sr16_avx2-inl.h"

static inline __m256i nan_lanes(__m256i u)
{
    const __m256i mag = _mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF));
    return _mm256_cmpgt_epi32(mag, _mm256_set1_epi32(0x7F800000));
}

/* NaN lanes take u | quiet bit in place of the rounded sum t. */
static inline __m256i finish(__m256i u, __m256i t)
{
    const __m256i q = _mm256_or_si256(u, _mm256_set1_epi32(0x400000));
    return _mm256_srli_epi32(_mm256_blendv_epi8(t, q, nan_lanes(u)), 16);
}

static inline __m256i rne8(__m256i u)
{
    const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    return finish(u, _mm256_add_epi32(_mm256_add_epi32(u, _mm256_set1_epi32(0x7FFF)), lsb));
}

/* 16 results (< 2^16 in 32-bit lanes) to 16 uint16 in order. */
static inline __m256i narrow16(__m256i lo, __m256i hi)
{
    return _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi), _MM_SHUFFLE(3, 1, 2, 0));
}

static inline __m256i load8(const float *p) { return _mm256_loadu_si256((const __m256i *)p); }

/* Store 16 uint16 (32 bytes): streaming when asked (dst 32-byte aligned). */
static inline void put16(lpk_bf16 *dst, __m256i v, int stream)
{
    if (stream)
        _mm256_stream_si256((__m256i *)dst, v);
    else
        _mm256_storeu_si256((__m256i *)dst, v);
}

/* The f32 -> bf16 nearest blocks of stream-inl.h. */
static inline void rne_block(const float *src, lpk_bf16 *dst, int stream)
{
    put16(dst, narrow16(rne8(load8(src)), rne8(load8(src + 8))), stream);
}
static inline void rne_stream(const float *src, lpk_bf16 *dst) { rne_block(src, dst, 1); }
static inline void rne_regular(const float *src, lpk_bf16 *dst) { rne_block(src, dst, 0); }
static inline void rne_part(const float *src, lpk_bf16 *dst, size_t m)
{
    for (size_t i = 0; i < m; i++)
        dst[i] = lpk_bf16_rne(lpk_f32_bits(src[i]));
}

#define CVT_NAME lpk_round_rne_f32_bf16__avx2
#define CVT_IN float
#define CVT_OUT lpk_bf16
#define CVT_ALIGN 32
#define CVT_QSTEP 16
#define CVT_STEP 16
#define CVT_STREAM rne_stream
#define CVT_BLOCK rne_regular
#define CVT_PART rne_part
#include "stream-inl.h"

/* 64 * nc elements from block q: the bits of 8 * nc blocks, rounded as the
   ARS kernels do (sr16_avx2-inl.h), NaN found once. */
static inline __attribute__((always_inline)) void sr_chunk(const float *src, lpk_bf16 *dst,
                                                           uint64_t q,
                                                           const lpk_philox_keys256 *keys,
                                                           const int nc)
{
    __m256i r[4 * LPK_PHILOX8_CHAINS], nan = _mm256_setzero_si256();
    lpk_philox8n_avx2(q, keys, r, nc);
    for (int v = 0; v < 4 * nc; v++)
        sr_put16(src + 16 * v, dst + 16 * v, r[v], &nan, 0);
    sr_fix_nan(src, dst, 64 * (size_t)nc, nan);
}

/* m (a multiple of SR_STEP = 64) elements from element index j (a multiple
   of 8): LPK_PHILOX8_CHAINS chains at a time, then one. */
static inline void sr_run(const float *src, lpk_bf16 *dst, size_t m, uint64_t j,
                          const lpk_philox_keys256 *keys)
{
    enum { BIG = 64 * LPK_PHILOX8_CHAINS };
    size_t i = 0;
    for (; i + BIG <= m; i += BIG)
        sr_chunk(src + i, dst + i, (j + i) >> 3, keys, LPK_PHILOX8_CHAINS);
    for (; i < m; i += 64)
        sr_chunk(src + i, dst + i, (j + i) >> 3, keys, 1);
}

/* m elements by the scalar definition. */
static inline void sr_part(const float *src, lpk_bf16 *dst, size_t m, uint64_t seed, uint64_t j,
                           const lpk_philox_keys256 *keys)
{
    (void)keys;
    for (size_t i = 0; i < m; i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, j + i));
}

#define SR_NAME lpk_round_sr_f32_bf16__avx2
#define SR_KEYS lpk_philox_keys256
#define SR_KEYS_INIT lpk_philox_keys256_init
#define SR_STEP 64
#define SR_RUN sr_run
#define SR_PART sr_part
#include "sr-inl.h"

/* The bf16 -> f32 blocks of stream-inl.h: 8 elements per vector. */
static inline __m256i widen8(const lpk_bf16 *src)
{
    return _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)src)), 16);
}
static inline void widen_stream(const lpk_bf16 *src, float *dst)
{
    for (size_t h = 0; h < 32; h += 8)
        _mm256_stream_si256((__m256i *)(dst + h), widen8(src + h));
}
static inline void widen_regular(const lpk_bf16 *src, float *dst)
{
    _mm256_storeu_si256((__m256i *)dst, widen8(src));
}
static inline void widen_part(const lpk_bf16 *src, float *dst, size_t m)
{
    for (size_t i = 0; i < m; i++)
        dst[i] = lpk_bits_f32((uint32_t)src[i] << 16);
}

#define CVT_NAME lpk_round_bf16_f32__avx2
#define CVT_IN lpk_bf16
#define CVT_OUT float
#define CVT_ALIGN 32
#define CVT_QSTEP 32
#define CVT_STEP 8
#define CVT_STREAM widen_stream
#define CVT_BLOCK widen_regular
#define CVT_PART widen_part
#include "stream-inl.h"
