/* SPDX-License-Identifier: Apache-2.0 */
/* The generator family's kernel tables (lists in rng.h).  Output bytes per
   block: 16. */
#include "rng.h"

LPK_DEFINE_OP(rng_ars, lpk_rng_ars, "rng.ars", LPK_RNG_ARS_VARIANTS, 0, 16);
LPK_DEFINE_OP(rng_philox, lpk_rng_philox, "rng.philox", LPK_RNG_PHILOX_VARIANTS, 0, 16);
