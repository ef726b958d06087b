/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AVX2 + AES-NI without VAES (the avx2aes tier):
   avx2vaes.c built with LPK_AESNI_ONLY, bit-identical to ref.c.  Relies
   on AVX2 and AES-NI. */
#define LPK_AESNI_ONLY 1
#include "avx2vaes.c"
