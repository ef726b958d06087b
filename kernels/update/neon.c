/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AArch64 Advanced SIMD (baseline ARMv8.0): the kernels
   of step-inl.h on 4 fp32 lanes, bit-identical to ref.c.  FMUL / FADD /
   FSUB / FDIV / FSQRT are correctly rounded and, like the scalar code of
   ref.c, follow FPCR (Linux default: round to nearest, no flush to zero,
   NaN propagation), so the two agree under any FPCR; no FMLA is used.
   Layout: natural order (USHLL #16 widens, UZP2 narrows to the high halves).
   Rounding to bf16 nearest-even: t = u + 0x7FFF, USRA adds bit 16 of u
   (from u << 15 shifted right by 31), then the low half cleared (4 ops).
   Stores replace NaN bf16 patterns by 0x7FC0 (AND, CMHI, BSL).
   SR bits: Philox4x32-10, two interleaved 4-block chains per 64 elements
   (common/philox_neon.h); ARS-7 (LPK_UPDATE_RNG_ARS) from the scalar
   software AES of common/ars.h: correct but slow (neonaes.c uses AESE /
   AESMC).  The primitives live in neon-inl.h. */
#include "neon-inl.h"

#define UPD_SUFFIX neon
#include "step-inl.h"
