/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, stochastic rounding with ARS-7 bits on Advanced SIMD
   without the AES extension (ARMv8.0 cores built without crypto):
   the bits from the portable software AES round (common/ars.h), the
   rounding as in neonaes.c; bit-identical to ref_ars.c.  Only aarch64
   compiles a body (the file is named for the neon tier). */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "round.h"
#include "../common/ars.h"

typedef lpk_ars_keys keys_t;

static inline void keys_init(keys_t *k, uint64_t seed) { lpk_ars_sr_keys(k, seed); }

static inline void bits(uint64_t q, size_t nb, const keys_t *k, uint16_t *r)
{
    for (size_t b = 0; b < nb; b++)
        lpk_ars_sr_block(k, (q + b) & LPK_ARS_QMASK, (uint8_t *)(r + 8 * b));
}

static inline uint32x4_t sum4(uint32x4_t u, uint32x4_t r32)
{
    const uint32x4_t nan = vcgtq_u32(vandq_u32(u, vdupq_n_u32(0x7FFFFFFF)), vdupq_n_u32(0x7F800000));
    return vbslq_u32(nan, vorrq_u32(u, vdupq_n_u32(0x400000)), vaddq_u32(u, r32));
}

static inline void block(const float *src, lpk_bf16 *dst, uint64_t q, const keys_t *k, int stream)
{
    uint16_t r[64];
    bits(q, 8, k, r);
    for (int i = 0; i < 8; i++) {
        const uint16x8_t rv = vld1q_u16(r + 8 * i);
        const uint32x4_t t0 = sum4(vld1q_u32((const uint32_t *)(src + 8 * i)), vmovl_u16(vget_low_u16(rv)));
        const uint32x4_t t1 = sum4(vld1q_u32((const uint32_t *)(src + 8 * i + 4)), vmovl_high_u16(rv));
        vst1q_u16(dst + 8 * i, vuzp2q_u16(vreinterpretq_u16_u32(t0), vreinterpretq_u16_u32(t1)));
    }
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__neon
#define ARS_KEYS keys_t
#define ARS_KEYS_INIT keys_init
#define ARS_STEP 64
#define ARS_BLOCK block
#define ARS_BITS bits
#define ARS_STREAM 0
#include "sr_ars-inl.h"
#endif
