/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point dot products, AVX-512 + AVX512_VNNI, exact (= ref.c).

   dot8 with VPDPBUSD (unsigned bytes x signed bytes, four products summed
   into an int32 lane, no saturation): with ua = a + 128 (a XOR 0x80,
   0..255),
       sum a*b = sum ua*b - 128 * sum b,   sum b = sum (b + 128) - 128 N,
   where sum (b + 128) is VPSADBW of b XOR 0x80 against zero (64-bit lanes,
   no overflow) and N counts the lanes processed (zero padding of the masked
   tail contributes ua = 128, b = 0, so it cancels in the identity).  One
   VPDPBUSD adds at most 4 * 255 * 128 < 2^17 to a lane: int32 lanes are
   summed in int64 every 2^16 elements (256 instructions per accumulator,
   below 2^25; four accumulators below 2^27).  VPSADBW runs on the shuffle
   port beside VPDPBUSD.

   dot16 with VPDPWSSD (signed words, two products summed into an int32 lane,
   wrapping): a * b itself can give a pair sum of 2^31 (-32768 * -32768
   twice), so a = 256 * ah + al, ah = a >> 8 in [-128, 127], al = a & 255,
   and two VPDPWSSD: pair sums below 2^23 and 2^24 in magnitude; int32 lanes
   summed in int64 every 2048 elements (32 instructions per accumulator). */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512VL__) || !defined(__AVX512VNNI__)
#error "avx512vnni.c needs -mavx512f -mavx512bw -mavx512vl -mavx512vnni"
#endif
#include <immintrin.h>

#include "fixed.h"

#define FIX_DOT16_ACC(acc, x, y) _mm512_dpwssd_epi32(acc, x, y)
#include "dot16-avx512-inl.h"

#define DOT8_BLOCK ((size_t)1 << 16)

int64_t lpk_fixed_dot8__avx512vnni(const int8_t *a, const int8_t *b, size_t n)
{
    const __m512i bias = _mm512_set1_epi8((char)0x80);
    const __m512i zero = _mm512_setzero_si512();
    __m512i d64 = zero, u0 = zero, u1 = zero;
    size_t i = 0, lanes = 0;
    while (i < n) {
        const size_t end = n - i > DOT8_BLOCK ? i + DOT8_BLOCK : n;
        __m512i c0 = zero, c1 = zero, c2 = zero, c3 = zero;
        for (; i + 256 <= end; i += 256) {
#define STEP(c, u, o)                                                                      \
    do {                                                                                   \
        const __m512i x_ = _mm512_loadu_si512((const void *)(a + i + (o)));                \
        const __m512i y_ = _mm512_loadu_si512((const void *)(b + i + (o)));                \
        c = _mm512_dpbusd_epi32(c, _mm512_xor_si512(x_, bias), y_);                        \
        u = _mm512_add_epi64(u, _mm512_sad_epu8(_mm512_xor_si512(y_, bias), zero));        \
    } while (0)
            STEP(c0, u0, 0);
            STEP(c1, u1, 64);
            STEP(c2, u0, 128);
            STEP(c3, u1, 192);
        }
        for (; i < end; i += 64) {
            const size_t m = end - i;
            const __mmask64 k = m >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << m) - 1);
            const __m512i x = _mm512_maskz_loadu_epi8(k, a + i);
            const __m512i y = _mm512_maskz_loadu_epi8(k, b + i);
            c0 = _mm512_dpbusd_epi32(c0, _mm512_xor_si512(x, bias), y);
            u0 = _mm512_add_epi64(u0, _mm512_sad_epu8(_mm512_xor_si512(y, bias), zero));
            lanes += 64 - (m >= 64 ? 64 : m);
        }
#undef STEP
        d64 = widen_add(d64, _mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)));
    }
    lanes += n;
    const int64_t d = _mm512_reduce_add_epi64(d64);
    const int64_t sum_b = _mm512_reduce_add_epi64(_mm512_add_epi64(u0, u1)) - 128 * (int64_t)lanes;
    return d - 128 * sum_b;
}

int64_t lpk_fixed_dot16__avx512vnni(const int16_t *a, const int16_t *b, size_t n)
{
    return fix_dot16_avx512(a, b, n);
}
