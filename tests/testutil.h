/* SPDX-License-Identifier: Apache-2.0 */
/* Shared test helpers: walking kernel tables, expected tiers, inputs. */
#ifndef LPK_TESTUTIL_H
#define LPK_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lpk_internal.h"

/* Should this machine run tier t?  Decided independently of lpk's detector:
   x86 Linux from /proc/cpuinfo flags; under emulation from LPK_EXPECT_TIER
   (the best tier the emulated CPU model must reach).  -1: no opinion. */
int tu_tier_expected(lpk_tier t);

/* Whether the tests run under emulation (qemu-user: LPK_EXPECT_TIER set),
   where the longest loops run a subset. */
int tu_emulated(void);

/* The feature line of /proc/cpuinfo for this architecture, or NULL. */
const char *tu_cpuinfo_flags(void);
int tu_cpuinfo_has(const char *flags, const char *flag);

/* Calls fn for every runnable variant of op; prints "SKIPPED <name> (why)"
   for the others.  Fails the test if a variant that this machine should run
   (tu_tier_expected) is not runnable.  Returns how many variants ran. */
typedef void (*tu_variant_fn)(const lpk_variant *v, void *ctx);
int tu_each_variant(const lpk_op *op, tu_variant_fn fn, void *ctx);

/* Deterministic 64-bit generator for test inputs (splitmix64). */
uint64_t tu_rand(uint64_t *state);

/* f32 bit patterns every conversion must get right: zeros, denormals,
   quiet/signalling NaN with payloads, infinities, max finite, exact
   halfway points, one ulp either side, values that carry into the exponent.
   Returns the count written (at most cap). */
size_t tu_special_f32_bits(uint32_t *out, size_t cap);

/* Fills n floats: specials interleaved with random bit patterns and random
   values of moderate magnitude. */
void tu_fill_f32(float *x, size_t n, uint64_t seed);

/* Index of the first difference of two byte buffers, or -1. */
long tu_first_diff(const void *a, const void *b, size_t bytes);

/* malloc that fails the test instead of returning NULL (bytes 0 allowed). */
void *tu_xmalloc(size_t bytes);

/* The scalar reference of op: its last entry, asserted to be the SCALAR
   tier. */
const lpk_variant *tu_ref_of(const lpk_op *op);

/* tu_each_variant(op, fn, ctx), then prints "<op>: N variant(s) checked
   against <ref>" and asserts that at least one variant ran. */
int tu_each(const lpk_op *op, tu_variant_fn fn, void *ctx);

/* ---- guard zones ----------------------------------------------------------
   A buffer of `bytes` preceded by TU_GUARD_BYTES + `lead` bytes and followed
   by TU_GUARD_BYTES bytes of TU_SENTINEL: a kernel writing outside its
   output changes a sentinel.  `lead` misaligns the data (the data sit at
   TU_GUARD_BYTES + lead bytes into a malloc block). */
#define TU_GUARD_BYTES 512 /* >= every guard the family tests had (64 B to 288 B) */
#define TU_SENTINEL 0xA5
typedef struct {
    unsigned char *base;
    size_t bytes, lead;
} tu_guarded;

/* Allocates g (every byte TU_SENTINEL) and returns its data pointer. */
void *tu_guard_alloc(tu_guarded *g, size_t bytes, size_t lead);
/* dst = a byte-for-byte copy of src (guards and data). */
void *tu_guard_clone(tu_guarded *dst, const tu_guarded *src);
static inline void *tu_guard_data(const tu_guarded *g) { return g->base + TU_GUARD_BYTES + g->lead; }
static inline size_t tu_guard_total(const tu_guarded *g) { return g->bytes + g->lead + 2 * TU_GUARD_BYTES; }
/* Fails the test ("<name> wrote before / past its output (n=..)") if a
   sentinel changed. */
void tu_guard_check(const tu_guarded *g, const char *name, size_t n);
void tu_guard_free(tu_guarded *g);

#endif
