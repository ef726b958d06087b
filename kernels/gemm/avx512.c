/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM micro-kernel, AVX-512 (F+BW+DQ+VL): bf16 widened to fp32 while
   packing, then fp32 FMA on a 14x32 register tile.

   Numerics: the packed operands are exact fp32 copies of the bf16 inputs
   (bf16 << 16, denormals, -0, Inf and NaN kept as they are).  Each product
   a*b of two bf16 values has at most 16 significant bits, so VFMADD231PS
   adds the exact product to the accumulator with one fp32 rounding (round
   to nearest under the default MXCSR; denormals are not flushed unless the
   caller set FTZ/DAZ).  Every C element is a k-ordered chain of such
   additions starting from +0, then alpha*acc (VMULPS) and, when beta != 0,
   + beta*C folded into one VFMADD: |C - C_exact| <= (k + 2) * 2^-24 *
   (|alpha| |A||B| + |beta C|)_ij to first order (tests/test_gemm.c allows
   (2k + 4) * 2^-24).  beta == 0 never reads C.

   Instructions: VFMADD231PS zmm; VBROADCASTSS of each A element from
   memory (a load uop, no shuffle port) shared by its row's two FMAs;
   VMOVUPS for B and C; VMULPS; PREFETCHT0 of both panels 8 steps ahead.
   Packing: VPMOVZXWD + VPSLLD widen 16 bf16; a 16x16 32-bit transpose
   (VPUNPCK{L,H}DQ, VPUNPCK{L,H}QDQ, VSHUFI32X4) for depth-contiguous
   operands; k-masked loads/stores for tails; the template for strided
   views and partial panels.

   Tile: 28 zmm accumulators (14 rows x 2 vectors), 2 B loads and 14
   broadcast operands per k step, so 28 FMAs hide the 4-cycle latency of the
   two FMA ports with room to spare and loads stay below 2 per cycle. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__) || !defined(__FMA__)
#error "avx512.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma"
#endif
#include <immintrin.h>

#include "gemm.h"
#include "pack_fast.h"
#include "../common/transpose_avx512.h"

/* Depth block: a B micro-panel of 512 x 32 fp32 (64 KiB) no longer fits L1
   next to the A stream, but with both panels prefetched L2 feeds the 184
   bytes per 14-cycle k step easily, and each C tile (from L3 for large n,
   with a TLB miss per row) is read and written 2.7x less often than with
   the L1-derived kc of 192.  Measured (1 thread): +10% at n = 1024, +15-20%
   at n = 2048; at n = 512 only the frame's per-call page faults of the
   larger packing buffers make 192 faster. */
enum { MR = 14, NR = 32, KC = 512, PF = 8 /* k steps ahead */ };

/* The template: the fallback for strided views and partial panels. */
#define LPK_PACK_PAIR_KR 1
#define LPK_PACK_PAIR_WIDEN 1
#include "pack-pair-inl.h"

/* ---- packing: the template's layout, [kc][R] fp32 per panel ----------- */

static inline __m512i widen16(__m256i h)
{
    return _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16);
}

/* One panel of R rows from a depth-contiguous view (ps == 1): 16 rows x 16
   depths at a time, widened, transposed, stored as 16 depth rows of R. */
static inline void panel_depth_contig(const lpk_bf16 *src, size_t rs, size_t kc, unsigned R,
                                      void *vout)
{
    float *out = vout;
    for (unsigned g = 0; g < R; g += 16) {
        const unsigned n = R - g < 16 ? R - g : 16;
        const __mmask16 rowmask = (__mmask16)((1u << n) - 1);
        for (size_t p = 0; p < kc; p += 16) {
            const size_t q = kc - p < 16 ? kc - p : 16;
            const __mmask16 km = (__mmask16)((1u << q) - 1);
            __m512i r[16];
            for (unsigned i = 0; i < 16; i++)
                r[i] = i < n ? widen16(_mm256_maskz_loadu_epi16(km, src + (g + i) * rs + p))
                             : _mm512_setzero_si512();
            lpk_transpose16x16_epi32(r);
            for (size_t d = 0; d < q; d++)
                _mm512_mask_storeu_epi32(out + (p + d) * R + g, rowmask, r[d]);
        }
    }
}

/* One panel of R rows from a row-contiguous view (rs == 1). */
static inline void panel_rows_contig(const lpk_bf16 *src, size_t ps, size_t kc, unsigned R,
                                     void *vout)
{
    float *out = vout;
    for (size_t p = 0; p < kc; p++, out += R)
        for (unsigned g = 0; g < R; g += 16) {
            const unsigned n = R - g < 16 ? R - g : 16;
            const __mmask16 m = (__mmask16)((1u << n) - 1);
            _mm512_mask_storeu_epi32(out + g, m,
                                     widen16(_mm256_maskz_loadu_epi16(m, src + p * ps + g)));
        }
}

static void pack_a(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, MR, kc * MR * sizeof(float), panel_depth_contig,
                       panel_rows_contig, pack_a_tmpl);
}

static void pack_b(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, NR, kc * NR * sizeof(float), panel_depth_contig,
                       panel_rows_contig, pack_b_tmpl);
}

/* ---- the micro-kernel -------------------------------------------------- */

#define LPK_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
#define DECL(i) __m512 c##i##a = _mm512_setzero_ps(), c##i##b = _mm512_setzero_ps();
#define STEP(i)                                                   \
    {                                                             \
        const __m512 ai = _mm512_set1_ps(A[i]);                   \
        c##i##a = _mm512_fmadd_ps(ai, b0, c##i##a);               \
        c##i##b = _mm512_fmadd_ps(ai, b1, c##i##b);               \
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
    const float *A = a, *B = b;
    LPK_ROWS(DECL)
    for (size_t p = 0; p < kc; p++) {
        const __m512 b0 = _mm512_loadu_ps(B), b1 = _mm512_loadu_ps(B + 16);
        /* Both panels stream from L2 at this kc.  (Prefetching C instead,
           at the start or spread over the loop, into L1 or L2, measured no
           gain: the C cost is TLB and 4 KiB set aliasing, not latency.) */
        _mm_prefetch((const char *)(B + PF * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(B + PF * NR + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(A + PF * MR), _MM_HINT_T0);
        LPK_ROWS(STEP)
        A += MR;
        B += NR;
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (beta == 0.0f) {
        LPK_ROWS(STORE0)
    } else {
        LPK_ROWS(STORE)
    }
}

static const lpk_gemm_ukr ukr = {
    .mr = MR, .nr = NR, .kr = 1, .esize = 4,
    .pack_a = pack_a, .pack_b = pack_b, .kernel = kernel_14x32,
    .thread_init = NULL,
    .blocks = {.kc = LPK_GEMM_FIXED(KC), .mc = LPK_GEMM_FROM_CACHE(2, 2), .nc = LPK_GEMM_FIXED(4096)},
};

const lpk_gemm_ukr *lpk_gemm_ukr_14x32__avx512(void) { return &ukr; }
