/* The rounding family's kernel table (lists in round.h). */
#include "round.h"

#define ENTRY(tier, fn) {#fn, LPK_TIER_##tier, LPK_IF_BUILT(tier, fn)},
#define COUNT(tier, fn) +1

static const lpk_variant rne[] = {LPK_ROUND_RNE_VARIANTS(ENTRY)};
static const lpk_variant sr[] = {LPK_ROUND_SR_VARIANTS(ENTRY)};
static const lpk_variant widen[] = {LPK_ROUND_WIDEN_VARIANTS(ENTRY)};

const lpk_op lpk_op_round_rne = {"round.rne_f32_bf16", rne, 0 LPK_ROUND_RNE_VARIANTS(COUNT)};
const lpk_op lpk_op_round_sr = {"round.sr_f32_bf16", sr, 0 LPK_ROUND_SR_VARIANTS(COUNT)};
const lpk_op lpk_op_round_widen = {"round.bf16_f32", widen, 0 LPK_ROUND_WIDEN_VARIANTS(COUNT)};
