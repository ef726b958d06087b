/* SPDX-License-Identifier: Apache-2.0 */
/* lpk's CPU detector (dispatch/cpu.c) against Highway's independent one
   (hwy::SupportedTargets through dispatch/hwy_bridge.h).

   Highway's targets are feature bundles too, but not lpk's bundles, so each
   comparison states the relation that holds by the two definitions
   (Highway 1.0.3 hwy/targets.cc):
     x86  HWY_AVX2    = SSE..SSE4.2 + AES + CLMUL + AVX + AVX2 + LZCNT + BMI +
                        BMI2 + FMA + F16C, XCR0 YMM state (when OSXSAVE)
          HWY_AVX3    = HWY_AVX2 bundle + AVX-512 F/VL/DQ/BW, XCR0 bits 5-7
          HWY_AVX3_DL = HWY_AVX3 + VNNI + VPCLMULQDQ + VBMI + VBMI2 + VAES +
                        VPOPCNTDQ + BITALG
     arm  HWY_NEON    = HWCAP_AES (A64 NEON is mandatory; Highway needs AES)
          HWY_SVE     = HWCAP_SVE
          HWY_SVE2    = HWCAP2_SVE2 + HWCAP2_SVEAES
   Where Highway requires more than lpk, Highway => lpk holds by definition,
   and the converse is checked with Highway's extra features taken from a
   third source (/proc/cpuinfo on x86, getauxval on aarch64) or from another
   Highway target.  Checks of the other architecture print SKIPPED and are
   skipped (not passed); the last test asserts that comparisons ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif

#include "testutil.h"
#include "hwy_bridge.h"

static int compared; /* comparisons that actually ran */

#define SKIP_UNLESS(cond, why)                                     \
    do {                                                           \
        if (!(cond)) {                                             \
            printf("SKIPPED %s (%s)\n", __func__ + 5, why);        \
            skip();                                                \
        }                                                          \
    } while (0)
#define ON_X86 (LPK_ARCH_HOST == LPK_ARCH_X86)
#define ON_ARM (LPK_ARCH_HOST == LPK_ARCH_ARM)

/* Highway's verdict on a target that must exist in this Highway version. */
static int hwy(const char *name)
{
    const int s = lpk_hwy_target_supported(name);
    if (s < 0)
        fail_msg("Highway %s has no target named %s", lpk_hwy_version(), name);
    return s;
}

static int tier(lpk_tier t) { return lpk_tier_supported(t); }
static int has(uint64_t f) { return (lpk_cpu_features() & f) == f; }

static void implies(const char *what, const char *a_name, int a, const char *b_name, int b)
{
    compared++;
    printf("COMPARE %s: %s=%d => %s=%d%s\n", what, a_name, a, b_name, b,
           a ? "" : " (holds vacuously)");
    if (a && !b)
        fail_msg("%s: %s but not %s: the detectors disagree", what, a_name, b_name);
}

static void iff(const char *what, const char *a_name, int a, const char *b_name, int b)
{
    compared++;
    printf("COMPARE %s: %s=%d <=> %s=%d\n", what, a_name, a, b_name, b);
    if (!a != !b)
        fail_msg("%s: %s=%d but %s=%d: the detectors disagree", what, a_name, a, b_name, b);
}

/* ---- third sources for the features only Highway requires ------------- */

/* x86 Linux: the kernel's view of CPUID, "flags" line of /proc/cpuinfo. */
static const char *cpuinfo_flags(void) { return tu_cpuinfo_flags(); }

/* Every flag of the space-separated list `want` is in the flags line. */
static int cpuinfo_has_all(const char *want)
{
    const char *flags = cpuinfo_flags();
    char tok[64];
    for (const char *p = want; *p; p += strspn(p, " ")) {
        const size_t len = strcspn(p, " ");
        if (!flags || len >= sizeof tok)
            return 0;
        memcpy(tok, p, len);
        tok[len] = 0;
        if (!tu_cpuinfo_has(flags, tok))
            return 0;
        p += len;
    }
    return 1;
}

#define AUX_HWCAP_AES (1ul << 3)
#define AUX_HWCAP2_SVEAES (1ul << 2)
static unsigned long auxval(int hwcap2)
{
#if defined(__aarch64__) && defined(__linux__)
    return getauxval(hwcap2 ? AT_HWCAP2 : AT_HWCAP);
#else
    (void)hwcap2;
    return 0;
#endif
}

/* ---- the bridge itself ------------------------------------------------ */

static void test_bridge(void **state)
{
    char names[512];
    const size_t need = lpk_hwy_supported_target_names(names, sizeof names);
    assert_true(need < sizeof names);
    assert_int_equal(strlen(names), need);
    printf("Highway %s: supported targets: %s (mask 0x%llx); static target at lpk's "
           "baseline flags (tier hwy): %s\n",
           lpk_hwy_version(), names, (unsigned long long)lpk_hwy_supported_targets(),
           lpk_hwy_static_target());
    /* the list and the mask agree, name <-> bit both ways */
    const uint64_t mask = lpk_hwy_supported_targets();
    assert_true(mask != 0);
    int count = 0;
    for (uint64_t rest = mask; rest; rest &= rest - 1, count++) {
        const uint64_t bit = rest & (~rest + 1);
        const char *name = lpk_hwy_target_name(bit);
        assert_non_null(name);
        assert_int_equal(lpk_hwy_target_bit(name), bit);
        assert_int_equal(lpk_hwy_target_supported(name), 1);
        assert_non_null(strstr(names, name));
    }
    int words = 1;
    for (const char *p = names; *p; p++)
        words += *p == ' ';
    assert_int_equal(words, count);
    /* truncation behaves like snprintf */
    char tiny[4];
    assert_int_equal(lpk_hwy_supported_target_names(tiny, sizeof tiny), need);
    assert_true(strlen(tiny) < sizeof tiny);
    assert_int_equal(lpk_hwy_supported_target_names(NULL, 0), need);
    /* names: unknown ones are -1, other architectures' are 0 */
    assert_int_equal(lpk_hwy_target_supported(NULL), -1);
    assert_int_equal(lpk_hwy_target_supported("AVX9000"), -1);
    assert_int_equal(lpk_hwy_target_supported("avx2"), -1); /* Highway's spelling only */
    assert_int_equal(lpk_hwy_target_bit("AVX9000"), 0);
    assert_null(lpk_hwy_target_name(0));
    assert_null(lpk_hwy_target_name(3)); /* not a single target */
    assert_int_equal(lpk_hwy_target_supported("SCALAR"), 1); /* always, by definition */
    if (ON_X86) {
        assert_int_equal(lpk_hwy_target_supported("NEON"), 0);
        assert_int_equal(lpk_hwy_target_supported("SVE"), 0);
    } else if (ON_ARM) {
        assert_int_equal(lpk_hwy_target_supported("AVX2"), 0);
        assert_int_equal(lpk_hwy_target_supported("AVX3"), 0);
    }
    /* lpk's hwy tier is the static target of the baseline: always runnable */
    assert_int_equal(lpk_tier_supported(LPK_TIER_HWY), 1);
    assert_int_not_equal(lpk_hwy_target_bit(lpk_hwy_static_target()), 0);
}

static void test_print_lpk(void **state)
{
    const uint64_t f = lpk_cpu_features();
    printf("lpk features:");
    for (int b = 0; b < LPK_FBIT_COUNT; b++)
        if (f & (1ull << b))
            printf(" %s", lpk_feature_names[b]);
    printf("\nlpk tiers supported:");
    for (int t = 0; t < LPK_TIER_COUNT; t++)
        if (lpk_tier_supported((lpk_tier)t))
            printf(" %s", lpk_tiers[t].name);
    printf("\n");
}

/* ---- x86 ---------------------------------------------------------------- */

/* Highway's AVX2 bundle beyond lpk's avx2 (AVX2+FMA+F16C+YMM), as
   /proc/cpuinfo spells it: SSE..SSE4.2 (pni = SSE3), AES, CLMUL, LZCNT (abm),
   BMI1, BMI2. */
#define HWY_AVX2_EXTRA "sse sse2 pni ssse3 sse4_1 sse4_2 aes pclmulqdq abm bmi1 bmi2"
/* Highway's AVX3_DL beyond AVX3 and lpk's avx512vnni feature. */
#define HWY_AVX3DL_EXTRA "vpclmulqdq avx512vbmi avx512_vbmi2 vaes avx512_vpopcntdq avx512_bitalg"

static void test_x86_hwy_avx2_implies_lpk_avx2(void **state)
{
    SKIP_UNLESS(ON_X86, "x86 only");
    implies("HWY_AVX2 => avx2", "hwy.AVX2", hwy("AVX2"), "lpk.avx2", tier(LPK_TIER_AVX2));
}

static void test_x86_lpk_avx2_and_extras_implies_hwy_avx2(void **state)
{
    SKIP_UNLESS(ON_X86, "x86 only");
    SKIP_UNLESS(cpuinfo_flags() != NULL, "no flags line in /proc/cpuinfo");
    /* whole flags only: "bmi" is a prefix of bmi1/bmi2, not a flag */
    assert_false(cpuinfo_has_all("bmi"));
    assert_false(cpuinfo_has_all("fpu no_such_flag"));
    assert_true(cpuinfo_has_all("fpu"));
    implies("avx2 + cpuinfo{" HWY_AVX2_EXTRA "} => HWY_AVX2", "lpk.avx2+extras",
            tier(LPK_TIER_AVX2) && cpuinfo_has_all(HWY_AVX2_EXTRA), "hwy.AVX2", hwy("AVX2"));
}

static void test_x86_hwy_avx3_implies_lpk_avx512(void **state)
{
    SKIP_UNLESS(ON_X86, "x86 only");
    implies("HWY_AVX3 => avx512", "hwy.AVX3", hwy("AVX3"), "lpk.avx512", tier(LPK_TIER_AVX512));
    /* Highway's AVX3 includes its AVX2 bundle, hence lpk's avx2 */
    implies("HWY_AVX3 => avx2", "hwy.AVX3", hwy("AVX3"), "lpk.avx2", tier(LPK_TIER_AVX2));
}

/* Exact converse: HWY_AVX3 = HWY_AVX2 bundle + F/VL/DQ/BW + ZMM state, and
   lpk's avx512 is F/BW/DQ/VL + XCR0 & 0xE6. */
static void test_x86_lpk_avx512_and_hwy_avx2_implies_hwy_avx3(void **state)
{
    SKIP_UNLESS(ON_X86, "x86 only");
    implies("avx512 && HWY_AVX2 => HWY_AVX3", "lpk.avx512&&hwy.AVX2",
            tier(LPK_TIER_AVX512) && hwy("AVX2"), "hwy.AVX3", hwy("AVX3"));
}

static void test_x86_hwy_avx3dl_implies_lpk_avx512_vnni(void **state)
{
    SKIP_UNLESS(ON_X86, "x86 only");
    implies("HWY_AVX3_DL => avx512 + avx512vnni", "hwy.AVX3_DL", hwy("AVX3_DL"),
            "lpk.avx512+vnni", tier(LPK_TIER_AVX512) && has(LPK_F_AVX512VNNI));
}

static void test_x86_lpk_avx512vnni_and_extras_implies_hwy_avx3dl(void **state)
{
    SKIP_UNLESS(ON_X86, "x86 only");
    SKIP_UNLESS(cpuinfo_flags() != NULL, "no flags line in /proc/cpuinfo");
    implies("avx512vnni && HWY_AVX3 + cpuinfo{" HWY_AVX3DL_EXTRA "} => HWY_AVX3_DL",
            "lpk.avx512+vnni&&hwy.AVX3+extras",
            tier(LPK_TIER_AVX512) && has(LPK_F_AVX512VNNI) && hwy("AVX3") &&
                cpuinfo_has_all(HWY_AVX3DL_EXTRA),
            "hwy.AVX3_DL", hwy("AVX3_DL"));
}

/* ---- aarch64 -------------------------------------------------------------- */

static void test_arm_hwy_neon_iff_lpk_neon_and_aes(void **state)
{
    SKIP_UNLESS(ON_ARM, "aarch64 only");
    const int aes = (auxval(0) & AUX_HWCAP_AES) != 0;
    printf("HWCAP_AES=%d (Highway's A64 NEON target requires AES)\n", aes);
    iff("HWY_NEON <=> neon && HWCAP_AES", "hwy.NEON", hwy("NEON"), "lpk.neon&&aes",
        tier(LPK_TIER_NEON) && aes);
}

static void test_arm_hwy_sve_iff_lpk_sve(void **state)
{
    SKIP_UNLESS(ON_ARM, "aarch64 only");
    iff("HWY_SVE <=> feature sve", "hwy.SVE", hwy("SVE"), "lpk.F_SVE", has(LPK_F_SVE));
    /* tier sve = asimd + sve; it serves the Highway-built SVE variants */
    iff("HWY_SVE && asimd <=> tier sve", "hwy.SVE&&asimd", hwy("SVE") && has(LPK_F_ASIMD),
        "lpk.sve", tier(LPK_TIER_SVE));
}

static void test_arm_hwy_sve2_iff_lpk_sve2_and_sveaes(void **state)
{
    SKIP_UNLESS(ON_ARM, "aarch64 only");
    const int sveaes = (auxval(1) & AUX_HWCAP2_SVEAES) != 0;
    printf("HWCAP2_SVEAES=%d (Highway's SVE2 target requires it)\n", sveaes);
    iff("HWY_SVE2 <=> feature sve2 && HWCAP2_SVEAES", "hwy.SVE2", hwy("SVE2"),
        "lpk.F_SVE2&&sveaes", has(LPK_F_SVE2) && sveaes);
}

/* ---- the comparisons can fail ------------------------------------------------ */

/* With one of lpk's features masked off (the test hook), lpk loses a tier
   that Highway still reports: the relation the comparisons assert must then
   be violated, i.e. a detector that misses a feature would be caught. */
static void test_disagreement_is_caught(void **state)
{
    const char *target = ON_X86 ? "AVX2" : "NEON";
    const lpk_tier t = ON_X86 ? LPK_TIER_AVX2 : LPK_TIER_NEON;
    const uint64_t feature = ON_X86 ? LPK_F_OS_YMM : LPK_F_ASIMD;
    SKIP_UNLESS(ON_X86 || ON_ARM, "x86 or aarch64 only");
    SKIP_UNLESS(hwy(target) && tier(t), "Highway or lpk lacks the target here");
    lpk_test_set_feature_mask(~feature);
    const int narrowed = tier(t);
    lpk_test_set_feature_mask(~0ull);
    printf("with lpk feature %s masked off: hwy.%s=%d, lpk.%s=%d (must disagree)\n",
           lpk_feature_names[ON_X86 ? LPK_FBIT_OS_YMM : LPK_FBIT_ASIMD], target, hwy(target),
           lpk_tiers[t].name, narrowed);
    assert_int_equal(narrowed, 0);
    assert_int_equal(tier(t), 1); /* restored */
}

/* ---- must run last --------------------------------------------------------- */

static void test_something_compared(void **state)
{
    printf("%d comparison(s) between Highway's and lpk's detection ran\n", compared);
    assert_true(compared >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridge),
        cmocka_unit_test(test_print_lpk),
        cmocka_unit_test(test_x86_hwy_avx2_implies_lpk_avx2),
        cmocka_unit_test(test_x86_lpk_avx2_and_extras_implies_hwy_avx2),
        cmocka_unit_test(test_x86_hwy_avx3_implies_lpk_avx512),
        cmocka_unit_test(test_x86_lpk_avx512_and_hwy_avx2_implies_hwy_avx3),
        cmocka_unit_test(test_x86_hwy_avx3dl_implies_lpk_avx512_vnni),
        cmocka_unit_test(test_x86_lpk_avx512vnni_and_extras_implies_hwy_avx3dl),
        cmocka_unit_test(test_arm_hwy_neon_iff_lpk_neon_and_aes),
        cmocka_unit_test(test_arm_hwy_sve_iff_lpk_sve),
        cmocka_unit_test(test_arm_hwy_sve2_iff_lpk_sve2_and_sveaes),
        cmocka_unit_test(test_disagreement_is_caught),
        cmocka_unit_test(test_something_compared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
