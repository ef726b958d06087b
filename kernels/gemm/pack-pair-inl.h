/* SPDX-License-Identifier: Apache-2.0 */
/* The usual pair of template packers of a variant file: pack_a_tmpl (MR rows)
   and pack_b_tmpl (NR rows) with the same interleave and widening.  Define
   LPK_PACK_PAIR_KR and LPK_PACK_PAIR_WIDEN, have MR and NR in scope, then
   include this file (once).  Variants with different A/B layouts (amx.c)
   instantiate pack-inl.h directly. */
#define LPK_PACK_NAME pack_a_tmpl
#define LPK_PACK_R MR
#define LPK_PACK_KR LPK_PACK_PAIR_KR
#define LPK_PACK_WIDEN LPK_PACK_PAIR_WIDEN
#include "pack-inl.h"
#define LPK_PACK_NAME pack_b_tmpl
#define LPK_PACK_R NR
#define LPK_PACK_KR LPK_PACK_PAIR_KR
#define LPK_PACK_WIDEN LPK_PACK_PAIR_WIDEN
#include "pack-inl.h"
#undef LPK_PACK_PAIR_KR
#undef LPK_PACK_PAIR_WIDEN
