/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, the HALP update with per-element ARS-7 bits on AVX2 +
   FMA + AES-NI without VAES (the avx2aes tier): avx2vaes.c built with the
   256-bit ARS states on 128-bit AESENC (common/ars_x86.h), bit-identical to
   ref_ars.c.  Relies on AVX2, FMA and AES-NI. */
#define LPK_AESNI_ONLY 1
#include "avx2vaes.c"
