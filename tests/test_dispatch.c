/* SPDX-License-Identifier: Apache-2.0 */
/* The dispatcher: thread-safe first use, detection against /proc/cpuinfo,
   the expected tier for this machine (or emulated CPU model), tier caps and
   the selection rule, refusals, the fake-CPU hook, the per-CPU table
   (dispatch/cpu_tables.inc: well formed, the default for an unknown CPU,
   each entry's choice under the fake-CPU-identity hook), topology. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "cpu_prefs.h"
#include "round/round.h"

/* ---- first use from many threads at once (must run first) -------------- */
#define NTHREADS 8
static pthread_barrier_t barrier;
static const char *seen[NTHREADS];
static int ok[NTHREADS];

static void *first_use(void *arg)
{
    const int id = (int)(intptr_t)arg;
    float x[100];
    lpk_bf16 y[100], want[100];
    tu_fill_f32(x, 100, (uint64_t)id);
    lpk_round_sr_f32_bf16__ref(x, want, 100, 5, 17);
    pthread_barrier_wait(&barrier);
    ok[id] = lpk_f32_to_bf16(x, y, 100, LPK_ROUND_STOCHASTIC, 5, 17) == LPK_OK &&
             memcmp(y, want, sizeof y) == 0;
    seen[id] = lpk_kernel_variant("round.sr_f32_bf16");
    return NULL;
}

static void test_concurrent_first_use(void **state)
{
    pthread_t t[NTHREADS];
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, first_use, (void *)(intptr_t)i), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < NTHREADS; i++) {
        assert_true(ok[i]);
        assert_non_null(seen[i]);
        assert_string_equal(seen[i], seen[0]);
    }
}

/* Threads convert while another thread flips the cap: every result is right
   (all variants are bit-identical) and nothing crashes. */
static volatile int stop_flipping, flip_failed;
static void *flipper(void *arg)
{ /* no cmocka asserts off the main thread: record failures instead */
    const char *names[] = {"scalar", "auto", "hwy", "avx2", "neon"};
    for (int i = 0; !stop_flipping; i++) {
        const char *n = names[i % 5];
        const int t = lpk_tier_from_name(n);
        if (strcmp(n, "auto") == 0 || (t >= 0 && lpk_tier_supported((lpk_tier)t)))
            flip_failed |= lpk_set_isa(n) != LPK_OK;
    }
    return NULL;
}

static void test_set_isa_while_running(void **state)
{
    pthread_t f;
    stop_flipping = 0;
    assert_int_equal(pthread_create(&f, NULL, flipper, NULL), 0);
    float x[1000];
    lpk_bf16 y[1000], want[1000];
    tu_fill_f32(x, 1000, 8);
    lpk_round_sr_f32_bf16__ref(x, want, 1000, 1, 2);
    for (int it = 0; it < 2000; it++) {
        assert_int_equal(lpk_f32_to_bf16(x, y, 1000, LPK_ROUND_STOCHASTIC, 1, 2), LPK_OK);
        assert_int_equal(tu_first_diff(y, want, sizeof y), -1);
    }
    stop_flipping = 1;
    pthread_join(f, NULL);
    assert_false(flip_failed);
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
}

/* ---- detection ---------------------------------------------------------- */

static void test_cpuinfo_crosscheck(void **state)
{
    const char *flags = tu_cpuinfo_flags();
    if (!flags) {
        printf("SKIPPED cpuinfo cross-check (no %s line in /proc/cpuinfo for this "
               "architecture, e.g. under qemu-user; test_hwy cross-checks instead)\n",
               LPK_ARCH_HOST == LPK_ARCH_X86 ? "flags" : "Features");
        skip(); /* reported as skipped, not passed */
    }
    const uint64_t f = lpk_cpu_detect();
    int compared = 0;
    for (int b = 0; b < LPK_FBIT_COUNT; b++) {
        const char *flag = lpk_feature_cpuinfo_flags[b];
        if (!flag)
            continue;
        const int has = tu_cpuinfo_has(flags, flag), det = (f >> b) & 1;
        printf("feature %-11s cpuinfo %d lpk %d\n", lpk_feature_names[b], has, det);
        if (has != det)
            fail_msg("feature %s: /proc/cpuinfo says %d, lpk detected %d", lpk_feature_names[b], has, det);
        compared++;
    }
    assert_true(compared >= 10);
    if (LPK_ARCH_HOST == LPK_ARCH_X86) {
        /* The kernel lists AVX/AVX-512/AMX flags only when it saves that state. */
        if (tu_cpuinfo_has(flags, "avx"))
            assert_true(f & LPK_F_OS_YMM);
        if (tu_cpuinfo_has(flags, "avx512f"))
            assert_true(f & LPK_F_OS_ZMM);
        if (tu_cpuinfo_has(flags, "amx_tile"))
            assert_true(f & LPK_F_OS_AMX); /* ARCH_REQ_XCOMP_PERM granted */
    }
}

/* The best tier is what this machine (or the emulated CPU model) should get. */
static void test_expected_best_tier(void **state)
{
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    const char *env = getenv("LPK_EXPECT_TIER");
    int want = -1, opinion = 0;
    if (env && *env) {
        want = lpk_tier_from_name(env);
        assert_true(want >= 0);
        opinion = 1;
    } else {
        for (int t = 0; t < LPK_TIER_COUNT; t++) {
            const int e = tu_tier_expected((lpk_tier)t);
            if (e >= 0)
                opinion = 1;
            if (e == 1 && (want < 0 || lpk_tiers[t].rank > lpk_tiers[want].rank))
                want = t;
        }
    }
    if (!opinion) {
        printf("SKIPPED expected-tier check (no independent source on this machine)\n");
        skip();
    }
    printf("best tier: lpk %s, expected %s\n", lpk_isa(), lpk_tiers[want].name);
    assert_string_equal(lpk_isa(), lpk_tiers[want].name);
}

/* ---- caps and the selection rule ----------------------------------------- */

static int usable_under(const lpk_variant *v, int cap)
{
    const lpk_tier_info *ti = &lpk_tiers[v->tier], *ci = &lpk_tiers[cap];
    return v->built && lpk_tier_supported(v->tier) && ti->rank <= ci->rank &&
           (ti->arch == LPK_ARCH_ANY || ti->arch == ci->arch);
}

static int entry_names(const lpk_cpu_pref *e, const char *name)
{
    for (size_t i = 0; i < LPK_CPU_PREFER_MAX && e->prefer[i]; i++)
        if (strcmp(e->prefer[i], name) == 0)
            return 1;
    return 0;
}

/* Independent statement of the rule: first entry in table order that is
   compiled in, supported here, and within the cap; when the per-CPU entry
   applied here names it, the first of the entry's names that is. */
static const lpk_variant *expected_pick(const lpk_op *op, int cap)
{
    const lpk_cpu_pref *e = lpk_cpu_pref_current();
    for (size_t k = 0; k < op->count; k++) {
        const lpk_variant *v = &op->variants[k];
        if (!usable_under(v, cap))
            continue;
        if (!entry_names(e, v->name))
            return v;
        for (size_t i = 0; i < LPK_CPU_PREFER_MAX && e->prefer[i]; i++)
            for (size_t q = 0; q < op->count; q++)
                if (!strcmp(op->variants[q].name, e->prefer[i]) &&
                    usable_under(&op->variants[q], cap))
                    return &op->variants[q];
        return v;
    }
    return NULL;
}

static void check_selection(int cap)
{
    for (size_t i = 0; i < lpk_nops; i++) {
        const lpk_variant *v = lpk_selected(lpk_ops[i]);
        assert_non_null(v);
        assert_ptr_equal(v, expected_pick(lpk_ops[i], cap));
        assert_string_equal(lpk_kernel_variant(lpk_ops[i]->name), v->name);
    }
}

static void test_every_cap(void **state)
{
    int tried = 0;
    for (int t = 0; t < LPK_TIER_COUNT; t++) {
        const char *name = lpk_tiers[t].name;
        if (!lpk_tier_supported((lpk_tier)t)) {
            printf("SKIPPED cap %s (not available here)\n", name);
            continue;
        }
        assert_int_equal(lpk_set_isa(name), LPK_OK);
        assert_string_equal(lpk_isa(), name);
        check_selection(t);
        printf("cap %-10s:", name);
        for (size_t i = 0; i < lpk_nops; i++)
            printf(" %s", lpk_selected(lpk_ops[i])->name);
        printf("\n");
        tried++;
    }
    assert_true(tried >= 2);
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    /* the scalar cap selects the references */
    assert_int_equal(lpk_set_isa("scalar"), LPK_OK);
    for (size_t i = 0; i < lpk_nops; i++)
        assert_int_equal(lpk_selected(lpk_ops[i])->tier, LPK_TIER_SCALAR);
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
}

static void test_refusals(void **state)
{
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    const char *before = lpk_isa();
    assert_int_equal(lpk_set_isa("avx1024"), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "unknown ISA tier 'avx1024'"));
    assert_non_null(strstr(lpk_last_error(), "valid tiers: auto, scalar"));
    assert_non_null(strstr(lpk_last_error(), "neonbf16"));
    assert_int_equal(lpk_set_isa(NULL), LPK_EINVAL);
    assert_int_equal(lpk_set_isa(""), LPK_EINVAL);
    const char *foreign = LPK_ARCH_HOST == LPK_ARCH_X86 ? "neonbf16" : "amx";
    assert_int_equal(lpk_set_isa(foreign), LPK_ENOTSUP);
    assert_non_null(strstr(lpk_last_error(), "available here: scalar"));
    assert_non_null(strstr(lpk_last_error(), before));
    assert_string_equal(lpk_isa(), before); /* refused: the cap stays */
    assert_null(lpk_kernel_variant("round.nope"));
    assert_null(lpk_kernel_variant(NULL));
}

/* ---- pretending to be a weaker CPU --------------------------------------- */

static void test_fake_cpu(void **state)
{
    const uint64_t real = lpk_cpu_detect();
    /* no features at all: the best is the portable Highway tier, or scalar */
    lpk_test_set_feature_mask(0);
    const char *low = lpk_tier_built(LPK_TIER_HWY) ? "hwy" : "scalar";
    assert_string_equal(lpk_isa(), low);
    check_selection(lpk_tier_from_name(low));
    const char *mid = LPK_ARCH_HOST == LPK_ARCH_X86 ? "avx2" : "neon";
    assert_int_equal(lpk_set_isa(mid), LPK_ENOTSUP);
    assert_non_null(strstr(lpk_last_error(), "not supported by this CPU/OS"));
    /* only the avx2 (or neon) bundle */
    const uint64_t bundle = lpk_tiers[lpk_tier_from_name(mid)].required;
    if ((real & bundle) == bundle) {
        lpk_test_set_feature_mask(bundle);
        assert_string_equal(lpk_isa(), mid);
        check_selection(lpk_tier_from_name(mid));
        const char *high = LPK_ARCH_HOST == LPK_ARCH_X86 ? "avx512" : "neonbf16";
        assert_int_equal(lpk_set_isa(high), LPK_ENOTSUP);
        /* the CPU bit without the OS bit is not enough */
        if (LPK_ARCH_HOST == LPK_ARCH_X86) {
            lpk_test_set_feature_mask(bundle & ~LPK_F_OS_YMM);
            assert_string_equal(lpk_isa(), low);
        }
    } else {
        printf("SKIPPED fake-CPU %s bundle (the real CPU lacks it)\n", mid);
    }
    /* AMX without the OS permission bit is not AMX */
    if (real & LPK_F_OS_AMX) {
        lpk_test_set_feature_mask(~LPK_F_OS_AMX);
        assert_string_equal(lpk_isa(), "avx512bf16");
    }
    lpk_test_set_feature_mask(~0ull);
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    assert_int_equal(lpk_cpu_features(), real);
}

/* ---- the per-CPU table ---------------------------------------------------- */

static const lpk_op *gemm_op(void)
{
    for (size_t i = 0; i < lpk_nops; i++)
        if (!strcmp(lpk_ops[i]->name, "gemm.bf16f32"))
            return lpk_ops[i];
    fail_msg("no gemm.bf16f32 op");
    return NULL;
}

static const lpk_variant *variant_anywhere(const char *name)
{
    for (size_t i = 0; i < lpk_nops; i++) {
        const lpk_variant *v = lpk_op_variant_named(lpk_ops[i], name);
        if (v)
            return v;
    }
    return NULL;
}

static int bsize_ok(const lpk_gemm_bsize *b)
{
    return b->fixed ? b->level == 0 : b->level >= 1 && b->level <= 3 && b->share >= 1;
}

/* Every entry names variants that exist (its block overrides GEMM ones),
   has sane ranges and block rules, and is reachable: its own first CPU
   matches it, not an earlier entry.  Only the last entry matches any CPU. */
static void test_cpu_table_well_formed(void **state)
{
    assert_true(lpk_cpu_nprefs >= 1);
    for (size_t i = 0; i < lpk_cpu_nprefs; i++) {
        const lpk_cpu_pref *e = &lpk_cpu_prefs[i];
        assert_non_null(e->name);
        assert_non_null(e->why);
        assert_true((e->vendor == NULL) == (i == lpk_cpu_nprefs - 1));
        for (size_t p = 0; p < LPK_CPU_PREFER_MAX && e->prefer[p]; p++) {
            if (!variant_anywhere(e->prefer[p]))
                fail_msg("entry '%s' prefers '%s', a variant that does not exist", e->name,
                         e->prefer[p]);
            for (size_t q = 0; q < p; q++)
                assert_string_not_equal(e->prefer[p], e->prefer[q]);
        }
        for (size_t b = 0; b < LPK_CPU_BLOCKS_MAX && e->blocks[b].variant; b++) {
            if (!lpk_op_variant_named(gemm_op(), e->blocks[b].variant))
                fail_msg("entry '%s' sets blocks of '%s', no GEMM variant", e->name,
                         e->blocks[b].variant);
            const lpk_gemm_blocking *bl = &e->blocks[b].blocks;
            assert_true(bsize_ok(&bl->kc) && bsize_ok(&bl->mc) && bsize_ok(&bl->nc));
        }
        if (!e->vendor) {
            assert_null(e->prefer[0]);
            assert_null(e->blocks[0].variant);
            continue;
        }
        assert_true(e->family_lo <= e->family_hi && e->model_lo <= e->model_hi);
        lpk_cpu_id id = {{0}, e->family_lo, e->model_lo};
        snprintf(id.vendor, sizeof id.vendor, "%s", e->vendor);
        if (lpk_cpu_pref_match(&id) != e)
            fail_msg("entry '%s' is shadowed by '%s'", e->name, lpk_cpu_pref_match(&id)->name);
    }
}

/* An unknown CPU gets the default entry: the static order, own blocks. */
static void test_cpu_table_unknown(void **state)
{
    static const lpk_cpu_id unknown[] = {
        {"NoSuchVendor", 0x19, 0x11}, {"GenuineIntel", 6, 0x01}, {"AuthenticAMD", 0x10, 0x02},
        {"", 0, 0}};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        lpk_test_set_cpu_id(&unknown[i]);
        const lpk_cpu_pref *e = lpk_cpu_pref_current();
        assert_ptr_equal(e, &lpk_cpu_prefs[lpk_cpu_nprefs - 1]);
        const int cap = lpk_tier_from_name(lpk_isa());
        for (size_t o = 0; o < lpk_nops; o++) {
            const lpk_op *op = lpk_ops[o];
            const lpk_variant *first = NULL;
            for (size_t k = 0; k < op->count && !first; k++)
                if (usable_under(&op->variants[k], cap))
                    first = &op->variants[k];
            assert_ptr_equal(lpk_selected(op), first);
        }
    }
    lpk_test_set_cpu_id(NULL);
}

/* Each entry, faked, selects what it says: for GEMM the first runnable of
   its names when the static choice is one of them; under a cap or without
   a feature, never a variant the (pretended) CPU cannot run. */
static void test_cpu_table_entries(void **state)
{
    const lpk_op *g = gemm_op();
    for (size_t i = 0; i + 1 < lpk_cpu_nprefs; i++) {
        const lpk_cpu_pref *e = &lpk_cpu_prefs[i];
        lpk_cpu_id id = {{0}, e->family_hi, e->model_hi};
        snprintf(id.vendor, sizeof id.vendor, "%s", e->vendor);
        if (lpk_cpu_pref_match(&id) != e) /* the upper corner may belong to a later one */
            id.family = e->family_lo, id.model = e->model_lo;
        lpk_test_set_cpu_id(&id);
        assert_ptr_equal(lpk_cpu_pref_current(), e);
        check_selection(lpk_tier_from_name(lpk_isa()));
        const lpk_variant *v = lpk_selected(g);
        assert_true(lpk_variant_runnable(v));
        const lpk_variant *want = NULL;
        for (size_t p = 0; p < LPK_CPU_PREFER_MAX && e->prefer[p] && !want; p++) {
            const lpk_variant *c = lpk_op_variant_named(g, e->prefer[p]);
            if (c && lpk_variant_runnable(c))
                want = c;
        }
        printf("entry %-30s -> %s (first runnable named: %s)\n", e->name, v->name,
               want ? want->name : "none");
        /* the block overrides apply to the variant they name */
        for (size_t b = 0; b < LPK_CPU_BLOCKS_MAX && e->blocks[b].variant; b++) {
            const lpk_variant *bv = lpk_op_variant_named(g, e->blocks[b].variant);
            if (bv->built)
                assert_ptr_equal(lpk_gemm_cpu_blocks(LPK_FN(lpk_op_gemm, bv)()),
                                 &e->blocks[b].blocks);
        }
        /* under every cap, each choice is allowed and runnable */
        for (int t = 0; t < LPK_TIER_COUNT; t++) {
            if (!lpk_tier_supported((lpk_tier)t))
                continue;
            assert_int_equal(lpk_set_isa(lpk_tiers[t].name), LPK_OK);
            check_selection(t);
        }
        assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    }
    /* Zen 4 (VDPBF16PS at full rate) vs Sapphire Rapids (half rate): where
       both AVX-512 GEMM variants run, each gets the one its entry says */
    const lpk_variant *w = lpk_op_variant_named(g, "lpk_gemm_ukr_14x32__avx512");
    const lpk_variant *d = lpk_op_variant_named(g, "lpk_gemm_ukr_14x32c2__avx512bf16");
    const lpk_variant *amx = lpk_op_variant_named(g, "lpk_gemm_ukr_32x32c2__amx");
    if (w && d && lpk_variant_runnable(w) && lpk_variant_runnable(d) &&
        !(amx && lpk_variant_runnable(amx))) {
        const lpk_cpu_id zen4 = {"AuthenticAMD", 0x19, 0x11}, spr = {"GenuineIntel", 6, 0x8F};
        lpk_test_set_cpu_id(&zen4);
        assert_ptr_equal(lpk_selected(g), d);
        assert_int_equal(lpk_set_isa("avx512"), LPK_OK); /* the cap rules bf16 out */
        assert_ptr_equal(lpk_selected(g), w);
        assert_int_equal(lpk_set_isa("auto"), LPK_OK);
        lpk_test_set_feature_mask(~LPK_F_AVX512BF16); /* so does the CPU */
        assert_ptr_equal(lpk_selected(g), w);
        lpk_test_set_feature_mask(~0ull);
        lpk_test_set_cpu_id(&spr);
        assert_ptr_equal(lpk_selected(g), w);
    } else {
        printf("SKIPPED Zen 4 vs Sapphire Rapids order (needs avx512 and avx512bf16, no amx)\n");
    }
    lpk_test_set_cpu_id(NULL);
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
}

/* ---- topology ------------------------------------------------------------ */

static void test_topology(void **state)
{
    lpk_topology t;
    assert_int_equal(lpk_get_topology(NULL), LPK_EINVAL);
    assert_int_equal(lpk_get_topology(&t), LPK_OK);
    printf("topology (%s): L1d %zu, L2 %zu, L3 %zu, cores %d, PUs %d\n", t.source, t.l1d, t.l2,
           t.l3, t.cores, t.pus);
    assert_true(t.cores >= 1 && t.pus >= t.cores);
    assert_true(t.pus <= sysconf(_SC_NPROCESSORS_CONF) || sysconf(_SC_NPROCESSORS_CONF) <= 0);
    if (LPK_ARCH_HOST == LPK_ARCH_X86) { /* x86 reports its caches everywhere */
        assert_true(t.l1d >= 4096 && t.l1d <= (4u << 20));
        assert_true(t.l2 >= t.l1d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_first_use), /* first: exercises init */
        cmocka_unit_test(test_cpuinfo_crosscheck),
        cmocka_unit_test(test_expected_best_tier),
        cmocka_unit_test(test_every_cap),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_fake_cpu),
        cmocka_unit_test(test_set_isa_while_running),
        cmocka_unit_test(test_cpu_table_well_formed),
        cmocka_unit_test(test_cpu_table_unknown),
        cmocka_unit_test(test_cpu_table_entries),
        cmocka_unit_test(test_topology),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
