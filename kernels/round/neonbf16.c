/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, AArch64 BF16 (FEAT_BF16): BFCVTN / BFCVTN2 narrow 8
   floats to bf16 in two instructions.  Under the FPCR that Linux gives every
   thread (RMode = nearest-even, FZ = 0, DN = 0, AH = 0, no traps) BFCVTN is
   exactly ref.c's rounding: ties to even, denormal inputs and results kept,
   NaNs quieted with sign and top payload kept (Arm ARM FPConvertBF; checked
   against ref.c on all 2^32 inputs under qemu -cpu max), so unlike x86's
   VCVTNE2PS2BF16 no lane needs the integer path.  When the caller has
   changed FPCR (flush-to-zero, default-NaN, another rounding mode, alternate
   FP behaviour, trapping) the integer kernel of neon.c runs instead, so the
   result stays bit-identical to ref.c whatever the FP environment (one MRS
   per call).
   Unlike ref.c, BFCVTN sets FPSR's cumulative flags (IXC, UFC, OFC, and IOC
   for signalling NaNs); they are sticky status bits, never traps here. */
#if !defined(__ARM_FEATURE_BF16_VECTOR_ARITHMETIC) || !defined(__aarch64__)
#error "neonbf16.c needs -march=armv8.2-a+bf16 (or later) on AArch64"
#endif
#include <arm_neon.h>

#include "round.h"

/* FPCR fields that change BFCVTN's result or make it trap: FIZ, AH, the
   trap enables IOE..IXE and IDE, FZ16, RMode, FZ, DN. */
#define FPCR_NONDEFAULT ((1u << 0) | (1u << 1) | (0x1Fu << 8) | (1u << 15) | (1u << 19) | \
                         (3u << 22) | (1u << 24) | (1u << 25))

static inline uint64_t read_fpcr(void)
{
    uint64_t v;
    __asm__ volatile("mrs %0, fpcr" : "=r"(v));
    return v;
}

void lpk_round_rne_f32_bf16__neonbf16(const float *src, lpk_bf16 *dst, size_t n)
{
    if (__builtin_expect((read_fpcr() & FPCR_NONDEFAULT) != 0, 0)) {
        lpk_round_rne_f32_bf16__neon(src, dst, n);
        return;
    }
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        /* Named registers, plain loads and stores (LDP/STP pairs), each
           step for the four vectors at once: GCC 12 adds register copies
           around four-register LD1/ST1 tuples, and in-order cores (the
           Cortex-A510 has BF16) want independent instructions adjacent. */
        const float *p = src + i;
        const float32x4_t a0 = vld1q_f32(p), a1 = vld1q_f32(p + 4), b0 = vld1q_f32(p + 8),
                          b1 = vld1q_f32(p + 12), c0 = vld1q_f32(p + 16), c1 = vld1q_f32(p + 20),
                          d0 = vld1q_f32(p + 24), d1 = vld1q_f32(p + 28);
        const bfloat16x8_t a = vcvtq_low_bf16_f32(a0), b = vcvtq_low_bf16_f32(b0),
                           c = vcvtq_low_bf16_f32(c0), d = vcvtq_low_bf16_f32(d0);
        vst1q_u16(dst + i, vreinterpretq_u16_bf16(vcvtq_high_bf16_f32(a, a1)));
        vst1q_u16(dst + i + 8, vreinterpretq_u16_bf16(vcvtq_high_bf16_f32(b, b1)));
        vst1q_u16(dst + i + 16, vreinterpretq_u16_bf16(vcvtq_high_bf16_f32(c, c1)));
        vst1q_u16(dst + i + 24, vreinterpretq_u16_bf16(vcvtq_high_bf16_f32(d, d1)));
    }
    if (i < n) /* the integer kernel's tail: one vector step through a buffer */
        lpk_round_rne_f32_bf16__neon(src + i, dst + i, n - i);
}
