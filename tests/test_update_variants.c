/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer-update family: every runnable variant bit-exact against the
   reference: every mode, both gradient types, SGD momentum / dampening /
   nesterov / weight decay / first step, AdamW with and without decay,
   n = 0..130, misaligned pointers, guard zones on every buffer, dense
   special values, 1e5 elements, SR counters crossing their carries; the
   Kahan split / merge variants likewise; the premise of the 16-bit Kahan
   mode's shortcut (step-inl.h), over every pair of bf16 values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/asan.h"
#include "updateutil.h"

static const uint64_t offsets[] = {0, 1, 3, 5, 7, 8, 9, 63, 64, 1000003,
                                   (1ull << 35) - 13, 0xFFFFFFFFFFFFFFC5ull};
#define NOFF (sizeof offsets / sizeof offsets[0])

/* v of update.adamw (adamw) or update.sgd, against that op's reference. */
static void check_step_variant(const lpk_variant *v, int adamw)
{
    const lpk_op *op = adamw ? &lpk_op_update_adamw.op : &lpk_op_update_sgd.op;
    const lpk_variant *ref = tu_ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    size_t runs = 0;
    for (int mode = 0; mode < 4; mode++) {
        config cfg[UP_NCONFIGS];
        const size_t nc = up_mode_configs(mode, 0, mode_names[mode], cfg);
        for (size_t ci = 0; ci < nc; ci++) {
            if (cfg[ci].adamw != adamw)
                continue;
            for (int g32 = 0; g32 < 2; g32++) {
                for (size_t n = 0; n <= 130; n++) {
                    arena a;
                    arena_alloc(&a, n, (n + ci + (size_t)g32) % 4);
                    arena_fill(&a, 1000 * n + 17 * ci + (uint64_t)g32, 16);
                    up_compare_on(v, ref, &cfg[ci], &a, g32, 0x5EED0000ull + n,
                               offsets[(n + ci) % NOFF]);
                    arena_free(&a);
                    runs++;
                }
                /* dense specials in every buffer at every vector position */
                arena a;
                arena_alloc(&a, 4 * up_n_specials() + 3, (size_t)g32 + 1);
                arena_fill_specials(&a);
                up_compare_on(v, ref, &cfg[ci], &a, g32, 77, offsets[ci % NOFF]);
                arena_free(&a);
                runs++;
            }
        }
        /* 1e5 elements, one rich configuration per mode and gradient type */
        for (int g32 = 0; g32 < 2; g32++) {
            const size_t ci = adamw ? nc - 1 : 8; /* adamw wd step 7 / nesterov wd later */
            arena a;
            arena_alloc(&a, 100000, 1 + (size_t)g32);
            arena_fill(&a, 99 + (uint64_t)g32, 64);
            up_compare_on(v, ref, &cfg[ci], &a, g32, 0xC0FFEE, 12345 + (uint64_t)g32);
            arena_free(&a);
            runs++;
        }
        /* long runs across the counter's carries: the block index crossing
           2^32 inside a vector loop step, the element index wrapping */
        static const uint64_t far[] = {(1ull << 35) - 1501, 0xFFFFFFFFFFFFFFFFull - 1000};
        for (size_t f = 0; f < 2; f++) {
            const size_t ci = adamw ? nc - 1 : 0;
            arena a;
            arena_alloc(&a, 3001, f + 1);
            arena_fill(&a, 7 + f, 64);
            up_compare_on(v, ref, &cfg[ci], &a, (int)f, 0xFACE, far[f]);
            arena_free(&a);
            runs++;
        }
    }
    printf("        %zu comparisons\n", runs);
}

/* Kahan split / merge variants: tails, misalignment, specials, 1e5. */
static void kahan_once(const lpk_variant *v, const lpk_variant *ref, int split, const arena *a)
{
    arena x, r;
    arena_clone(&x, a);
    arena_clone(&r, a);
    if (split) {
        LPK_FN(lpk_op_update_kahan_split, v)(x.p[MASTER], x.p[W], x.p[COMP], a->n);
        LPK_FN(lpk_op_update_kahan_split, ref)(r.p[MASTER], r.p[W], r.p[COMP], a->n);
    } else {
        LPK_FN(lpk_op_update_kahan_merge, v)(x.p[W], x.p[COMP], x.p[MASTER], a->n);
        LPK_FN(lpk_op_update_kahan_merge, ref)(r.p[W], r.p[COMP], r.p[MASTER], a->n);
    }
    arena_compare(&x, &r, v->name);
    arena_free(&x);
    arena_free(&r);
}

/* v of update.kahan_split (split) or update.kahan_merge. */
static void check_kahan_variant(const lpk_variant *v, int split)
{
    const lpk_op *op = split ? &lpk_op_update_kahan_split.op : &lpk_op_update_kahan_merge.op;
    const lpk_variant *ref = tu_ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    arena a;
    for (size_t n = 0; n <= 130; n++) {
        arena_alloc(&a, n, n % 4);
        arena_fill(&a, 31 * n, 16);
        kahan_once(v, ref, split, &a);
        arena_free(&a);
    }
    arena_alloc(&a, 4 * up_n_specials() + 3, 1);
    arena_fill_specials(&a);
    kahan_once(v, ref, split, &a);
    arena_free(&a);
    arena_alloc(&a, 100000, 3);
    arena_fill(&a, 5, 64);
    kahan_once(v, ref, split, &a);
    arena_free(&a);
}

static void check_sgd(const lpk_variant *v, void *ctx) { check_step_variant(v, 0); }
static void check_adamw(const lpk_variant *v, void *ctx) { check_step_variant(v, 1); }
static void check_split(const lpk_variant *v, void *ctx) { check_kahan_variant(v, 1); }
static void check_merge(const lpk_variant *v, void *ctx) { check_kahan_variant(v, 0); }

static void test_variants_sgd(void **state) { tu_each(&lpk_op_update_sgd.op, check_sgd, NULL); }
static void test_variants_adamw(void **state) { tu_each(&lpk_op_update_adamw.op, check_adamw, NULL); }
static void test_variants_split(void **state)
{
    tu_each(&lpk_op_update_kahan_split.op, check_split, NULL);
}
static void test_variants_merge(void **state)
{
    tu_each(&lpk_op_update_kahan_merge.op, check_merge, NULL);
}

/* The shortcut of LPK_UPDATE_KAHAN in step-inl.h: with s = bf(w + y) and
   d = s - w in fp32, whenever d is a bf16 value (zero low half), so is
   d - y, so c = rne(bf(d) - y) is d - y itself.  Checked over every pair of
   bf16 values w and y, specials included (every 61st y under the
   sanitizers, at -O0 and under qemu, where the full 2^32 pairs would take
   minutes).
   Also counts the pairs that take it, which must be most of them.  s is
   rounded with to_bf: the kernels' integer rounding differs from it only
   for a NaN sum, and either way s is then a NaN with a zero low half. */
static void test_kahan_shortcut_premise(void **state)
{
#if defined(__OPTIMIZE__) && !LPK_ASAN
    const uint32_t ystep = tu_emulated() ? 61 : 1;
#else
    const uint32_t ystep = 61;
#endif
    uint64_t taken = 0, pairs = 0, bad = 0;
    for (uint32_t wi = 0; wi < 65536; wi++) {
        const float w = wid((lpk_bf16)wi);
        for (uint32_t yi = 0; yi < 65536; yi += ystep) {
            const float y = wid((lpk_bf16)yi);
            const float d = wid(to_bf(w + y)) - w;
            const uint32_t dl = lpk_f32_bits(d) & 0xFFFFu, el = lpk_f32_bits(d - y) & 0xFFFFu;
            pairs++;
            taken += dl == 0;
            bad += dl == 0 && el != 0;
        }
    }
    printf("kahan shortcut: %llu of %llu pairs (w, y) take it, %llu break it\n",
           (unsigned long long)taken, (unsigned long long)pairs, (unsigned long long)bad);
    assert_int_equal(bad, 0);
    assert_true(taken > pairs / 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants_sgd),
        cmocka_unit_test(test_variants_adamw),
        cmocka_unit_test(test_variants_split),
        cmocka_unit_test(test_variants_merge),
        cmocka_unit_test(test_kahan_shortcut_premise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
