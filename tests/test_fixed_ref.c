/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family (HALP kernels): the scalar reference against
   independent expectations (nearest ties to even, saturation, Inf / NaN,
   stochastic rounding's two candidates, dequantize, the worst dot products,
   update and updatef on exactly representable steps). */
#include <math.h>
#include <stdio.h>

#include "testutil.h"
#include "fixed/fixed.h"

static void test_ref_known_values(void **state)
{
    /* nearest: ties to even, saturation, Inf, NaN */
    static const struct { float x; int8_t q8; int16_t q16; } near[] = {
        {0.5f, 0, 0},       {1.5f, 2, 2},         {2.5f, 2, 2},          {-0.5f, 0, 0},
        {-1.5f, -2, -2},    {-2.5f, -2, -2},      {126.5f, 126, 126},    {127.5f, 127, 128},
        {-127.5f, -128, -128}, {-128.5f, -128, -128}, {-129.0f, -128, -129}, {300.0f, 127, 300},
        {1e30f, 127, 32767}, {-1e30f, -128, -32768}, {INFINITY, 127, 32767}, {-INFINITY, -128, -32768},
        {NAN, 0, 0},        {-NAN, 0, 0},         {32767.5f, 127, 32767}, {-32768.5f, -128, -32768},
        {-0.0f, 0, 0},      {0.49999997f, 0, 0},  {3e9f, 127, 32767},    {-3e9f, -128, -32768},
    };
    for (size_t i = 0; i < sizeof near / sizeof near[0]; i++) {
        int8_t q8;
        int16_t q16;
        lpk_fixed_quant8__ref(&near[i].x, &q8, 1, 1.0f, LPK_ROUND_NEAREST, 0, 0);
        lpk_fixed_quant16__ref(&near[i].x, &q16, 1, 1.0f, LPK_ROUND_NEAREST, 0, 0);
        if (q8 != near[i].q8 || q16 != near[i].q16)
            fail_msg("quant nearest(%g) = %d / %d, want %d / %d", near[i].x, q8, q16, near[i].q8,
                     near[i].q16);
    }
    /* the product is fp32: 0.1 * 10 rounds to 1 exactly in fp32 */
    {
        const float x = 0.15f;
        int8_t q;
        lpk_fixed_quant8__ref(&x, &q, 1, 10.0f, LPK_ROUND_NEAREST, 0, 0);
        assert_int_equal(q, (int8_t)rintf(0.15f * 10.0f));
    }
    /* stochastic: integers stay, Inf saturates, NaN is 0, a value in
       (k, k+1) gives k or k+1 */
    for (uint64_t seed = 0; seed < 64; seed++) {
        const float x[8] = {3.0f, -128.0f, 127.0f, INFINITY, -INFINITY, NAN, 2.25f, -2.25f};
        int8_t q[8];
        lpk_fixed_quant8__ref(x, q, 8, 1.0f, LPK_ROUND_STOCHASTIC, seed, seed * 13);
        assert_int_equal(q[0], 3);
        assert_int_equal(q[1], -128);
        assert_int_equal(q[2], 127);
        assert_int_equal(q[3], 127);
        assert_int_equal(q[4], -128);
        assert_int_equal(q[5], 0);
        assert_true(q[6] == 2 || q[6] == 3);
        assert_true(q[7] == -3 || q[7] == -2);
    }
    /* dequantize */
    {
        const int8_t q8[4] = {-128, -1, 0, 127};
        const int16_t q16[4] = {-32768, -1, 0, 32767};
        float x[4];
        lpk_fixed_dequant8__ref(q8, x, 4, 0.25f);
        assert_true(x[0] == -32.0f && x[1] == -0.25f && x[2] == 0.0f && x[3] == 31.75f);
        lpk_fixed_dequant16__ref(q16, x, 4, 0.5f);
        assert_true(x[0] == -16384.0f && x[1] == -0.5f && x[2] == 0.0f && x[3] == 16383.5f);
    }
    /* dot: worst products */
    {
        const int8_t a[3] = {-128, -128, 127}, b[3] = {-128, 127, 127};
        assert_int_equal(lpk_fixed_dot8__ref(a, b, 3), 16384 - 16256 + 16129);
        const int16_t c[2] = {-32768, -32768}, d[2] = {-32768, 32767};
        assert_true(lpk_fixed_dot16__ref(c, c, 2) == 2 * 1073741824LL);
        assert_true(lpk_fixed_dot16__ref(c, d, 2) == 1073741824LL - 1073709056LL);
        assert_true(lpk_fixed_dot8__ref(a, b, 0) == 0);
    }
    /* update, nearest, on exactly representable steps */
    {
        int8_t z[4] = {10, -10, 100, -100};
        const int8_t x[4] = {4, 4, 127, -128};
        const float h[4] = {0.5f, 0.25f, 50.0f, -50.0f};
        /* v = 0.5 z + 0.25 x + h = 6.5 (a tie), -3.75, 131.75, -132 */
        lpk_fixed_update8__ref(z, x, h, 4, 0.5f, 0.25f, LPK_ROUND_NEAREST, 0, 0);
        assert_int_equal(z[0], 6);
        assert_int_equal(z[1], -4);
        assert_int_equal(z[2], 127);
        assert_int_equal(z[3], -128);
        int16_t w[2] = {30000, -30000};
        const int16_t y[2] = {32767, -32768};
        const float g[2] = {0.5f, NAN};
        lpk_fixed_update16__ref(w, y, g, 2, 1.0f, 1.0f, LPK_ROUND_NEAREST, 0, 0);
        assert_int_equal(w[0], 32767);
        assert_int_equal(w[1], 0);
    }
    /* updatef is the fused expression */
    {
        float z[2] = {3.0f, 1e-8f};
        const float x[2] = {0.1f, 1.0f}, h[2] = {-0.2f, 1.0f};
        lpk_fixed_updatef__ref(z, x, h, 2, 0.7f, 0.3f);
        assert_true(z[0] == fmaf(0.7f, 3.0f, fmaf(0.3f, 0.1f, -0.2f)));
        assert_true(z[1] == fmaf(0.7f, 1e-8f, fmaf(0.3f, 1.0f, 1.0f)));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_known_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
