/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, AVX-512 (F+BW+DQ+VL), bit-identical to ref.c (dotf:
   within the bound of fixed.h).

   Rounding to b bits, 16 fp32 lanes at a time, ending in int32 lanes whose
   saturating narrowing (VPACKSSDW, VPACKSSWB) is sat_b(R(v)):
   nearest    NaN lanes -> 0 and v -> min(v, 2^(b-1)-1) (one masked VMINPS),
              then VCVTPS2DQ with embedded round-to-nearest-even.  Values
              below the range, -Inf included, convert to a value <= -2^(b-1)
              or to 0x80000000, which the packs saturate to -2^(b-1).
   stochastic NaN -> 0 and v -> min(v, 2^(b-1)) as above (c), then
              int8:  VCVTPS2DQ with embedded round-up of the fp32 c - r
                     (fixed.h, "One subtraction"): two instructions;
              int16: fi = VCVTPS2DQ with embedded round-down (floorf;
                     0x80000000 below -2^31), frac = c - (float)fi, which
                     is ref's c - floorf(c) for every c >= -2^31 and
                     negative below (so no round-up there), then
                     fi + (r < frac) with a masked subtract of -1.
   Input widening is VPMOVSX (int8/int16 -> int32) + VCVTDQ2PS, exact.
   update: two VFMADD (b*x + h, then a*z + that), the shared stochastic
     bits of one call are 64 floats r[k] = r16(offset + k) / 2^16 made once
     (one 8-block Philox, two when offset is not a multiple of 8): with 64
     elements per step lane k always meets r[k].  The loop is update-inl.h:
     full steps of 64 first round without the NaN / clamp step and are
     redone with it only when a lane may have met NaN or overflow; per 64
     int8 elements that is 38 vector uops (8 VPMOVSX, 8 VCVTDQ2PS, 8 VFMADD,
     4 VSUBPS, 4 VCVTPS2DQ, 4 packs/permute, the test's VPMINSW + VPCMPW):
     19 cycles on the two 512-bit ports of Sapphire Rapids, where
     floor / frac / compare with the NaN / clamp step takes 57 (int16 fast
     path: 52).
   quantize: the per-element bits of 64 elements from one 8-block Philox;
     head elements up to a multiple of 8 of offset+i use the scalar
     definition.
   dot8: VPMOVSXBW + VPMADDWD; a pair sum is at most 2^15 in magnitude, so
     int32 lanes are summed in int64 every 2^16 elements.
   dot16: a = 256*ah + al with ah = a >> 8 (signed) and al = a & 255, two
     VPMADDWD: pair sums below 2^24 in magnitude (VPMADDWD on a*b itself
     can reach 2^31, which wraps), int32 lanes summed in int64 every 2048
     elements.
   Tails use masked loads (zero lanes) and masked stores. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__)
#error "avx512.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl"
#endif
#include <immintrin.h>

#include "fixed.h"
#include "../common/philox.h"
#include "../common/philox_x86.h"

#include "avx512-inl.h"

/* Blocks q .. q+7 with the round keys made in registers (one add per round
   and key) instead of lpk_philox_keys512's 20 stored vectors: this runs once
   per update call, where its setup is not amortised. */
static inline void philox8_regkeys(uint64_t seed, uint64_t q, __m512i *pa, __m512i *pb)
{
    const __m512i m0 = _mm512_set1_epi64(LPK_PHILOX_M0);
    const __m512i m1 = _mm512_set1_epi64(LPK_PHILOX_M1);
    const __m512i w0 = _mm512_set1_epi64((long long)((uint64_t)LPK_PHILOX_W0 << 32));
    const __m512i w1 = _mm512_set1_epi64((long long)((uint64_t)LPK_PHILOX_W1 << 32));
    __m512i k0 = _mm512_set1_epi64((long long)(seed << 32));
    __m512i k1 = _mm512_set1_epi64((long long)(seed & 0xFFFFFFFF00000000ull));
    __m512i a = _mm512_and_si512(_mm512_add_epi64(_mm512_set1_epi64((long long)q),
                                                  _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0)),
                                 _mm512_set1_epi64((long long)LPK_PHILOX_QMASK));
    __m512i b = _mm512_setzero_si512();
    for (int r = 0; r < 10; r++) {
        LPK_PHILOX_ROUND_AVX512(a, b, k0, k1);
        k0 = _mm512_add_epi64(k0, w0); /* the high half wraps modulo 2^32 */
        k1 = _mm512_add_epi64(k1, w1);
    }
    *pa = a;
    *pb = b;
}

/* The 64 random uint16 of elements j0 .. j0+63 (any j0), in element order,
   as four fp32 vectors r / 2^16. */
static inline void bits64_f32(uint64_t seed, uint64_t j0, __m512 r[4])
{
    __m512i a, b, lo, hi;
    philox8_regkeys(seed, j0 >> 3, &a, &b);
    lpk_philox_order_avx512(a, b, &lo, &hi);
    if ((j0 & 7) == 0) {
        r[0] = r16_f32(_mm512_castsi512_si256(lo));
        r[1] = r16_f32(_mm512_extracti64x4_epi64(lo, 1));
        r[2] = r16_f32(_mm512_castsi512_si256(hi));
        r[3] = r16_f32(_mm512_extracti64x4_epi64(hi, 1));
        return;
    }
    uint16_t buf[128];
    _mm512_storeu_si512((void *)buf, lo);
    _mm512_storeu_si512((void *)(buf + 32), hi);
    philox8_regkeys(seed, (j0 >> 3) + 8, &a, &b);
    lpk_philox_order_avx512(a, b, &lo, &hi);
    _mm512_storeu_si512((void *)(buf + 64), lo);
    for (int j = 0; j < 4; j++)
        r[j] = r16_f32(_mm256_loadu_si256((const __m256i *)(buf + (j0 & 7) + 16 * j)));
}

/* ---- quantize ----------------------------------------------------------- */

/* 64 elements of x (mask k) scaled and rounded: four int32 vectors. */
INLINE void quant_block(const float *x, __mmask64 k, int full, __m512 inv, int sr,
                        const __m512 r[4], __m512 hi, __m512i out[4], int bits)
{
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        const __m512 v = _mm512_mul_ps(loadf(x, j, k, full), inv);
        out[j] = !sr         ? round_near(v, hi)
                 : bits == 8 ? round_sr8(v, r[j], hi)
                             : round_sr(v, r[j], hi);
    }
}

INLINE void bits_of_block(const lpk_philox_keys512 *keys, uint64_t q, __m512 r[4])
{
    __m512i a, b, lo, hi;
    lpk_philox8_avx512(q, keys, &a, &b);
    lpk_philox_order_avx512(a, b, &lo, &hi);
    r[0] = r16_f32(_mm512_castsi512_si256(lo));
    r[1] = r16_f32(_mm512_extracti64x4_epi64(lo, 1));
    r[2] = r16_f32(_mm512_castsi512_si256(hi));
    r[3] = r16_f32(_mm512_extracti64x4_epi64(hi, 1));
}

INLINE void quant_any(const float *x, void *q, size_t n, float inv_delta, int sr,
                      uint64_t seed, uint64_t offset, int bits)
{
    int8_t *q8 = q;
    int16_t *q16 = q;
    const lpk_round mode = sr ? LPK_ROUND_STOCHASTIC : LPK_ROUND_NEAREST;
    const __m512 inv = _mm512_set1_ps(inv_delta);
    const float top = (float)((1 << (bits - 1)) - 1) + (sr ? 1.0f : 0.0f);
    const __m512 hi = _mm512_set1_ps(top);
    size_t i = 0;
    lpk_philox_keys512 keys;
    if (sr) {
        for (; i < n && ((offset + i) & 7); i++) {
            const float v = lpk_fixed_round1(x[i] * inv_delta, mode, lpk_sr_bits16(seed, offset + i));
            if (bits == 8)
                q8[i] = (int8_t)lpk_fixed_sat1(v, 8);
            else
                q16[i] = (int16_t)lpk_fixed_sat1(v, 16);
        }
        lpk_philox_keys512_init(&keys, seed);
    }
    __m512 r[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                   _mm512_setzero_ps()};
    for (; i < n; i += 64) {
        const size_t m = n - i;
        const __mmask64 k = mask64(m);
        __m512i o[4];
        if (sr)
            bits_of_block(&keys, (offset + i) >> 3, r);
        if (m >= 64)
            quant_block(x + i, k, 1, inv, sr, r, hi, o, bits);
        else
            quant_block(x + i, k, 0, inv, sr, r, hi, o, bits);
        if (bits == 8) {
            const __m512i w = narrow8(o[0], o[1], o[2], o[3]);
            if (m >= 64)
                _mm512_storeu_si512((void *)(q8 + i), w);
            else
                _mm512_mask_storeu_epi8(q8 + i, k, w);
        } else {
            const __m512i w0 = narrow16(o[0], o[1]), w1 = narrow16(o[2], o[3]);
            if (m >= 64) {
                _mm512_storeu_si512((void *)(q16 + i), w0);
                _mm512_storeu_si512((void *)(q16 + i + 32), w1);
            } else {
                _mm512_mask_storeu_epi16(q16 + i, (__mmask32)k, w0);
                _mm512_mask_storeu_epi16(q16 + i + 32, (__mmask32)(k >> 32), w1);
            }
        }
    }
}



/* ---- dequantize --------------------------------------------------------- */

/* x = delta * q for a b-bit q (the entries are in entry-inl.h). */
INLINE void dequant_any(const void *q, float *x, size_t n, float delta, int bits)
{
    const __m512 d = _mm512_set1_ps(delta);
    const int8_t *q8 = q;
    const int16_t *q16 = q;
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++)
            _mm512_storeu_ps(x + i + 16 * j,
                             _mm512_mul_ps(bits == 8 ? load8_f32(q8 + i, j, 0, 1)
                                                     : load16_f32(q16 + i, j, 0, 1), d));
    for (; i < n; i += 16) {
        const __mmask16 k = (__mmask16)(n - i >= 16 ? 0xFFFF : (1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(x + i, k,
                              _mm512_mul_ps(bits == 8 ? load8_f32(q8 + i, 0, k, 0)
                                                      : load16_f32(q16 + i, 0, k, 0), d));
    }
}

/* ---- dot ---------------------------------------------------------------- */

#define FIX_DOT16_ACC(acc, x, y) _mm512_add_epi32(acc, _mm512_madd_epi16(x, y))
#include "dot16-avx512-inl.h"

/* 2^16 elements: 512 VPMADDWD per accumulator, each lane adding at most
   2 * 2^14, so one accumulator stays below 2^24 and the sum of four below
   2^26. */
#define DOT8_BLOCK ((size_t)1 << 16)

int64_t lpk_fixed_dot8__avx512(const int8_t *a, const int8_t *b, size_t n)
{
    __m512i s64 = _mm512_setzero_si512();
    size_t i = 0;
    while (i < n) {
        const size_t end = n - i > DOT8_BLOCK ? i + DOT8_BLOCK : n;
        __m512i c0 = _mm512_setzero_si512(), c1 = c0, c2 = c0, c3 = c0;
        for (; i + 128 <= end; i += 128) {
#define W(p, o) _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)((p) + i + (o))))
            c0 = _mm512_add_epi32(c0, _mm512_madd_epi16(W(a, 0), W(b, 0)));
            c1 = _mm512_add_epi32(c1, _mm512_madd_epi16(W(a, 32), W(b, 32)));
            c2 = _mm512_add_epi32(c2, _mm512_madd_epi16(W(a, 64), W(b, 64)));
            c3 = _mm512_add_epi32(c3, _mm512_madd_epi16(W(a, 96), W(b, 96)));
#undef W
        }
        for (; i < end; i += 32) {
            const size_t m = end - i;
            const __mmask32 k = m >= 32 ? ~(__mmask32)0 : (((__mmask32)1 << m) - 1);
            const __m512i x = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, a + i));
            const __m512i y = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, b + i));
            c0 = _mm512_add_epi32(c0, _mm512_madd_epi16(x, y));
        }
        s64 = widen_add(s64, _mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)));
    }
    return _mm512_reduce_add_epi64(s64);
}

int64_t lpk_fixed_dot16__avx512(const int16_t *a, const int16_t *b, size_t n)
{
    return fix_dot16_avx512(a, b, n);
}

/* ---- update ------------------------------------------------------------- */

/* A step is the whole period: lane k of vector j always meets r[j]. */
struct fix_bits {
    __m512 r[4];
};

INLINE void fix_bits_make(fix_bits *rb, uint64_t seed, uint64_t offset)
{
    bits64_f32(seed, offset, rb->r);
}

INLINE __m512 fix_bits_vec(const fix_bits *rb, size_t i, int j) { return rb->r[j]; }

#include "update-inl.h"

/* ---- fp32 baseline ------------------------------------------------------ */

/* Four accumulators of 16 lanes, 64 elements per iteration, masked tail,
   then (c0 + c1) + (c2 + c3) and a tree over the lanes. */
float lpk_fixed_dotf__avx512(const float *a, const float *b, size_t n)
{
    __m512 c0 = _mm512_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        c0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), c0);
        c1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), c1);
        c2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), c2);
        c3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), c3);
    }
    for (; i < n; i += 16) {
        const __mmask16 k = (__mmask16)(n - i >= 16 ? 0xFFFF : (1u << (n - i)) - 1);
        c0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(k, a + i), _mm512_maskz_loadu_ps(k, b + i), c0);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)));
}

void lpk_fixed_updatef__avx512(float *z, const float *x, const float *h, size_t n, float a,
                               float b)
{
    const __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            const size_t o = i + 16 * j;
            const __m512 t = _mm512_fmadd_ps(vb, _mm512_loadu_ps(x + o), _mm512_loadu_ps(h + o));
            _mm512_storeu_ps(z + o, _mm512_fmadd_ps(va, _mm512_loadu_ps(z + o), t));
        }
    for (; i < n; i += 16) {
        const __mmask16 k = (__mmask16)(n - i >= 16 ? 0xFFFF : (1u << (n - i)) - 1);
        const __m512 t = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k, x + i),
                                         _mm512_maskz_loadu_ps(k, h + i));
        _mm512_mask_storeu_ps(z + i, k, _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(k, z + i), t));
    }
}

#define FIX_SUFFIX avx512
#include "entry-inl.h"
