/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7 blocks with AES-NI on 128-bit registers (one block per AESENC,
   eight in flight): the avx2aes tier, AVX2 CPUs without VAES.
   Bit-identical to ref.c.  Relies on AVX2 and AES-NI. */
#if !defined(__AVX2__) || !defined(__AES__)
#error "avx2aes.c needs -mavx2 -maes (CMake sets them for this file)"
#endif
#include <immintrin.h>

#include "rng.h"
#include "../common/ars_x86.h"

void lpk_rng_ars__avx2aes(const uint32_t key[4], const uint32_t ctr[4], size_t nblocks,
                          uint32_t *out)
{
    const uint64_t klo = key[0] | (uint64_t)key[1] << 32, khi = key[2] | (uint64_t)key[3] << 32;
    const uint64_t lo = ctr[0] | (uint64_t)ctr[1] << 32, hi = ctr[2] | (uint64_t)ctr[3] << 32;
    lpk_ars_keys128 k;
    lpk_ars_keys128_init(&k, klo, khi);
    size_t b = 0;
    for (; b + 8 <= nblocks; b += 8) {
        __m128i v[8];
        for (int i = 0; i < 8; i++)
            v[i] = _mm_xor_si128(_mm_set_epi64x((long long)hi, (long long)(lo + b + i)), k.k[0]);
        for (int r = 1; r < LPK_ARS_ROUNDS; r++)
            for (int i = 0; i < 8; i++)
                v[i] = _mm_aesenc_si128(v[i], k.k[r]);
        for (int i = 0; i < 8; i++)
            _mm_storeu_si128((__m128i *)(out + 4 * (b + i)),
                             _mm_aesenclast_si128(v[i], k.k[LPK_ARS_ROUNDS]));
    }
    for (; b < nblocks; b++)
        _mm_storeu_si128((__m128i *)(out + 4 * b),
                         lpk_ars_x1(_mm_set_epi64x((long long)hi, (long long)(lo + b)), &k));
}
