/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, AVX2 + FMA, bit-identical to ref.c (dotf: within the
   bound of fixed.h).  Same scheme as avx512.c on 8 lanes, without masks:
   nearest    NaN -> 0 (AND with the ordered mask) and v -> min(v,
              2^(b-1)-1), VCVTPS2DQ (MXCSR nearest-even, like rintf), packs
              saturate what lies below the range (0x80000000 included).
   stochastic NaN -> 0 and v -> min(v, 2^(b-1)) = c, then
              int8:  q = VCVTTPS2DQ(VROUNDPS up (c - r)) (fixed.h, "One
                     subtraction");
              int16: f = VROUNDPS down, fi = VCVTTPS2DQ(f), frac = c - f,
                     fi - (r < frac ? -1 : 0).
   update: the loop of update-inl.h, 32 elements a step, first without the
     NaN / clamp step, redone with it when a lane may have met NaN or
     overflow (as in avx512.c).
   dot8: VPMOVSXBW + VPMADDWD (VPMADDUBSW would saturate: 2 * 255 * 128 >
     2^15), int32 lanes summed in int64 every 2^16 elements.
   dot16: a = 256 ah + al as in avx512.c, VPMADDWD pair sums below 2^24,
     int32 lanes summed in int64 every 1024 elements.
   Tails (fewer than one vector step) use the scalar definitions of
   fixed.h, which are the reference's. */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "avx2.c needs -mavx2 -mfma"
#endif
#include <immintrin.h>

#include "fixed.h"
#include "avx2-inl.h"
#include "../common/philox.h"
#include "../common/philox_x86.h"

/* ---- quantize ----------------------------------------------------------- */

INLINE void quant_any(const float *x, void *q, size_t n, float inv_delta, int sr, uint64_t seed,
                      uint64_t offset, int bits)
{
    const size_t es = (size_t)bits / 8;
    const lpk_round mode = sr ? LPK_ROUND_STOCHASTIC : LPK_ROUND_NEAREST;
    const __m256 inv = _mm256_set1_ps(inv_delta);
    const __m256 hi = _mm256_set1_ps((float)((1 << (bits - 1)) - 1) + (sr ? 1.0f : 0.0f));
    size_t i = 0;
    if (sr) {
        for (; i < n && ((offset + i) & 7); i++)
            store1(q, bits, i, lpk_fixed_round1(x[i] * inv_delta, mode, lpk_sr_bits16(seed, offset + i)));
        lpk_philox_keys keys;
        lpk_philox_keys_init(&keys, seed);
        for (; i + 32 <= n; i += 32) {
            __m256i lo, hb;
            lpk_philox_bits32_avx2((offset + i) >> 3, &keys, &lo, &hb);
            const __m256 r0 = r16_f32(_mm256_castsi256_si128(lo));
            const __m256 r1 = r16_f32(_mm256_extracti128_si256(lo, 1));
            const __m256 r2 = r16_f32(_mm256_castsi256_si128(hb));
            const __m256 r3 = r16_f32(_mm256_extracti128_si256(hb, 1));
            const float *p = x + i;
            store32((char *)q + es * i, bits,
                    round_srb(_mm256_mul_ps(_mm256_loadu_ps(p), inv), r0, hi, bits),
                    round_srb(_mm256_mul_ps(_mm256_loadu_ps(p + 8), inv), r1, hi, bits),
                    round_srb(_mm256_mul_ps(_mm256_loadu_ps(p + 16), inv), r2, hi, bits),
                    round_srb(_mm256_mul_ps(_mm256_loadu_ps(p + 24), inv), r3, hi, bits));
        }
        for (; i < n; i++)
            store1(q, bits, i, lpk_fixed_round1(x[i] * inv_delta, mode, lpk_sr_bits16(seed, offset + i)));
        return;
    }
    for (; i + 32 <= n; i += 32) {
        const float *p = x + i;
        store32((char *)q + es * i, bits, round_near(_mm256_mul_ps(_mm256_loadu_ps(p), inv), hi),
                round_near(_mm256_mul_ps(_mm256_loadu_ps(p + 8), inv), hi),
                round_near(_mm256_mul_ps(_mm256_loadu_ps(p + 16), inv), hi),
                round_near(_mm256_mul_ps(_mm256_loadu_ps(p + 24), inv), hi));
    }
    for (; i < n; i++)
        store1(q, bits, i, lpk_fixed_round1(x[i] * inv_delta, mode, 0));
}



/* ---- dequantize --------------------------------------------------------- */

/* x = delta * q for a b-bit q (the entries are in entry-inl.h). */
INLINE void dequant_any(const void *q, float *x, size_t n, float delta, int bits)
{
    const __m256 d = _mm256_set1_ps(delta);
    const int8_t *q8 = q;
    const int16_t *q16 = q;
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int j = 0; j < 4; j++)
            _mm256_storeu_ps(x + i + 8 * j, _mm256_mul_ps(bits == 8 ? load8_f32(q8 + i + 8 * j)
                                                                    : load16_f32(q16 + i + 8 * j),
                                                          d));
    for (; i < n; i++)
        x[i] = (bits == 8 ? (float)q8[i] : (float)q16[i]) * delta;
}

/* ---- dot ---------------------------------------------------------------- */

INLINE __m256i widen_add(__m256i acc, __m256i v)
{
    acc = _mm256_add_epi64(acc, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(v)));
    return _mm256_add_epi64(acc, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(v, 1)));
}

INLINE int64_t hsum64(__m256i v)
{
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}

/* 2^16 elements: 1024 VPMADDWD per accumulator, each lane adding at most
   2^15: below 2^25, the sum of four below 2^27. */
#define DOT8_BLOCK ((size_t)1 << 16)

int64_t lpk_fixed_dot8__avx2(const int8_t *a, const int8_t *b, size_t n)
{
    __m256i s64 = _mm256_setzero_si256();
    size_t i = 0;
    const size_t nv = n & ~(size_t)63;
    while (i < nv) {
        const size_t end = nv - i > DOT8_BLOCK ? i + DOT8_BLOCK : nv;
        __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0;
        for (; i < end; i += 64) {
#define W(p, o) _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)((p) + i + (o))))
            c0 = _mm256_add_epi32(c0, _mm256_madd_epi16(W(a, 0), W(b, 0)));
            c1 = _mm256_add_epi32(c1, _mm256_madd_epi16(W(a, 16), W(b, 16)));
            c2 = _mm256_add_epi32(c2, _mm256_madd_epi16(W(a, 32), W(b, 32)));
            c3 = _mm256_add_epi32(c3, _mm256_madd_epi16(W(a, 48), W(b, 48)));
#undef W
        }
        s64 = widen_add(s64, _mm256_add_epi32(_mm256_add_epi32(c0, c1), _mm256_add_epi32(c2, c3)));
    }
    int64_t s = hsum64(s64);
    for (; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}

/* 1024 elements: 32 VPMADDWD per accumulator, each lane adding less than
   2^24: below 2^29, the sum of two below 2^30. */
#define DOT16_BLOCK ((size_t)1024)

int64_t lpk_fixed_dot16__avx2(const int16_t *a, const int16_t *b, size_t n)
{
    const __m256i lo8 = _mm256_set1_epi16(0xFF);
    __m256i sh = _mm256_setzero_si256(), sl = sh;
    size_t i = 0;
    const size_t nv = n & ~(size_t)31;
    while (i < nv) {
        const size_t end = nv - i > DOT16_BLOCK ? i + DOT16_BLOCK : nv;
        __m256i h0 = _mm256_setzero_si256(), h1 = h0, l0 = h0, l1 = h0;
        for (; i < end; i += 32) {
            const __m256i x0 = _mm256_loadu_si256((const __m256i *)(a + i));
            const __m256i x1 = _mm256_loadu_si256((const __m256i *)(a + i + 16));
            const __m256i y0 = _mm256_loadu_si256((const __m256i *)(b + i));
            const __m256i y1 = _mm256_loadu_si256((const __m256i *)(b + i + 16));
            h0 = _mm256_add_epi32(h0, _mm256_madd_epi16(_mm256_srai_epi16(x0, 8), y0));
            l0 = _mm256_add_epi32(l0, _mm256_madd_epi16(_mm256_and_si256(x0, lo8), y0));
            h1 = _mm256_add_epi32(h1, _mm256_madd_epi16(_mm256_srai_epi16(x1, 8), y1));
            l1 = _mm256_add_epi32(l1, _mm256_madd_epi16(_mm256_and_si256(x1, lo8), y1));
        }
        sh = widen_add(sh, _mm256_add_epi32(h0, h1));
        sl = widen_add(sl, _mm256_add_epi32(l0, l1));
    }
    int64_t s = (int64_t)((uint64_t)hsum64(sh) << 8) + hsum64(sl);
    for (; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}

/* ---- update ------------------------------------------------------------- */

/* r16 of elements offset .. offset + 63 (three 4-block Philox calls when
   offset is not a multiple of 8), and those as fp32 r / 2^16. */
typedef struct {
    uint16_t r16[96];
    const uint16_t *rp;
    float rf[LPK_FIXED_SR_PERIOD];
} fix_bits;

INLINE void fix_bits_make(fix_bits *rb, uint64_t seed, uint64_t offset)
{
    lpk_philox_keys keys;
    lpk_philox_keys_init(&keys, seed);
    const uint64_t q0 = offset >> 3;
    for (int c = 0; c < ((offset & 7) ? 3 : 2); c++) {
        __m256i lo, hb;
        lpk_philox_bits32_avx2(q0 + 4 * (uint64_t)c, &keys, &lo, &hb);
        _mm256_storeu_si256((__m256i *)(rb->r16 + 32 * c), lo);
        _mm256_storeu_si256((__m256i *)(rb->r16 + 32 * c + 16), hb);
    }
    rb->rp = rb->r16 + (offset & 7);
    for (int k = 0; k < LPK_FIXED_SR_PERIOD; k += 8)
        _mm256_storeu_ps(rb->rf + k, r16_f32(_mm_loadu_si128((const __m128i *)(rb->rp + k))));
}

/* A step is half the period: elements i .. i+31 meet rf[(i & 32) ..]. */
INLINE __m256 fix_bits_vec(const fix_bits *rb, size_t i, int j)
{
    return _mm256_loadu_ps(rb->rf + (i & 32) + 8 * j);
}

INLINE uint32_t fix_bits16(const fix_bits *rb, size_t i)
{
    return rb->rp[i % LPK_FIXED_SR_PERIOD];
}

#include "update-inl.h"

/* ---- fp32 baseline ------------------------------------------------------ */

/* Four accumulators of 8 lanes, 32 elements per iteration, a tree over them,
   then the tail in order. */
float lpk_fixed_dotf__avx2(const float *a, const float *b, size_t n)
{
    __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), c0);
        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), c1);
        c2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), c2);
        c3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), c3);
    }
    const __m256 c = _mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3));
    __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(c), _mm256_extractf128_ps(c, 1));
    s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
    float s = _mm_cvtss_f32(s4);
    for (; i < n; i++)
        s = fmaf(a[i], b[i], s);
    return s;
}

void lpk_fixed_updatef__avx2(float *z, const float *x, const float *h, size_t n, float a, float b)
{
    const __m256 va = _mm256_set1_ps(a), vb = _mm256_set1_ps(b);
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int j = 0; j < 4; j++) {
            const size_t o = i + 8 * j;
            const __m256 t = _mm256_fmadd_ps(vb, _mm256_loadu_ps(x + o), _mm256_loadu_ps(h + o));
            _mm256_storeu_ps(z + o, _mm256_fmadd_ps(va, _mm256_loadu_ps(z + o), t));
        }
    for (; i < n; i++)
        z[i] = fmaf(a, z[i], fmaf(b, x[i], h[i]));
}

#define FIX_SUFFIX avx2
#include "entry-inl.h"
