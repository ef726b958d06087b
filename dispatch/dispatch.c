/* SPDX-License-Identifier: Apache-2.0 */
/* The dispatcher: tier cap (LPK_ISA, lpk_set_isa), one selection per op from
   the kernel tables reordered by this CPU's entry of the per-CPU table
   (cpu_tables.inc) and the LPK_GEMM_PREFER override, LPK_VERBOSE, the test
   hooks that narrow the features or fake the CPU, and per-thread error
   messages. */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_prefs.h"

const lpk_tier_info lpk_tiers[LPK_TIER_COUNT] = {
#define X(e, name, arch, rank, req) {name, arch, rank, req},
#include "tiers.inc"
#undef X
};
const char *const lpk_feature_names[LPK_FBIT_COUNT] = {
#define X(e, name, flag) name,
#include "features.inc"
#undef X
};
const char *const lpk_feature_cpuinfo_flags[LPK_FBIT_COUNT] = {
#define X(e, name, flag) flag,
#include "features.inc"
#undef X
};
static const int tier_built[LPK_TIER_COUNT] = {
#define X(e, name, arch, rank, req) LPK_BUILT_##e,
#include "tiers.inc"
#undef X
};

/* ---- errors ------------------------------------------------------------ */
static _Thread_local char err_msg[512];
static _Thread_local lpk_status last_status = LPK_OK;

lpk_status lpk_fail(lpk_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_msg, sizeof err_msg, fmt, ap);
    va_end(ap);
    last_status = st;
    return st;
}

void lpk_call_begin(void) { last_status = LPK_OK; }

const char *lpk_last_error(void) { return err_msg; }

lpk_status lpk_last_status(void) { return last_status; }

const char *lpk_status_str(lpk_status st)
{
    switch (st) {
    case LPK_OK: return "LPK_OK: success";
    case LPK_EINVAL: return "LPK_EINVAL: invalid argument";
    case LPK_ENOMEM: return "LPK_ENOMEM: out of memory";
    case LPK_ENOTSUP: return "LPK_ENOTSUP: not supported by this CPU/OS";
    }
    return "unknown lpk_status";
}

#ifndef LPK_VERSION_STRING
#error "the build passes LPK_VERSION_STRING (the project version)"
#endif
const char *lpk_version(void) { return LPK_VERSION_STRING; }

/* ---- features and tiers ------------------------------------------------ */
static _Atomic uint64_t feature_mask = ~0ull;

uint64_t lpk_cpu_features(void)
{
    return lpk_cpu_detect() & atomic_load(&feature_mask);
}

int lpk_tier_built(lpk_tier t) { return t < LPK_TIER_COUNT && tier_built[t]; }

static int arch_ok(int arch) { return arch == LPK_ARCH_ANY || arch == LPK_ARCH_HOST; }

int lpk_tier_supported(lpk_tier t)
{
    if (!lpk_tier_built(t) || !arch_ok(lpk_tiers[t].arch))
        return 0;
    const uint64_t req = lpk_tiers[t].required;
    return (lpk_cpu_features() & req) == req;
}

int lpk_tier_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int t = 0; t < LPK_TIER_COUNT; t++)
        if (strcmp(name, lpk_tiers[t].name) == 0)
            return t;
    return -1;
}

/* The tier cap: a tier index, or -1 while LPK_ISA held a refused value. */
static int cap = -1;
static lpk_status cap_status = LPK_OK;
static char cap_error[512];
static pthread_mutex_t sel_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
extern _Atomic(const lpk_variant *) lpk_chosen[]; /* ops.c, lpk_nops slots */
#define chosen lpk_chosen
static int verbose;

static int allowed(lpk_tier t, int cap_tier)
{
    if (cap_tier < 0)
        return 0;
    const lpk_tier_info *ti = &lpk_tiers[t], *ci = &lpk_tiers[cap_tier];
    return ti->rank <= ci->rank && (ti->arch == LPK_ARCH_ANY || ti->arch == ci->arch);
}

int lpk_variant_runnable(const lpk_variant *v)
{
    return v->built && lpk_tier_supported(v->tier);
}

static int best_tier(void)
{
    int best = LPK_TIER_SCALAR;
    for (int t = 0; t < LPK_TIER_COUNT; t++)
        if (lpk_tier_supported((lpk_tier)t) && lpk_tiers[t].rank > lpk_tiers[best].rank)
            best = t;
    return best;
}

static void list_tiers(char *buf, size_t size, int only_supported)
{
    size_t used = 0;
    buf[0] = 0;
    for (int t = 0; t < LPK_TIER_COUNT && used < size; t++) {
        if (only_supported && !lpk_tier_supported((lpk_tier)t))
            continue;
        used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                                 lpk_tiers[t].name);
    }
}

/* Checks a tier name against this CPU; on failure formats the message. */
static lpk_status check_tier(const char *name, const char *what, int *out)
{
    char list[256];
    if (name && strcmp(name, "auto") == 0) {
        *out = best_tier();
        return LPK_OK;
    }
    const int t = lpk_tier_from_name(name);
    if (t < 0) {
        list_tiers(list, sizeof list, 0);
        return lpk_fail(LPK_EINVAL, "%s: unknown ISA tier '%s'; valid tiers: auto, %s",
                        what, name ? name : "(null)", list);
    }
    if (!lpk_tier_supported((lpk_tier)t)) {
        list_tiers(list, sizeof list, 1);
        return lpk_fail(LPK_ENOTSUP,
                        "%s: ISA tier '%s' is %s; available here: %s", what, name,
                        lpk_tier_built((lpk_tier)t) && arch_ok(lpk_tiers[t].arch)
                            ? "not supported by this CPU/OS"
                            : "not built for this architecture",
                        list);
    }
    *out = t;
    return LPK_OK;
}

/* ---- the per-CPU table and the GEMM override ------------------------------ */
static lpk_cpu_id fake_id;
static int use_fake_id;
static _Atomic(const lpk_cpu_pref *) cur_pref;
/* LPK_GEMM_PREFER: the variant put first (when runnable and allowed). */
static const lpk_variant *gemm_forced;
static const lpk_op *gemm_op;

void lpk_cpu_id_current(lpk_cpu_id *out)
{
    pthread_mutex_lock(&sel_lock);
    const int fake = use_fake_id;
    const lpk_cpu_id f = fake_id;
    pthread_mutex_unlock(&sel_lock);
    if (fake)
        *out = f;
    else
        lpk_cpu_identify(out);
}

/* The variant `op` gets under entry e: the first variant of the op's list
   that is runnable and allowed by the cap; when e names that variant, the
   first of e's named variants (in e's order) that is runnable and allowed
   instead.  So an entry reorders only the variants it names, among
   themselves, and never selects one the CPU or the cap rules out. */
static int usable(const lpk_variant *v) { return lpk_variant_runnable(v) && allowed(v->tier, cap); }

static const lpk_variant *pick(const lpk_op *op, const lpk_cpu_pref *e, const lpk_variant *forced)
{
    if (cap < 0)
        return NULL;
    if (forced && forced >= op->variants && forced < op->variants + op->count && usable(forced))
        return forced;
    const lpk_variant *first = NULL;
    for (size_t k = 0; k < op->count && !first; k++)
        if (usable(&op->variants[k]))
            first = &op->variants[k];
    int named = 0;
    for (size_t i = 0; first && i < LPK_CPU_PREFER_MAX && e->prefer[i]; i++)
        named |= strcmp(e->prefer[i], first->name) == 0;
    for (size_t i = 0; named && i < LPK_CPU_PREFER_MAX && e->prefer[i]; i++) {
        const lpk_variant *v = lpk_op_variant_named(op, e->prefer[i]);
        if (v && usable(v))
            return v;
    }
    return first;
}

/* Reads LPK_GEMM_PREFER once; a name that is no GEMM variant, or one this
   CPU cannot run, is refused with a message and changes nothing. */
static void read_gemm_prefer(void)
{
    for (size_t i = 0; i < lpk_nops; i++)
        if (strcmp(lpk_ops[i]->name, "gemm.bf16f32") == 0)
            gemm_op = lpk_ops[i];
    const char *env = getenv("LPK_GEMM_PREFER");
    if (!env || !*env || !gemm_op)
        return;
    const lpk_variant *v = lpk_op_variant_named(gemm_op, env);
    if (!v) {
        fprintf(stderr, "lpk: LPK_GEMM_PREFER: unknown GEMM variant '%s' (ignored); variants:",
                env);
        for (size_t k = 0; k < gemm_op->count; k++)
            fprintf(stderr, " %s", gemm_op->variants[k].name);
        fprintf(stderr, "\n");
    } else if (!lpk_variant_runnable(v)) {
        fprintf(stderr, "lpk: LPK_GEMM_PREFER: %s cannot run on this CPU/OS or is not built "
                        "(ignored)\n", env);
    } else {
        gemm_forced = v;
    }
}

static void print_verbose(void)
{
    const uint64_t f = lpk_cpu_features();
    fprintf(stderr, "lpk: features:");
    for (int b = 0; b < LPK_FBIT_COUNT; b++)
        if (f & (1ull << b))
            fprintf(stderr, " %s", lpk_feature_names[b]);
    fprintf(stderr, "\nlpk: tier cap: %s\n", cap >= 0 ? lpk_tiers[cap].name : "none");
    lpk_cpu_id id;
    if (use_fake_id) /* the caller holds sel_lock */
        id = fake_id;
    else
        lpk_cpu_identify(&id);
    const lpk_cpu_pref *e = atomic_load(&cur_pref);
    fprintf(stderr, "lpk: cpu: %s family 0x%x model 0x%x%s -> per-CPU entry '%s'",
            id.vendor[0] ? id.vendor : "(unknown)", id.family, id.model,
            use_fake_id ? " (test hook)" : "", e->name);
    for (size_t i = 0; i < LPK_CPU_PREFER_MAX && e->prefer[i]; i++)
        fprintf(stderr, "%s%s", i ? ", " : "; prefers ", e->prefer[i]);
    for (size_t i = 0; i < LPK_CPU_BLOCKS_MAX && e->blocks[i].variant; i++)
        fprintf(stderr, "; own blocks for %s", e->blocks[i].variant);
    fprintf(stderr, "\n");
    if (gemm_forced)
        fprintf(stderr, "lpk: LPK_GEMM_PREFER=%s%s\n", gemm_forced->name,
                allowed(gemm_forced->tier, cap) ? "" : " (not allowed by the tier cap: unused)");
    for (size_t i = 0; i < lpk_nops; i++) {
        const lpk_variant *v = atomic_load(&chosen[i]);
        fprintf(stderr, "lpk: %-24s -> %s\n", lpk_ops[i]->name, v ? v->name : "(none)");
    }
}

/* Caller holds sel_lock (or runs inside init_once). */
static void select_all(void)
{
    lpk_cpu_id id;
    if (use_fake_id)
        id = fake_id;
    else
        lpk_cpu_identify(&id);
    const lpk_cpu_pref *e = lpk_cpu_pref_match(&id);
    atomic_store(&cur_pref, e);
    for (size_t i = 0; i < lpk_nops; i++)
        atomic_store(&chosen[i],
                     pick(lpk_ops[i], e, lpk_ops[i] == gemm_op ? gemm_forced : NULL));
    if (verbose)
        print_verbose();
}

static void init(void)
{
    const char *vb = getenv("LPK_VERBOSE");
    verbose = vb && *vb && strcmp(vb, "0") != 0;
    read_gemm_prefer();
    const char *env = getenv("LPK_ISA");
    if (env && *env) {
        cap_status = check_tier(env, "LPK_ISA", &cap);
        if (cap_status != LPK_OK) {
            cap = -1;
            snprintf(cap_error, sizeof cap_error, "%s", lpk_last_error());
            fprintf(stderr, "lpk: %s\n", cap_error);
        }
    } else {
        cap = best_tier();
    }
    select_all();
}

static void ensure_init(void) { pthread_once(&init_once, init); }

lpk_status lpk_ready(void)
{
    ensure_init();
    pthread_mutex_lock(&sel_lock);
    const lpk_status st = cap_status;
    if (st != LPK_OK)
        lpk_fail(st, "%s (call lpk_set_isa() to choose a valid tier)", cap_error);
    pthread_mutex_unlock(&sel_lock);
    return st;
}

static size_t op_index(const lpk_op *op)
{
    for (size_t i = 0; i < lpk_nops; i++)
        if (lpk_ops[i] == op)
            return i;
    abort(); /* an op missing from lpk_ops[] is a build error */
}

const lpk_variant *lpk_selected(const lpk_op *op)
{
    ensure_init();
    return atomic_load_explicit(&chosen[op_index(op)], memory_order_acquire);
}

size_t lpk_selected_index(const lpk_op *op)
{
    const lpk_variant *v = lpk_selected(op);
    return v ? (size_t)(v - op->variants) : op->count - 1;
}

const char *lpk_isa(void)
{
    ensure_init();
    pthread_mutex_lock(&sel_lock);
    const int c = cap;
    pthread_mutex_unlock(&sel_lock);
    return c >= 0 ? lpk_tiers[c].name : "none";
}

lpk_status lpk_set_isa(const char *tier)
{
    LPK_ENTRY();
    ensure_init();
    int t;
    const lpk_status st = check_tier(tier, "lpk_set_isa", &t);
    if (st != LPK_OK)
        return st;
    pthread_mutex_lock(&sel_lock);
    cap = t;
    cap_status = LPK_OK;
    select_all();
    pthread_mutex_unlock(&sel_lock);
    return LPK_OK;
}

const char *lpk_kernel_variant(const char *kernel)
{
    if (!kernel)
        return NULL;
    for (size_t i = 0; i < lpk_nops; i++)
        if (strcmp(lpk_ops[i]->name, kernel) == 0) {
            const lpk_variant *v = lpk_selected(lpk_ops[i]);
            return v ? v->name : "none";
        }
    return NULL;
}

void lpk_test_set_feature_mask(uint64_t mask)
{
    ensure_init();
    pthread_mutex_lock(&sel_lock);
    atomic_store(&feature_mask, mask);
    cap = best_tier();
    cap_status = LPK_OK;
    select_all();
    pthread_mutex_unlock(&sel_lock);
}

void lpk_test_set_cpu_id(const lpk_cpu_id *id)
{
    ensure_init();
    pthread_mutex_lock(&sel_lock);
    use_fake_id = id != NULL;
    if (id)
        fake_id = *id;
    select_all();
    pthread_mutex_unlock(&sel_lock);
}

const lpk_cpu_pref *lpk_cpu_pref_current(void)
{
    ensure_init();
    return atomic_load_explicit(&cur_pref, memory_order_acquire);
}

const char *lpk_build_config(void)
{
#define LPK_STR_(x) #x
#define LPK_STR(x) LPK_STR_(x)
    return "openmp=" LPK_STR(LPK_HAVE_OPENMP) " hwloc=" LPK_STR(LPK_HAVE_HWLOC)
           " sleef=" LPK_STR(LPK_HAVE_SLEEF) " highway=" LPK_STR(LPK_HAVE_HWY);
}
