/* SPDX-License-Identifier: Apache-2.0 */
/* Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as
   easy as 1, 2, 3", SC'11), scalar.  Passes BigCrush; known-answer vectors
   from the authors' Random123 distribution are in tests/test_philox.c.
   Vector versions live next to each ISA's kernels and must produce the
   same words. */
#ifndef LPK_PHILOX_H
#define LPK_PHILOX_H

#include <stdint.h>

#define LPK_PHILOX_M0 0xD2511F53u
#define LPK_PHILOX_M1 0xCD9E8D57u
#define LPK_PHILOX_W0 0x9E3779B9u
#define LPK_PHILOX_W1 0xBB67AE85u
/* Element indices wrap modulo 2^64, so block indices (j >> 3) modulo 2^61:
   vector code computing q + lane must mask with this. */
#define LPK_PHILOX_QMASK ((1ull << 61) - 1)

/* The key of each of the 10 rounds: (k0 + r*W0, k1 + r*W1). */
static inline void lpk_philox_round_keys(uint64_t seed, uint32_t k0[10], uint32_t k1[10])
{
    uint32_t a = (uint32_t)seed, b = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++, a += LPK_PHILOX_W0, b += LPK_PHILOX_W1) {
        k0[r] = a;
        k1[r] = b;
    }
}

static inline void lpk_philox_block(const uint32_t ctr[4], const uint32_t key[2],
                                    uint32_t out[4])
{
    uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += LPK_PHILOX_W0;
            k1 += LPK_PHILOX_W1;
        }
        const uint64_t p0 = (uint64_t)LPK_PHILOX_M0 * c0;
        const uint64_t p1 = (uint64_t)LPK_PHILOX_M1 * c2;
        const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        const uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* The 128 random bits that serve elements 8q .. 8q+7 of stream `seed`:
   counter {lo(q), hi(q), 0, 0}, key {lo(seed), hi(seed)}. */
static inline void lpk_philox_sr_block(uint64_t seed, uint64_t q, uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)q, (uint32_t)(q >> 32), 0, 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    lpk_philox_block(ctr, key, out);
}

/* The 16 random bits of element j: the (j & 7)-th little-endian uint16 of
   block j >> 3. */
static inline uint32_t lpk_sr_bits16(uint64_t seed, uint64_t j)
{
    uint32_t w[4];
    lpk_philox_sr_block(seed, j >> 3, w);
    return (w[(j & 7) >> 1] >> (16 * (j & 1))) & 0xFFFFu;
}

#endif
