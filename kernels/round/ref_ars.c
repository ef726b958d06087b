/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar reference of stochastic rounding with ARS-7 bits: the
   specification (lpk.h, LPK_ROUND_STOCHASTIC_ARS).  Per element, the bit
   arithmetic of kernels/common/bf16.h; bits from the portable software AES
   round of kernels/common/ars.h. */
#include "round.h"
#include "../common/ars.h"
#include "../common/bf16.h"

void lpk_round_sr_ars_f32_bf16__ref(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed,
                                    uint64_t offset)
{
    lpk_ars_keys ks;
    lpk_ars_sr_keys(&ks, seed);
    uint8_t b[16]; /* the block of element offset + i, made when entered */
    for (size_t i = 0; i < n; i++) {
        const uint64_t j = offset + i;
        if (i == 0 || (j & 7) == 0)
            lpk_ars_sr_block(&ks, j >> 3, b);
        const uint32_t r16 = b[2 * (j & 7)] | (uint32_t)b[2 * (j & 7) + 1] << 8;
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), r16);
    }
}
