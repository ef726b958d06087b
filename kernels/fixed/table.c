/* SPDX-License-Identifier: Apache-2.0 */
/* The fixed-point family's kernel table (lists in fixed.h).  Streamed
   sizes: the integer width of the grid data (1 or 2 bytes) or fp32. */
#include "fixed.h"

LPK_DEFINE_OP(fixed_quant8, lpk_fixed_quant8, "fixed.quant8", LPK_FIXED_QUANT8_VARIANTS, 4, 1);
LPK_DEFINE_OP(fixed_quant16, lpk_fixed_quant16, "fixed.quant16", LPK_FIXED_QUANT16_VARIANTS, 4, 2);
LPK_DEFINE_OP(fixed_dequant8, lpk_fixed_dequant8, "fixed.dequant8", LPK_FIXED_DEQUANT8_VARIANTS, 1,
              4);
LPK_DEFINE_OP(fixed_dequant16, lpk_fixed_dequant16, "fixed.dequant16",
              LPK_FIXED_DEQUANT16_VARIANTS, 2, 4);
LPK_DEFINE_OP(fixed_dot8, lpk_fixed_dot8, "fixed.dot8", LPK_FIXED_DOT8_VARIANTS, 1, 0);
LPK_DEFINE_OP(fixed_dot16, lpk_fixed_dot16, "fixed.dot16", LPK_FIXED_DOT16_VARIANTS, 2, 0);
LPK_DEFINE_OP(fixed_update8, lpk_fixed_update8, "fixed.update8", LPK_FIXED_UPDATE8_VARIANTS, 1, 1);
LPK_DEFINE_OP(fixed_update16, lpk_fixed_update16, "fixed.update16", LPK_FIXED_UPDATE16_VARIANTS, 2,
              2);
LPK_DEFINE_OP(fixed_update8_ars, lpk_fixed_update8, "fixed.update8_ars",
              LPK_FIXED_UPDATE8_ARS_VARIANTS, 1, 1);
LPK_DEFINE_OP(fixed_update16_ars, lpk_fixed_update16, "fixed.update16_ars",
              LPK_FIXED_UPDATE16_ARS_VARIANTS, 2, 2);
LPK_DEFINE_OP(fixed_dotf, lpk_fixed_dotf, "fixed.dotf", LPK_FIXED_DOTF_VARIANTS, 4, 0);
LPK_DEFINE_OP(fixed_updatef, lpk_fixed_updatef, "fixed.updatef", LPK_FIXED_UPDATEF_VARIANTS, 4, 4);
