/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar reference of the rounding family: the specification.
   Per element, the bit arithmetic of kernels/common/bf16.h; stochastic bits
   from Philox4x32-10 as documented in lpk.h. */
#include "round.h"
#include "../common/bf16.h"
#include "../common/philox.h"

void lpk_round_rne_f32_bf16__ref(const float *src, lpk_bf16 *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = lpk_bf16_rne(lpk_f32_bits(src[i]));
}

void lpk_round_sr_f32_bf16__ref(const float *src, lpk_bf16 *dst, size_t n,
                                uint64_t seed, uint64_t offset)
{
    uint32_t w[4]; /* the Philox block of element offset + i, made when entered */
    for (size_t i = 0; i < n; i++) {
        const uint64_t j = offset + i;
        if (i == 0 || (j & 7) == 0)
            lpk_philox_sr_block(seed, j >> 3, w);
        const uint32_t r16 = (w[(j & 7) >> 1] >> (16 * (j & 1))) & 0xFFFFu;
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), r16);
    }
}

void lpk_round_bf16_f32__ref(const lpk_bf16 *src, float *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = lpk_bits_f32((uint32_t)src[i] << 16);
}
