/* The fixed-point family's kernel table (lists in fixed.h). */
#include "fixed.h"

#define ENTRY(tier, fn) {#fn, LPK_TIER_##tier, LPK_IF_BUILT(tier, fn)},
#define COUNT(tier, fn) +1

#define OP(var, opname, LIST)                                  \
    static const lpk_variant var##_v[] = {LIST(ENTRY)};         \
    const lpk_op lpk_op_fixed_##var = {opname, var##_v, 0 LIST(COUNT)};

OP(quant8, "fixed.quant8", LPK_FIXED_QUANT8_VARIANTS)
OP(quant16, "fixed.quant16", LPK_FIXED_QUANT16_VARIANTS)
OP(dequant8, "fixed.dequant8", LPK_FIXED_DEQUANT8_VARIANTS)
OP(dequant16, "fixed.dequant16", LPK_FIXED_DEQUANT16_VARIANTS)
OP(dot8, "fixed.dot8", LPK_FIXED_DOT8_VARIANTS)
OP(dot16, "fixed.dot16", LPK_FIXED_DOT16_VARIANTS)
OP(update8, "fixed.update8", LPK_FIXED_UPDATE8_VARIANTS)
OP(update16, "fixed.update16", LPK_FIXED_UPDATE16_VARIANTS)
OP(dotf, "fixed.dotf", LPK_FIXED_DOTF_VARIANTS)
OP(updatef, "fixed.updatef", LPK_FIXED_UPDATEF_VARIANTS)
