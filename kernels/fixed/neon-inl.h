/* SPDX-License-Identifier: Apache-2.0 */
/* Advanced SIMD primitives of the fixed-point family shared by neon.c
   (Philox bits) and neonaes.c (ARS bits): the rounding cores, narrowing,
   widening, and the vector primitives of update-inl.h except the bits (the
   scheme is described in neon.c).  AArch64 only. */
#ifndef LPK_FIXED_NEON_INL_H
#define LPK_FIXED_NEON_INL_H

#include <arm_neon.h>

#include "fixed.h"

#define INLINE static inline __attribute__((always_inline))

/* ---- rounding cores ---------------------------------------------------- */

INLINE int32x4_t round_near(float32x4_t v) { return vcvtnq_s32_f32(v); }

/* int8: q = FCVTPS(v - r), the ceiling of the fp32 difference (fixed.h,
   "One subtraction"): FCVTPS gives 0 for NaN and saturates, and every v
   past the int8 range stays past it, so SQXTN finishes the job. */
INLINE int32x4_t round_sr8(float32x4_t v, float32x4_t r)
{
    return vcvtpq_s32_f32(vsubq_f32(v, r));
}

INLINE int32x4_t round_sr(float32x4_t v, float32x4_t r)
{
    const int32x4_t fi = vcvtmq_s32_f32(v);
    const float32x4_t frac = vsubq_f32(v, vrndmq_f32(v));
    return vsubq_s32(fi, vreinterpretq_s32_u32(vcltq_f32(r, frac)));
}

/* 16 int32 -> 16 saturated int8. */
INLINE int8x16_t narrow8(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d)
{
    const int16x8_t ab = vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
    const int16x8_t cd = vcombine_s16(vqmovn_s32(c), vqmovn_s32(d));
    return vcombine_s8(vqmovn_s16(ab), vqmovn_s16(cd));
}

INLINE int16x8_t narrow16(int32x4_t a, int32x4_t b)
{
    return vcombine_s16(vqmovn_s32(a), vqmovn_s32(b));
}

/* 16 int8 / int16 at p as four fp32 vectors. */
INLINE void load8_f32(const int8_t *p, float32x4_t f[4])
{
    const int8x16_t q = vld1q_s8(p);
    const int16x8_t lo = vmovl_s8(vget_low_s8(q)), hi = vmovl_high_s8(q);
    f[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo)));
    f[1] = vcvtq_f32_s32(vmovl_high_s16(lo));
    f[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi)));
    f[3] = vcvtq_f32_s32(vmovl_high_s16(hi));
}

INLINE void load16_f32(const int16_t *p, float32x4_t f[4])
{
    const int16x8_t lo = vld1q_s16(p), hi = vld1q_s16(p + 8);
    f[0] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(lo)));
    f[1] = vcvtq_f32_s32(vmovl_high_s16(lo));
    f[2] = vcvtq_f32_s32(vmovl_s16(vget_low_s16(hi)));
    f[3] = vcvtq_f32_s32(vmovl_high_s16(hi));
}

/* Stores 16 results (four int32 vectors) as int8 or int16. */
INLINE void store16(void *q, int bits, const int32x4_t o[4])
{
    if (bits == 8) {
        vst1q_s8((int8_t *)q, narrow8(o[0], o[1], o[2], o[3]));
    } else {
        vst1q_s16((int16_t *)q, narrow16(o[0], o[1]));
        vst1q_s16((int16_t *)q + 8, narrow16(o[2], o[3]));
    }
}

INLINE void store1(void *q, int bits, size_t i, float v)
{
    if (bits == 8)
        ((int8_t *)q)[i] = (int8_t)lpk_fixed_sat1(v, 8);
    else
        ((int16_t *)q)[i] = (int16_t)lpk_fixed_sat1(v, 16);
}

/* Eight uint16 r16 -> two fp32 vectors r16 / 2^16. */
INLINE void r16_f32(uint16x8_t r, float32x4_t *lo, float32x4_t *hi)
{
    const float32x4_t s = vdupq_n_f32(1.0f / 65536.0f);
    *lo = vmulq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(r))), s);
    *hi = vmulq_f32(vcvtq_f32_u32(vmovl_high_u16(r)), s);
}

/* ---- update primitives (update-inl.h) ----------------------------------- */

#define FIX_UV float32x4_t
#define FIX_IV int32x4_t
#define FIX_VL 4
#define FIX_STEP 16
#define FIX_MASKED_TAIL 0

INLINE float32x4_t fix_set(float x) { return vdupq_n_f32(x); }
INLINE float32x4_t fix_loadf(const float *p) { return vld1q_f32(p); }
INLINE float32x4_t fix_fma(float32x4_t a, float32x4_t x, float32x4_t c)
{
    return vfmaq_f32(c, a, x);
}

INLINE void fix_widen4(const void *p, int bits, float32x4_t f[4])
{
    if (bits == 8)
        load8_f32(p, f);
    else
        load16_f32(p, f);
}

/* The conversions saturate and give 0 for NaN, so one rounding serves. */
INLINE int32x4_t fix_round(float32x4_t v, float32x4_t r, float32x4_t hi, int sr, int bits)
{
    return !sr ? round_near(v) : bits == 8 ? round_sr8(v, r) : round_sr(v, r);
}

INLINE int32x4_t fix_round_fast(float32x4_t v, float32x4_t r, int sr, int bits)
{
    return fix_round(v, r, v, sr, bits);
}

INLINE void fix_store(void *z, const int32x4_t o[4], int bits) { store16(z, bits, o); }

INLINE int fix_store_fast(void *z, const int32x4_t o[4], int bits)
{
    store16(z, bits, o);
    return 1;
}

#endif
