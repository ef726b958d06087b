/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates with ARS-7 bits (LPK_UPDATE_RNG_ARS): every runnable
   variant of update.sgd / update.adamw bit-exact against the reference in
   every mode that draws bits (STOCHASTIC, F32_STOCHASTIC, F32_* with
   STATE_SR), n = 0..130, misaligned pointers, guard zones, dense specials,
   1e5 elements, counters crossing 2^32 blocks and wrapping at 2^64; the
   bits' layout tied to lpk_f32_to_bf16(LPK_ROUND_STOCHASTIC_ARS) through
   the public steps (weight, m and v streams and their seed derivation);
   determinism across split calls and thread counts; Philox bits unchanged
   without the flag; the flag refused with a mode that draws no bits. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "updateutil.h"

/* The modes that draw bits, as (mode without flags, state_sr). */
static const struct {
    int mode, ssr;
    const char *name;
} drawing[] = {
    {LPK_UPDATE_STOCHASTIC, 0, "STOCHASTIC"},
    {LPK_UPDATE_F32_STOCHASTIC, 0, "F32_STOCHASTIC"},
    {LPK_UPDATE_F32_NEAREST, 1, "F32_NEAREST|STATE_SR"},
    {LPK_UPDATE_F32_STOCHASTIC, 1, "F32_STOCHASTIC|STATE_SR"},
    {LPK_UPDATE_F32_KAHAN, 1, "F32_KAHAN|STATE_SR"},
};
#define NDRAW (sizeof drawing / sizeof drawing[0])

/* SGD without momentum, with momentum (first step; later step with
   nesterov and decay; later step with dampening and no decay: the kernels
   have a loop for each decay / dampening pair), AdamW with decay: the state
   streams are used in the momentum / AdamW ones. */
static size_t make_configs(size_t d, config *out)
{
    const int mode = drawing[d].mode;
    size_t k = 0;
    for (int mc = 0; mc < 4; mc++) {
        out[k].adamw = 0;
        out[k].sgd = sgd_k(mode, (k & 1) ? 1.75f : 0.03f, mc ? 0.9f : 0.0f,
                           mc == 3 ? 0.25f : 0.0f, mc == 2 ? 0.0125f : 0.0f, mc == 2,
                           mc == 1 ? 1 : 5);
        out[k].sgd.state_sr = drawing[d].ssr;
        out[k].sgd.rng_ars = 1;
        snprintf(out[k].name, sizeof out[k].name, "sgd %s|RNG_ARS momentum=%d", drawing[d].name,
                 mc);
        k++;
    }
    for (int st = 0; st < 2; st++) {
        out[k].adamw = 1;
        out[k].adam = adamw_k(mode, st ? 0.5f : 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, st ? 7 : 1);
        out[k].adam.state_sr = drawing[d].ssr;
        out[k].adam.rng_ars = 1;
        snprintf(out[k].name, sizeof out[k].name, "adamw %s|RNG_ARS step=%d", drawing[d].name,
                 st ? 7 : 1);
        k++;
    }
    return k;
}

static const uint64_t offsets[] = {0, 1, 3, 5, 7, 8, 9, 63, 64, 127, 255, 1000003,
                                   (1ull << 35) - 13, 0xFFFFFFFFFFFFFFC5ull};
#define NOFF (sizeof offsets / sizeof offsets[0])

/* light: the generator path alone is under test (test_variants_software_
   generator): the first draw of configurations, sizes in steps of 13, and
   the long runs, so the debug build's software AES stays quick. */
static int light;

static void check_variant(const lpk_variant *v, int adamw)
{
    const lpk_op *op = adamw ? &lpk_op_update_adamw.op : &lpk_op_update_sgd.op;
    const lpk_variant *ref = tu_ref_of(op);
    printf("RUN     %s [%s] RNG_ARS\n", v->name, op->name);
    size_t runs = 0;
    for (size_t d = 0; d < (light ? 1u : NDRAW); d++) {
        config cfg[8];
        const size_t nc = make_configs(d, cfg);
        for (size_t ci = 0; ci < nc; ci++) {
            if (cfg[ci].adamw != adamw)
                continue;
            for (int g32 = 0; g32 < 2; g32++) {
                for (size_t n = 0; n <= 130; n += light ? 13 : (n < 70 ? 1 : 3)) {
                    arena a;
                    arena_alloc(&a, n, (n + ci + (size_t)g32) % 4);
                    arena_fill(&a, 3000 * n + 17 * ci + 5 * d + (uint64_t)g32, 16);
                    up_compare_on(v, ref, &cfg[ci], &a, g32, 0xA55EED00ull + n,
                               offsets[(n + ci + d) % NOFF]);
                    arena_free(&a);
                    runs++;
                }
                arena a;
                arena_alloc(&a, 4 * up_n_specials() + 3, (size_t)g32 + 1);
                arena_fill_specials(&a);
                up_compare_on(v, ref, &cfg[ci], &a, g32, 91, offsets[(ci + d) % NOFF]);
                arena_free(&a);
                runs++;
            }
        }
        /* 1e5 elements; long runs across the counter's carries: the block
           index crossing 2^32 inside a vector step, the element index
           wrapping at 2^64 */
        static const uint64_t far[] = {12345, (1ull << 35) - 1501, 0xFFFFFFFFFFFFFFFFull - 1000};
        static const size_t len[] = {100000, 3001, 3001};
        for (size_t f = 0; f < 3; f++) {
            const size_t ci = adamw ? nc - 1 : 1 + f % 2;
            arena a;
            arena_alloc(&a, len[f], f + 1);
            arena_fill(&a, 7 + f + 100 * d, 64);
            up_compare_on(v, ref, &cfg[ci], &a, (int)(f & 1), 0xFACE + d, far[f]);
            arena_free(&a);
            runs++;
        }
    }
    printf("        %zu comparisons\n", runs);
}

static void check_sgd(const lpk_variant *v, void *ctx)
{
    (void)ctx;
    check_variant(v, 0);
}
static void check_adamw(const lpk_variant *v, void *ctx)
{
    (void)ctx;
    check_variant(v, 1);
}
static void test_variants_sgd(void **state)
{
    (void)state;
    tu_each(&lpk_op_update_sgd.op, check_sgd, NULL);
}
static void test_variants_adamw(void **state)
{
    (void)state;
    tu_each(&lpk_op_update_adamw.op, check_adamw, NULL);
}

/* The kernels without AES instructions of their own (avx512, avx2, neon)
   draw ARS blocks through rng.ars's selected variant; with AES masked off
   that is the software reference, the path a CPU without AES takes. */
static void test_variants_software_generator(void **state)
{
    (void)state;
    lpk_test_set_feature_mask(~LPK_F_AES);
    printf("AES masked off: rng.ars -> %s\n", lpk_kernel_variant("rng.ars"));
    assert_non_null(strstr(lpk_kernel_variant("rng.ars"), "__ref"));
    int ran = 0;
    light = 1;
    for (int adamw = 0; adamw < 2; adamw++) {
        const lpk_op *op = adamw ? &lpk_op_update_adamw.op : &lpk_op_update_sgd.op;
        for (size_t k = 0; k + 1 < op->count; k++) /* the reference is checked above */
            if (lpk_variant_runnable(&op->variants[k])) { /* the AES tiers are masked off */
                check_variant(&op->variants[k], adamw);
                ran++;
            }
    }
    light = 0;
    lpk_test_set_feature_mask(~0ull);
    printf("%d variant(s) checked with the software generator\n", ran);
    if (LPK_ARCH_HOST != LPK_ARCH_ANY && lpk_tier_supported(LPK_ARCH_HOST == LPK_ARCH_X86 ? LPK_TIER_AVX2 : LPK_TIER_NEON))
        assert_true(ran >= 2);
}

/* ---- the layout, through the public calls ----------------------------------- */

#define LN 1003
static const uint64_t SEED = 0x0123456789ABCDEFull, OFF = 77;

/* F32_STOCHASTIC SGD without momentum or decay: w = SR(W + neg_lr * g) with
   the weight stream, exactly lpk_f32_to_bf16(ARS, seed, offset) of the
   fp32 sums; with momentum on step 1 and F32_NEAREST|STATE_SR, m = SR(g)
   with seed ^ 0x9E3779B97F4A7C15. */
static void test_layout_sgd(void **state)
{
    (void)state;
    static lpk_bf16 w[LN], w0[LN], m[LN], e[LN];
    static float g[LN], s[LN];
    uint64_t rs = 5;
    for (size_t i = 0; i < LN; i++) {
        w0[i] = to_bf(rand_val(&rs, -3, 2, -1));
        g[i] = rand_val(&rs, -6, 0, -1);
    }
    const float lr = 0.0371f;
    for (size_t i = 0; i < LN; i++) {
        volatile float u = -lr * g[i];
        s[i] = wid(w0[i]) + u;
    }
    lpk_sgd_params p = {lr, 0, 0, 0, 0, 3};
    memcpy(w, w0, sizeof w);
    lpk_opt_tensor t = {LN, w, NULL, NULL, NULL, g, NULL, NULL, NULL, NULL};
    assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_RNG_ARS, &t, SEED,
                                  OFF),
                     LPK_OK);
    assert_int_equal(lpk_f32_to_bf16(s, e, LN, LPK_ROUND_STOCHASTIC_ARS, SEED, OFF), LPK_OK);
    assert_memory_equal(w, e, sizeof w);
    /* the Philox bits differ (and without the flag they are Philox's) */
    memcpy(w, w0, sizeof w);
    assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_F32_STOCHASTIC, &t, SEED, OFF), LPK_OK);
    assert_int_equal(lpk_f32_to_bf16(s, e, LN, LPK_ROUND_STOCHASTIC, SEED, OFF), LPK_OK);
    assert_memory_equal(w, e, sizeof w);
    assert_int_equal(lpk_f32_to_bf16(s, m, LN, LPK_ROUND_STOCHASTIC_ARS, SEED, OFF), LPK_OK);
    assert_true(memcmp(w, m, sizeof w) != 0);
    /* m's stream */
    lpk_sgd_params pm = {lr, 0.9f, 0, 0, 0, 1};
    memcpy(w, w0, sizeof w);
    t.m = m;
    assert_int_equal(lpk_sgd_step(&pm,
                                  (lpk_update_mode)(LPK_UPDATE_F32_NEAREST | LPK_UPDATE_STATE_SR |
                                                    LPK_UPDATE_RNG_ARS),
                                  &t, SEED, OFF),
                     LPK_OK);
    assert_int_equal(lpk_f32_to_bf16(g, e, LN, LPK_ROUND_STOCHASTIC_ARS,
                                     SEED ^ 0x9E3779B97F4A7C15ull, OFF),
                     LPK_OK);
    assert_memory_equal(m, e, sizeof m);
}

/* AdamW step 1 from zero state, F32_NEAREST|STATE_SR: v = SR((1 - beta2) *
   (g * g)) with seed ^ 0xBF58476D1CE4E5B9, m = SR((1 - beta1) * g) with
   seed ^ 0x9E3779B97F4A7C15. */
static void test_layout_adamw(void **state)
{
    (void)state;
    static lpk_bf16 w[LN], m[LN], v[LN], e[LN];
    static float g[LN], sm[LN], sv[LN];
    uint64_t rs = 9;
    for (size_t i = 0; i < LN; i++) {
        w[i] = to_bf(rand_val(&rs, -3, 2, -1));
        g[i] = rand_val(&rs, -6, 0, -1);
    }
    const float b1 = 0.9f, b2 = 0.999f;
    const float omb1 = (float)(1.0 - (double)b1), omb2 = (float)(1.0 - (double)b2);
    for (size_t i = 0; i < LN; i++) {
        volatile float gg = g[i] * g[i];
        sv[i] = omb2 * gg;
        sm[i] = omb1 * g[i];
    }
    const lpk_adamw_params p = {1e-3f, b1, b2, 1e-8f, 0, 1};
    lpk_opt_tensor t = {LN, w, NULL, NULL, NULL, g, m, v, NULL, NULL};
    assert_int_equal(lpk_adamw_step(&p,
                                    (lpk_update_mode)(LPK_UPDATE_F32_NEAREST |
                                                      LPK_UPDATE_STATE_SR | LPK_UPDATE_RNG_ARS),
                                    &t, SEED, OFF),
                     LPK_OK);
    assert_int_equal(lpk_f32_to_bf16(sv, e, LN, LPK_ROUND_STOCHASTIC_ARS,
                                     SEED ^ 0xBF58476D1CE4E5B9ull, OFF),
                     LPK_OK);
    assert_memory_equal(v, e, sizeof v);
    assert_int_equal(lpk_f32_to_bf16(sm, e, LN, LPK_ROUND_STOCHASTIC_ARS,
                                     SEED ^ 0x9E3779B97F4A7C15ull, OFF),
                     LPK_OK);
    assert_memory_equal(m, e, sizeof m);
}

/* One call against the same tensor in pieces (each with its offset) and on
   1..3 threads: identical bits. */
static void test_split_threads(void **state)
{
    (void)state;
    enum { N = 50021 };
    lpk_bf16 *w0 = tu_xmalloc(N * 2), *g = tu_xmalloc(N * 2), *m0 = tu_xmalloc(N * 2);
    lpk_bf16 *w1 = tu_xmalloc(N * 2), *m1 = tu_xmalloc(N * 2);
    lpk_bf16 *w2 = tu_xmalloc(N * 2), *m2 = tu_xmalloc(N * 2);
    uint64_t rs = 11;
    for (size_t i = 0; i < N; i++) {
        w0[i] = to_bf(rand_val(&rs, -3, 2, -1));
        g[i] = to_bf(rand_val(&rs, -6, 0, -1));
        m0[i] = to_bf(rand_val(&rs, -6, 0, -1));
    }
    const lpk_sgd_params p = {0.01f, 0.9f, 0, 0.001f, 1, 4};
    const lpk_update_mode mode = (lpk_update_mode)(LPK_UPDATE_F32_STOCHASTIC |
                                                   LPK_UPDATE_STATE_SR | LPK_UPDATE_RNG_ARS);
    memcpy(w1, w0, N * 2);
    memcpy(m1, m0, N * 2);
    lpk_set_num_threads(1);
    lpk_opt_tensor t = {N, w1, NULL, NULL, g, NULL, m1, NULL, NULL, NULL};
    assert_int_equal(lpk_sgd_step(&p, mode, &t, 42, 1000), LPK_OK);
    static const size_t cuts[] = {0, 1, 9, 77, 300, 4097, 30000, N};
    for (int threads = 1; threads <= 3; threads++) {
        lpk_set_num_threads(threads);
        memcpy(w2, w0, N * 2);
        memcpy(m2, m0, N * 2);
        for (size_t c = 0; c + 1 < sizeof cuts / sizeof cuts[0]; c++) {
            const size_t lo = cuts[c], hi = cuts[c + 1];
            lpk_opt_tensor u = {hi - lo, w2 + lo, NULL, NULL, g + lo, NULL, m2 + lo,
                                NULL, NULL, NULL};
            assert_int_equal(lpk_sgd_step(&p, mode, &u, 42, 1000 + lo), LPK_OK);
        }
        assert_memory_equal(w1, w2, N * 2);
        assert_memory_equal(m1, m2, N * 2);
    }
    lpk_set_num_threads(0);
    free(w0), free(g), free(m0), free(w1), free(m1), free(w2), free(m2);
}

/* The flag with a mode that draws no bits: LPK_EINVAL with a message, and
   nothing written; with one that draws bits: accepted. */
static void test_flag_modes(void **state)
{
    (void)state;
    lpk_bf16 w[8] = {0}, comp[8] = {0}, m[8] = {0}, v[8] = {0}, g[8] = {0};
    float master[8] = {0}, m32[8] = {0}, v32[8] = {0};
    const lpk_opt_tensor t = {8, w, comp, master, g, NULL, m, v, m32, v32};
    const lpk_sgd_params sp = {0.1f, 0.9f, 0, 0, 0, 2};
    const lpk_adamw_params ap = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 2};
    static const int bad[] = {0, 2, 3, 16, 18};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const lpk_update_mode mode = (lpk_update_mode)(bad[i] | LPK_UPDATE_RNG_ARS);
        assert_int_equal(lpk_sgd_step(&sp, mode, &t, 0, 0), LPK_EINVAL);
        assert_non_null(strstr(lpk_last_error(), "draws no random bits"));
        assert_int_equal(lpk_adamw_step(&ap, mode, &t, 0, 0), LPK_EINVAL);
        assert_non_null(strstr(lpk_last_error(), "LPK_UPDATE_RNG_ARS"));
        assert_int_equal(lpk_sgd_step_multi(&sp, mode, &t, 1, 0, NULL), LPK_EINVAL);
    }
    static const unsigned char zero[16] = {0};
    assert_memory_equal(w, zero, 16);
    assert_memory_equal(m, zero, 16);
    static const int good[] = {1, 17, 16 | 32, 17 | 32, 18 | 32};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const lpk_update_mode mode = (lpk_update_mode)(good[i] | LPK_UPDATE_RNG_ARS);
        assert_int_equal(lpk_sgd_step(&sp, mode, &t, 0, 0), LPK_OK);
        assert_int_equal(lpk_adamw_step(&ap, mode, &t, 0, 0), LPK_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants_sgd),   cmocka_unit_test(test_variants_adamw),
        cmocka_unit_test(test_variants_software_generator),
        cmocka_unit_test(test_layout_sgd),     cmocka_unit_test(test_layout_adamw),
        cmocka_unit_test(test_split_threads),  cmocka_unit_test(test_flag_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
