/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates over a list of tensors (lpk_sgd_step_multi,
   lpk_adamw_step_multi):
   - bit for bit the per-tensor loop of lpk_sgd_step / lpk_adamw_step, every
     mode (state SR included), 1..200 tensors of 0..5000 elements (1-element
     ones too), mixed gradient types, per-tensor offsets or NULL offsets;
   - the same result on 1, 2 and 4 threads;
   - bad input at tensor k (NULL buffer, both gradients, overflow of one
     tensor and of the list, overlap within a tensor and across tensors,
     NULL list) refused with the index in the message, nothing written in
     any tensor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "updateutil.h"

static const int all_modes[] = {
    LPK_UPDATE_NEAREST,
    LPK_UPDATE_STOCHASTIC,
    LPK_UPDATE_KAHAN,
    LPK_UPDATE_FP32,
    LPK_UPDATE_F32_NEAREST,
    LPK_UPDATE_F32_STOCHASTIC,
    LPK_UPDATE_F32_KAHAN,
    LPK_UPDATE_F32_NEAREST | LPK_UPDATE_STATE_SR,
    LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_STATE_SR,
    LPK_UPDATE_F32_KAHAN | LPK_UPDATE_STATE_SR,
};
#define NMODES (sizeof all_modes / sizeof all_modes[0])

/* A list of tensors, each in its own guarded arena (every buffer set: the
   calls ignore those the mode does not use). */
typedef struct {
    size_t count;
    arena *a;
    lpk_opt_tensor *t;
    uint64_t *off;
} tlist;

static lpk_opt_tensor view(const arena *a, int grad32)
{
    return (lpk_opt_tensor){a->n,           a->p[W],     a->p[COMP],
                            a->p[MASTER],   grad32 ? NULL : a->p[G16],
                            grad32 ? a->p[G32] : NULL,   a->p[M],
                            a->p[V],        a->p[M32],   a->p[V32]};
}

/* Sizes 0..maxn: one in five a 1-element tensor, one in ten empty. */
static void list_make(tlist *L, size_t count, size_t maxn, uint64_t seed)
{
    uint64_t s = seed;
    L->count = count;
    L->a = tu_xmalloc(count * sizeof *L->a);
    L->t = tu_xmalloc(count * sizeof *L->t);
    L->off = tu_xmalloc(count * sizeof *L->off);
    for (size_t i = 0; i < count; i++) {
        const uint64_t r = tu_rand(&s);
        const size_t n = r % 10 == 0 ? 0 : r % 5 == 1 ? 1 : (size_t)(r >> 20) % (maxn + 1);
        arena_alloc(&L->a[i], n, (r >> 8) % 3);
        arena_fill(&L->a[i], tu_rand(&s), 40);
        L->t[i] = view(&L->a[i], (int)(r >> 12) & 1);
        L->off[i] = tu_rand(&s) >> ((r >> 16) % 64); /* small and large, any residue mod 8 */
    }
}

static void list_clone(tlist *dst, const tlist *src)
{
    dst->count = src->count;
    dst->a = tu_xmalloc(src->count * sizeof *dst->a);
    dst->t = tu_xmalloc(src->count * sizeof *dst->t);
    dst->off = tu_xmalloc(src->count * sizeof *dst->off);
    for (size_t i = 0; i < src->count; i++) {
        arena_clone(&dst->a[i], &src->a[i]);
        dst->t[i] = view(&dst->a[i], src->t[i].grad32 != NULL);
        dst->off[i] = src->off[i];
    }
}

static void list_free(tlist *L)
{
    for (size_t i = 0; i < L->count; i++)
        arena_free(&L->a[i]);
    free(L->a);
    free(L->t);
    free(L->off);
}

static void list_compare(const tlist *x, const tlist *ref, const char *what)
{
    for (size_t i = 0; i < x->count; i++) {
        char w[200];
        snprintf(w, sizeof w, "%s, tensor %zu of %zu", what, i, x->count);
        arena_compare(&x->a[i], &ref->a[i], w);
    }
}

static const lpk_sgd_params sgd_p = {0.05f, 0.9f, 0.0f, 0.01f, 1, 3};
static const lpk_adamw_params adamw_p = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 5};

static lpk_status multi(const tlist *L, int adamw, int mode, uint64_t seed, int with_off)
{
    const uint64_t *off = with_off ? L->off : NULL;
    return adamw ? lpk_adamw_step_multi(&adamw_p, (lpk_update_mode)mode, L->t, L->count, seed, off)
                 : lpk_sgd_step_multi(&sgd_p, (lpk_update_mode)mode, L->t, L->count, seed, off);
}

static void loop(const tlist *L, int adamw, int mode, uint64_t seed, int with_off)
{
    for (size_t i = 0; i < L->count; i++) {
        const uint64_t off = with_off ? L->off[i] : 0;
        const lpk_status st =
            adamw ? lpk_adamw_step(&adamw_p, (lpk_update_mode)mode, &L->t[i], seed, off)
                  : lpk_sgd_step(&sgd_p, (lpk_update_mode)mode, &L->t[i], seed, off);
        assert_int_equal(st, LPK_OK);
    }
}

/* multi == the per-tensor loop, every mode, both optimizers. */
static void test_multi_equals_loop(void **state)
{
    (void)state;
    static const size_t counts[] = {1, 2, 7, 200, 33, 1, 120, 5, 64, 3};
    size_t lists = 0, elems = 0;
    for (size_t mi = 0; mi < NMODES; mi++)
        for (int adamw = 0; adamw < 2; adamw++) {
            const size_t count = counts[(mi + (size_t)adamw * 3) % 10];
            tlist a, b;
            list_make(&a, count, count > 100 ? 1500 : 5000, 1000 * mi + (uint64_t)adamw);
            list_clone(&b, &a);
            const int with_off = (mi + (size_t)adamw) % 3 != 0;
            assert_int_equal(multi(&a, adamw, all_modes[mi], 77 + mi, with_off), LPK_OK);
            loop(&b, adamw, all_modes[mi], 77 + mi, with_off);
            char what[128];
            snprintf(what, sizeof what, "%s mode %d, %zu tensors, offsets %s",
                     adamw ? "adamw" : "sgd", all_modes[mi], count, with_off ? "given" : "NULL");
            list_compare(&a, &b, what);
            for (size_t i = 0; i < count; i++)
                elems += a.t[i].n;
            list_free(&a);
            list_free(&b);
            lists++;
        }
    /* an empty list, and a list of empty tensors, are no-ops */
    assert_int_equal(lpk_sgd_step_multi(&sgd_p, LPK_UPDATE_NEAREST, NULL, 0, 0, NULL), LPK_OK);
    const lpk_opt_tensor empty[3] = {{0}, {0}, {0}};
    assert_int_equal(lpk_adamw_step_multi(&adamw_p, LPK_UPDATE_KAHAN, empty, 3, 0, NULL), LPK_OK);
    printf("        %zu lists, %zu elements: multi == per-tensor loop\n", lists, elems);
}

/* The same list on 1, 2 and 4 threads (large enough to split). */
static void test_threads(void **state)
{
    (void)state;
    const int modes[] = {LPK_UPDATE_STOCHASTIC, LPK_UPDATE_F32_KAHAN | LPK_UPDATE_STATE_SR,
                         LPK_UPDATE_FP32};
    for (size_t mi = 0; mi < 3; mi++)
        for (int adamw = 0; adamw < 2; adamw++) {
            tlist base, r[3];
            list_make(&base, 150, 5000, 99 + mi);
            static const int nt[3] = {1, 2, 4};
            for (int k = 0; k < 3; k++) {
                list_clone(&r[k], &base);
                assert_int_equal(lpk_set_num_threads(nt[k]), LPK_OK);
                assert_int_equal(multi(&r[k], adamw, modes[mi], 5, 1), LPK_OK);
            }
            assert_int_equal(lpk_set_num_threads(0), LPK_OK);
            char what[96];
            for (int k = 1; k < 3; k++) {
                snprintf(what, sizeof what, "%s mode %d: %d threads vs 1", adamw ? "adamw" : "sgd",
                         modes[mi], nt[k]);
                list_compare(&r[k], &r[0], what);
            }
            for (int k = 0; k < 3; k++)
                list_free(&r[k]);
            list_free(&base);
        }
}

/* ---- bad input at tensor k --------------------------------------------------- */

/* Fails unless st is `want` with a message holding every string of `msg`
   (NULL-terminated), and nothing in any tensor changed. */
static void expect_bad(const tlist *L, const tlist *orig, lpk_status st, lpk_status want,
                       const char *const *msg)
{
    if (st != want)
        fail_msg("status %d, want %d (expecting \"%s\" \"%s\")", (int)st, (int)want, msg[1],
                 msg[1] ? msg[2] : "");
    const char *e = lpk_last_error();
    for (; *msg; msg++)
        if (!strstr(e, *msg))
            fail_msg("message \"%s\" lacks \"%s\"", e, *msg);
    list_compare(L, orig, e);
}

static void test_bad_input(void **state)
{
    (void)state;
    tlist L, orig;
    list_make(&L, 10, 300, 4242);
    for (size_t i = 0; i < L.count; i++) /* every tensor non-empty */
        if (L.t[i].n == 0) {
            arena_free(&L.a[i]);
            arena_alloc(&L.a[i], 5, 0);
            arena_fill(&L.a[i], i, 0);
            L.t[i] = view(&L.a[i], 0);
        }
    list_clone(&orig, &L);
    const lpk_opt_tensor keep = L.t[6];
    static const char S[] = "lpk_sgd_step_multi", A[] = "lpk_adamw_step_multi";
    /* params and list */
    expect_bad(&L, &orig, lpk_sgd_step_multi(NULL, LPK_UPDATE_NEAREST, L.t, L.count, 0, NULL),
               LPK_EINVAL, (const char *[]){S, "params is NULL", NULL});
    expect_bad(&L, &orig, lpk_adamw_step_multi(&adamw_p, LPK_UPDATE_NEAREST, NULL, 4, 0, NULL),
               LPK_EINVAL, (const char *[]){A, "tensors is NULL", NULL});
    /* a NULL buffer the mode needs */
    L.t[6].m = NULL;
    expect_bad(&L, &orig, multi(&L, 1, LPK_UPDATE_F32_KAHAN, 0, 1), LPK_EINVAL,
               (const char *[]){A, "tensor 6", "buffer m is NULL", NULL});
    L.t[6] = keep;
    L.t[6].comp = NULL;
    expect_bad(&L, &orig, multi(&L, 0, LPK_UPDATE_KAHAN, 0, 1), LPK_EINVAL,
               (const char *[]){S, "tensor 6", "buffer comp is NULL", NULL});
    L.t[6] = keep;
    L.t[6].grad = L.a[6].p[G16];
    L.t[6].grad32 = L.a[6].p[G32];
    expect_bad(&L, &orig, multi(&L, 0, LPK_UPDATE_NEAREST, 0, 1), LPK_EINVAL,
               (const char *[]){S, "tensor 6", "both grad and grad32", NULL});
    /* overflow: one tensor, then the list's total */
    L.t[6] = keep;
    L.t[6].n = SIZE_MAX / 4;
    expect_bad(&L, &orig, multi(&L, 1, LPK_UPDATE_FP32, 0, 1), LPK_EINVAL,
               (const char *[]){A, "tensor 6", "overflow", NULL});
    L.t[6] = keep;
    {
        lpk_opt_tensor big[3] = {L.t[0], L.t[1], L.t[2]};
        big[1].n = (size_t)PTRDIFF_MAX / 8; /* w + grad: 4 bytes per element, fits alone */
        big[2].n = (size_t)PTRDIFF_MAX / 8;
        big[1].grad32 = NULL;
        big[2].grad32 = NULL;
        big[1].grad = L.a[1].p[G16];
        big[2].grad = L.a[2].p[G16];
        const lpk_sgd_params p0 = {0.1f, 0.0f, 0.0f, 0.0f, 0, 1};
        expect_bad(&L, &orig, lpk_sgd_step_multi(&p0, LPK_UPDATE_NEAREST, big, 3, 0, NULL),
                   LPK_EINVAL, (const char *[]){S, "tensor 2", "overflow", NULL});
    }
    /* overlap within tensor 6, and across tensors 2 and 6 */
    L.t[6].comp = L.t[6].w + 1;
    expect_bad(&L, &orig, multi(&L, 0, LPK_UPDATE_F32_KAHAN, 0, 1), LPK_EINVAL,
               (const char *[]){S, "tensor 6", "buffers w and comp overlap", NULL});
    L.t[6] = keep;
    L.t[6].m = L.t[2].w + L.t[2].n - 1;
    expect_bad(&L, &orig, multi(&L, 1, LPK_UPDATE_F32_NEAREST | LPK_UPDATE_STATE_SR, 0, 1),
               LPK_EINVAL, (const char *[]){A, "tensor 2 buffer w and tensor 6 buffer m overlap", NULL});
    L.t[6] = keep;
    L.t[9].master = L.t[0].master; /* two tensors' fp32 master weights */
    expect_bad(&L, &orig, multi(&L, 0, LPK_UPDATE_FP32, 0, 0), LPK_EINVAL,
               (const char *[]){S, "tensor 0 buffer master and tensor 9 buffer master overlap",
                                NULL});
    /* ... which the modes that do not use master ignore */
    assert_int_equal(multi(&L, 0, LPK_UPDATE_NEAREST, 0, 0), LPK_OK);
    list_free(&L);
    list_free(&orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_equals_loop),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
