/* SPDX-License-Identifier: Apache-2.0 */
/* AMX GEMM micro-kernel: 32x32 fp32 C tile from bf16 panels with TDPBF16PS.

   Tiles (palette 1, all eight configured 16 rows x 64 bytes): tmm0-3 hold C
   as 2x2 blocks of 16x16 fp32, tmm4/tmm5 the upper/lower 16 rows of A, and
   tmm6/tmm7 the left/right 16 columns of B, for one 32-deep step.  Per step:
   2 TILELOADD (A), 2 TILELOADDT1 (B, non-temporal hint, see TILE_LOADDT1)
   and 4 TDPBF16PS (16x16x32 each).  What the kernel alone reaches with B
   from L1 or L2 and with C scattered over a large matrix:
   perf/RESULTS-archive.md, section "amx.c: the kernel alone, load order,
   blocking".  C is never loaded into a tile:
   the accumulators start at zero (TILEZERO), so beta == 0 never reads C, and
   at the end they are written with TILESTORED straight into C when
   alpha == 1 and beta == 0 (the common case, and the frame's first k block),
   otherwise into a 64-byte aligned stack buffer from which AVX-512 computes
   alpha * acc + beta * C with IEEE fp32 arithmetic.

   Packed formats (gemm.h), KR = 32:
     A: [kpad/32][32][32] bf16: a 16x32 A tile is 1 KiB contiguous, rows of 64
        bytes (TILELOADD stride 64).
     B: VNNI pairs [kpad/2][32][2] bf16, depth padded to 32: a 16-pair x 16-column
        B tile is read with stride 32*4 = 128 bytes.
   Packing: AVX-512 routines for every view shape the frame produces (A and
   B, transposed or not: 64-byte row copies, 16-bit pair interleave, and
   16-bit / 32-bit transposes); any other strides fall back to the generic
   template (pack-inl.h).  All of them write exactly the layouts above,
   including the zero padding of rows and depth.

   Numerics (TDPBF16PS; the SDM's rules, checked on this Sapphire Rapids):
   MXCSR is ignored, no exceptions are raised, rounding is to nearest even.
   Denormal bf16 inputs are treated as zero, a product or sum whose result is
   denormal is flushed to zero, and (measured) a denormal value already in the
   fp32 accumulator is flushed as well -- which is why C is never loaded into
   a tile: beta * C is added with AVX-512, keeping C's denormals.  Measured:
   the products of one instruction are summed before rounding into the fp32
   accumulator (1 + 2^-24 + 2^-24 gives 1 + 2^-23, also when the two products
   come from different pairs), so each C element
   gets at most one rounding per 32-deep step plus one for the epilogue: the
   fp32 bound of lpk.h holds (|C - C_exact| <= 2k 2^-24 |A||B| + |beta C| 2^-23)
   except that products below 2^-126 in magnitude count as zero.  NaN and Inf
   propagate as in IEEE arithmetic (Inf * 0 = NaN).
   The order of the k-sum depends only on the packed panels, never on the
   thread count.

   Instructions: LDTILECFG, TILEZERO, TILELOADD(T1), TILESTORED, TDPBF16PS (AMX-TILE,
   AMX-BF16); AVX-512F/BW for the epilogue and packing.  The tile configuration
   is per thread: thread_init loads it on every thread the frame uses (the
   process' permission for AMX state is requested by dispatch/cpu.c). */
/* GCC spells the feature macros __AMX_TILE__/__AMX_BF16__, clang 14
   __AMXTILE__/__AMXBF16__. */
#if !(defined(__AMX_TILE__) || defined(__AMXTILE__)) || \
    !(defined(__AMX_BF16__) || defined(__AMXBF16__))
#error "amx.c needs -mamx-tile -mamx-bf16 (CMake sets them for this file)"
#endif
#if !defined(__AVX512F__) || !defined(__AVX512BW__)
#error "amx.c needs -mavx512f -mavx512bw (CMake sets them for this file)"
#endif

#include <immintrin.h>
#include <string.h>

#include "gemm.h"
#include "../common/amx_tiles.h"
#include "../common/transpose_avx512.h"

enum { MR = 32, NR = 32, KR = 32 };

/* GCC 12's _tile_loadd claims to read no memory at all (and _tile_loadconfig
   only 8 bytes, see common/amx_tiles.h): these say what the instructions
   really touch. */
#define TILE_LOADD(t, base, stride)                                                \
    __asm__ volatile("tileloadd (%0,%1,1), %%tmm" #t ::"r"((const void *)(base)), \
                     "r"((long)(stride))                                           \
                     : "memory")
/* TILELOADDT1: the same load with a non-temporal hint (measured: 3-6% faster
   for B, whose panel is read from L2 on every call; neutral or worse for A). */
#define TILE_LOADDT1(t, base, stride)                                                \
    __asm__ volatile("tileloaddt1 (%0,%1,1), %%tmm" #t ::"r"((const void *)(base)), \
                     "r"((long)(stride))                                             \
                     : "memory")
#define TILE_STORED(t, base, stride)                                             \
    __asm__ volatile("tilestored %%tmm" #t ", (%0,%1,1)" ::"r"((void *)(base)), \
                     "r"((long)(stride))                                         \
                     : "memory")

/* ---- packing -------------------------------------------------------------- */

/* Generic packing (any strides). */
#define LPK_PACK_NAME pack_a_generic
#define LPK_PACK_R MR
#define LPK_PACK_KR 32
#define LPK_PACK_WIDEN 0
#include "pack-inl.h"

#define LPK_PACK_NAME pack_b_generic
#define LPK_PACK_R NR
#define LPK_PACK_KR 2
#define LPK_PACK_KPAD 32
#define LPK_PACK_WIDEN 0
#include "pack-inl.h"

static inline __mmask32 mask32(size_t n) { return n >= 32 ? 0xFFFFFFFFu : (1u << n) - 1u; }

/* A, depth contiguous (op(A) = A, not transposed): each packed row of a
   32-deep block is 64 contiguous source bytes. */
static void pack_a_rows(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                        lpk_bf16 *out)
{
    const size_t kb = (kc + KR - 1) / KR;
    for (size_t r = 0; r < rows; r += MR, out += kb * MR * KR) {
        const size_t rr = rows - r < MR ? rows - r : MR;
        const lpk_bf16 *src = v->base + (r0 + r) * v->rs + p0;
        for (size_t b = 0; b < kb; b++) {
            const __mmask32 m = mask32(kc - b * KR);
            lpk_bf16 *d = out + b * MR * KR;
            size_t i = 0;
            for (; i < rr; i++)
                _mm512_storeu_si512((void *)(d + i * KR),
                                    _mm512_maskz_loadu_epi16(m, src + i * v->rs + b * KR));
            for (; i < MR; i++)
                _mm512_storeu_si512((void *)(d + i * KR), _mm512_setzero_si512());
        }
    }
}

/* A, rows contiguous (op(A) = A^T): a 32x32 transpose of 16-bit elements per
   block, done as a 16x16 transpose of 32-bit pairs (depth q, q+1 of row i)
   after interleaving consecutive depth rows. */
static void pack_a_cols(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                        lpk_bf16 *out)
{
    const size_t kb = (kc + KR - 1) / KR;
    const __m512i lo = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9,
                                        40, 8, 39, 7, 38, 6, 37, 5, 36, 4, 35, 3, 34, 2, 33, 1,
                                        32, 0);
    const __m512i hi = _mm512_add_epi16(lo, _mm512_set1_epi16(16));
    for (size_t r = 0; r < rows; r += MR, out += kb * MR * KR) {
        const size_t rr = rows - r < MR ? rows - r : MR;
        const __mmask32 m = mask32(rr);
        const lpk_bf16 *src = v->base + (r0 + r) + p0 * v->ps;
        for (size_t b = 0; b < kb; b++) {
            /* x[q] = source depth row b*32+q, columns (packed rows) 0..31 */
            __m512i e[16], o[16];
            for (size_t q = 0; q < KR; q += 2) {
                const size_t p = b * KR + q;
                const __m512i x0 = p < kc ? _mm512_maskz_loadu_epi16(m, src + p * v->ps)
                                          : _mm512_setzero_si512();
                const __m512i x1 = p + 1 < kc
                                       ? _mm512_maskz_loadu_epi16(m, src + (p + 1) * v->ps)
                                       : _mm512_setzero_si512();
                /* 32-bit element i of e/o: (depth q, q+1) of packed row i */
                e[q / 2] = _mm512_permutex2var_epi16(x0, lo, x1); /* rows 0..15 */
                o[q / 2] = _mm512_permutex2var_epi16(x0, hi, x1); /* rows 16..31 */
            }
            /* e[t] holds pair t for rows 0..15: transpose to rows x pairs */
            lpk_transpose16x16_epi32(e);
            lpk_transpose16x16_epi32(o);
            lpk_bf16 *d = out + b * MR * KR;
            for (int i = 0; i < 16; i++) {
                _mm512_storeu_si512((void *)(d + i * KR), e[i]);
                _mm512_storeu_si512((void *)(d + (16 + i) * KR), o[i]);
            }
        }
    }
}

static void pack_a(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    if (v->ps == 1)
        pack_a_rows(v, r0, rows, p0, kc, dst);
    else if (v->rs == 1)
        pack_a_cols(v, r0, rows, p0, kc, dst);
    else
        pack_a_generic(v, r0, rows, p0, kc, dst);
}

/* B, rows contiguous (op(B) = B, not transposed): depth rows p, p+1 of 32
   columns are interleaved into 32 pairs (two 64-byte vectors). */
static void pack_b_rows(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                        lpk_bf16 *out)
{
    const size_t kpad = (kc + KR - 1) / KR * KR;
    const __m512i lo = _mm512_set_epi16(47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9,
                                        40, 8, 39, 7, 38, 6, 37, 5, 36, 4, 35, 3, 34, 2, 33, 1,
                                        32, 0);
    const __m512i hi = _mm512_add_epi16(lo, _mm512_set1_epi16(16));
    /* Depth pairs outer, panels inner: the source is read two whole rows
       at a time, front to back (the panel-outer order read 64 bytes per row
       down a column of rows, which the hardware prefetchers do not follow). */
    const size_t nfull = rows / NR;
    for (size_t p = 0; p + 2 <= kc; p += 2) {
        const lpk_bf16 *src = v->base + r0 + p0 * v->ps + p * v->ps;
        for (size_t r = 0; r < nfull; r++) {
            const __m512i x = _mm512_loadu_si512((const void *)(src + r * NR));
            const __m512i y = _mm512_loadu_si512((const void *)(src + v->ps + r * NR));
            lpk_bf16 *d = out + r * kpad * NR + p * NR;
            _mm512_storeu_si512((void *)d, _mm512_permutex2var_epi16(x, lo, y));
            _mm512_storeu_si512((void *)(d + 32), _mm512_permutex2var_epi16(x, hi, y));
        }
    }
    for (size_t r = 0; r < rows; r += NR, out += kpad * NR) {
        const size_t rr = rows - r < NR ? rows - r : NR;
        const __mmask32 m = mask32(rr);
        const lpk_bf16 *src = v->base + (r0 + r) + p0 * v->ps;
        lpk_bf16 *d = out;
        size_t p = 0;
        if (rr == NR) { /* full panel: pairs done above */
            p = kc / 2 * 2;
            d += p * NR;
        }
        for (; p + 2 <= kc; p += 2, d += 2 * NR) {
            const __m512i x = _mm512_maskz_loadu_epi16(m, src + p * v->ps);
            const __m512i y = _mm512_maskz_loadu_epi16(m, src + (p + 1) * v->ps);
            _mm512_storeu_si512((void *)d, _mm512_permutex2var_epi16(x, lo, y));
            _mm512_storeu_si512((void *)(d + 32), _mm512_permutex2var_epi16(x, hi, y));
        }
        if (p < kc) {
            const __m512i x = _mm512_maskz_loadu_epi16(m, src + p * v->ps);
            const __m512i y = _mm512_setzero_si512();
            _mm512_storeu_si512((void *)d, _mm512_permutex2var_epi16(x, lo, y));
            _mm512_storeu_si512((void *)(d + 32), _mm512_permutex2var_epi16(x, hi, y));
            p += 2;
            d += 2 * NR;
        }
        for (; p < kpad; p += 2, d += 2 * NR) {
            _mm512_storeu_si512((void *)d, _mm512_setzero_si512());
            _mm512_storeu_si512((void *)(d + 32), _mm512_setzero_si512());
        }
    }
}

/* B, depth contiguous (op(B) = B^T): a pair (p, p+1) of one packed row is 4
   contiguous source bytes, so a 16-pair block is a 32-bit transpose. */
static void pack_b_cols(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                        lpk_bf16 *out)
{
    const size_t kpad = (kc + KR - 1) / KR * KR;
    for (size_t r = 0; r < rows; r += NR, out += kpad * NR) {
        const size_t rr = rows - r < NR ? rows - r : NR;
        const lpk_bf16 *src = v->base + (r0 + r) * v->rs + p0;
        for (size_t b = 0; b * KR < kpad; b++) {
            const __mmask32 m = mask32(b * KR < kc ? kc - b * KR : 0);
            __m512i x[16], y[16];
            for (size_t i = 0; i < 16; i++) {
                x[i] = i < rr ? _mm512_maskz_loadu_epi16(m, src + i * v->rs + b * KR)
                              : _mm512_setzero_si512();
                y[i] = 16 + i < rr
                           ? _mm512_maskz_loadu_epi16(m, src + (16 + i) * v->rs + b * KR)
                           : _mm512_setzero_si512();
            }
            lpk_transpose16x16_epi32(x); /* x[t]: pair t of rows 0..15 */
            lpk_transpose16x16_epi32(y);
            lpk_bf16 *d = out + b * KR * NR;
            for (int t = 0; t < 16; t++) {
                _mm512_storeu_si512((void *)(d + t * 2 * NR), x[t]);
                _mm512_storeu_si512((void *)(d + t * 2 * NR + 32), y[t]);
            }
        }
    }
}

static void pack_b(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    if (v->rs == 1)
        pack_b_rows(v, r0, rows, p0, kc, dst);
    else if (v->ps == 1)
        pack_b_cols(v, r0, rows, p0, kc, dst);
    else
        pack_b_generic(v, r0, rows, p0, kc, dst);
}

/* ---- kernel --------------------------------------------------------------- */

static void kernel_32x32(size_t kc, const void *a, const void *b, float *c, size_t ldc,
                         float alpha, float beta)
{
    const unsigned char *A = a, *B = b;
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (size_t k = 0; k < kc; k += KR, A += MR * KR * 2, B += KR / 2 * NR * 4) {
        /* the four loads first, then the four products: 0-7% faster than
           interleaving them (kernel alone, B panels from L2) */
        TILE_LOADD(4, A, KR * 2);
        TILE_LOADDT1(6, B, NR * 4);
        TILE_LOADDT1(7, B + 64, NR * 4);
        TILE_LOADD(5, A + 16 * KR * 2, KR * 2);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    if (alpha == 1.0f && beta == 0.0f) {
        const long sc = (long)(ldc * sizeof(float));
        TILE_STORED(0, c, sc);
        TILE_STORED(1, c + 16, sc);
        TILE_STORED(2, c + 16 * ldc, sc);
        TILE_STORED(3, c + 16 * ldc + 16, sc);
        return;
    }
    float acc[MR * NR] __attribute__((aligned(64)));
    TILE_STORED(0, acc, NR * 4);
    TILE_STORED(1, acc + 16, NR * 4);
    TILE_STORED(2, acc + 16 * NR, NR * 4);
    TILE_STORED(3, acc + 16 * NR + 16, NR * 4);
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (beta == 0.0f) {
        for (int i = 0; i < MR; i++) {
            _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, _mm512_load_ps(acc + i * NR)));
            _mm512_storeu_ps(c + i * ldc + 16,
                             _mm512_mul_ps(va, _mm512_load_ps(acc + i * NR + 16)));
        }
    } else {
        for (int i = 0; i < MR; i++) {
            float *ci = c + i * ldc;
            _mm512_storeu_ps(ci, _mm512_fmadd_ps(va, _mm512_load_ps(acc + i * NR),
                                                 _mm512_mul_ps(vb, _mm512_loadu_ps(ci))));
            _mm512_storeu_ps(ci + 16,
                             _mm512_fmadd_ps(va, _mm512_load_ps(acc + i * NR + 16),
                                             _mm512_mul_ps(vb, _mm512_loadu_ps(ci + 16))));
        }
    }
}

/* Palette 1, all eight tiles 16 rows x 64 bytes, on every thread of a call;
   released at its end so the thread does not keep AMX state live. */
static int amx_thread_init(void)
{
    lpk_amx_config_16x64();
    return 1;
}

/* Blocking: the frame's ir-outer order (LPK_GEMM_IR_OUTER) with kc = 512,
   an A block of one micro-panel and the B block (kc x nc) in half of L2:
   the 32 x kc A micro-panel (32 KiB)
   stays in L1 while B panels stream from L2, and C is written along rows of
   tiles.  It beat the BLIS order with kc = 1024, where the rows of a C
   tile are ldc apart down a column of tiles and collide in the cache
   (perf/RESULTS-archive.md, section "amx.c: the kernel alone, load order,
   blocking"). */
static const lpk_gemm_ukr ukr = {
    .mr = MR, .nr = NR, .kr = KR, .esize = 2,
    .pack_a = pack_a, .pack_b = pack_b, .kernel = kernel_32x32,
    .thread_init = amx_thread_init, .thread_fini = lpk_amx_release,
    .blocks = {.kc = LPK_GEMM_FIXED(512), .mc = LPK_GEMM_FIXED(MR), .nc = LPK_GEMM_FROM_CACHE(2, 2)},
    .flags = LPK_GEMM_IR_OUTER,
};

const lpk_gemm_ukr *lpk_gemm_ukr_32x32c2__amx(void) { return &ukr; }
