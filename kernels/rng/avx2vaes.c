/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7 blocks with VAES on 256-bit registers (two blocks per VAESENC),
   eight independent registers per iteration, bit-identical to ref.c (the
   AES-NI-only version: avx2aes.c).  Relies on AVX2, VAES and AES-NI. */
#if !defined(__AVX2__) || !defined(__VAES__) || !defined(__AES__)
#error "avx2vaes.c needs -mavx2 -mvaes -maes (CMake sets them for this file)"
#endif
#include <immintrin.h>

#include "rng.h"
#include "../common/ars_x86.h"

void lpk_rng_ars__avx2vaes(const uint32_t key[4], const uint32_t ctr[4], size_t nblocks,
                           uint32_t *out)
{
    const uint64_t klo = key[0] | (uint64_t)key[1] << 32, khi = key[2] | (uint64_t)key[3] << 32;
    const uint64_t lo = ctr[0] | (uint64_t)ctr[1] << 32, hi = ctr[2] | (uint64_t)ctr[3] << 32;
    lpk_ars_keys256 k;
    lpk_ars_keys256_init(&k, klo, khi);
    const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);
    __m256i c = _mm256_set_epi64x((long long)hi, (long long)(lo + 1), (long long)hi, (long long)lo);
    size_t b = 0;
    for (; b + 16 <= nblocks; b += 16) {
        __m256i v[8];
        for (int i = 0; i < 8; i++, c = _mm256_add_epi64(c, two))
            v[i] = c;
        lpk_ars_x2n(v, 8, &k);
        for (int i = 0; i < 8; i++)
            _mm256_storeu_si256((__m256i *)(out + 4 * (b + 2 * i)), v[i]);
    }
    lpk_ars_keys128 k1;
    lpk_ars_keys128_init(&k1, klo, khi);
    for (; b < nblocks; b++) {
        const __m128i v = lpk_ars_x1(_mm_set_epi64x((long long)hi, (long long)(lo + b)), &k1);
        _mm_storeu_si128((__m128i *)(out + 4 * b), v);
    }
}
