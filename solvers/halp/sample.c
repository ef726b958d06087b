/* SPDX-License-Identifier: Apache-2.0 */
/* The sample-index stream of the SGD-type solvers (lpk.h, "Sampling"):
   step t draws i = floor(u n / 2^64), u = 64 bits of the Philox block of
   counter {t/2, HALP_IDX_TAG, 0}, two steps per block. */
#include "halp.h"
#include "../../kernels/common/philox.h"

void halp_draw_indices(uint64_t seed, uint64_t t0, size_t cnt, size_t n, size_t *out)
{
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t w[4];
    uint64_t have = UINT64_MAX;
    for (size_t k = 0; k < cnt; k++) {
        const uint64_t t = t0 + k, q = t >> 1;
        if (q != have) {
            const uint32_t ctr[4] = {(uint32_t)q, (uint32_t)(q >> 32), HALP_IDX_TAG, 0};
            lpk_philox_block(ctr, key, w);
            have = q;
        }
        const uint64_t u = (uint64_t)w[2 * (t & 1)] | (uint64_t)w[2 * (t & 1) + 1] << 32;
        out[k] = (size_t)(((unsigned __int128)u * n) >> 64);
    }
}
