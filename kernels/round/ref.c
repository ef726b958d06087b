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
    for (size_t i = 0; i < n; i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, offset + i));
}

void lpk_round_bf16_f32__ref(const lpk_bf16 *src, float *dst, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = lpk_bits_f32((uint32_t)src[i] << 16);
}
