/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM micro-kernel, AVX512-BF16: VDPBF16PS on VNNI pairs, 14x32 register
   tile.  bf16 is packed as is, two consecutive depths per 32-bit lane
   (kr 2: panels [kpad/2][R][2], an odd kc padded with a zero depth).

   Numerics: per fp32 lane, VDPBF16PS does acc += a[2p+1]*b[2p+1], then
   acc += a[2p]*b[2p] (Intel SDM pseudocode: "FP32 FMA with DAZ in, FTZ out
   and RNE rounding, MXCSR neither consulted nor updated").  So, whatever
   the caller's MXCSR:
     - bf16 denormal inputs (and a denormal accumulator) count as +-0: a
       dropped product is at most 2^-126 * |other factor|;
     - a result below 2^-126 in magnitude is flushed to +-0 (<= 2^-126 each);
     - otherwise each step rounds once to nearest even, as an FMA chain.
   Hence |C - C_exact| <= (k + 2) * 2^-24 * (|alpha| |A||B| + |beta C|)_ij
   to first order, plus the flush terms above (zero unless the operands or
   partial sums reach the fp32 denormal range).  Within a pair the odd depth
   is added first.  NaN and Inf propagate (Inf * 0 = NaN).  alpha*acc by
   VMULPS, + beta*C by one VFMADD; beta == 0 never reads C.

   Speed: on the Sapphire-Rapids-class host VDPBF16PS ran at about half the
   rate of the fp32 FMA, so the widening FMA variant (avx512.c) is listed
   before this one in the table.  This variant is kept for CPUs where
   VDPBF16PS runs at full rate, and it halves packed-panel traffic
   (perf/RESULTS-archive.md, section "avx512bf16.c: VDPBF16PS rate").

   Instructions: VDPBF16PS zmm; VPBROADCASTD of each A pair from memory (a
   load uop) shared by its row's two VDPBF16PS; VMOVDQU64 for B; VMULPS and
   VFMADD231PS for the C update.  Packing: a 16x16 transpose of 32-bit
   pairs (depth-contiguous operands) or VPMOVZXWD + VPSLLD + VPORD
   interleaving two depth rows (row-contiguous operands), k-masked
   loads/stores for tails; the template for strided views and partial
   panels. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__) || !defined(__AVX512BF16__)
#error "avx512bf16.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512bf16"
#endif
#include <immintrin.h>

#include "gemm.h"
#include "pack_fast.h"
#include "../common/transpose_avx512.h"

/* Depth block: 1024 bf16 depths (B micro-panel 64 KiB, streaming from L2
   at half the FMA kernel's demand); the L1-derived 384 re-reads C 2.7x as
   often and measured ~10% slower at n = 1024. */
enum { MR = 14, NR = 32, KC = 1024 };

#define LPK_PACK_PAIR_KR 2
#define LPK_PACK_PAIR_WIDEN 0
#include "pack-pair-inl.h"

/* ---- packing: the template's layout, [kpad/2][R][2] bf16 per panel ----- */

/* Depth-contiguous view (ps == 1): a row's depth pairs are already VNNI
   pairs, so the panel is a transpose of 32-bit units, 16 rows x 16 pairs at
   a time.  The k-masked load zero-fills an odd kc's missing partner. */
static inline void panel_depth_contig(const lpk_bf16 *src, size_t rs, size_t kc, unsigned R,
                                      void *vout)
{
    lpk_bf16 *out = vout;
    for (unsigned g = 0; g < R; g += 16) {
        const unsigned n = R - g < 16 ? R - g : 16;
        const __mmask16 rowmask = (__mmask16)((1u << n) - 1);
        for (size_t p = 0; p < kc; p += 32) {
            const size_t q = kc - p < 32 ? kc - p : 32, pairs = (q + 1) / 2;
            const __mmask32 km = (__mmask32)(q == 32 ? ~0u : (1u << q) - 1);
            __m512i r[16];
            for (unsigned i = 0; i < 16; i++)
                r[i] = i < n ? _mm512_maskz_loadu_epi16(km, src + (g + i) * rs + p)
                             : _mm512_setzero_si512();
            lpk_transpose16x16_epi32(r);
            for (size_t d = 0; d < pairs; d++)
                _mm512_mask_storeu_epi32(out + ((p / 2 + d) * R + g) * 2, rowmask, r[d]);
        }
    }
}

/* Row-contiguous view (rs == 1): depth rows 2b and 2b+1 interleaved by
   zero-extending both to 32 bits and merging the second into the high half. */
static inline void panel_rows_contig(const lpk_bf16 *src, size_t ps, size_t kc, unsigned R,
                                     void *vout)
{
    lpk_bf16 *out = vout;
    for (size_t p = 0; p < kc; p += 2, out += 2 * R) {
        const lpk_bf16 *s0 = src + p * ps, *s1 = s0 + ps;
        const int two = p + 1 < kc;
        for (unsigned g = 0; g < R; g += 16) {
            const unsigned n = R - g < 16 ? R - g : 16;
            const __mmask16 m = (__mmask16)((1u << n) - 1);
            const __m512i lo = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, s0 + g));
            const __m512i hi = two ? _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, s1 + g))
                                   : _mm512_setzero_si512();
            _mm512_mask_storeu_epi32(out + 2 * g, m,
                                     _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16)));
        }
    }
}

static void pack_a(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, MR, (kc + 1) / 2 * 2 * MR * sizeof(lpk_bf16), panel_depth_contig,
                       panel_rows_contig, pack_a_tmpl);
}

static void pack_b(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, NR, (kc + 1) / 2 * 2 * NR * sizeof(lpk_bf16), panel_depth_contig,
                       panel_rows_contig, pack_b_tmpl);
}

/* ---- the micro-kernel -------------------------------------------------- */

#define LPK_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define DECL(i) __m512 c##i##a = _mm512_setzero_ps(), c##i##b = _mm512_setzero_ps();
#define STEP(i)                                                                       \
    {                                                                                 \
        const __m512bh ai = (__m512bh)_mm512_set1_epi32(_mm_cvtsi128_si32(           \
            _mm_loadu_si32(A + 2 * i)));                                              \
        c##i##a = _mm512_dpbf16_ps(c##i##a, ai, b0);                                  \
        c##i##b = _mm512_dpbf16_ps(c##i##b, ai, b1);                                  \
    }
#define STORE0(i)                                                             \
    _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, c##i##a));                \
    _mm512_storeu_ps(c + i * ldc + 16, _mm512_mul_ps(va, c##i##b));
#define STORE(i)                                                                          \
    _mm512_storeu_ps(c + i * ldc, _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + i * ldc),       \
                                                  _mm512_mul_ps(va, c##i##a)));           \
    _mm512_storeu_ps(c + i * ldc + 16,                                                    \
                     _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + i * ldc + 16),               \
                                     _mm512_mul_ps(va, c##i##b)));

static void kernel_14x32(size_t kc, const void *a, const void *b, float *c, size_t ldc,
                         float alpha, float beta)
{
    const lpk_bf16 *A = a, *B = b;
    LPK_ROWS(DECL)
    for (size_t p = 0; p < kc; p += 2) {
        const __m512bh b0 = (__m512bh)_mm512_loadu_si512(B);
        const __m512bh b1 = (__m512bh)_mm512_loadu_si512(B + 32);
        LPK_ROWS(STEP)
        A += 2 * MR;
        B += 2 * NR;
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (beta == 0.0f) {
        LPK_ROWS(STORE0)
    } else {
        LPK_ROWS(STORE)
    }
}

static const lpk_gemm_ukr ukr = {
    .mr = MR, .nr = NR, .kr = 2, .esize = 2,
    .pack_a = pack_a, .pack_b = pack_b, .kernel = kernel_14x32,
    .thread_init = NULL,
    .blocks = {.kc = LPK_GEMM_FIXED(KC), .mc = LPK_GEMM_FROM_CACHE(2, 2), .nc = LPK_GEMM_FIXED(4096)},
};

const lpk_gemm_ukr *lpk_gemm_ukr_14x32c2__avx512bf16(void) { return &ukr; }
