/* SPDX-License-Identifier: Apache-2.0 */
/* The optimizer-update family's kernel table (lists in update.h).  The
   streamed sizes are those of the weights (bf16 in and out); the state a
   mode adds is counted by the caller. */
#include "update.h"

LPK_DEFINE_OP(update_sgd, lpk_update_sgd, "update.sgd", LPK_UPDATE_SGD_VARIANTS, 2, 2);
LPK_DEFINE_OP(update_adamw, lpk_update_adamw, "update.adamw", LPK_UPDATE_ADAMW_VARIANTS, 2, 2);
LPK_DEFINE_OP(update_kahan_split, lpk_update_kahan_split, "update.kahan_split",
              LPK_UPDATE_KAHAN_SPLIT_VARIANTS, 4, 4);
LPK_DEFINE_OP(update_kahan_merge, lpk_update_kahan_merge, "update.kahan_merge",
              LPK_UPDATE_KAHAN_MERGE_VARIANTS, 4, 4);
