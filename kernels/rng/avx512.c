/* SPDX-License-Identifier: Apache-2.0 */
/* Philox4x32-10 blocks on AVX-512 with lpk's SR layout (common/philox_x86.h:
   one block per 64-bit lane, four independent 8-block chains), put in
   element order as the SR kernel does; bit-identical to ref.c.  The rate of
   the bits alone, beside ARS's (perf/bench_round.c). */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__)
#error "avx512.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl"
#endif
#include <immintrin.h>

#include "rng.h"
#include "../common/philox_x86.h"

void lpk_rng_philox__avx512(uint64_t seed, uint64_t q, size_t nblocks, uint32_t *out)
{
    enum { PER = 8 * LPK_PHILOX_CHAINS };
    lpk_philox_keys512 k;
    lpk_philox_keys512_init(&k, seed);
    size_t b = 0;
    for (; b + PER <= nblocks; b += PER) {
        __m512i ab[2 * LPK_PHILOX_CHAINS];
        lpk_philox_chains_avx512(q + b, &k, ab);
        for (int c = 0; c < LPK_PHILOX_CHAINS; c++) {
            __m512i lo, hi;
            lpk_philox_order_raw_avx512(ab[2 * c], ab[2 * c + 1], &lo, &hi);
            _mm512_storeu_si512((void *)(out + 4 * (b + 8 * c)), lo);
            _mm512_storeu_si512((void *)(out + 4 * (b + 8 * c) + 16), hi);
        }
    }
    for (; b < nblocks; b++)
        lpk_philox_sr_block(seed, q + b, out + 4 * b);
}
