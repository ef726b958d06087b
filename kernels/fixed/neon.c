/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, AArch64 Advanced SIMD, bit-identical to ref.c (dotf:
   within the bound of fixed.h).
   The ARM conversions already have the reference's edge semantics: FCVTNS
   (round to nearest, ties to even) and FCVTMS (round down) saturate to the
   int32 range and give 0 for NaN, and SQXTN narrows with saturation, so
   nearest    q = SQXTN(SQXTN(FCVTNS(v)))
   stochastic int8: q = SQXTN(SQXTN(FCVTPS(v - r))) (fixed.h, "One
              subtraction": FCVTPS rounds up, gives 0 for NaN and saturates);
              int16: fi = FCVTMS(v), frac = v - FRINTM(v), q = SQXTN(fi +
              (r < frac))  (frac is NaN for +-Inf and NaN, 0 past 2^23, so
              no round-up there and fi + 1 cannot overflow).
   Widening: SXTL (int8 -> int16 -> int32) + SCVTF, exact.
   dot8: SMULL/SMULL2 (int8 products fit int16) + SADALP into int32 lanes,
     at most 2^15 per lane and instruction, summed into int64 (SADALP
     .2d) every 2^16 elements.
   dot16: SMULL/SMULL2 (products fit int32, -32768 * -32768 = 2^30) and
     SADALP straight into int64 lanes.
   update: the loop of update-inl.h, 16 elements a step; the 64 shared bits
     of a call from one 8-block Philox (plus four blocks when offset is not
     a multiple of 8), as fp32 r / 2^16.
   Tails use the scalar definitions of fixed.h. */
#if !defined(__aarch64__)
#error "neon.c is for AArch64"
#endif
#include <arm_neon.h>

#include "fixed.h"
#include "../common/philox.h"
#include "../common/philox_neon.h"

#include "neon-inl.h"

/* ---- quantize ----------------------------------------------------------- */

INLINE void quant_any(const float *x, void *q, size_t n, float inv_delta, int sr, uint64_t seed,
                      uint64_t offset, int bits)
{
    const size_t es = (size_t)bits / 8;
    const lpk_round mode = sr ? LPK_ROUND_STOCHASTIC : LPK_ROUND_NEAREST;
    const float32x4_t inv = vdupq_n_f32(inv_delta);
    size_t i = 0;
    if (sr) {
        for (; i < n && ((offset + i) & 7); i++)
            store1(q, bits, i, lpk_fixed_round1(x[i] * inv_delta, mode, lpk_sr_bits16(seed, offset + i)));
        lpk_philox_keys_neon keys;
        lpk_philox_keys_neon_init(&keys, seed);
        for (; i + 64 <= n; i += 64) {
            uint32x4_t wx[4], wy[4];
            uint16x8_t r[8];
            lpk_philox8_neon((offset + i) >> 3, &keys, wx, wy);
            lpk_philox_bits_neon(wx, r);
            lpk_philox_bits_neon(wy, r + 4);
            for (int g = 0; g < 4; g++) { /* 16 elements per group: blocks 2g, 2g+1 */
                float32x4_t rf[4];
                r16_f32(r[2 * g], &rf[0], &rf[1]);
                r16_f32(r[2 * g + 1], &rf[2], &rf[3]);
                int32x4_t o[4];
                for (int j = 0; j < 4; j++) {
                    const float32x4_t v = vmulq_f32(vld1q_f32(x + i + 16 * g + 4 * j), inv);
                    o[j] = bits == 8 ? round_sr8(v, rf[j]) : round_sr(v, rf[j]);
                }
                store16((char *)q + es * (i + 16 * g), bits, o);
            }
        }
        for (; i < n; i++)
            store1(q, bits, i, lpk_fixed_round1(x[i] * inv_delta, mode, lpk_sr_bits16(seed, offset + i)));
        return;
    }
    for (; i + 16 <= n; i += 16) {
        int32x4_t o[4];
        for (int j = 0; j < 4; j++)
            o[j] = round_near(vmulq_f32(vld1q_f32(x + i + 4 * j), inv));
        store16((char *)q + es * i, bits, o);
    }
    for (; i < n; i++)
        store1(q, bits, i, lpk_fixed_round1(x[i] * inv_delta, mode, 0));
}



/* ---- dequantize --------------------------------------------------------- */

/* x = delta * q for a b-bit q (the entries are in entry-inl.h). */
INLINE void dequant_any(const void *q, float *x, size_t n, float delta, int bits)
{
    const int8_t *q8 = q;
    const int16_t *q16 = q;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4_t f[4];
        if (bits == 8)
            load8_f32(q8 + i, f);
        else
            load16_f32(q16 + i, f);
        for (int j = 0; j < 4; j++)
            vst1q_f32(x + i + 4 * j, vmulq_n_f32(f[j], delta));
    }
    for (; i < n; i++)
        x[i] = (bits == 8 ? (float)q8[i] : (float)q16[i]) * delta;
}

/* ---- dot ---------------------------------------------------------------- */

/* 2^16 elements: 2048 SADALP per accumulator (32 elements per iteration,
   two accumulators), each lane adding at most 2^15: below 2^26. */
#define DOT8_BLOCK ((size_t)1 << 16)

int64_t lpk_fixed_dot8__neon(const int8_t *a, const int8_t *b, size_t n)
{
    int64x2_t s64 = vdupq_n_s64(0);
    size_t i = 0;
    const size_t nv = n & ~(size_t)31;
    while (i < nv) {
        const size_t end = nv - i > DOT8_BLOCK ? i + DOT8_BLOCK : nv;
        int32x4_t c0 = vdupq_n_s32(0), c1 = c0, c2 = c0, c3 = c0;
        for (; i < end; i += 32) {
            const int8x16_t x0 = vld1q_s8(a + i), y0 = vld1q_s8(b + i);
            const int8x16_t x1 = vld1q_s8(a + i + 16), y1 = vld1q_s8(b + i + 16);
            c0 = vpadalq_s16(c0, vmull_s8(vget_low_s8(x0), vget_low_s8(y0)));
            c1 = vpadalq_s16(c1, vmull_high_s8(x0, y0));
            c2 = vpadalq_s16(c2, vmull_s8(vget_low_s8(x1), vget_low_s8(y1)));
            c3 = vpadalq_s16(c3, vmull_high_s8(x1, y1));
        }
        s64 = vpadalq_s32(s64, vaddq_s32(vaddq_s32(c0, c1), vaddq_s32(c2, c3)));
    }
    int64_t s = vaddvq_s64(s64);
    for (; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}

int64_t lpk_fixed_dot16__neon(const int16_t *a, const int16_t *b, size_t n)
{
    int64x2_t c0 = vdupq_n_s64(0), c1 = c0, c2 = c0, c3 = c0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const int16x8_t x0 = vld1q_s16(a + i), y0 = vld1q_s16(b + i);
        const int16x8_t x1 = vld1q_s16(a + i + 8), y1 = vld1q_s16(b + i + 8);
        c0 = vpadalq_s32(c0, vmull_s16(vget_low_s16(x0), vget_low_s16(y0)));
        c1 = vpadalq_s32(c1, vmull_high_s16(x0, y0));
        c2 = vpadalq_s32(c2, vmull_s16(vget_low_s16(x1), vget_low_s16(y1)));
        c3 = vpadalq_s32(c3, vmull_high_s16(x1, y1));
    }
    int64_t s = vaddvq_s64(vaddq_s64(vaddq_s64(c0, c1), vaddq_s64(c2, c3)));
    for (; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}

/* ---- update ------------------------------------------------------------- */

/* r16 of elements offset .. offset + 63 (one 8-block Philox, four blocks
   more when offset is not a multiple of 8), and those as fp32 r / 2^16. */
typedef struct {
    uint16_t r16[96];
    const uint16_t *rp;
    float rf[LPK_FIXED_SR_PERIOD];
} fix_bits;

INLINE void fix_bits_make(fix_bits *rb, uint64_t seed, uint64_t offset)
{
    lpk_philox_keys_neon keys;
    lpk_philox_keys_neon_init(&keys, seed);
    uint32x4_t wx[4], wy[4];
    uint16x8_t r[4];
    lpk_philox8_neon(offset >> 3, &keys, wx, wy);
    lpk_philox_bits_neon(wx, r);
    for (int k = 0; k < 4; k++)
        vst1q_u16(rb->r16 + 8 * k, r[k]);
    lpk_philox_bits_neon(wy, r);
    for (int k = 0; k < 4; k++)
        vst1q_u16(rb->r16 + 32 + 8 * k, r[k]);
    if (offset & 7) {
        lpk_philox4_neon((offset >> 3) + 8, &keys, wx);
        lpk_philox_bits_neon(wx, r);
        vst1q_u16(rb->r16 + 64, r[0]);
    }
    rb->rp = rb->r16 + (offset & 7);
    for (int k = 0; k < LPK_FIXED_SR_PERIOD; k += 8) {
        float32x4_t lo, hi;
        r16_f32(vld1q_u16(rb->rp + k), &lo, &hi);
        vst1q_f32(rb->rf + k, lo);
        vst1q_f32(rb->rf + k + 4, hi);
    }
}

INLINE float32x4_t fix_bits_vec(const fix_bits *rb, size_t i, int j)
{
    return vld1q_f32(rb->rf + (i & (LPK_FIXED_SR_PERIOD - 1)) + 4 * j);
}

INLINE uint32_t fix_bits16(const fix_bits *rb, size_t i)
{
    return rb->rp[i % LPK_FIXED_SR_PERIOD];
}

#include "update-inl.h"

/* ---- fp32 baseline ------------------------------------------------------ */

/* Four accumulators of 4 lanes, 16 elements per iteration, a tree over
   them, then the tail in order. */
float lpk_fixed_dotf__neon(const float *a, const float *b, size_t n)
{
    float32x4_t c0 = vdupq_n_f32(0.0f), c1 = c0, c2 = c0, c3 = c0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        c0 = vfmaq_f32(c0, vld1q_f32(a + i), vld1q_f32(b + i));
        c1 = vfmaq_f32(c1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        c2 = vfmaq_f32(c2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        c3 = vfmaq_f32(c3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(c0, c1), vaddq_f32(c2, c3)));
    for (; i < n; i++)
        s = fmaf(a[i], b[i], s);
    return s;
}

void lpk_fixed_updatef__neon(float *z, const float *x, const float *h, size_t n, float a, float b)
{
    const float32x4_t va = vdupq_n_f32(a), vb = vdupq_n_f32(b);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 4; j++) {
            const size_t o = i + 4 * j;
            const float32x4_t t = vfmaq_f32(vld1q_f32(h + o), vb, vld1q_f32(x + o));
            vst1q_f32(z + o, vfmaq_f32(t, va, vld1q_f32(z + o)));
        }
    for (; i < n; i++)
        z[i] = fmaf(a, z[i], fmaf(b, x[i], h[i]));
}

#define FIX_SUFFIX neon
#include "entry-inl.h"
