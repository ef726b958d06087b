/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AVX2 (+FMA, F16C tier; no FMA is used): the kernels of
   step-inl.h on 8 fp32 lanes, bit-identical to ref.c (VMULPS / VADDPS /
   VSQRTPS / VDIVPS, each correctly rounded; denormals kept under the default
   MXCSR).
   Layout: 16 bf16 are read as 8 32-bit lanes: `lo` = the even elements
   (lane << 16), `hi` = the odd ones (lane & 0xFFFF0000); shift, AND and OR
   put the results' high halves back into pairs.  fp32 streams use the same
   even / odd split (VPERMPS + VPERM2F128).
   Rounding to bf16 nearest-even: u + 0x7FFF + ((u >> 16) & 1), then the low
   half cleared (5 uops).  Stores replace NaN bf16 patterns by 0x7FC0 on the
   packed 16-bit vector (VPAND, VPCMPGTW, VPBLENDVB).
   SR bits: Philox4x32-10 eight blocks wide, UPD_PHILOX_NC interleaved
   chains per 64 * UPD_PHILOX_NC elements (common/philox_x86.h); ARS-7
   (LPK_UPDATE_RNG_ARS) from the scalar software AES of common/ars.h, block
   by block: correct but slow, this tier may lack AES (avx2vaes.c has it).
   The primitives live in avx2-inl.h. */
#include "avx2-inl.h"

#define UPD_SUFFIX avx2
#include "step-inl.h"
