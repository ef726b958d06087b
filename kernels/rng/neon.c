/* SPDX-License-Identifier: Apache-2.0 */
/* Philox4x32-10 blocks on Advanced SIMD with lpk's SR layout
   (common/philox_neon.h: two interleaved 4-block chains), in element order;
   bit-identical to ref.c.  The rate of the bits alone, beside ARS's. */
#include <arm_neon.h>

#include "rng.h"
#include "../common/philox_neon.h"

void lpk_rng_philox__neon(uint64_t seed, uint64_t q, size_t nblocks, uint32_t *out)
{
    lpk_philox_keys_neon k;
    lpk_philox_keys_neon_init(&k, seed);
    size_t b = 0;
    for (; b + 8 <= nblocks; b += 8) {
        uint32x4_t x[4], y[4];
        uint16x8_t r[4];
        lpk_philox8_neon(q + b, &k, x, y);
        lpk_philox_bits_neon(x, r);
        for (int i = 0; i < 4; i++)
            vst1q_u16((uint16_t *)(out + 4 * (b + i)), r[i]);
        lpk_philox_bits_neon(y, r);
        for (int i = 0; i < 4; i++)
            vst1q_u16((uint16_t *)(out + 4 * (b + 4 + i)), r[i]);
    }
    for (; b < nblocks; b++)
        lpk_philox_sr_block(seed, q + b, out + 4 * b);
}
