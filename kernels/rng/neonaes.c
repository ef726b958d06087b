/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7 blocks with AESE/AESMC (common/ars_neon.h), eight independent
   blocks per iteration; bit-identical to ref.c.  Relies on the AArch64
   AES extension (HWCAP_AES). */
#if !defined(__ARM_FEATURE_AES) && !defined(__ARM_FEATURE_CRYPTO)
#error "neonaes.c needs -march=armv8-a+crypto (CMake sets it for this file)"
#endif
#include <arm_neon.h>

#include "rng.h"
#include "../common/ars_neon.h"

static inline uint8x16_t ctr_block(uint64_t lo, uint64_t hi)
{
    return vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(lo), vcreate_u64(hi)));
}

void lpk_rng_ars__neonaes(const uint32_t key[4], const uint32_t ctr[4], size_t nblocks,
                          uint32_t *out)
{
    const uint64_t klo = key[0] | (uint64_t)key[1] << 32, khi = key[2] | (uint64_t)key[3] << 32;
    const uint64_t lo = ctr[0] | (uint64_t)ctr[1] << 32, hi = ctr[2] | (uint64_t)ctr[3] << 32;
    lpk_ars_keys_neon k;
    lpk_ars_keys_neon_init(&k, klo, khi);
    size_t b = 0;
    for (; b + 8 <= nblocks; b += 8) {
        uint8x16_t v[8];
        for (int i = 0; i < 8; i++)
            v[i] = ctr_block(lo + b + i, hi);
        lpk_ars_neon_n(v, 8, &k);
        for (int i = 0; i < 8; i++)
            vst1q_u8((uint8_t *)(out + 4 * (b + i)), v[i]);
    }
    for (; b < nblocks; b++) {
        uint8x16_t v = ctr_block(lo + b, hi);
        lpk_ars_neon_n(&v, 1, &k);
        vst1q_u8((uint8_t *)(out + 4 * b), v);
    }
}
