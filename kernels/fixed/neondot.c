/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point dot8 with the AArch64 dot-product extension (FEAT_DotProd),
   exact (= ref.c): SDOT adds four int8 products to an int32 lane, at most
   4 * 2^14 = 2^16 per lane and instruction; with four accumulators and 64
   elements per iteration a 2^16-element block adds at most 1024
   instructions per accumulator (below 2^26, the sum of four below 2^28)
   before the lanes are summed into int64 (SADALP .2d).  The tail uses the
   scalar definition. */
#if !defined(__aarch64__) || !defined(__ARM_FEATURE_DOTPROD)
#error "neondot.c needs -march=armv8.2-a+dotprod"
#endif
#include <arm_neon.h>

#include "fixed.h"

#define DOT8_BLOCK ((size_t)1 << 16)

int64_t lpk_fixed_dot8__neondot(const int8_t *a, const int8_t *b, size_t n)
{
    int64x2_t s64 = vdupq_n_s64(0);
    size_t i = 0;
    const size_t nv = n & ~(size_t)63;
    while (i < nv) {
        const size_t end = nv - i > DOT8_BLOCK ? i + DOT8_BLOCK : nv;
        int32x4_t c0 = vdupq_n_s32(0), c1 = c0, c2 = c0, c3 = c0;
        for (; i < end; i += 64) {
            c0 = vdotq_s32(c0, vld1q_s8(a + i), vld1q_s8(b + i));
            c1 = vdotq_s32(c1, vld1q_s8(a + i + 16), vld1q_s8(b + i + 16));
            c2 = vdotq_s32(c2, vld1q_s8(a + i + 32), vld1q_s8(b + i + 32));
            c3 = vdotq_s32(c3, vld1q_s8(a + i + 48), vld1q_s8(b + i + 48));
        }
        s64 = vpadalq_s32(s64, vaddq_s32(vaddq_s32(c0, c1), vaddq_s32(c2, c3)));
    }
    int64_t s = vaddvq_s64(s64);
    for (; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}
