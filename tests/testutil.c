/* SPDX-License-Identifier: Apache-2.0 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tu_cpuinfo_has(const char *flags, const char *flag)
{
    const size_t len = strlen(flag);
    for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += len)
        if ((p == flags || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\n' || p[len] == 0))
            return 1;
    return 0;
}

const char *tu_cpuinfo_flags(void)
{
    static char line[8192];
    static int loaded;
    if (!loaded) {
        loaded = 1;
        FILE *f = fopen("/proc/cpuinfo", "r");
        if (f) {
            char buf[8192];
            while (fgets(buf, sizeof buf, f))
                /* x86 "flags", aarch64 "Features"; under qemu-user the host's
                   cpuinfo shows through, so only this architecture's key counts */
                if (strncmp(buf, LPK_ARCH_HOST == LPK_ARCH_X86 ? "flags" : "Features",
                            LPK_ARCH_HOST == LPK_ARCH_X86 ? 5 : 8) == 0) {
                    snprintf(line, sizeof line, "%s", buf);
                    break;
                }
            fclose(f);
        }
    }
    return line[0] ? line : NULL;
}

int tu_emulated(void) { return getenv("LPK_EXPECT_TIER") != NULL; }

int tu_tier_expected(lpk_tier t)
{
    const char *want = getenv("LPK_EXPECT_TIER");
    if (want && *want) {
        const int w = lpk_tier_from_name(want);
        if (w < 0)
            return -1;
        return lpk_tiers[t].rank <= lpk_tiers[w].rank &&
               (lpk_tiers[t].arch == LPK_ARCH_ANY || lpk_tiers[t].arch == lpk_tiers[w].arch) &&
               lpk_tier_built(t);
    }
    if (LPK_ARCH_HOST != LPK_ARCH_X86)
        return -1;
    if (lpk_tiers[t].arch != LPK_ARCH_ANY && lpk_tiers[t].arch != LPK_ARCH_X86)
        return 0;
    const char *flags = tu_cpuinfo_flags();
    if (!flags)
        return -1;
    for (int b = 0; b < LPK_FBIT_COUNT; b++) {
        if (!(lpk_tiers[t].required & (1ull << b)) || !lpk_feature_cpuinfo_flags[b])
            continue;
        if (!tu_cpuinfo_has(flags, lpk_feature_cpuinfo_flags[b]))
            return 0;
    }
    return lpk_tier_built(t);
}

int tu_each_variant(const lpk_op *op, tu_variant_fn fn, void *ctx)
{
    int ran = 0;
    for (size_t k = 0; k < op->count; k++) {
        const lpk_variant *v = &op->variants[k];
        if (lpk_variant_runnable(v)) {
            fn(v, ctx);
            ran++;
            continue;
        }
        const int arch = lpk_tiers[v->tier].arch;
        const char *why = v->built ? "CPU/OS lacks tier"
                          : arch != LPK_ARCH_ANY && arch != LPK_ARCH_HOST
                              ? "not built for this architecture"
                              : "not built in this configuration";
        printf("SKIPPED %s [%s] (%s: %s)\n", v->name, op->name, lpk_tiers[v->tier].name, why);
        if (tu_tier_expected(v->tier) == 1)
            fail_msg("%s should run on this machine (tier %s expected) but is not runnable",
                     v->name, lpk_tiers[v->tier].name);
    }
    assert_true(ran >= 1);
    return ran;
}

uint64_t tu_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

size_t tu_special_f32_bits(uint32_t *out, size_t cap)
{
    static const uint32_t base[] = {
        0x00000000, 0x00000001, 0x00007FFF, 0x00008000, 0x00008001, 0x00018000,
        0x0000FFFF, 0x00010000, 0x007FFFFF, 0x007F8000, 0x007F7FFF, 0x007FFFFF,
        0x00800000, 0x3F800000, 0x3F808000, 0x3F818000, 0x3F807FFF, 0x3F808001,
        0x3F818001, 0x3F817FFF, 0x3FFFFFFF, 0x3FFF8000, 0x3FFF7FFF, 0x7F7FFFFF,
        0x7F7F8000, 0x7F7F7FFF, 0x7F7F0000, 0x7F7EFFFF, 0x7F800000, 0x7F800001,
        0x7F800100, 0x7F807FFF, 0x7F808000, 0x7FBFFFFF, 0x7FC00000, 0x7FC00001,
        0x7FFFFFFF, 0x7FFF8000, 0x7F80FFFF, 0x7F810000, 0x4B000000, 0x33800000,
        0x0000C000, 0x00004000, 0x40490FDB, 0x3DCCCCCD,
    };
    size_t k = 0;
    for (size_t i = 0; i < sizeof base / sizeof base[0]; i++)
        for (uint32_t sign = 0; sign <= 1; sign++)
            if (k < cap)
                out[k++] = base[i] | (sign << 31);
    return k;
}

void tu_fill_f32(float *x, size_t n, uint64_t seed)
{
    uint32_t sp[128];
    const size_t ns = tu_special_f32_bits(sp, 128);
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        const uint64_t r = tu_rand(&s);
        uint32_t u;
        switch (r & 3) {
        case 0: u = sp[(r >> 8) % ns]; break;
        case 1: u = (uint32_t)(r >> 32); break;
        default: {
            const float v = (float)((double)(int32_t)(r >> 32) / 2147483648.0 * 100.0);
            memcpy(&u, &v, 4);
        }
        }
        memcpy(&x[i], &u, 4);
    }
}

long tu_first_diff(const void *a, const void *b, size_t bytes)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < bytes; i++)
        if (x[i] != y[i])
            return (long)i;
    return -1;
}

void *tu_xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    assert_non_null(p);
    return p;
}

const lpk_variant *tu_ref_of(const lpk_op *op)
{
    assert_true(op->count >= 1);
    const lpk_variant *r = &op->variants[op->count - 1];
    assert_int_equal(r->tier, LPK_TIER_SCALAR);
    return r;
}

int tu_each(const lpk_op *op, tu_variant_fn fn, void *ctx)
{
    const lpk_variant *ref = tu_ref_of(op);
    const int ran = tu_each_variant(op, fn, ctx);
    printf("%s: %d variant(s) checked against %s\n", op->name, ran, ref->name);
    assert_true(ran >= 1);
    return ran;
}

void *tu_guard_alloc(tu_guarded *g, size_t bytes, size_t lead)
{
    g->bytes = bytes;
    g->lead = lead;
    g->base = tu_xmalloc(tu_guard_total(g));
    memset(g->base, TU_SENTINEL, tu_guard_total(g));
    return tu_guard_data(g);
}

void *tu_guard_clone(tu_guarded *dst, const tu_guarded *src)
{
    tu_guard_alloc(dst, src->bytes, src->lead);
    memcpy(dst->base, src->base, tu_guard_total(src));
    return tu_guard_data(dst);
}

void tu_guard_check(const tu_guarded *g, const char *name, size_t n)
{
    const size_t front = TU_GUARD_BYTES + g->lead, total = tu_guard_total(g);
    for (size_t k = 0; k < front; k++)
        if (g->base[k] != TU_SENTINEL)
            fail_msg("%s wrote before its output (n=%zu, byte %zu before)", name, n, front - k);
    for (size_t k = front + g->bytes; k < total; k++)
        if (g->base[k] != TU_SENTINEL)
            fail_msg("%s wrote past its output (n=%zu, byte %zu after)", name, n,
                     k - front - g->bytes);
}

void tu_guard_free(tu_guarded *g)
{
    free(g->base);
    g->base = NULL;
}
