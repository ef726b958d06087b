/* Every operation of the library, for the dispatcher, lpk-info and tests.
   A new family adds its ops here. */
#include "lpk_internal.h"
#include "../kernels/round/round.h"
#include "../kernels/gemm/gemm.h"
#include "../kernels/update/update.h"
#include "../kernels/fixed/fixed.h"

const lpk_op *const lpk_ops[] = {
    &lpk_op_round_rne,
    &lpk_op_round_sr,
    &lpk_op_round_widen,
    &lpk_op_gemm,
    &lpk_op_update_sgd, &lpk_op_update_adamw, &lpk_op_update_kahan_split, &lpk_op_update_kahan_merge,
    &lpk_op_fixed_quant8,
    &lpk_op_fixed_quant16,
    &lpk_op_fixed_dequant8,
    &lpk_op_fixed_dequant16,
    &lpk_op_fixed_dot8,
    &lpk_op_fixed_dot16,
    &lpk_op_fixed_update8,
    &lpk_op_fixed_update16,
    &lpk_op_fixed_dotf,
    &lpk_op_fixed_updatef,
};
const size_t lpk_nops = sizeof lpk_ops / sizeof lpk_ops[0];
