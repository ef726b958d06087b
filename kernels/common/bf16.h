/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar bf16 bit arithmetic: the definitions every variant must match. */
#ifndef LPK_BF16_BITS_H
#define LPK_BF16_BITS_H

#include <stdint.h>
#include <string.h>

#include "lpk.h" /* lpk_bf16 */

static inline uint32_t lpk_f32_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline float lpk_bits_f32(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static inline int lpk_f32_bits_isnan(uint32_t u) { return (u & 0x7FFFFFFFu) > 0x7F800000u; }

/* NaN: keep sign and top payload bits, set the quiet bit (bf16 bit 6). */
static inline uint16_t lpk_bf16_from_nan(uint32_t u) { return (uint16_t)((u >> 16) | 0x40u); }

/* dst[i] = the NaN result for every NaN src[i], i < m: the fix-up of
   vector kernels that round every lane as if it were a number and detect
   NaN only per block (the NaN result does not depend on the mode's bits). */
static inline void lpk_bf16_redo_nans(const float *src, lpk_bf16 *dst, size_t m)
{
    for (size_t i = 0; i < m; i++)
        if (lpk_f32_bits_isnan(lpk_f32_bits(src[i])))
            dst[i] = lpk_bf16_from_nan(lpk_f32_bits(src[i]));
}

/* Round to nearest, ties to even, on the bit pattern (denormals included). */
static inline uint16_t lpk_bf16_rne(uint32_t u)
{
    if (lpk_f32_bits_isnan(u))
        return lpk_bf16_from_nan(u);
    return (uint16_t)((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

/* Stochastic: round away from zero iff (u & 0xFFFF) + r16 >= 2^16, r16 < 2^16.
   Inf + r16 cannot carry (low bits zero), so only the largest finite
   magnitude can reach Inf. */
static inline uint16_t lpk_bf16_sr(uint32_t u, uint32_t r16)
{
    if (lpk_f32_bits_isnan(u))
        return lpk_bf16_from_nan(u);
    return (uint16_t)((u + r16) >> 16);
}

#endif
