/* The optimizer-update family's kernel table (lists in update.h). */
#include "update.h"

#define ENTRY(tier, fn) {#fn, LPK_TIER_##tier, LPK_IF_BUILT(tier, fn)},
#define COUNT(tier, fn) +1

static const lpk_variant sgd[] = {LPK_UPDATE_SGD_VARIANTS(ENTRY)};
static const lpk_variant adamw[] = {LPK_UPDATE_ADAMW_VARIANTS(ENTRY)};
static const lpk_variant split[] = {LPK_UPDATE_KAHAN_SPLIT_VARIANTS(ENTRY)};
static const lpk_variant merge[] = {LPK_UPDATE_KAHAN_MERGE_VARIANTS(ENTRY)};

const lpk_op lpk_op_update_sgd = {"update.sgd", sgd, 0 LPK_UPDATE_SGD_VARIANTS(COUNT)};
const lpk_op lpk_op_update_adamw = {"update.adamw", adamw, 0 LPK_UPDATE_ADAMW_VARIANTS(COUNT)};
const lpk_op lpk_op_update_kahan_split = {"update.kahan_split", split,
                                          0 LPK_UPDATE_KAHAN_SPLIT_VARIANTS(COUNT)};
const lpk_op lpk_op_update_kahan_merge = {"update.kahan_merge", merge,
                                          0 LPK_UPDATE_KAHAN_MERGE_VARIANTS(COUNT)};
