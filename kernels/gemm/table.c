/* SPDX-License-Identifier: Apache-2.0 */
/* The GEMM family's kernel table (list in gemm.h). */
#include "gemm.h"

LPK_DEFINE_OP(gemm, lpk_gemm_ukr, "gemm.bf16f32", LPK_GEMM_VARIANTS, 2, 4);
