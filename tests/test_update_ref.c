/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer-update family: the reference (through the public API, under
   every tier the dispatcher picks) against values computed by hand: SGD
   nearest and Kahan, momentum with dampening, Nesterov with weight decay,
   bf16 rounding of intermediate ops, AdamW's first step against double,
   canonical NaN results. */
#include <math.h>
#include <stdio.h>

#include "updateutil.h"

/* ---- the reference against values computed by hand ------------------------ */

static void test_ref_known_values(void **state)
{
    /* SGD nearest, no momentum: w = 1, g = 0.5, lr = 0.25 -> u = -0.125,
       w = 0.875 (exact). */
    {
        lpk_bf16 w = to_bf(1.0f), g = to_bf(0.5f);
        lpk_sgd_params p = {0.25f, 0, 0, 0, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .grad = &g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 0.875f);
    }
    /* An increment below half an ulp is lost in nearest mode (1 + 2^-9 ->
       1) but kept by Kahan in the compensation: c = -2^-9 exactly. */
    {
        lpk_bf16 w = to_bf(1.0f), c = 0, g = to_bf(-0x1p-9f);
        lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .comp = &c, .grad = &g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 1.0f);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_KAHAN, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 1.0f);
        assert_true(wid(c) == -0x1p-9f);
        /* after 4 such steps y = 2^-9 - c = 2^-7 (one ulp): w moves, c is 0 */
        for (int i = 0; i < 3; i++)
            assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_KAHAN, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 1.0f + 0x1p-7f);
        assert_true(wid(c) == 0.0f);
    }
    /* Momentum: step 1 stores b = g; step 2 b = 0.5*b + 0.75*g (dampening
       0.25), w -= lr*b.  w = 4, g = 1, lr = 0.5, momentum 0.5:
       step 1: b = 1, w = 3.5; step 2: b = 0.5 + 0.75 = 1.25, w = 2.875. */
    {
        lpk_bf16 w = to_bf(4.0f), m = 0xFFFF, g = to_bf(1.0f);
        lpk_sgd_params p = {0.5f, 0.5f, 0.25f, 0, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .grad = &g, .m = &m};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(m) == 1.0f && wid(w) == 3.5f);
        p.step = 2;
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(m) == 1.25f && wid(w) == 2.875f);
        /* nesterov, weight decay 0.25 on w = 2: g' = 1 + 0.5 = 1.5,
           b = 0.5*1.25 + 1.5 = 2.125, d = 1.5 + 0.5*2.125 = 2.5625,
           u = -0.5*2.5625 = -1.28125, w = 0.71875 */
        w = to_bf(2.0f);
        lpk_sgd_params q = {0.5f, 0.5f, 0.0f, 0.25f, 1, 3};
        assert_int_equal(lpk_sgd_step(&q, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(m) == 2.125f);
        assert_true(wid(w) == 0.71875f);
    }
    /* bf16 rounding of intermediate ops: 1 + 2^-8 + 2^-9 is not a bf16, so
       the gradient with weight decay rounds: g = [1 + [2^-8... ]].
       g = 1, wd = 3*2^-9, w = 1 -> [wd*w] = 3*2^-9, [1 + 3*2^-9] = 1 + 2^-7
       (above the halfway point 1 + 2^-8) with lr = 1: w = 1 - (1 + 2^-7)
       = -2^-7. */
    {
        lpk_bf16 w = to_bf(1.0f), g = to_bf(1.0f);
        lpk_sgd_params p = {1.0f, 0, 0, 3 * 0x1p-9f, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .grad = &g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == -0x1p-7f);
    }
    /* AdamW step 1 from zero state: m = (1-b1) g, v = (1-b2) g^2, the
       bias-corrected step is lr * g / (|g| + eps) ~ lr * sign(g).
       FP32 mode against double; nearest within the bf16 rounding of ~8 ops. */
    {
        const float gs[4] = {0.3f, -2.0f, 1e-3f, -7.5f};
        for (int k = 0; k < 4; k++) {
            float master = 1.5f, m32 = 0, v32 = 0, g32 = gs[k];
            lpk_bf16 w = 0, m = 0, v = 0;
            lpk_adamw_params p = {0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 1};
            lpk_opt_tensor t = {.n = 1, .w = &w, .master = &master, .grad32 = &g32,
                                .m32 = &m32, .v32 = &v32};
            assert_int_equal(lpk_adamw_step(&p, LPK_UPDATE_FP32, &t, 0, 0), LPK_OK);
            const double g = gs[k];
            const double want = 1.5 - 0.01 * 0.1 * 1.5 - 0.01 * g / (fabs(g) + 1e-8);
            assert_true(fabs(master - want) < 1e-6);
            assert_int_equal(w, to_bf(master));
            assert_true(fabs(m32 - 0.1 * g) < 1e-6 * fabs(g));
            assert_true(fabs(v32 - 0.001 * g * g) < 1e-5 * g * g);
            t = (lpk_opt_tensor){.n = 1, .w = &w, .grad32 = &g32, .m = &m, .v = &v};
            w = to_bf(1.5f);
            assert_int_equal(lpk_adamw_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
            assert_true(fabs(wid(w) - want) <= 0x1p-7 * 1.5); /* w moves by less than an ulp */
            assert_true(fabs(wid(m) - 0.1 * g) <= 0x1p-7 * fabs(0.1 * g));
        }
    }
    /* NaN results are the canonical quiet NaN whatever the operands' NaNs;
       Inf - Inf too. */
    {
        lpk_bf16 w[3] = {0xFFC5, to_bf(1.0f), 0x7F80};
        lpk_bf16 g[3] = {0x7F81, 0xFFC3, 0x7F80};
        lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1}; /* Inf + (-Inf) in the last */
        lpk_opt_tensor t = {.n = 3, .w = w, .grad = g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        for (int i = 0; i < 3; i++)
            assert_int_equal(w[i], LPK_UPD_QNAN16);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_known_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
