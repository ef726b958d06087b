/* SPDX-License-Identifier: Apache-2.0 */
/* The rounding family's kernel table (lists in round.h). */
#include "round.h"

LPK_DEFINE_OP(round_rne, lpk_round_rne, "round.rne_f32_bf16", LPK_ROUND_RNE_VARIANTS, 4, 2);
LPK_DEFINE_OP(round_sr, lpk_round_sr, "round.sr_f32_bf16", LPK_ROUND_SR_VARIANTS, 4, 2);
LPK_DEFINE_OP(round_sr_ars, lpk_round_sr, "round.sr_ars_f32_bf16", LPK_ROUND_SR_ARS_VARIANTS, 4, 2);
LPK_DEFINE_OP(round_widen, lpk_round_widen, "round.bf16_f32", LPK_ROUND_WIDEN_VARIANTS, 2, 4);
