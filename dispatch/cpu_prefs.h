/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel preference and block sizes per CPU family: the table's types.
   The entries are data (cpu_tables.inc); cpu_prefs.c matches them against
   the CPU's identity (lpk_cpu_id, cpu.c) and the dispatcher (dispatch.c)
   applies the matching one when it selects each op's variant. */
#ifndef LPK_CPU_PREFS_H
#define LPK_CPU_PREFS_H

#include "lpk_internal.h"
#include "../kernels/gemm/gemm.h"

#define LPK_CPU_PREFER_MAX 4
#define LPK_CPU_BLOCKS_MAX 2

/* Block sizes that replace a GEMM variant's own (its descriptor's) on CPUs
   of an entry. */
typedef struct {
    const char *variant; /* the variant's name; NULL: unused slot */
    lpk_gemm_blocking blocks;
} lpk_cpu_gemm_blocks;

/* One entry: CPUs whose vendor matches and whose family and model lie in
   the closed ranges.  The first matching entry applies; the last entry
   (vendor NULL) matches every CPU and changes nothing. */
typedef struct {
    const char *name;   /* what LPK_VERBOSE prints: "AMD Zen 4" */
    const char *vendor; /* CPUID vendor string or "arm"; NULL: any CPU */
    unsigned family_lo, family_hi, model_lo, model_hi;
    /* Variant names, best first (NULL after the last): when the static
       list's choice (its first runnable variant allowed by the cap) is one
       of these, the first of these that is runnable and allowed replaces
       it.  The named variants are reordered among themselves only. */
    const char *prefer[LPK_CPU_PREFER_MAX];
    lpk_cpu_gemm_blocks blocks[LPK_CPU_BLOCKS_MAX];
    const char *why; /* the evidence: a section of perf/RESULTS.md */
} lpk_cpu_pref;

extern const lpk_cpu_pref lpk_cpu_prefs[];
extern const size_t lpk_cpu_nprefs;

/* The entry that applies to `id` (never NULL: the default entry last). */
const lpk_cpu_pref *lpk_cpu_pref_match(const lpk_cpu_id *id);
/* The entry applied now (the real CPU's, or the test hook's). */
const lpk_cpu_pref *lpk_cpu_pref_current(void);
/* The variant named `name` in op `op` (NULL if none). */
const lpk_variant *lpk_op_variant_named(const lpk_op *op, const char *name);

#endif
