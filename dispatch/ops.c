/* SPDX-License-Identifier: Apache-2.0 */
/* Every operation of the library, for the dispatcher, lpk-info and tests.
   A new family adds its ops here. */
#include <stdatomic.h>

#include "lpk_internal.h"
#include "../kernels/round/round.h"
#include "../kernels/gemm/gemm.h"
#include "../kernels/update/update.h"
#include "../kernels/fixed/fixed.h"
#include "../kernels/rng/rng.h"

const lpk_op *const lpk_ops[] = {
    &lpk_op_round_rne.op,
    &lpk_op_round_sr.op,
    &lpk_op_round_sr_ars.op,
    &lpk_op_round_widen.op,
    &lpk_op_gemm.op,
    &lpk_op_update_sgd.op, &lpk_op_update_adamw.op, &lpk_op_update_kahan_split.op, &lpk_op_update_kahan_merge.op,
    &lpk_op_fixed_quant8.op,
    &lpk_op_fixed_quant16.op,
    &lpk_op_fixed_dequant8.op,
    &lpk_op_fixed_dequant16.op,
    &lpk_op_fixed_dot8.op,
    &lpk_op_fixed_dot16.op,
    &lpk_op_fixed_update8.op,
    &lpk_op_fixed_update16.op,
    &lpk_op_fixed_update8_ars.op,
    &lpk_op_fixed_update16_ars.op,
    &lpk_op_fixed_dotf.op,
    &lpk_op_fixed_updatef.op,
    &lpk_op_rng_ars.op,
};
const size_t lpk_nops = sizeof lpk_ops / sizeof lpk_ops[0];
/* The dispatcher's choice per op, one slot for each entry above. */
_Atomic(const lpk_variant *) lpk_chosen[sizeof lpk_ops / sizeof lpk_ops[0]];
