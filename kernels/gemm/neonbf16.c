/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM micro-kernel, AArch64 FEAT_BF16: BFMMLA on an 8x12 tile of bf16
   panels interleaved by 4 in depth.

   BFMMLA Vd.4S, Vn.8H, Vm.8H treats Vn as a 2x4 bf16 matrix (two rows of 4
   depths), Vm as another 2x4 (two columns of 4 depths) and adds Vn * Vm^T, a
   2x2 fp32 block, to Vd = [C(0,0) C(0,1) C(1,0) C(1,1)].

   Layout: the template's [kpad/4][R][4] bf16 per panel (pack-inl.h, KR 4,
   no widening), depth zero-padded to a multiple of 4.  In each block of 4
   depths, rows 2p and 2p+1 are adjacent -- (2p, k0..3) then (2p+1, k0..3),
   16 bytes -- which is exactly one BFMMLA operand: A block = 4 q registers
   (row pairs 01 23 45 67, 64 bytes), B block = 6 q registers (column pairs
   01 .. AB, 96 bytes).  No layout of our own is needed; fast packing below
   writes that same layout from the two common views (ZIP1/ZIP2 .2D of two
   rows for depth-contiguous operands, ZIP .8H then .4S of four depths for
   row-contiguous ones), the template does strided views, partial panels and
   the depth tail.

   Accumulators: 24 q registers c<p><q> (row pair p = 0..3, column pair
   q = 0..5), each the 2x2 block rows 2p, 2p+1 x columns 2q, 2q+1.  The
   epilogue un-zips them: row 2p, columns 4m..4m+3 = ZIP1.2D(c<p><2m>,
   c<p><2m+1>), row 2p+1 = ZIP2.2D of the same pair; then alpha * (FMUL) and
   + beta * C (FMLA, only when beta != 0: beta == 0 never reads C).

   Numerics (Arm ARM, BFMMLA / BFMatMulAdd / BFDotAdd, FEAT_EBF16 absent or
   FPCR.EBF == 0, i.e. Linux's default FPCR): each destination element gets
   two chained 2-way unfused dot products per instruction,
       s = s + (a0*b0 + a1*b1);  s = s + (a2*b2 + a3*b3)
   in that order.  Every product, the pair sum and the accumulation are each
   rounded to fp32 with round-to-odd (an inexact result gets bit 0 forced to
   1; overflow goes to a signed Infinity); denormal inputs and denormal
   results are flushed to zero (as if FPCR.FZ = FIZ = 1); only the default
   NaN is produced (FPCR.AH only selects its form); FPCR.RMode/FZ/DN are
   ignored and no FPSR flag is set.
   A bf16 product is exact in fp32 unless it is below the normal range, so
   per element each pair sum and each accumulation adds one relative error
   < 2^-23 (one ulp for round-to-odd, not half): with k/2 accumulations,
   |acc - exact| <= (k + 2) * 2^-24 * (|A||B|)_ij to first order, plus
   < 2^-126 per flushed denormal product or sum.  A denormal bf16 input
   counts as 0: its term is lost whatever the other factor, so for such
   inputs no bound relative to |A||B| holds (normal inputs only).  Then
   one FMUL and an FMLA (IEEE, caller's FPCR) as in the other variants;
   tests/test_gemm.c allows (2k + 4) * 2^-24.
   With FEAT_EBF16 and FPCR.EBF = 1 (set by the caller) the pair sum is
   fused and rounding follows FPCR: the same bound holds.
   Checked under qemu 7.2 -cpu max (FEAT_BF16, no FEAT_EBF16): whole tiles
   are bit-identical to an emulation of this order and round-to-odd, not to
   round-to-nearest (perf/RESULTS-archive.md, section "neonbf16.c: BFMMLA
   observed under qemu").

   Instructions: BFMMLA .4S/.8H; LDP Q for the panels (5 per block of 4
   depths: 2 for A, 3 for B, 24 BFMMLAs); ZIP1/ZIP2 .2D, FMUL, FMLA and
   Q loads/stores in the epilogue.  Blocking: LPK_GEMM_BLOCKING_DEFAULT,
   kc from L1: half of L1 holds the B micro-panel (kc = 1364 for a 64 KiB
   L1), 24 + 16 bytes of panel per depth. */
#if !defined(__ARM_FEATURE_BF16_VECTOR_ARITHMETIC) || !defined(__aarch64__)
#error "neonbf16.c needs -march=armv8.2-a+bf16 (or later) on AArch64"
#endif
#include <arm_neon.h>

#include "gemm.h"
#include "pack_fast.h"

enum { MR = 8, NR = 12, KR = 4 };

#define LPK_PACK_PAIR_KR KR
#define LPK_PACK_PAIR_WIDEN 0
#include "pack-pair-inl.h"

/* ---- packing: [kpad/4][R][4] bf16 per panel ---------------------------- */

/* Depth positions [d0, kpad) of one panel, element by element, zero past
   kc: the tail of the two fast paths. */
static void panel_tail(const lpk_bf16 *src, size_t rs, size_t ps, size_t d0, size_t kc,
                       size_t R, lpk_bf16 *out)
{
    const size_t kpad = (kc + KR - 1) / KR * KR;
    for (size_t p = d0; p < kpad; p++)
        for (size_t i = 0; i < R; i++)
            out[((p / KR) * R + i) * KR + p % KR] = p < kc ? src[i * rs + p * ps] : 0;
}

/* Depth contiguous (ps == 1): two rows x 8 depths -> two blocks, each
   holding the row pair's 4 depths (ZIP1/ZIP2 of the 64-bit halves). */
static void panel_depth_contig(const lpk_bf16 *src, size_t rs, size_t kc, unsigned R,
                               void *vout)
{
    lpk_bf16 *out = vout;
    const size_t kc8 = kc / 8 * 8;
    for (size_t i = 0; i < R; i += 2) {
        const lpk_bf16 *s0 = src + i * rs, *s1 = s0 + rs;
        for (size_t p = 0; p < kc8; p += 8) {
            const uint64x2_t x = vreinterpretq_u64_u16(vld1q_u16(s0 + p));
            const uint64x2_t y = vreinterpretq_u64_u16(vld1q_u16(s1 + p));
            lpk_bf16 *d = out + ((p / KR) * R + i) * KR;
            vst1q_u16(d, vreinterpretq_u16_u64(vzip1q_u64(x, y)));
            vst1q_u16(d + R * KR, vreinterpretq_u16_u64(vzip2q_u64(x, y)));
        }
    }
    panel_tail(src, rs, 1, kc8, kc, R, out);
}

/* Rows contiguous (rs == 1): 4 depths x R rows -> one block.  For 8 rows,
   v0..v3 the depths: ZIP1.8H(v0, v1) = r0q0 r0q1 r1q0 r1q1 ..., ZIP1.8H(v2,
   v3) = r0q2 r0q3 r1q2 r1q3 ..., and ZIP1.4S of those = rows 0, 1 with their
   4 depths each: the BFMMLA operand. */
static void panel_rows_contig(const lpk_bf16 *src, size_t ps, size_t kc, unsigned R,
                              void *vout)
{
    lpk_bf16 *out = vout;
    const size_t kc4 = kc / KR * KR;
    for (size_t p = 0; p < kc4; p += KR) {
        const lpk_bf16 *s = src + p * ps;
        lpk_bf16 *d = out + p * R;
        const uint16x8_t v0 = vld1q_u16(s), v1 = vld1q_u16(s + ps), v2 = vld1q_u16(s + 2 * ps),
                         v3 = vld1q_u16(s + 3 * ps);
        const uint32x4_t t0 = vreinterpretq_u32_u16(vzip1q_u16(v0, v1)),
                         t1 = vreinterpretq_u32_u16(vzip1q_u16(v2, v3)),
                         t2 = vreinterpretq_u32_u16(vzip2q_u16(v0, v1)),
                         t3 = vreinterpretq_u32_u16(vzip2q_u16(v2, v3));
        vst1q_u16(d, vreinterpretq_u16_u32(vzip1q_u32(t0, t1)));
        vst1q_u16(d + 8, vreinterpretq_u16_u32(vzip2q_u32(t0, t1)));
        vst1q_u16(d + 16, vreinterpretq_u16_u32(vzip1q_u32(t2, t3)));
        vst1q_u16(d + 24, vreinterpretq_u16_u32(vzip2q_u32(t2, t3)));
        if (R == 12) { /* rows 8..11 from 64-bit loads, the same two zips */
            const uint16x4_t w0 = vld1_u16(s + 8), w1 = vld1_u16(s + ps + 8),
                             w2 = vld1_u16(s + 2 * ps + 8), w3 = vld1_u16(s + 3 * ps + 8);
            const uint32x2_t u0 = vreinterpret_u32_u16(vzip1_u16(w0, w1)),
                             u1 = vreinterpret_u32_u16(vzip1_u16(w2, w3)),
                             u2 = vreinterpret_u32_u16(vzip2_u16(w0, w1)),
                             u3 = vreinterpret_u32_u16(vzip2_u16(w2, w3));
            vst1q_u16(d + 32, vreinterpretq_u16_u32(vcombine_u32(vzip1_u32(u0, u1),
                                                                 vzip2_u32(u0, u1))));
            vst1q_u16(d + 40, vreinterpretq_u16_u32(vcombine_u32(vzip1_u32(u2, u3),
                                                                 vzip2_u32(u2, u3))));
        }
    }
    panel_tail(src, 1, ps, kc4, kc, R, out);
}

static void pack_a(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, MR, (kc + KR - 1) / KR * KR * MR * sizeof(lpk_bf16),
                       panel_depth_contig, panel_rows_contig, pack_a_tmpl);
}

static void pack_b(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                   void *dst)
{
    lpk_gemm_pack_fast(v, r0, rows, p0, kc, dst, NR, (kc + KR - 1) / KR * KR * NR * sizeof(lpk_bf16),
                       panel_depth_contig, panel_rows_contig, pack_b_tmpl);
}

/* ---- the micro-kernel -------------------------------------------------- */

/* The k loop is inline assembly (24 accumulators + 10 operand registers per
   block exceed the 32 vector registers: GCC's intrinsics version spills).
   The 24 accumulators are asm outputs, zeroed inside, so the compiler
   places them outside v0..v7, which the loop owns:
     v0..v3   A row pairs of the current block; the next block's pairs 01,
              23 are loaded (LDP) as soon as their last BFMMLA is issued
     X = v4, v5 / Y = v6, v7   B column pairs, two at a time: group g of a
              block (g = 0..2) multiplies column pairs 2g, 2g+1 by all four
              A pairs (8 BFMMLAs); at the start of each group the pair
              register the previous group used is loaded with the group
              after this one, so every load has one group (8 BFMMLAs) of
              slack.  Groups alternate X, Y, X | Y, X, Y: the roles repeat
              every 2 blocks, the unroll.
   The main loop loads one group and one A block ahead, so it runs while at
   least one more block follows (iters = (kb - 1) / 2); the last 1 or 2
   blocks run one per iteration with plain loads, never past the panels. */

#define MM_(p, q, va, vb) "bfmmla %[c" #p #q "].4s, v" #va ".8h, v" #vb ".8h\n\t"
/* Column pairs q0, q0 + 1 held in vb0, vb1, times A pairs 0..3 in v0..v3. */
#define HALF01(q0, q1, vb0, vb1) \
    MM_(0, q0, 0, vb0) MM_(0, q1, 0, vb1) MM_(1, q0, 1, vb0) MM_(1, q1, 1, vb1)
#define HALF23(q0, q1, vb0, vb1) \
    MM_(2, q0, 2, vb0) MM_(2, q1, 2, vb1) MM_(3, q0, 3, vb0) MM_(3, q1, 3, vb1)
#define GROUP(q0, q1, vb0, vb1) HALF01(q0, q1, vb0, vb1) HALF23(q0, q1, vb0, vb1)
#define LDP(r0, r1, addr) "ldp q" #r0 ", q" #r1 ", " addr "\n\t"

#define ACC(p) [c##p##0] "=w"(c##p##0), [c##p##1] "=w"(c##p##1), [c##p##2] "=w"(c##p##2), \
               [c##p##3] "=w"(c##p##3), [c##p##4] "=w"(c##p##4), [c##p##5] "=w"(c##p##5)
#define DECL(p) float32x4_t c##p##0, c##p##1, c##p##2, c##p##3, c##p##4, c##p##5;
#define ZERO1(p, q) "movi %[c" #p #q "].4s, #0\n\t"
#define ZERO(p) ZERO1(p, 0) ZERO1(p, 1) ZERO1(p, 2) ZERO1(p, 3) ZERO1(p, 4) ZERO1(p, 5)
#define PAIRS(X) X(0) X(1) X(2) X(3)

/* Rows 2p and 2p+1 of the tile from the six blocks of row pair p. */
static inline float32x4_t zlo(float32x4_t x, float32x4_t y)
{
    return vreinterpretq_f32_f64(vzip1q_f64(vreinterpretq_f64_f32(x), vreinterpretq_f64_f32(y)));
}
static inline float32x4_t zhi(float32x4_t x, float32x4_t y)
{
    return vreinterpretq_f32_f64(vzip2q_f64(vreinterpretq_f64_f32(x), vreinterpretq_f64_f32(y)));
}
#define STORE0_PAIR(p)                                                  \
    vst1q_f32(cr, vmulq_n_f32(zlo(c##p##0, c##p##1), alpha));           \
    vst1q_f32(cr + 4, vmulq_n_f32(zlo(c##p##2, c##p##3), alpha));       \
    vst1q_f32(cr + 8, vmulq_n_f32(zlo(c##p##4, c##p##5), alpha));       \
    cr += ldc;                                                          \
    vst1q_f32(cr, vmulq_n_f32(zhi(c##p##0, c##p##1), alpha));           \
    vst1q_f32(cr + 4, vmulq_n_f32(zhi(c##p##2, c##p##3), alpha));       \
    vst1q_f32(cr + 8, vmulq_n_f32(zhi(c##p##4, c##p##5), alpha));       \
    cr += ldc;
#define AXPBY(x, o) vfmaq_n_f32(vmulq_n_f32(x, alpha), vld1q_f32(cr + o), beta)
#define STORE_PAIR(p)                                                   \
    vst1q_f32(cr, AXPBY(zlo(c##p##0, c##p##1), 0));                     \
    vst1q_f32(cr + 4, AXPBY(zlo(c##p##2, c##p##3), 4));                 \
    vst1q_f32(cr + 8, AXPBY(zlo(c##p##4, c##p##5), 8));                 \
    cr += ldc;                                                          \
    vst1q_f32(cr, AXPBY(zhi(c##p##0, c##p##1), 0));                     \
    vst1q_f32(cr + 4, AXPBY(zhi(c##p##2, c##p##3), 4));                 \
    vst1q_f32(cr + 8, AXPBY(zhi(c##p##4, c##p##5), 8));                 \
    cr += ldc;

static void kernel_8x12(size_t kc, const void *a, const void *b, float *c, size_t ldc,
                        float alpha, float beta)
{
    PAIRS(DECL)
    /* kc: a multiple of 4.  x9 = A, x10 = B, x11 = main iterations (2
       blocks each), x12 = tail blocks (kc == 0, which the frame never
       passes, leaves the accumulators zero). */
    __asm__ volatile(
        "mov x9, %[A]\n\t"
        "mov x10, %[B]\n\t"
        PAIRS(ZERO)
        "lsr x12, %[kc], #2\n\t"
        "cbz x12, 3f\n\t"
        "sub x11, x12, #1\n\t"
        "lsr x11, x11, #1\n\t"
        "sub x12, x12, x11, lsl #1\n\t"
        "cbz x11, 2f\n\t"
        LDP(0, 1, "[x9]")
        LDP(2, 3, "[x9, #32]")
        LDP(4, 5, "[x10]")
        "1:\n\t"
        /* block 0: groups X, Y, X */
        LDP(6, 7, "[x10, #32]")
        GROUP(0, 1, 4, 5)
        LDP(4, 5, "[x10, #64]")
        GROUP(2, 3, 6, 7)
        LDP(6, 7, "[x10, #96]")
        HALF01(4, 5, 4, 5)
        LDP(0, 1, "[x9, #64]")
        HALF23(4, 5, 4, 5)
        LDP(2, 3, "[x9, #96]")
        /* block 1: groups Y, X, Y */
        LDP(4, 5, "[x10, #128]")
        GROUP(0, 1, 6, 7)
        LDP(6, 7, "[x10, #160]")
        "subs x11, x11, #1\n\t"
        GROUP(2, 3, 4, 5)
        LDP(4, 5, "[x10, #192]!")
        HALF01(4, 5, 6, 7)
        LDP(0, 1, "[x9, #128]!")
        HALF23(4, 5, 6, 7)
        LDP(2, 3, "[x9, #32]")
        "b.ne 1b\n\t"
        "2:\n\t"
        LDP(0, 1, "[x9], #32")
        LDP(2, 3, "[x9], #32")
        LDP(4, 5, "[x10], #32")
        LDP(6, 7, "[x10], #32")
        GROUP(0, 1, 4, 5)
        LDP(4, 5, "[x10], #32")
        GROUP(2, 3, 6, 7)
        "subs x12, x12, #1\n\t"
        GROUP(4, 5, 4, 5)
        "b.ne 2b\n\t"
        "3:\n\t"
        : ACC(0), ACC(1), ACC(2), ACC(3)
        : [A] "r"(a), [B] "r"(b), [kc] "r"(kc)
        : "x9", "x10", "x11", "x12", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "cc",
          "memory");
    float *cr = c;
    if (beta == 0.0f) {
        PAIRS(STORE0_PAIR)
    } else {
        PAIRS(STORE_PAIR)
    }
}

static const lpk_gemm_ukr ukr = {
    .mr = MR, .nr = NR, .kr = KR, .esize = 2,
    .pack_a = pack_a, .pack_b = pack_b, .kernel = kernel_8x12,
    .thread_init = NULL, .blocks = LPK_GEMM_BLOCKING_DEFAULT, .flags = 0,
};

const lpk_gemm_ukr *lpk_gemm_ukr_8x12c4__neonbf16(void) { return &ukr; }
