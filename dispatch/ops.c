/* Every operation of the library, for the dispatcher, lpk-info and tests.
   A new family adds its ops here. */
#include "lpk_internal.h"
#include "../kernels/round/round.h"
#include "../kernels/gemm/gemm.h"

const lpk_op *const lpk_ops[] = {
    &lpk_op_round_rne,
    &lpk_op_round_sr,
    &lpk_op_round_widen,
    &lpk_op_gemm,
};
const size_t lpk_nops = sizeof lpk_ops / sizeof lpk_ops[0];
