/* Rounding family, AVX-512 (F+BW+DQ+VL): integer bit arithmetic on 16 lanes,
   bit-identical to ref.c.
   rne: t = u + 0x7FFF + ((u >> 16) & 1); NaN lanes (VFPCLASSPS) get the
        quiet bit instead; result = t >> 16.
   sr:  t = u + r16, r16 from Philox4x32-10 (philox_x86.h), 64 elements
        (8 blocks) per iteration; head elements up to the next multiple of 8
        of offset+i use the scalar definition, the tail uses masked loads.
   widen: VPMOVZXWD then shift left 16.
   Narrowing packs two vectors with VPACKUSDW (values < 2^16, no saturation)
   and restores the order with one VPERMQ. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__)
#error "avx512.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/bf16.h"
#include "../common/philox_x86.h"

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

static inline __m512i load16(const float *p)
{
    return _mm512_loadu_si512((const void *)p);
}

static inline __m512i maskz_load16(const float *p, size_t n)
{
    return _mm512_maskz_loadu_epi32((__mmask16)((1u << n) - 1u), p);
}

void lpk_round_rne_f32_bf16__avx512(const float *src, lpk_bf16 *dst, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512i r = narrow32(rne16(load16(src + i)), rne16(load16(src + i + 16)));
        _mm512_storeu_si512((void *)(dst + i), r);
    }
    if (i < n) {
        const size_t m = n - i;
        const __m512i lo = rne16(maskz_load16(src + i, m < 16 ? m : 16));
        const __m512i hi = rne16(maskz_load16(src + i + 16, m > 16 ? m - 16 : 0));
        _mm512_mask_storeu_epi16(dst + i, (__mmask32)((1ull << m) - 1u), narrow32(lo, hi));
    }
}

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

void lpk_round_sr_f32_bf16__avx512(const float *src, lpk_bf16 *dst, size_t n,
                                   uint64_t seed, uint64_t offset)
{
    size_t i = 0;
    for (; i < n && ((offset + i) & 7); i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, offset + i));
    lpk_philox_keys keys;
    lpk_philox_keys_init(&keys, seed);
    for (; i < n; i += 64) {
        __m512i lo, hi;
        lpk_philox_bits64_avx512((offset + i) >> 3, &keys, &lo, &hi);
        const size_t m = n - i;
        sr32(src + i, dst + i, lo, m < 32 ? m : 32);
        sr32(src + i + 32, dst + i + 32, hi, m < 32 ? 0 : (m < 64 ? m - 32 : 32));
    }
}

void lpk_round_bf16_f32__avx512(const lpk_bf16 *src, float *dst, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256i h = _mm256_loadu_si256((const __m256i *)(src + i));
        _mm512_storeu_si512((void *)(dst + i), _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
    if (i < n) {
        const __mmask16 k = (__mmask16)((1u << (n - i)) - 1u);
        const __m256i h = _mm256_maskz_loadu_epi16(k, src + i);
        _mm512_mask_storeu_epi32(dst + i, k, _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    }
}
