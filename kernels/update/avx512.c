/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AVX-512 (F+BW+DQ+VL): the kernels of step-inl.h on 16
   fp32 lanes, bit-identical to ref.c (no FMA: every product and sum is its
   own VMULPS / VADDPS; VSQRTPS and VDIVPS are correctly rounded like sqrtf
   and '/'; denormals kept under the default MXCSR).
   Layout: 32 bf16 are read as 16 32-bit lanes: `lo` = the even elements
   (lane << 16), `hi` = the odd ones (lane & 0xFFFF0000); one VPTERNLOGD puts
   the results' high halves back into pairs.  fp32 streams use the same
   even / odd split (one VPERMT2PS per vector).
   Rounding to bf16 nearest-even is integer arithmetic: (u | lsb) + 0x7FFF
   with the bf16 lsb shifted down and OR-ed in by one VPTERNLOGD, then the
   low half cleared (4 uops, 4 cycles deep).  Stores replace NaN bf16 patterns by 0x7FC0 on the
   packed 16-bit vector (VPANDD, VPCMPUW, masked move).
   SR bits: Philox4x32-10, four interleaved 8-block chains per four 64-element
   steps (common/philox_x86.h); ARS-7 (LPK_UPDATE_RNG_ARS) from the scalar
   software AES of common/ars.h, block by block: correct but slow, this tier
   may lack AES (avx512vaes.c has it).  The primitives live in avx512-inl.h. */
#include "avx512-inl.h"

#define UPD_SUFFIX avx512
#include "step-inl.h"
