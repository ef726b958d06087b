/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the AVX-512 files of the fixed family (avx512.c, avx512vnni.c):
   the exact int64 widening of int32 lanes and the dot16 loop, whose
   multiply-accumulate step each file supplies as FIX_DOT16_ACC(acc, x, y)
   (acc += pair sums of x * y in int32 lanes: VPMADDWD + VPADDD, or VPDPWSSD).

   dot16: a * b itself can give a pair sum of 2^31 (-32768 * -32768 twice),
   so a = 256 * ah + al, ah = a >> 8 in [-128, 127], al = a & 255, and two
   accumulations whose pair sums stay below 2^23 and 2^24 in magnitude.
   2048 elements: at most 32 steps per accumulator, each lane adding less
   than 2^24, so below 2^29 and the sum of two below 2^30; then the int32
   lanes are summed in int64. */
#ifndef FIX_DOT16_ACC
#error "define FIX_DOT16_ACC(acc, x, y) before including dot16-avx512-inl.h"
#endif

/* Sum of the 16 int32 lanes of v, exactly, as int64 lanes added to acc. */
static inline __m512i widen_add(__m512i acc, __m512i v)
{
    acc = _mm512_add_epi64(acc, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(v)));
    return _mm512_add_epi64(acc, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(v, 1)));
}

#define DOT16_BLOCK ((size_t)2048)

static inline int64_t fix_dot16_avx512(const int16_t *a, const int16_t *b, size_t n)
{
    const __m512i lo8 = _mm512_set1_epi16(0xFF);
    __m512i sh = _mm512_setzero_si512(), sl = sh;
    size_t i = 0;
    while (i < n) {
        const size_t end = n - i > DOT16_BLOCK ? i + DOT16_BLOCK : n;
        __m512i h0 = _mm512_setzero_si512(), h1 = h0, l0 = h0, l1 = h0;
        for (; i + 64 <= end; i += 64) {
            const __m512i x0 = _mm512_loadu_si512((const void *)(a + i));
            const __m512i x1 = _mm512_loadu_si512((const void *)(a + i + 32));
            const __m512i y0 = _mm512_loadu_si512((const void *)(b + i));
            const __m512i y1 = _mm512_loadu_si512((const void *)(b + i + 32));
            h0 = FIX_DOT16_ACC(h0, _mm512_srai_epi16(x0, 8), y0);
            l0 = FIX_DOT16_ACC(l0, _mm512_and_si512(x0, lo8), y0);
            h1 = FIX_DOT16_ACC(h1, _mm512_srai_epi16(x1, 8), y1);
            l1 = FIX_DOT16_ACC(l1, _mm512_and_si512(x1, lo8), y1);
        }
        for (; i < end; i += 32) {
            const size_t m = end - i;
            const __mmask32 k = m >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << m) - 1);
            const __m512i x = _mm512_maskz_loadu_epi16(k, a + i);
            const __m512i y = _mm512_maskz_loadu_epi16(k, b + i);
            h0 = FIX_DOT16_ACC(h0, _mm512_srai_epi16(x, 8), y);
            l0 = FIX_DOT16_ACC(l0, _mm512_and_si512(x, lo8), y);
        }
        sh = widen_add(sh, _mm512_add_epi32(h0, h1));
        sl = widen_add(sl, _mm512_add_epi32(l0, l1));
    }
    return (int64_t)((uint64_t)_mm512_reduce_add_epi64(sh) << 8) + _mm512_reduce_add_epi64(sl);
}
