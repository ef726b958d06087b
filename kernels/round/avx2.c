/* Rounding family, AVX2 (+FMA, F16C tier): integer bit arithmetic on 8 lanes,
   bit-identical to ref.c.  Same algorithm as avx512.c: NaN lanes found by
   |u| > 0x7F800000 (signed compare is safe: both sides are < 2^31), narrowing
   with VPACKUSDW + VPERMQ, Philox on 4 blocks (32 elements) per iteration.
   Tails use the scalar definitions of common/bf16.h. */
#if !defined(__AVX2__)
#error "avx2.c needs -mavx2"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/bf16.h"
#include "../common/philox_x86.h"
#include "../common/stream.h"

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

static inline __m256i sr8(__m256i u, __m256i r32) { return finish(u, _mm256_add_epi32(u, r32)); }

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

/* m (a multiple of 16) elements with streaming stores (dst 32-byte aligned). */
static inline void rne_stream(const float *src, lpk_bf16 *dst, size_t m)
{
    for (size_t i = 0; i < m; i += 16) {
        lpk_stream_prefetch(src + i);
        put16(dst + i, narrow16(rne8(load8(src + i)), rne8(load8(src + i + 8))), 1);
    }
}

void lpk_round_rne_f32_bf16__avx2(const float *src, lpk_bf16 *dst, size_t n)
{
    size_t i = 0;
    const size_t head = lpk_align_head(dst, 2, 32);
    if (lpk_use_stream(n * 2) && head < 16) {
        for (; i < head; i++)
            dst[i] = lpk_bf16_rne(lpk_f32_bits(src[i]));
        LPK_STREAM_WAYS_RUN(i, n, 256, 16, e, m, rne_stream(src + e, dst + e, m));
        _mm_sfence();
    }
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256((__m256i *)(dst + i),
                            narrow16(rne8(load8(src + i)), rne8(load8(src + i + 8))));
    for (; i < n; i++)
        dst[i] = lpk_bf16_rne(lpk_f32_bits(src[i]));
}

static inline void sr16x(const float *src, lpk_bf16 *dst, __m256i r, int stream)
{
    const __m256i r0 = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(r));
    const __m256i r1 = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(r, 1));
    put16(dst, narrow16(sr8(load8(src), r0), sr8(load8(src + 8), r1)), stream);
}

/* m (a multiple of 32) elements from element index j (a multiple of 8). */
static inline void sr_run(const float *src, lpk_bf16 *dst, size_t m, uint64_t j,
                          const lpk_philox_keys *keys, int stream)
{
    for (size_t i = 0; i < m; i += 32) {
        __m256i lo, hi;
        lpk_philox_bits32_avx2((j + i) >> 3, keys, &lo, &hi);
        if (stream) {
            lpk_stream_prefetch(src + i);
            lpk_stream_prefetch(src + i + 16);
        }
        sr16x(src + i, dst + i, lo, stream);
        sr16x(src + i + 16, dst + i + 16, hi, stream);
    }
}

void lpk_round_sr_f32_bf16__avx2(const float *src, lpk_bf16 *dst, size_t n,
                                 uint64_t seed, uint64_t offset)
{
    size_t i = 0;
    for (; i < n && ((offset + i) & 7); i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, offset + i));
    lpk_philox_keys keys;
    lpk_philox_keys_init(&keys, seed);
    /* streaming: dst + i 32-byte aligned at a block boundary (8 elements =
       16 bytes, so one more block may be needed to get there) */
    int stream = 0;
    if (lpk_use_stream(n * 2) && lpk_align_head(dst + i, 2, 16) == 0) {
        if (lpk_align_head(dst + i, 2, 32) != 0)
            for (const size_t end = i + 8; i < end && i < n; i++)
                dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, offset + i));
        stream = 1;
    }
    if (stream) {
        LPK_STREAM_WAYS_RUN(i, n, 256, 32, e, m, sr_run(src + e, dst + e, m, offset + e, &keys, 1));
        _mm_sfence();
    } else {
        sr_run(src + i, dst + i, (n - i) / 32 * 32, offset + i, &keys, 0);
        i += (n - i) / 32 * 32;
    }
    for (; i < n; i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, offset + i));
}

/* m (a multiple of 32) elements with streaming stores (dst 32-byte aligned). */
static inline void widen_stream(const lpk_bf16 *src, float *dst, size_t m)
{
    for (size_t i = 0; i < m; i += 32) {
        lpk_stream_prefetch(src + i);
        for (size_t h = 0; h < 32; h += 8)
            _mm256_stream_si256((__m256i *)(dst + i + h),
                                _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(
                                                      (const __m128i *)(src + i + h))),
                                                  16));
    }
}

void lpk_round_bf16_f32__avx2(const lpk_bf16 *src, float *dst, size_t n)
{
    size_t i = 0;
    const size_t head = lpk_align_head(dst, 4, 32);
    if (lpk_use_stream(n * 4) && head < 8) {
        for (; i < head; i++)
            dst[i] = lpk_bits_f32((uint32_t)src[i] << 16);
        LPK_STREAM_WAYS_RUN(i, n, 256, 32, e, m, widen_stream(src + e, dst + e, m));
        _mm_sfence();
    }
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128((const __m128i *)(src + i));
        _mm256_storeu_si256((__m256i *)(dst + i), _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    }
    for (; i < n; i++)
        dst[i] = lpk_bits_f32((uint32_t)src[i] << 16);
}
