/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7 blocks with VAES on 512-bit registers (four blocks per VAESENC),
   four independent registers per iteration; bit-identical to ref.c.
   Relies on AVX-512F, VAES and AES-NI (the 128-bit tail). */
#if !defined(__AVX512F__) || !defined(__VAES__) || !defined(__AES__)
#error "avx512vaes.c needs -mavx512f -mvaes -maes (CMake sets them for this file)"
#endif
#include <immintrin.h>

#include "rng.h"
#include "../common/ars_x86.h"

void lpk_rng_ars__avx512vaes(const uint32_t key[4], const uint32_t ctr[4], size_t nblocks,
                             uint32_t *out)
{
    const uint64_t klo = key[0] | (uint64_t)key[1] << 32, khi = key[2] | (uint64_t)key[3] << 32;
    const uint64_t lo = ctr[0] | (uint64_t)ctr[1] << 32, hi = ctr[2] | (uint64_t)ctr[3] << 32;
    lpk_ars_keys512 k;
    lpk_ars_keys512_init(&k, klo, khi);
    const __m512i four = _mm512_set_epi64(0, 4, 0, 4, 0, 4, 0, 4);
    __m512i c = _mm512_set_epi64((long long)hi, (long long)(lo + 3), (long long)hi,
                                 (long long)(lo + 2), (long long)hi, (long long)(lo + 1),
                                 (long long)hi, (long long)lo);
    size_t b = 0;
    for (; b + 16 <= nblocks; b += 16) {
        __m512i v[4];
        for (int i = 0; i < 4; i++, c = _mm512_add_epi64(c, four))
            v[i] = c;
        lpk_ars_x4n(v, 4, &k);
        for (int i = 0; i < 4; i++)
            _mm512_storeu_si512((void *)(out + 4 * (b + 4 * i)), v[i]);
    }
    lpk_ars_keys128 k1;
    lpk_ars_keys128_init(&k1, klo, khi);
    for (; b < nblocks; b++) {
        const __m128i v = lpk_ars_x1(_mm_set_epi64x((long long)hi, (long long)(lo + b)), &k1);
        _mm_storeu_si128((__m128i *)(out + 4 * b), v);
    }
}
