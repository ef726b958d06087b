/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the libFuzzer targets: reading the input, walking the
   ISA tiers through the public API, and failing loudly.

   Every target is differential: it runs the same call once with the tier
   capped at "scalar" (the reference) and once per other tier this machine
   supports (lpk_set_isa), skipping tiers that would select the same variants
   as one already run, and compares the results within what include/lpk.h
   promises.  A mismatch prints what differs and aborts, which libFuzzer
   reports as a crash and saves the input. */
#ifndef LPK_FUZZ_COMMON_H
#define LPK_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpk.h"
#include "common/bf16.h" /* lpk_f32_bits, lpk_bits_f32 */
#include "lpk_internal.h" /* lpk_tiers */

/* ---- failing ---------------------------------------------------------- */

#define FUZZ_FAIL(...)                                                     \
    do {                                                                   \
        fprintf(stderr, "fuzz mismatch (%s:%d): ", __FILE__, __LINE__);    \
        fprintf(stderr, __VA_ARGS__);                                      \
        fprintf(stderr, "\n");                                             \
        abort();                                                           \
    } while (0)

#define FUZZ_CHECK(cond, ...)   \
    do {                        \
        if (!(cond))            \
            FUZZ_FAIL(__VA_ARGS__); \
    } while (0)

/* ---- reading the input -------------------------------------------------- */

/* Bytes are consumed from the front; once the input is exhausted, further
   reads continue from a splitmix64 stream seeded by the input's length and
   the last bytes read, so short inputs still describe whole problems. */
typedef struct {
    const uint8_t *p;
    size_t left;
    uint64_t state;
} fuzz_in;

static inline void fuzz_in_init(fuzz_in *in, const uint8_t *data, size_t size)
{
    in->p = data;
    in->left = size;
    in->state = 0x9E3779B97F4A7C15ull * (size + 1);
}

static inline uint64_t fuzz_mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint8_t fuzz_u8(fuzz_in *in)
{
    if (in->left) {
        in->left--;
        const uint8_t b = *in->p++;
        in->state = in->state * 31 + b;
        return b;
    }
    return (uint8_t)fuzz_mix(&in->state);
}

static inline uint16_t fuzz_u16(fuzz_in *in)
{
    const uint16_t lo = fuzz_u8(in);
    return (uint16_t)(lo | (uint16_t)fuzz_u8(in) << 8);
}

static inline uint32_t fuzz_u32(fuzz_in *in)
{
    const uint32_t lo = fuzz_u16(in);
    return lo | (uint32_t)fuzz_u16(in) << 16;
}

static inline uint64_t fuzz_u64(fuzz_in *in)
{
    const uint64_t lo = fuzz_u32(in);
    return lo | (uint64_t)fuzz_u32(in) << 32;
}

/* A float parameter: mostly ordinary values, sometimes a raw bit pattern
   (NaN, Inf, denormal, huge: the invalid and edge cases). */
static inline float fuzz_param(fuzz_in *in, const float *table, size_t count)
{
    const uint8_t sel = fuzz_u8(in);
    if (sel < 224)
        return table[sel % count];
    return lpk_bits_f32(fuzz_u32(in));
}

/* ---- tiers ------------------------------------------------------------ */

/* Whether op `name` belongs to the family `prefix` ("update.", ...) or to
   one of `families` (NULL-terminated prefixes). */
static inline int fuzz_in_family(const char *name, const char *prefix)
{
    return strncmp(name, prefix, strlen(prefix)) == 0;
}

static inline int fuzz_in_families(const char *name, const char *const *families)
{
    for (const char *const *f = families; *f; f++)
        if (fuzz_in_family(name, *f))
            return 1;
    return 0;
}

/* The tiers to run for the kernels of `families` (every op of the
   dispatcher's table, dispatch/ops.c, whose name starts with one of these
   prefixes, so that a new op is covered without an edit here): the first
   is "scalar", then every tier of dispatch/tiers.inc (lowest first) that
   this machine supports and whose variants for those ops differ from all
   tiers listed before.  Computed once per process, and printed.  Returns
   the count. */
static inline size_t fuzz_tiers(const char *const *families, const char **out)
{
    for (const char *const *f = families; *f; f++) {
        int found = 0;
        for (size_t i = 0; i < lpk_nops; i++)
            found |= fuzz_in_family(lpk_ops[i]->name, *f);
        FUZZ_CHECK(found, "no op of the family \"%s\"", *f);
    }
    static char sig[LPK_TIER_COUNT][2048];
    size_t count = 0;
    for (size_t t = 0; t < LPK_TIER_COUNT; t++) {
        if (lpk_set_isa(lpk_tiers[t].name) != LPK_OK)
            continue;
        char s[2048] = "";
        for (size_t i = 0; i < lpk_nops; i++) {
            if (!fuzz_in_families(lpk_ops[i]->name, families))
                continue;
            const char *v = lpk_kernel_variant(lpk_ops[i]->name);
            FUZZ_CHECK(v != NULL, "lpk_kernel_variant(\"%s\") is NULL under %s",
                       lpk_ops[i]->name, lpk_tiers[t].name);
            FUZZ_CHECK(strlen(s) + strlen(v) + 2 < sizeof s, "too many ops for the signature");
            strcat(s, v);
            strcat(s, ",");
        }
        int dup = 0;
        for (size_t u = 0; u < count; u++)
            dup |= strcmp(sig[u], s) == 0;
        if (dup)
            continue;
        memcpy(sig[count], s, sizeof s);
        out[count++] = lpk_tiers[t].name;
    }
    FUZZ_CHECK(count >= 1 && strcmp(out[0], "scalar") == 0, "the scalar tier is not available");
    fprintf(stderr, "fuzz: tiers compared with scalar:");
    for (size_t t = 1; t < count; t++)
        fprintf(stderr, " %s", out[t]);
    fprintf(stderr, "%s\n", count > 1 ? "" : " none (this machine runs no other tier)");
    FUZZ_CHECK(lpk_set_isa("auto") == LPK_OK, "lpk_set_isa(\"auto\") failed: %s",
               lpk_last_error());
    return count;
}

static inline void fuzz_set_tier(const char *tier)
{
    FUZZ_CHECK(lpk_set_isa(tier) == LPK_OK, "lpk_set_isa(\"%s\") failed: %s", tier,
               lpk_last_error());
}

/* Index of the first differing byte, or -1. */
static inline long fuzz_diff(const void *a, const void *b, size_t bytes)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < bytes; i++)
        if (x[i] != y[i])
            return (long)i;
    return -1;
}

#endif
