/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, AArch64 Advanced SIMD (baseline ARMv8.0): bit-identical
   to ref.c, denormals never flushed.  Integer arithmetic only, so FPCR
   (flush-to-zero, default NaN, rounding mode) does not matter and no FP
   exception flag is raised.
   LD2 .8H splits eight binary32 patterns into their low halves `lo` and high
   halves `hi` (the truncated bf16), so everything runs on 8 lanes of 16 bits:
     carry of lo + b into bit 16 = bit 15 of UHADD(lo, b) = floor((lo+b)/2),
     result = USRA(hi, UHADD(lo, b), 15) = hi + carry;
   rne: b = 0x7FFF + (hi & 1) (AND, ADD);  sr: b = r16 from Philox.
   NaN: (hi << 1) + (lo != 0) > 0xFF00 (SHL, CMTST, USRA, CMHI); NaN lanes
   drop the carry (BIC) and get the quiet bit (AND, ORR) -- no BSL, whose
   destructive form would cost a register copy.  Per 8 elements: rne 11 ops,
   sr 9 ops plus Philox.  Each step is written for four vectors (32 elements)
   at once, with named registers: in-order cores (Cortex-A53/A55) then see
   independent instructions back to back, and GCC allocates the LD2 pairs
   without copies (arrays of uint16x8x2_t made it emit MOVs).
   sr: Philox4x32-10 on 8 blocks (64 elements) per iteration, two
   interleaved chains (common/philox_neon.h); the partial 32-element chunks
   at either end go through a stack buffer so that the vector code does them
   too (no per-element Philox).
   widen: USHLL #16 / USHLL2 #16, 16 elements per iteration.
   The partial tails of rne/widen also go through a stack buffer. */
#if !defined(__ARM_NEON) || !defined(__aarch64__)
#error "neon.c needs AArch64 Advanced SIMD (__ARM_NEON)"
#endif
#include <arm_neon.h>
#include <string.h>

#include "round.h"
#include "../common/philox_neon.h"

/* A 32-element step is four 8-element chunks k = 0..3 held in named
   registers lo<k>, hi<k> (the two halves), h<k> (UHADD(lo, b): bit 15 is
   the carry into bit 16) and nan<k>.  X4(S) writes step S for all four. */
#define X4(S) S(0) S(1) S(2) S(3)
#define CHUNK_REGS                                                               \
    uint16x8_t lo0, lo1, lo2, lo3, hi0, hi1, hi2, hi3, h0, h1, h2, h3, nan0, nan1, \
        nan2, nan3
/* LD2 reads the binary32 patterns as uint16 pairs (an intrinsic access, not
   an lvalue of type uint16_t). */
#define LOAD8(k)                                                                 \
    {                                                                            \
        const uint16x8x2_t t_ = vld2q_u16((const uint16_t *)(src + 8 * k));      \
        lo##k = t_.val[0];                                                       \
        hi##k = t_.val[1];                                                       \
    }
#define RNE_CARRY8(k) /* b = 0x7FFF + (hi & 1) */                                \
    h##k = vhaddq_u16(lo##k, vaddq_u16(vandq_u16(hi##k, vdupq_n_u16(1)), vdupq_n_u16(0x7FFF)));
#define SR_CARRY8(k) h##k = vhaddq_u16(lo##k, r[k]);
/* NaN iff (hi << 1) + (lo != 0) > 0xFF00, i.e. |u| > 0x7F800000. */
#define MAG8(k) nan##k = vsraq_n_u16(vshlq_n_u16(hi##k, 1), vtstq_u16(lo##k, lo##k), 15);
#define NAN8(k) nan##k = vcgtq_u16(nan##k, vdupq_n_u16(0xFF00));
#define QUIET8(k) hi##k = vorrq_u16(hi##k, vandq_u16(nan##k, vdupq_n_u16(0x40)));
#define STORE8(k) vst1q_u16(dst + 8 * k, vsraq_n_u16(hi##k, vbicq_u16(h##k, nan##k), 15));
#define FINISH32 X4(MAG8) X4(NAN8) X4(QUIET8) X4(STORE8)

static inline void rne32(const float *src, lpk_bf16 *dst)
{
    CHUNK_REGS;
    X4(LOAD8)
    X4(RNE_CARRY8)
    FINISH32
}

void lpk_round_rne_f32_bf16__neon(const float *src, lpk_bf16 *dst, size_t n)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        rne32(src + i, dst + i);
    if (i < n) {
        float in[32] = {0};
        lpk_bf16 out[32];
        memcpy(in, src + i, (n - i) * sizeof *in);
        rne32(in, out);
        memcpy(dst + i, out, (n - i) * sizeof *out);
    }
}

/* 32 elements = blocks q .. q+3, Philox words x from lpk_philox4_neon. */
static inline void sr32(const float *src, lpk_bf16 *dst, const uint32x4_t x[4])
{
    CHUNK_REGS;
    uint16x8_t r[4];
    X4(LOAD8)
    lpk_philox_bits_neon(x, r);
    X4(SR_CARRY8)
    FINISH32
}

/* m elements from position s of the 32-element chunk of blocks q .. q+3
   (s + m <= 32), through a buffer. */
static void sr_part(const float *src, lpk_bf16 *dst, size_t m, size_t s, uint64_t q,
                    const lpk_philox_keys_neon *k)
{
    float in[32] = {0};
    lpk_bf16 out[32];
    uint32x4_t x[4];
    memcpy(in + s, src, m * sizeof *in);
    lpk_philox4_neon(q, k, x);
    sr32(in, out, x);
    memcpy(dst, out + s, m * sizeof *out);
}

void lpk_round_sr_f32_bf16__neon(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed,
                                 uint64_t offset)
{
    if (n == 0)
        return;
    lpk_philox_keys_neon k;
    lpk_philox_keys_neon_init(&k, seed);
    size_t i = 0;
    const size_t s = (size_t)(offset & 7);
    if (s) { /* to the next block boundary, and on to the end of that chunk */
        i = n < 32 - s ? n : 32 - s;
        sr_part(src, dst, i, s, offset >> 3, &k);
    }
    for (; i + 64 <= n; i += 64) {
        uint32x4_t x[4], y[4];
        lpk_philox8_neon((offset + i) >> 3, &k, x, y);
        sr32(src + i, dst + i, x);
        sr32(src + i + 32, dst + i + 32, y);
    }
    if (i + 32 <= n) {
        uint32x4_t x[4];
        lpk_philox4_neon((offset + i) >> 3, &k, x);
        sr32(src + i, dst + i, x);
        i += 32;
    }
    if (i < n)
        sr_part(src + i, dst + i, n - i, 0, (offset + i) >> 3, &k);
}

static inline void widen16(const lpk_bf16 *src, float *dst)
{
    const uint16x8_t a = vld1q_u16(src), b = vld1q_u16(src + 8);
    vst1q_f32(dst, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(a), 16)));
    vst1q_f32(dst + 4, vreinterpretq_f32_u32(vshll_high_n_u16(a, 16)));
    vst1q_f32(dst + 8, vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(b), 16)));
    vst1q_f32(dst + 12, vreinterpretq_f32_u32(vshll_high_n_u16(b, 16)));
}

void lpk_round_bf16_f32__neon(const lpk_bf16 *src, float *dst, size_t n)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        widen16(src + i, dst + i);
    if (i < n) {
        lpk_bf16 in[16] = {0};
        float out[16];
        memcpy(in, src + i, (n - i) * sizeof *in);
        widen16(in, out);
        memcpy(dst + i, out, (n - i) * sizeof *out);
    }
}
