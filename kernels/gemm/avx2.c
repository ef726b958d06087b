/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM micro-kernel, AVX2 + FMA: bf16 widened to fp32 while packing, then
   fp32 FMA on a 6x16 register tile.

   Numerics: the packed operands are exact fp32 copies of the bf16 inputs
   (bf16 << 16; denormals, -0, Inf and NaN kept).  A product of two bf16
   values is exact in fp32, so each VFMADD231PS step rounds once (round to
   nearest under the default MXCSR; no flushing unless the caller set
   FTZ/DAZ).  Every C element is a k-ordered fp32 chain from +0, then
   alpha*acc (VMULPS) and, when beta != 0, + beta*C in one VFMADD:
   |C - C_exact| <= (k + 2) * 2^-24 * (|alpha| |A||B| + |beta C|)_ij to
   first order (tests/test_gemm.c allows (2k + 4) * 2^-24).  beta == 0
   never reads C.

   Instructions: VFMADD231PS ymm, VBROADCASTSS from memory for A (a load
   uop, no shuffle port), VMOVUPS for B and C.  12 accumulators + 2 B
   vectors + 1 broadcast = 15 of the 16 ymm registers; 12 FMAs per k step
   cover the FMA latency x 2 ports.  PREFETCHT0 of the tile's 12 C lines at
   entry and of both panels 8 steps ahead.  Packing: VPMOVZXWD + VPSLLD widen 8
   bf16; an 8x8 32-bit transpose (VUNPCK{L,H}PS, VSHUFPS, VPERM2F128) for
   depth-contiguous operands; scalar code for depth tails. */
#if !defined(__AVX2__) || !defined(__FMA__)
#error "avx2.c needs -mavx2 -mfma"
#endif
#include <immintrin.h>
#include <string.h>

#include "gemm.h"
#include "pack_fast.h"

enum { MR = 6, NR = 16, PF = 8 /* k steps ahead */ };

#define LPK_PACK_PAIR_KR 1
#define LPK_PACK_PAIR_WIDEN 1
#include "pack-pair-inl.h"

/* ---- packing: the template's layout, [kc][R] fp32 per panel ----------- */

static inline __m256 widen8(__m128i h)
{
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

/* Stores the first n (<= 8) floats of x. */
static inline void store_n(float *d, __m256 x, unsigned n)
{
    if (n == 8) {
        _mm256_storeu_ps(d, x);
        return;
    }
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    _mm256_maskstore_ps(d, _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx), x);
}

/* In-register transpose of 8 rows of 8 floats. */
static inline void transpose8(__m256 r[8])
{
    __m256 s[8];
    for (int g = 0; g < 8; g += 4) {
        const __m256 l0 = _mm256_unpacklo_ps(r[g], r[g + 1]);
        const __m256 h0 = _mm256_unpackhi_ps(r[g], r[g + 1]);
        const __m256 l1 = _mm256_unpacklo_ps(r[g + 2], r[g + 3]);
        const __m256 h1 = _mm256_unpackhi_ps(r[g + 2], r[g + 3]);
        /* s[g + c]: rows g..g+3 of column 4L + c in 128-bit lane L */
        s[g + 0] = _mm256_shuffle_ps(l0, l1, 0x44);
        s[g + 1] = _mm256_shuffle_ps(l0, l1, 0xEE);
        s[g + 2] = _mm256_shuffle_ps(h0, h1, 0x44);
        s[g + 3] = _mm256_shuffle_ps(h0, h1, 0xEE);
    }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x20);
        r[4 + c] = _mm256_permute2f128_ps(s[c], s[4 + c], 0x31);
    }
}

/* One panel of R rows from a depth-contiguous view (ps == 1): 8 rows x 8
   depths at a time, widened and transposed; the depth tail is scalar. */
static inline void panel_depth_contig(const lpk_bf16 *src, size_t rs, size_t kc, unsigned R,
                                      void *vout)
{
    float *out = vout;
    const size_t k8 = kc / 8 * 8;
    for (unsigned g = 0; g < R; g += 8) {
        const unsigned n = R - g < 8 ? R - g : 8;
        for (size_t p = 0; p < k8; p += 8) {
            __m256 r[8];
            for (unsigned i = 0; i < 8; i++)
                r[i] = i < n ? widen8(_mm_loadu_si128((const __m128i *)(src + (g + i) * rs + p)))
                             : _mm256_setzero_ps();
            transpose8(r);
            for (unsigned d = 0; d < 8; d++)
                store_n(out + (p + d) * R + g, r[d], n);
        }
    }
    for (size_t p = k8; p < kc; p++)
        for (unsigned i = 0; i < R; i++)
            out[p * R + i] = lpk_pack_widen(src[i * rs + p]);
}

/* Loads n (<= 8) bf16 without touching memory past them. */
static inline __m128i load_n(const lpk_bf16 *s, unsigned n)
{
    if (n == 8)
        return _mm_loadu_si128((const __m128i *)s);
    if (n == 6) {
        int32_t hi;
        memcpy(&hi, s + 4, sizeof hi);
        return _mm_insert_epi32(_mm_loadl_epi64((const __m128i *)s), hi, 2);
    }
    lpk_bf16 t[8] = {0};
    memcpy(t, s, n * sizeof *s);
    return _mm_loadu_si128((const __m128i *)t);
}

/* One panel of R rows from a row-contiguous view (rs == 1). */
static inline void panel_rows_contig(const lpk_bf16 *src, size_t ps, size_t kc, unsigned R,
                                     void *vout)
{
    float *out = vout;
    for (size_t p = 0; p < kc; p++, out += R)
        for (unsigned g = 0; g < R; g += 8) {
            const unsigned n = R - g < 8 ? R - g : 8;
            store_n(out + g, widen8(load_n(src + p * ps + g, n)), n);
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

#define LPK_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define DECL(i) __m256 c##i##a = _mm256_setzero_ps(), c##i##b = _mm256_setzero_ps();
#define STEP(i)                                                   \
    {                                                             \
        const __m256 ai = _mm256_broadcast_ss(A + i);             \
        c##i##a = _mm256_fmadd_ps(ai, b0, c##i##a);               \
        c##i##b = _mm256_fmadd_ps(ai, b1, c##i##b);               \
    }
#define PREFETCH_C(i)                                       \
    _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0); \
    _mm_prefetch((const char *)(c + i * ldc + NR - 1), _MM_HINT_T0);
#define STORE0(i)                                                             \
    _mm256_storeu_ps(c + i * ldc, _mm256_mul_ps(va, c##i##a));                \
    _mm256_storeu_ps(c + i * ldc + 8, _mm256_mul_ps(va, c##i##b));
#define STORE(i)                                                                          \
    _mm256_storeu_ps(c + i * ldc, _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + i * ldc),       \
                                                  _mm256_mul_ps(va, c##i##a)));           \
    _mm256_storeu_ps(c + i * ldc + 8,                                                     \
                     _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + i * ldc + 8),                \
                                     _mm256_mul_ps(va, c##i##b)));

static void kernel_6x16(size_t kc, const void *a, const void *b, float *c, size_t ldc,
                        float alpha, float beta)
{
    const float *A = a, *B = b;
    /* 12 C lines fit the L1 fill buffers: measured +4% at n = 1024, +25% at 2048 */
    LPK_ROWS(PREFETCH_C)
    LPK_ROWS(DECL)
    for (size_t p = 0; p < kc; p++) {
        const __m256 b0 = _mm256_loadu_ps(B), b1 = _mm256_loadu_ps(B + 8);
        _mm_prefetch((const char *)(B + PF * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(A + PF * MR), _MM_HINT_T0);
        LPK_ROWS(STEP)
        A += MR;
        B += NR;
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    if (beta == 0.0f) {
        LPK_ROWS(STORE0)
    } else {
        LPK_ROWS(STORE)
    }
}

static const lpk_gemm_ukr ukr = {
    .mr = MR, .nr = NR, .kr = 1, .esize = 4,
    .pack_a = pack_a, .pack_b = pack_b, .kernel = kernel_6x16,
    .thread_init = NULL, .blocks = LPK_GEMM_BLOCKING_DEFAULT, /* kc 384 on a 48 KiB L1 */
};

const lpk_gemm_ukr *lpk_gemm_ukr_6x16__avx2(void) { return &ukr; }
