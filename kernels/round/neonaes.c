/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, stochastic rounding with ARS-7 bits on Advanced SIMD
   with the AES extension, bit-identical to ref_ars.c.
   Bits: eight independent ARS blocks per 64 elements with AESE/AESMC
   (common/ars_neon.h); a block's 16 bytes are the random uint16 of its 8
   elements in order.  Rounding: t = u + r16 (UXTL), NaN lanes
   (|u| > 0x7F800000) get u | quiet bit (BSL); UZP2 takes the high halves
   of two vectors in order.  Head and tail: sr_ars-inl.h.
   Relies on ASIMD and the AES extension (HWCAP_AES). */
#if !defined(__ARM_FEATURE_AES) && !defined(__ARM_FEATURE_CRYPTO)
#error "neonaes.c needs -march=armv8-a+crypto (CMake sets it for this file)"
#endif
#include <arm_neon.h>

#include "round.h"
#include "../common/ars_neon.h"

typedef lpk_ars_keys_neon keys_t;

static inline void keys_init(keys_t *k, uint64_t seed) { lpk_ars_keys_neon_init(k, seed, 0); }

static inline uint8x16_t ctr_block(uint64_t q)
{
    return vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(q & LPK_ARS_QMASK), vcreate_u64(0)));
}

static inline void bits(uint64_t q, size_t nb, const keys_t *k, uint16_t *r)
{
    for (size_t b = 0; b < nb; b++) {
        uint8x16_t v = ctr_block(q + b);
        lpk_ars_neon_n(&v, 1, k);
        vst1q_u8((uint8_t *)(r + 8 * b), v);
    }
}

static inline uint32x4_t sum4(uint32x4_t u, uint32x4_t r32)
{
    const uint32x4_t nan = vcgtq_u32(vandq_u32(u, vdupq_n_u32(0x7FFFFFFF)), vdupq_n_u32(0x7F800000));
    return vbslq_u32(nan, vorrq_u32(u, vdupq_n_u32(0x400000)), vaddq_u32(u, r32));
}

/* 8 elements with the 8 uint16 of r in order. */
static inline void sr8(const float *src, lpk_bf16 *dst, uint16x8_t r)
{
    const uint32x4_t u0 = vld1q_u32((const uint32_t *)src);
    const uint32x4_t u1 = vld1q_u32((const uint32_t *)(src + 4));
    const uint32x4_t t0 = sum4(u0, vmovl_u16(vget_low_u16(r)));
    const uint32x4_t t1 = sum4(u1, vmovl_high_u16(r));
    vst1q_u16(dst, vuzp2q_u16(vreinterpretq_u16_u32(t0), vreinterpretq_u16_u32(t1)));
}

static inline void block(const float *src, lpk_bf16 *dst, uint64_t q, const keys_t *k, int stream)
{
    uint8x16_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = ctr_block(q + (uint64_t)i);
    lpk_ars_neon_n(v, 8, k);
    for (int i = 0; i < 8; i++)
        sr8(src + 8 * i, dst + 8 * i, vreinterpretq_u16_u8(v[i]));
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__neonaes
#define ARS_KEYS keys_t
#define ARS_KEYS_INIT keys_init
#define ARS_STEP 64
#define ARS_BLOCK block
#define ARS_BITS bits
#define ARS_STREAM 0
#include "sr_ars-inl.h"
