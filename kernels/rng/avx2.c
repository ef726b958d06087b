/* SPDX-License-Identifier: Apache-2.0 */
/* Philox4x32-10 blocks on AVX2 with lpk's SR layout (common/philox_x86.h:
   lpk_philox8n_avx2, 8 * LPK_PHILOX8_CHAINS blocks per call, then 8 at a
   time), in element order; bit-identical to ref.c.  The rate of the bits
   alone, beside ARS's (perf/bench_round.c). */
#if !defined(__AVX2__)
#error "avx2.c needs -mavx2 (CMake sets it for this file)"
#endif
#include <immintrin.h>

#include "rng.h"
#include "../common/philox_x86.h"

void lpk_rng_philox__avx2(uint64_t seed, uint64_t q, size_t nblocks, uint32_t *out)
{
    lpk_philox_keys256 k;
    lpk_philox_keys256_init(&k, seed);
    enum { NB = 8 * LPK_PHILOX8_CHAINS };
    size_t b = 0;
    for (; b + NB <= nblocks; b += NB) {
        __m256i r[NB / 2];
        lpk_philox8_avx2(q + b, &k, r);
        for (int v = 0; v < NB / 2; v++)
            _mm256_storeu_si256((__m256i *)(out + 4 * b + 8 * v), r[v]);
    }
    for (; b + 8 <= nblocks; b += 8) {
        __m256i r[4];
        lpk_philox8n_avx2(q + b, &k, r, 1);
        for (int v = 0; v < 4; v++)
            _mm256_storeu_si256((__m256i *)(out + 4 * b + 8 * v), r[v]);
    }
    for (; b < nblocks; b++)
        lpk_philox_sr_block(seed, q + b, out + 4 * b);
}
