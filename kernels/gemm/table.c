/* The GEMM family's kernel table (list in gemm.h). */
#include "gemm.h"

#define ENTRY(tier, fn) {#fn, LPK_TIER_##tier, LPK_IF_BUILT(tier, fn)},
#define COUNT(tier, fn) +1

static const lpk_variant gemm[] = {LPK_GEMM_VARIANTS(ENTRY)};
const lpk_op lpk_op_gemm = {"gemm.bf16f32", gemm, 0 LPK_GEMM_VARIANTS(COUNT)};
