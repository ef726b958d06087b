/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar references of the generator family: one block at a time through
   the definitions (common/ars.h, common/philox.h). */
#include "rng.h"
#include "../common/ars.h"
#include "../common/philox.h"

void lpk_rng_ars__ref(const uint32_t key[4], const uint32_t ctr[4], size_t nblocks,
                      uint32_t *out)
{
    const uint64_t lo = ctr[0] | (uint64_t)ctr[1] << 32;
    for (size_t b = 0; b < nblocks; b++) {
        const uint64_t c = lo + b;
        const uint32_t cb[4] = {(uint32_t)c, (uint32_t)(c >> 32), ctr[2], ctr[3]};
        lpk_ars_block(cb, key, out + 4 * b);
    }
}

void lpk_rng_philox__ref(uint64_t seed, uint64_t q, size_t nblocks, uint32_t *out)
{
    for (size_t b = 0; b < nblocks; b++)
        lpk_philox_sr_block(seed, q + b, out + 4 * b);
}
