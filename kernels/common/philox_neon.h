/* SPDX-License-Identifier: Apache-2.0 */
/* Philox4x32-10 on AArch64 Advanced SIMD, bit-identical to philox.h.
   Layout: structure of arrays, four blocks at a time: x[w] lane b holds word
   w of block q + b.  A round needs both halves of M0*c0 and M1*c2: UMULL /
   UMULL2 give the four 64-bit products of a vector in two registers, and
   UZP1 / UZP2 split them into the low words and the high words, so a round
   is 4 multiplies + 4 permutes + 4 eors for four blocks; c ^ k is formed
   first, so only one EOR follows the multiply on the dependency chain.
   The rounds are unrolled (#pragma GCC unroll, which clang honours too).
   Two independent groups (eight blocks) are interleaved so that in-order
   cores (Cortex-A53) can hide the multiply latency.
   The first round is specialised: c2 = c3 = 0 there, so M1*c2 = 0.
   Block indices q + b wrap modulo 2^61 (LPK_PHILOX_QMASK), like the element
   indices they come from wrap modulo 2^64. */
#ifndef LPK_PHILOX_NEON_H
#define LPK_PHILOX_NEON_H

#include <arm_neon.h>
#include <stdint.h>

#include "philox.h"

/* Round keys, one per round (k0 + r*W0, k1 + r*W1). */
typedef struct {
    uint32_t k0[10], k1[10];
} lpk_philox_keys_neon;

static inline void lpk_philox_keys_neon_init(lpk_philox_keys_neon *k, uint64_t seed)
{
    lpk_philox_round_keys(seed, k->k0, k->k1);
}

/* Counters of blocks q .. q+3: c0 = low words, c1 = high words. */
static inline void lpk_philox_ctr4_neon(uint64_t q, uint32x4_t *c0, uint32x4_t *c1)
{
    static const uint64_t lanes[4] = {0, 1, 2, 3};
    const uint64x2_t qv = vdupq_n_u64(q), mask = vdupq_n_u64(LPK_PHILOX_QMASK);
    const uint32x4_t b01 = vreinterpretq_u32_u64(vandq_u64(vaddq_u64(qv, vld1q_u64(lanes)), mask));
    const uint32x4_t b23 = vreinterpretq_u32_u64(vandq_u64(vaddq_u64(qv, vld1q_u64(lanes + 2)), mask));
    *c0 = vuzp1q_u32(b01, b23);
    *c1 = vuzp2q_u32(b01, b23);
}

/* 32x32 -> 64 products of the four lanes of c by m: low and high words. */
static inline void lpk_philox_mul_neon(uint32x4_t c, uint32_t m, uint32x4_t *lo, uint32x4_t *hi)
{
    const uint32x4_t p01 = vreinterpretq_u32_u64(vmull_n_u32(vget_low_u32(c), m));
    const uint32x4_t p23 = vreinterpretq_u32_u64(vmull_high_n_u32(c, m));
    *lo = vuzp1q_u32(p01, p23);
    *hi = vuzp2q_u32(p01, p23);
}

/* One Philox round on four blocks. */
#define LPK_PHILOX_NEON_ROUND(x, kk0, kk1)                                   \
    do {                                                                     \
        uint32x4_t lo0_, hi0_, lo1_, hi1_;                                   \
        lpk_philox_mul_neon((x)[0], LPK_PHILOX_M0, &lo0_, &hi0_);            \
        lpk_philox_mul_neon((x)[2], LPK_PHILOX_M1, &lo1_, &hi1_);            \
        (x)[0] = veorq_u32(hi1_, veorq_u32((x)[1], (kk0)));                  \
        (x)[2] = veorq_u32(hi0_, veorq_u32((x)[3], (kk1)));                  \
        (x)[1] = lo1_;                                                       \
        (x)[3] = lo0_;                                                       \
    } while (0)

/* First round: c2 = c3 = 0, so new c0 = c1 ^ k0, c1 = 0, new c2 =
   hi(M0 c0) ^ k1, c3 = lo(M0 c0).  The second round then has c1 = 0. */
#define LPK_PHILOX_NEON_FIRST2(x, k)                                         \
    do {                                                                     \
        uint32x4_t lo0_, hi0_, lo1_, hi1_;                                   \
        lpk_philox_mul_neon((x)[0], LPK_PHILOX_M0, &lo0_, &hi0_);            \
        (x)[0] = veorq_u32((x)[1], vdupq_n_u32((k)->k0[0]));                 \
        (x)[2] = veorq_u32(hi0_, vdupq_n_u32((k)->k1[0]));                   \
        (x)[3] = lo0_;                                                       \
        lpk_philox_mul_neon((x)[0], LPK_PHILOX_M0, &lo0_, &hi0_);            \
        lpk_philox_mul_neon((x)[2], LPK_PHILOX_M1, &lo1_, &hi1_);            \
        (x)[0] = veorq_u32(hi1_, vdupq_n_u32((k)->k0[1]));                   \
        (x)[2] = veorq_u32(hi0_, veorq_u32((x)[3], vdupq_n_u32((k)->k1[1]))); \
        (x)[1] = lo1_;                                                       \
        (x)[3] = lo0_;                                                       \
    } while (0)

/* Philox words of blocks q .. q+3: x[w] lane b = word w of block q + b. */
static inline void lpk_philox4_neon(uint64_t q, const lpk_philox_keys_neon *k, uint32x4_t x[4])
{
    lpk_philox_ctr4_neon(q, &x[0], &x[1]);
    LPK_PHILOX_NEON_FIRST2(x, k);
#pragma GCC unroll 8
    for (int r = 2; r < 10; r++)
        LPK_PHILOX_NEON_ROUND(x, vdupq_n_u32(k->k0[r]), vdupq_n_u32(k->k1[r]));
}

/* Blocks q .. q+3 into x, q+4 .. q+7 into y, the two chains interleaved. */
static inline void lpk_philox8_neon(uint64_t q, const lpk_philox_keys_neon *k, uint32x4_t x[4],
                                    uint32x4_t y[4])
{
    lpk_philox_ctr4_neon(q, &x[0], &x[1]);
    lpk_philox_ctr4_neon(q + 4, &y[0], &y[1]);
    LPK_PHILOX_NEON_FIRST2(x, k);
    LPK_PHILOX_NEON_FIRST2(y, k);
#pragma GCC unroll 8
    for (int r = 2; r < 10; r++) {
        const uint32x4_t k0 = vdupq_n_u32(k->k0[r]), k1 = vdupq_n_u32(k->k1[r]);
        LPK_PHILOX_NEON_ROUND(x, k0, k1);
        LPK_PHILOX_NEON_ROUND(y, k0, k1);
    }
}

/* SoA words to the random uint16 of each block in element order:
   r[b] = the eight uint16 of block q + b (a 4x4 transpose of 32-bit words). */
static inline void lpk_philox_bits_neon(const uint32x4_t x[4], uint16x8_t r[4])
{
    const uint32x4_t t0 = vtrn1q_u32(x[0], x[1]), t1 = vtrn2q_u32(x[0], x[1]);
    const uint32x4_t t2 = vtrn1q_u32(x[2], x[3]), t3 = vtrn2q_u32(x[2], x[3]);
    r[0] = vreinterpretq_u16_u64(vtrn1q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2)));
    r[1] = vreinterpretq_u16_u64(vtrn1q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3)));
    r[2] = vreinterpretq_u16_u64(vtrn2q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2)));
    r[3] = vreinterpretq_u16_u64(vtrn2q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3)));
}

#endif
