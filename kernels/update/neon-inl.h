/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, Advanced SIMD: the vector primitives and the Philox
   bits of step-inl.h on 4 fp32 lanes, shared by neon.c and neonaes.c (which
   add the ARS bits and the kernel names).  Numerics and layout: neon.c. */
#if !defined(__ARM_NEON) || !defined(__aarch64__)
#error "neon-inl.h needs AArch64 Advanced SIMD (__ARM_NEON)"
#endif
#include <arm_neon.h>
#include <string.h>

#include "update.h"
#include "../common/philox_neon.h"
#include "../common/stream.h"

#define UV float32x4_t
#define UPD_VL 4
#define UPD_STEP 64
#define UPD_RB 1

static inline float32x4_t v_set(float x) { return vdupq_n_f32(x); }
static inline float32x4_t v_add(float32x4_t a, float32x4_t b) { return vaddq_f32(a, b); }
static inline float32x4_t v_sub(float32x4_t a, float32x4_t b) { return vsubq_f32(a, b); }
static inline float32x4_t v_mul(float32x4_t a, float32x4_t b) { return vmulq_f32(a, b); }
static inline float32x4_t v_div(float32x4_t a, float32x4_t b) { return vdivq_f32(a, b); }
static inline float32x4_t v_sqrt(float32x4_t a) { return vsqrtq_f32(a); }

static inline void v_ld16(const lpk_bf16 *p, float32x4_t *lo, float32x4_t *hi)
{
    const uint16x8_t x = vld1q_u16(p);
    *lo = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(x), 16));
    *hi = vreinterpretq_f32_u32(vshll_high_n_u16(x, 16));
}

static inline void v_ld32(const float *p, float32x4_t *lo, float32x4_t *hi)
{
    *lo = vld1q_f32(p);
    *hi = vld1q_f32(p + 4);
}

static inline void v_st32(float *p, float32x4_t lo, float32x4_t hi)
{
    vst1q_f32(p, lo);
    vst1q_f32(p + 4, hi);
}

static inline void v_st16(lpk_bf16 *p, float32x4_t lo, float32x4_t hi)
{
    const uint16x8_t h = vuzp2q_u16(vreinterpretq_u16_f32(lo), vreinterpretq_u16_f32(hi));
    const uint16x8_t nan = vcgtq_u16(vandq_u16(h, vdupq_n_u16(0x7FFF)), vdupq_n_u16(0x7F80));
    vst1q_u16(p, vbslq_u16(nan, vdupq_n_u16((uint16_t)LPK_UPD_QNAN16), h));
}

static inline float32x4_t v_canon(float32x4_t x)
{
    return vbslq_f32(vceqq_f32(x, x), x, vreinterpretq_f32_u32(vdupq_n_u32(LPK_UPD_QNAN32)));
}

static inline float32x4_t v_rne_raw(float32x4_t x)
{
    const uint32x4_t u = vreinterpretq_u32_f32(x);
    const uint32x4_t t = vaddq_u32(u, vdupq_n_u32(0x7FFF));
    return vreinterpretq_f32_u32(vsraq_n_u32(t, vshlq_n_u32(u, 15), 31));
}

static inline float32x4_t v_bf(float32x4_t x)
{
    return vreinterpretq_f32_u32(
        vandq_u32(vreinterpretq_u32_f32(v_rne_raw(x)), vdupq_n_u32(0xFFFF0000u)));
}

/* Bitwise OR, and whether every lane is a bf16 value (low half zero). */
static inline float32x4_t v_or(float32x4_t a, float32x4_t b)
{
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)));
}
static inline int v_is_bf16(float32x4_t x)
{
    return vmaxvq_u32(vshlq_n_u32(vreinterpretq_u32_f32(x), 16)) == 0;
}

static inline float32x4_t v_sr_raw(float32x4_t x, float32x4_t r)
{
    return vreinterpretq_f32_u32(vaddq_u32(vreinterpretq_u32_f32(x), vreinterpretq_u32_f32(r)));
}

typedef lpk_philox_keys_neon upd_pkeys;
static inline void upd_pkeys_init(upd_pkeys *k, uint64_t seed) { lpk_philox_keys_neon_init(k, seed); }

/* The two bit vectors of a pair (8 elements in order) from their uint16. */
static inline void upd_r16(uint16x8_t b, float32x4_t r[2])
{
    r[0] = vreinterpretq_f32_u32(vmovl_u16(vget_low_u16(b)));
    r[1] = vreinterpretq_f32_u32(vmovl_high_u16(b));
}

/* The ARS fallback of step-inl.h reads the bits of a pair from memory. */
static inline void upd_r16_load(const uint16_t *b, UV r[2]) { upd_r16(vld1q_u16(b), r); }

/* Bits of elements 8q .. 8q+63: pair p (8 elements) is block q + p. */
static inline void upd_prbits(const upd_pkeys *k, uint64_t q, float32x4_t r[16])
{
    uint32x4_t x[4], y[4];
    uint16x8_t b[8];
    lpk_philox8_neon(q, k, x, y);
    lpk_philox_bits_neon(x, b);
    lpk_philox_bits_neon(y, b + 4);
    for (int p = 0; p < 8; p++)
        upd_r16(b[p], r + 2 * p);
}
