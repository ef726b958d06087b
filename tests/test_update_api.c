/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer-update family through the public API: a call equals the
   reference kernel run with the constants lpk.h documents, on 1 and 2
   threads and as split calls (every mode, SGD and AdamW, Kahan split /
   merge); bad arguments are refused with a message naming them, writing
   nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "updateutil.h"

/* ---- through the public API: threads, splits, constants ------------------- */

/* A public call on tensor `a` equals the reference kernel run with the
   constants lpk.h documents; 1 and 2 threads and two split calls agree. */
static void test_threads_and_splits(void **state)
{
    /* large enough for two threads (lpk_threads_for: >= 2 MiB moved) and
       for the prefetching path of the SIMD loops */
    const size_t n = (1u << 20) + 37;
    arena a;
    arena_alloc(&a, n, 1);
    arena_fill(&a, 4242, 32);
    for (int mode = 0; mode < 4; mode++)
        for (int adamw = 0; adamw < 2; adamw++) {
            const int g32 = (mode + adamw) & 1;
            arena r, x;
            arena_clone(&r, &a);
            lpk_sgd_params sp = {0.125f, 0.9f, 0.0f, 1e-2f, 1, 3};
            lpk_adamw_params ap = {1e-2f, 0.9f, 0.95f, 1e-6f, 0.05f, 4};
            config c;
            c.adamw = adamw;
            c.sgd = sgd_k(mode, sp.lr, sp.momentum, sp.dampening, sp.weight_decay, sp.nesterov,
                          sp.step);
            c.adam = adamw_k(mode, ap.lr, ap.beta1, ap.beta2, ap.eps, ap.weight_decay, ap.step);
            snprintf(c.name, sizeof c.name, "public %s %s", adamw ? "adamw" : "sgd",
                     mode_names[mode]);
            const lpk_upd_bufs br = bufs_of(&r, adamw, mode, g32, 1, 99, 7);
            run_kernel(adamw ? tu_ref_of(&lpk_op_update_adamw.op) : tu_ref_of(&lpk_op_update_sgd.op), &c,
                       &br);
            for (int way = 0; way < 3; way++) {
                arena_clone(&x, &a);
                const lpk_upd_bufs b = bufs_of(&x, adamw, mode, g32, 1, 99, 7);
                lpk_opt_tensor t = {b.n, b.w, b.comp, b.master, b.g16, b.g32,
                                    b.m, b.v, b.m32, b.v32};
                assert_int_equal(lpk_set_num_threads(way == 1 ? 2 : 1), LPK_OK);
                if (way < 2) {
                    const lpk_status st = adamw ? lpk_adamw_step(&ap, mode, &t, 99, 7)
                                                : lpk_sgd_step(&sp, mode, &t, 99, 7);
                    assert_int_equal(st, LPK_OK);
                } else { /* two calls on uneven pieces, each with its offset */
                    const size_t h = n / 2 + 5;
                    for (int piece = 0; piece < 2; piece++) {
                        const size_t lo = piece ? h : 0;
                        lpk_opt_tensor u = t;
                        u.n = piece ? n - h : h;
#define ADV(f) u.f = t.f ? t.f + lo : NULL
                        ADV(w); ADV(comp); ADV(master); ADV(grad); ADV(grad32);
                        ADV(m); ADV(v); ADV(m32); ADV(v32);
#undef ADV
                        const lpk_status st = adamw ? lpk_adamw_step(&ap, mode, &u, 99, 7 + lo)
                                                    : lpk_sgd_step(&sp, mode, &u, 99, 7 + lo);
                        assert_int_equal(st, LPK_OK);
                    }
                }
                char what[160];
                snprintf(what, sizeof what, "%s, %s", c.name,
                         way == 0 ? "1 thread" : way == 1 ? "2 threads" : "split calls");
                arena_compare(&x, &r, what);
                arena_free(&x);
            }
            arena_free(&r);
        }
    /* split / merge: threads agree with the reference */
    for (int th = 1; th <= 2; th++) {
        arena x, r;
        arena_clone(&x, &a);
        arena_clone(&r, &a);
        assert_int_equal(lpk_set_num_threads(th), LPK_OK);
        assert_int_equal(lpk_kahan_split(x.p[MASTER], x.p[W], x.p[COMP], n), LPK_OK);
        lpk_update_kahan_split__ref(r.p[MASTER], r.p[W], r.p[COMP], n);
        assert_int_equal(lpk_kahan_merge(x.p[W], x.p[COMP], x.p[M32], n), LPK_OK);
        lpk_update_kahan_merge__ref(r.p[W], r.p[COMP], r.p[M32], n);
        arena_compare(&x, &r, th == 1 ? "split/merge 1 thread" : "split/merge 2 threads");
        arena_free(&x);
        arena_free(&r);
    }
    assert_int_equal(lpk_set_num_threads(0), LPK_OK);
    arena_free(&a);
}

/* ---- bad input ---------------------------------------------------------------- */

/* Every bad call returns LPK_EINVAL with a message containing `msg` and
   leaves every buffer of the arena untouched. */
static void expect_bad(const arena *a, lpk_status st, const char *fn, const char *msg)
{
    assert_int_equal(st, LPK_EINVAL);
    const char *e = lpk_last_error();
    if (!strstr(e, fn) || !strstr(e, msg))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", e, fn, msg);
    for (int b = 0; b < NB; b++)
        for (size_t i = 0; i < tu_guard_total(&a->g[b]); i++)
            if (a->g[b].base[i] != TU_SENTINEL)
                fail_msg("%s wrote into %s after \"%s\"", fn, bname[b], e);
}

static void test_bad_input(void **state)
{
    const size_t n = 40;
    arena a;
    arena_alloc(&a, n, 0); /* all TU_SENTINEL: none may change */
    lpk_bf16 *w = a.p[W], *comp = a.p[COMP], *g16 = a.p[G16], *m = a.p[M], *v = a.p[V];
    float *master = a.p[MASTER], *g32 = a.p[G32], *m32 = a.p[M32], *v32 = a.p[V32];
    const lpk_sgd_params sp = {0.1f, 0.9f, 0, 0, 0, 2};
    const lpk_adamw_params ap = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 2};
    const lpk_opt_tensor full = {n, w, comp, master, g16, NULL, m, v, m32, v32};
    lpk_opt_tensor t;
    static const char S[] = "lpk_sgd_step", A[] = "lpk_adamw_step";

    expect_bad(&a, lpk_sgd_step(NULL, LPK_UPDATE_NEAREST, &full, 0, 0), S, "params is NULL");
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, NULL, 0, 0), S, "tensor is NULL");
    expect_bad(&a, lpk_adamw_step(NULL, LPK_UPDATE_NEAREST, &full, 0, 0), A, "params is NULL");
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_NEAREST, NULL, 0, 0), A, "tensor is NULL");
    expect_bad(&a, lpk_sgd_step(&sp, (lpk_update_mode)4, &full, 0, 0), S, "unknown update mode");
    expect_bad(&a, lpk_adamw_step(&ap, (lpk_update_mode)-1, &full, 0, 0), A, "unknown update mode");
    {
        lpk_sgd_params q = sp;
        q.step = 0;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "step is 0");
        q = sp;
        q.lr = NAN;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "finite");
        q = sp;
        q.nesterov = 1;
        q.dampening = 0.5f;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "nesterov");
        q.dampening = 0;
        q.momentum = 0;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "nesterov");
        lpk_adamw_params r = ap;
        r.step = 0;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_KAHAN, &full, 0, 0), A, "step is 0");
        r = ap;
        r.beta2 = 1.0f;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_KAHAN, &full, 0, 0), A, "beta");
        r = ap;
        r.eps = INFINITY;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_KAHAN, &full, 0, 0), A, "finite");
    }
    /* gradients: both, neither */
    t = full;
    t.grad32 = g32;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, &t, 0, 0), S, "both grad and grad32");
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_FP32, &t, 0, 0), A, "both grad and grad32");
    t = full;
    t.grad = NULL;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, &t, 0, 0), S, "neither grad nor grad32");
    /* a buffer the mode needs */
    static const struct { int adamw, mode, buf; } need[] = {
        {0, LPK_UPDATE_NEAREST, W},      {0, LPK_UPDATE_KAHAN, COMP},
        {0, LPK_UPDATE_FP32, MASTER},    {0, LPK_UPDATE_STOCHASTIC, M},
        {0, LPK_UPDATE_FP32, M32},       {1, LPK_UPDATE_NEAREST, M},
        {1, LPK_UPDATE_KAHAN, V},        {1, LPK_UPDATE_FP32, M32},
        {1, LPK_UPDATE_FP32, V32},       {1, LPK_UPDATE_FP32, MASTER},
        {1, LPK_UPDATE_STOCHASTIC, W},   {1, LPK_UPDATE_KAHAN, COMP},
    };
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        t = full;
        switch (need[k].buf) {
        case W: t.w = NULL; break;
        case COMP: t.comp = NULL; break;
        case MASTER: t.master = NULL; break;
        case M: t.m = NULL; break;
        case V: t.v = NULL; break;
        case M32: t.m32 = NULL; break;
        case V32: t.v32 = NULL; break;
        }
        char msg[64];
        snprintf(msg, sizeof msg, "buffer %s is NULL", bname[need[k].buf]);
        const lpk_status st = need[k].adamw ? lpk_adamw_step(&ap, need[k].mode, &t, 0, 0)
                                            : lpk_sgd_step(&sp, need[k].mode, &t, 0, 0);
        expect_bad(&a, st, need[k].adamw ? A : S, msg);
    }
    /* n overflow */
    t = full;
    t.n = SIZE_MAX / 4;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_KAHAN, &t, 0, 0), S, "overflow");
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_FP32, &t, 0, 0), A, "overflow");
    /* overlapping buffers: w with comp, grad with w, m with v, master with
       m32, grad32 with master (in bytes: a float buffer over a bf16 one) */
    t = full;
    t.comp = w + n - 1;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_KAHAN, &t, 0, 0), S, "w and comp overlap");
    t = full;
    t.grad = w + 3;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, &t, 0, 0), S, "w and grad overlap");
    t = full;
    t.v = m + 1;
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_STOCHASTIC, &t, 0, 0), A, "m and v overlap");
    t = full;
    t.m32 = master + n / 2;
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_FP32, &t, 0, 0), A, "master and m32 overlap");
    t = full;
    t.grad = NULL;
    t.grad32 = (const float *)(master + n - 1);
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_FP32, &t, 0, 0), S, "master and grad32 overlap");
    t = full;
    t.m = (lpk_bf16 *)(void *)(m32 + 1);
    t.m32 = NULL;
    t.v = (lpk_bf16 *)(void *)m32;
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_NEAREST, &t, 0, 0), A, "m and v overlap");
    /* unused buffers are ignored, even overlapping or NULL ones; n == 0
       checks only params, mode and step */
    {
        arena b;
        arena_alloc(&b, n, 0);
        arena_fill(&b, 3, 0);
        lpk_opt_tensor u = {n, b.p[W], (lpk_bf16 *)b.p[W], NULL, b.p[G16], NULL, NULL, NULL,
                            NULL, NULL};
        const lpk_sgd_params p0 = {0.1f, 0, 0, 0, 0, 1};
        assert_int_equal(lpk_sgd_step(&p0, LPK_UPDATE_NEAREST, &u, 0, 0), LPK_OK);
        arena_free(&b);
        const lpk_opt_tensor empty = {0};
        assert_int_equal(lpk_sgd_step(&sp, LPK_UPDATE_KAHAN, &empty, 0, 0), LPK_OK);
        assert_int_equal(lpk_adamw_step(&ap, LPK_UPDATE_FP32, &empty, 0, 0), LPK_OK);
        lpk_adamw_params r = ap;
        r.step = 0;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_FP32, &empty, 0, 0), A, "step is 0");
    }
    /* split / merge */
    static const char SP[] = "lpk_kahan_split", MG[] = "lpk_kahan_merge";
    expect_bad(&a, lpk_kahan_split(NULL, w, comp, n), SP, "w32 is NULL");
    expect_bad(&a, lpk_kahan_split(master, NULL, comp, n), SP, "w is NULL");
    expect_bad(&a, lpk_kahan_split(master, w, NULL, n), SP, "comp is NULL");
    expect_bad(&a, lpk_kahan_merge(NULL, comp, master, n), MG, "w is NULL");
    expect_bad(&a, lpk_kahan_merge(w, NULL, master, n), MG, "comp is NULL");
    expect_bad(&a, lpk_kahan_merge(w, comp, NULL, n), MG, "w32 is NULL");
    expect_bad(&a, lpk_kahan_split(master, w, comp, SIZE_MAX / 4), SP, "overflow");
    expect_bad(&a, lpk_kahan_merge(w, comp, master, SIZE_MAX / 4), MG, "overflow");
    expect_bad(&a, lpk_kahan_split(master, w, w + 5, n), SP, "w and comp overlap");
    expect_bad(&a, lpk_kahan_split(master, (lpk_bf16 *)(void *)(master + 3), comp, n), SP,
               "w32 and w overlap");
    expect_bad(&a, lpk_kahan_merge(w, comp, (float *)(void *)(comp + 8), n), MG,
               "w32 and comp overlap");
    assert_int_equal(lpk_kahan_split(NULL, NULL, NULL, 0), LPK_OK);
    assert_int_equal(lpk_kahan_merge(NULL, NULL, NULL, 0), LPK_OK);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_and_splits),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
