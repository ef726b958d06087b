/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM micro-kernel, AArch64 Advanced SIMD (baseline ARMv8.0): bf16 widened
   to fp32 while packing, then fp32 FMLA by element on an 8x12 register tile.

   Numerics: the packed operands are exact fp32 copies of the bf16 inputs
   (bf16 << 16: denormals, -0, Inf and NaN kept).  A product of two bf16 has
   at most 16 significant bits, so each FMLA adds the exact product to the
   accumulator with one fp32 rounding, under the caller's FPCR: with the FPCR
   Linux gives every thread (RMode nearest-even, FZ = 0, DN = 0) that is IEEE
   round to nearest, denormals kept, NaN payloads propagated; a caller who
   set FPCR.FZ gets flushed denormals, as for any fp32 code.  Each C element
   is a k-ordered chain of such additions from +0, then alpha*acc (FMUL) and,
   for beta != 0, + beta*C folded into one FMLA: |C - C_exact| <= (k + 2) *
   2^-24 * (|alpha| |A||B| + |beta C|)_ij to first order (tests/test_gemm.c
   allows (2k + 4) * 2^-24).  Same order and exact products as ref.c: with
   beta == 0 and k within one kc block the result is bit-identical to
   ref.c's (checked under qemu for k up to 300, both A views).  beta == 0
   never reads C.

   Instructions: FMLA .4S by element (the A value is a lane of a q register:
   no broadcast instruction), LDP/LDR Q for the panels, FMUL and FMLA in the
   epilogue.  Packing: USHLL/USHLL2 #16 widen bf16 to fp32; ZIP1/ZIP2 (.8H,
   then .4S) transpose 4 rows x 8 depths of depth-contiguous operands; the
   template (pack-inl.h) serves strided views, partial panels and the depth
   tail.

   Tile: 24 accumulators (8 rows x 3 vectors of 4 columns) + 2 A + 3 B = 29
   of the 32 vector registers.  A k step is 24 FMLAs for 80 bytes of panel
   (2 q of A, 3 q of B) in 3 loads (LDP, LDR, LDP): 8 FMLAs per load, and 24
   independent accumulation chains cover the 4-cycle FMLA latency of cores
   with 2 or 4 FMLA pipes (Cortex-A76/X1, Neoverse N1/V1).  Packed panels:
   the template's layout [kc][R] fp32 (R = 8 for A, 12 for B), 32 + 48
   bytes per depth.  Blocking: LPK_GEMM_BLOCKING_DEFAULT, kc from L1: half
   of L1 holds the B micro-panel (kc = 682 for a 64 KiB L1, 341 for 32 KiB). */
#if !defined(__ARM_NEON) || !defined(__aarch64__)
#error "neon.c needs AArch64 Advanced SIMD (__ARM_NEON)"
#endif
#include <arm_neon.h>

#include "gemm.h"
#include "pack_fast.h"

enum { MR = 8, NR = 12 };

/* The template: the fallback for strided views, partial panels and the
   depth tail of the depth-contiguous path. */
#define LPK_PACK_PAIR_KR 1
#define LPK_PACK_PAIR_WIDEN 1
#include "pack-pair-inl.h"

/* ---- packing: the template's layout, [kc][R] fp32 per panel ------------ */

static inline float32x4_t widen_lo(uint16x8_t h)
{
    return vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16));
}
static inline float32x4_t widen_hi(uint16x8_t h)
{
    return vreinterpretq_f32_u32(vshll_high_n_u16(h, 16));
}

/* Rows r .. r+3 (stride rs) x depths 0..7 -> out[d*R + 0..3] for d = 0..7. */
static inline void block4x8(const lpk_bf16 *s, size_t rs, float *out, size_t R)
{
    const uint16x8_t r0 = vld1q_u16(s), r1 = vld1q_u16(s + rs), r2 = vld1q_u16(s + 2 * rs),
                     r3 = vld1q_u16(s + 3 * rs);
    /* t0 = r0k0 r1k0 r0k1 r1k1 r0k2 r1k2 r0k3 r1k3, t1 the same for k4..7 */
    const uint16x8_t t0 = vzip1q_u16(r0, r1), t1 = vzip2q_u16(r0, r1);
    const uint16x8_t t2 = vzip1q_u16(r2, r3), t3 = vzip2q_u16(r2, r3);
    /* u0 = rows 0..3 at k0 | rows 0..3 at k1, u1: k2 | k3, ... */
    const uint16x8_t u0 = vreinterpretq_u16_u32(
        vzip1q_u32(vreinterpretq_u32_u16(t0), vreinterpretq_u32_u16(t2)));
    const uint16x8_t u1 = vreinterpretq_u16_u32(
        vzip2q_u32(vreinterpretq_u32_u16(t0), vreinterpretq_u32_u16(t2)));
    const uint16x8_t u2 = vreinterpretq_u16_u32(
        vzip1q_u32(vreinterpretq_u32_u16(t1), vreinterpretq_u32_u16(t3)));
    const uint16x8_t u3 = vreinterpretq_u16_u32(
        vzip2q_u32(vreinterpretq_u32_u16(t1), vreinterpretq_u32_u16(t3)));
    vst1q_f32(out + 0 * R, widen_lo(u0));
    vst1q_f32(out + 1 * R, widen_hi(u0));
    vst1q_f32(out + 2 * R, widen_lo(u1));
    vst1q_f32(out + 3 * R, widen_hi(u1));
    vst1q_f32(out + 4 * R, widen_lo(u2));
    vst1q_f32(out + 5 * R, widen_hi(u2));
    vst1q_f32(out + 6 * R, widen_lo(u3));
    vst1q_f32(out + 7 * R, widen_hi(u3));
}

/* One full panel of R rows (R a multiple of 4) from a depth-contiguous
   view (ps == 1): depths [0, kc8) in 4x8 blocks, the rest one by one. */
static inline void panel_depth_contig(const lpk_bf16 *src, size_t rs, size_t kc, unsigned R,
                                      void *vout)
{
    float *out = vout;
    const size_t kc8 = kc / 8 * 8;
    for (size_t g = 0; g < R; g += 4)
        for (size_t p = 0; p < kc8; p += 8)
            block4x8(src + g * rs + p, rs, out + p * R + g, R);
    for (size_t p = kc8; p < kc; p++)
        for (size_t i = 0; i < R; i++)
            out[p * R + i] = lpk_pack_widen(src[i * rs + p]);
}

/* One full panel from a row-contiguous view (rs == 1): each depth's R
   values are adjacent; R = 8 or 12. */
static inline void panel_rows_contig(const lpk_bf16 *src, size_t ps, size_t kc, unsigned R,
                                     void *vout)
{
    float *out = vout;
    for (size_t p = 0; p < kc; p++, src += ps, out += R) {
        const uint16x8_t h = vld1q_u16(src);
        vst1q_f32(out, widen_lo(h));
        vst1q_f32(out + 4, widen_hi(h));
        if (R == 12)
            vst1q_f32(out + 8, vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(src + 8), 16)));
    }
}

static void pack_a(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, MR, kc * MR * sizeof(float),
                       panel_depth_contig, panel_rows_contig, pack_a_tmpl);
}

static void pack_b(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, NR, kc * NR * sizeof(float),
                       panel_depth_contig, panel_rows_contig, pack_b_tmpl);
}

/* ---- the micro-kernel -------------------------------------------------- */

/* The k loop is inline assembly: GCC 12 given the same loop in intrinsics
   hoists the loads of an unrolled body and spills accumulators to the stack
   (29 of 32 registers are live).  The 24 accumulators are asm outputs,
   zeroed inside (as in-out operands they would exceed GCC's 30-operand
   limit), so the compiler places them in v8..v31 since the loop owns and
   clobbers v0..v7, which hold the operands of the current k step and part
   of the next one's:
     a0, a1   A rows 0..3, 4..7; the next step's pair is loaded (LDP) into
              the two spare registers as the step starts
     b0..b2   B columns 0..3, 4..7, 8..11; the next b0 goes to the third
              spare register as the step starts, the next b1, b2 (one LDP)
              into the current b0, b1 once their 16 FMLAs are issued.
   The register roles repeat every 4 k steps, the unroll.  The main loop
   always loads one step ahead, so it runs while at least one more step
   follows (iters = (kc - 1) / 4); the last 1..4 steps run one per iteration
   with plain loads and never read past the panels. */

/* c<i><j> += b<j> * A[i] for the 8 rows; A rows 0..3 are lanes of va0, 4..7
   of va1. */
#define FMLA_(i, j, vb, va, l) "fmla %[c" #i #j "].4s, v" #vb ".4s, v" #va ".s[" #l "]\n\t"
#define GROUP(j, vb, va0, va1)                                                         \
    FMLA_(0, j, vb, va0, 0) FMLA_(1, j, vb, va0, 1) FMLA_(2, j, vb, va0, 2)            \
    FMLA_(3, j, vb, va0, 3) FMLA_(4, j, vb, va1, 0) FMLA_(5, j, vb, va1, 1)            \
    FMLA_(6, j, vb, va1, 2) FMLA_(7, j, vb, va1, 3)
/* One pipelined k step: A in (a0, a1), B in (b0, b1, b2); the next step's A
   goes to (n0, n1), its b0 to s.  LDA/LDB are the loads of the next step's
   A pair and b0 (offset or pre-index), NB the offset of its b1, b2. */
#define PSTEP(a0, a1, b0, b1, b2, n0, n1, s, LDA, LDB, NB)   \
    "ldp q" #n0 ", q" #n1 ", " LDA "\n\t"                   \
    "ldr q" #s ", " LDB "\n\t"                              \
    GROUP(0, b0, a0, a1)                                     \
    GROUP(1, b1, a0, a1)                                     \
    "ldp q" #b0 ", q" #b1 ", [x10, #" #NB "]\n\t"          \
    GROUP(2, b2, a0, a1)

#define ACC_ROW(i) [c##i##0] "=w"(c##i##0), [c##i##1] "=w"(c##i##1), [c##i##2] "=w"(c##i##2)
#define DECL(i) float32x4_t c##i##0, c##i##1, c##i##2;
#define ZERO1(i, j) "movi %[c" #i #j "].4s, #0\n\t"
#define ZERO(i) ZERO1(i, 0) ZERO1(i, 1) ZERO1(i, 2)
#define STORE0(i)                                 \
    vst1q_f32(cr, vmulq_n_f32(c##i##0, alpha));     \
    vst1q_f32(cr + 4, vmulq_n_f32(c##i##1, alpha)); \
    vst1q_f32(cr + 8, vmulq_n_f32(c##i##2, alpha)); \
    cr += ldc;
#define STORE(i)                                                                      \
    vst1q_f32(cr, vfmaq_n_f32(vmulq_n_f32(c##i##0, alpha), vld1q_f32(cr), beta));         \
    vst1q_f32(cr + 4, vfmaq_n_f32(vmulq_n_f32(c##i##1, alpha), vld1q_f32(cr + 4), beta)); \
    vst1q_f32(cr + 8, vfmaq_n_f32(vmulq_n_f32(c##i##2, alpha), vld1q_f32(cr + 8), beta)); \
    cr += ldc;
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

static void kernel_8x12(size_t kc, const void *a, const void *b, float *c, size_t ldc,
                        float alpha, float beta)
{
    ROWS(DECL)
    /* x9 = A, x10 = B, x11 = main iterations, x12 = tail steps (kc == 0,
       which the frame never passes, leaves the accumulators zero). */
    __asm__ volatile(
        "mov x9, %[A]\n\t"
        "mov x10, %[B]\n\t"
        ROWS(ZERO)
        "cbz %[kc], 3f\n\t"
        "sub x11, %[kc], #1\n\t"
        "lsr x11, x11, #2\n\t"
        "sub x12, %[kc], x11, lsl #2\n\t"
        "cbz x11, 2f\n\t"
        "ldp q0, q1, [x9]\n\t"
        "ldp q2, q3, [x10]\n\t"
        "ldr q4, [x10, #32]\n\t"
        "1:\n\t"
        PSTEP(0, 1, 2, 3, 4, 5, 6, 7, "[x9, #32]", "[x10, #48]", 64)
        PSTEP(5, 6, 7, 2, 3, 0, 1, 4, "[x9, #64]", "[x10, #96]", 112)
        PSTEP(0, 1, 4, 7, 2, 5, 6, 3, "[x9, #96]", "[x10, #144]", 160)
        "subs x11, x11, #1\n\t"
        PSTEP(5, 6, 3, 4, 7, 0, 1, 2, "[x9, #128]!", "[x10, #192]!", 16)
        "b.ne 1b\n\t"
        "2:\n\t"
        "ldp q0, q1, [x9], #32\n\t"
        "ldp q2, q3, [x10], #32\n\t"
        "ldr q4, [x10], #16\n\t"
        GROUP(0, 2, 0, 1)
        GROUP(1, 3, 0, 1)
        "subs x12, x12, #1\n\t"
        GROUP(2, 4, 0, 1)
        "b.ne 2b\n\t"
        "3:\n\t"
        : ACC_ROW(0), ACC_ROW(1), ACC_ROW(2), ACC_ROW(3), ACC_ROW(4), ACC_ROW(5), ACC_ROW(6),
          ACC_ROW(7)
        : [A] "r"(a), [B] "r"(b), [kc] "r"(kc)
        : "x9", "x10", "x11", "x12", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "cc",
          "memory");
    float *cr = c;
    if (beta == 0.0f) {
        ROWS(STORE0)
    } else {
        ROWS(STORE)
    }
}

static const lpk_gemm_ukr ukr = {
    .mr = MR, .nr = NR, .kr = 1, .esize = 4,
    .pack_a = pack_a, .pack_b = pack_b, .kernel = kernel_8x12,
    .thread_init = NULL, .blocks = LPK_GEMM_BLOCKING_DEFAULT, .flags = 0,
};

const lpk_gemm_ukr *lpk_gemm_ukr_8x12__neon(void) { return &ukr; }
