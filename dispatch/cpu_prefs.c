/* SPDX-License-Identifier: Apache-2.0 */
/* The per-CPU table (cpu_tables.inc) and its lookups: which entry applies
   to a CPU identity, and the GEMM block sizes it sets for a micro-kernel.
   The dispatcher applies the entry's variant order (dispatch.c). */
#include <string.h>

#include "cpu_prefs.h"

const lpk_cpu_pref lpk_cpu_prefs[] = {
#include "cpu_tables.inc"
};
const size_t lpk_cpu_nprefs = sizeof lpk_cpu_prefs / sizeof lpk_cpu_prefs[0];

static int matches(const lpk_cpu_pref *e, const lpk_cpu_id *id)
{
    return !e->vendor || (strcmp(e->vendor, id->vendor) == 0 && id->family >= e->family_lo &&
                          id->family <= e->family_hi && id->model >= e->model_lo &&
                          id->model <= e->model_hi);
}

const lpk_cpu_pref *lpk_cpu_pref_match(const lpk_cpu_id *id)
{
    for (size_t i = 0; i < lpk_cpu_nprefs; i++)
        if (matches(&lpk_cpu_prefs[i], id))
            return &lpk_cpu_prefs[i];
    return &lpk_cpu_prefs[lpk_cpu_nprefs - 1];
}

const lpk_variant *lpk_op_variant_named(const lpk_op *op, const char *name)
{
    for (size_t k = 0; name && k < op->count; k++)
        if (strcmp(op->variants[k].name, name) == 0)
            return &op->variants[k];
    return NULL;
}

const lpk_gemm_blocking *lpk_gemm_cpu_blocks(const lpk_gemm_ukr *u)
{
    const lpk_cpu_pref *e = lpk_cpu_pref_current();
    for (size_t i = 0; i < LPK_CPU_BLOCKS_MAX && e->blocks[i].variant; i++) {
        const lpk_variant *v = lpk_op_variant_named(&lpk_op_gemm.op, e->blocks[i].variant);
        if (v && v->built && LPK_FN(lpk_op_gemm, v)() == u)
            return &e->blocks[i].blocks;
    }
    return &u->blocks;
}
