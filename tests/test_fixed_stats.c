/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family (HALP kernels): statistics of stochastic rounding in
   the dispatched variants: quantize and update (int8 and int16) are
   unbiased to the 16 bits drawn, and the round-up frequency of quantize
   tracks the fraction (chi-square). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "fixed/fixed.h"

/* The mean of N roundings of v is within 2^-16 (the resolution of the
   16 bits, fixed.h) plus 6 standard errors of v. */
static void test_sr_unbiased(void **state)
{
    const lpk_variant *q8 = lpk_selected(&lpk_op_fixed_quant8.op);
    const lpk_variant *u8 = lpk_selected(&lpk_op_fixed_update8.op);
    const lpk_variant *u16 = lpk_selected(&lpk_op_fixed_update16.op);
    assert_non_null(q8);
    const float values[] = {3.3f, -2.71828f, 0.01f, -0.999f, 100.5f, -127.25f, 0.123456f};
    const size_t n = 4096;
    float *x = tu_xmalloc(n * 4), *h = tu_xmalloc(n * 4);
    int8_t *q = tu_xmalloc(n), *z = tu_xmalloc(n), *xz = tu_xmalloc(n);
    int16_t *z16 = tu_xmalloc(n * 2), *x16 = tu_xmalloc(n * 2);
    for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
        const float val = values[k];
        const double frac = (double)val - floor((double)val);
        const double se = sqrt(frac * (1 - frac));
        /* quantize: every element its own bits, 16 calls */
        for (size_t i = 0; i < n; i++)
            x[i] = val;
        double sum = 0;
        size_t cnt = 0;
        for (uint64_t c = 0; c < 16; c++) {
            LPK_FN(lpk_op_fixed_quant8, q8)(x, q, n, 1.0f, LPK_ROUND_STOCHASTIC, 5 + c, c * n);
            for (size_t i = 0; i < n; i++) {
                assert_true(q[i] == (int8_t)floor(val) || q[i] == (int8_t)floor(val) + 1);
                sum += q[i];
                cnt++;
            }
        }
        double mean = sum / (double)cnt;
        if (fabs(mean - val) > 0x1p-16 + 6 * se / sqrt((double)cnt))
            fail_msg("quantize SR of %g: mean %.6f", val, mean);
        /* update: 64 independent draws per call (the period), so 1024 calls
           of 64 elements with offsets 64 apart; v = 0.5 z + 0.25 x + h */
        for (int w = 0; w < 2; w++) {
            sum = 0;
            cnt = 0;
            const size_t m = LPK_FIXED_SR_PERIOD;
            for (size_t i = 0; i < m; i++)
                h[i] = val - 1.5f - 1.0f; /* z = 3, x = 4: 1.5 + 1 + h = val */
            for (uint64_t c = 0; c < 1024; c++) {
                for (size_t i = 0; i < m; i++) {
                    z[i] = 3, xz[i] = 4;
                    z16[i] = 3, x16[i] = 4;
                }
                if (w == 0)
                    LPK_FN(lpk_op_fixed_update8, u8)(z, xz, h, m, 0.5f, 0.25f, LPK_ROUND_STOCHASTIC,
                                                     42, c * m);
                else
                    LPK_FN(lpk_op_fixed_update16, u16)(z16, x16, h, m, 0.5f, 0.25f,
                                                       LPK_ROUND_STOCHASTIC, 42, c * m);
                for (size_t i = 0; i < m; i++) {
                    sum += w == 0 ? z[i] : z16[i];
                    cnt++;
                }
            }
            const float vexact = fmaf(0.5f, 3.0f, fmaf(0.25f, 4.0f, h[0]));
            mean = sum / (double)cnt;
            if (fabs(mean - vexact) > 0x1p-16 + 6 * se / sqrt((double)cnt))
                fail_msg("update%d SR of %g: mean %.6f", w ? 16 : 8, vexact, mean);
        }
    }
    /* and the round-up frequency tracks the fraction: chi-square over 32
       fractions (df 31, 0.9999 quantile 64.0) */
    {
        const size_t per = 4096, cells = 32;
        float *y = tu_xmalloc(per * cells * 4);
        int8_t *o = tu_xmalloc(per * cells);
        for (size_t c = 0; c < cells; c++)
            for (size_t i = 0; i < per; i++)
                y[c * per + i] = 5.0f + (float)(2 * c + 1) / 64.0f;
        LPK_FN(lpk_op_fixed_quant8, q8)(y, o, per * cells, 1.0f, LPK_ROUND_STOCHASTIC, 77, 0);
        double chi2 = 0;
        for (size_t c = 0; c < cells; c++) {
            size_t up = 0;
            for (size_t i = 0; i < per; i++)
                up += o[c * per + i] == 6;
            const double p = (double)(2 * c + 1) / 64.0, e = p * (double)per;
            chi2 += ((double)up - e) * ((double)up - e) / (e * (1 - p));
        }
        printf("quantize SR frequency chi-square: %.2f (df 31, 0.9999 quantile 64.0)\n", chi2);
        assert_true(chi2 < 64.0);
        free(y);
        free(o);
    }
    free(x); free(h); free(q); free(z); free(xz); free(z16); free(x16);
}

/* update_ars (every element its own ARS bits), int8 and int16, dispatched:
   one call of many elements at v = val per element is unbiased (mean within
   2^-16 + 6 standard errors); the round-up frequency tracks the fraction
   over 32 fractions (chi-square, df 31, 0.9999 quantile 64.0); and the
   round-up indicators of elements k apart (k = 1, 7, 8, 64: neighbours in a
   vector, across an ARS block, the period Philox's update shares) are
   independent: 2x2 contingency chi-square at frac = 1/2, df 1, 0.9999
   quantile 15.14, and for k = 64 the agreement is far from the 100% that
   shared bits would give. */
static void ars_round(int bits, const lpk_variant *v, void *z, const float *h, size_t n,
                      uint64_t seed, uint64_t offset)
{
    void *zero = tu_xmalloc(n * 2);
    memset(zero, 0, n * 2);
    memset(z, 0, n * 2);
    if (bits == 8)
        LPK_FN(lpk_op_fixed_update8_ars, v)(z, zero, h, n, 0.0f, 0.0f, LPK_ROUND_STOCHASTIC, seed,
                                            offset);
    else
        LPK_FN(lpk_op_fixed_update16_ars, v)(z, zero, h, n, 0.0f, 0.0f, LPK_ROUND_STOCHASTIC,
                                             seed, offset);
    free(zero);
}

static int getz(int bits, const void *z, size_t i)
{
    return bits == 8 ? ((const int8_t *)z)[i] : ((const int16_t *)z)[i];
}

static void test_ars_stats(void **state)
{
    for (int bits = 8; bits <= 16; bits += 8) {
        const lpk_variant *v =
            lpk_selected(bits == 8 ? &lpk_op_fixed_update8_ars.op : &lpk_op_fixed_update16_ars.op);
        assert_non_null(v);
        printf("ARS update statistics: %s\n", v->name);
        const size_t n = 1 << 16;
        float *h = tu_xmalloc(n * 4);
        void *z = tu_xmalloc(n * 2);
        const float values[] = {3.3f, -2.71828f, 0.01f, -0.999f, 100.5f, -127.25f, 0.123456f};
        for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
            const float val = values[k];
            const double frac = (double)val - floor((double)val);
            const double se = sqrt(frac * (1 - frac) / (double)n);
            for (size_t i = 0; i < n; i++)
                h[i] = val;
            ars_round(bits, v, z, h, n, 11 + k, 3 + 1000 * k);
            double sum = 0;
            for (size_t i = 0; i < n; i++) {
                const int q = getz(bits, z, i);
                assert_true(q == (int)floor(val) || q == (int)floor(val) + 1);
                sum += q;
            }
            if (fabs(sum / (double)n - val) > 0x1p-16 + 6 * se)
                fail_msg("update%d_ars SR of %g: mean %.6f", bits, val, sum / (double)n);
        }
        /* frequency vs fraction */
        const size_t per = 2048, cells = 32;
        for (size_t c = 0; c < cells; c++)
            for (size_t i = 0; i < per; i++)
                h[c * per + i] = 5.0f + (float)(2 * c + 1) / 64.0f;
        ars_round(bits, v, z, h, per * cells, 77, 5);
        double chi2 = 0;
        for (size_t c = 0; c < cells; c++) {
            size_t up = 0;
            for (size_t i = 0; i < per; i++)
                up += getz(bits, z, c * per + i) == 6;
            const double p = (double)(2 * c + 1) / 64.0, e = p * (double)per;
            chi2 += ((double)up - e) * ((double)up - e) / (e * (1 - p));
        }
        printf("  frequency chi-square %.2f (df 31, 0.9999 quantile 64.0)\n", chi2);
        assert_true(chi2 < 64.0);
        /* neighbour independence at frac = 1/2 */
        for (size_t i = 0; i < n; i++)
            h[i] = 0.5f;
        ars_round(bits, v, z, h, n, 99, 0);
        static const size_t lags[] = {1, 7, 8, 64};
        for (size_t l = 0; l < sizeof lags / sizeof lags[0]; l++) {
            const size_t k = lags[l];
            double cnt[2][2] = {{0, 0}, {0, 0}};
            for (size_t i = 0; i + k < n; i++)
                cnt[getz(bits, z, i)][getz(bits, z, i + k)] += 1;
            const double m = (double)(n - k);
            double x2 = 0;
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++) {
                    const double ra = cnt[a][0] + cnt[a][1], cb = cnt[0][b] + cnt[1][b];
                    const double e = ra * cb / m;
                    x2 += (cnt[a][b] - e) * (cnt[a][b] - e) / e;
                }
            const double agree = (cnt[0][0] + cnt[1][1]) / m;
            printf("  lag %zu: 2x2 chi-square %.2f (df 1, 0.9999 quantile 15.14), agreement %.4f\n",
                   k, x2, agree);
            assert_true(x2 < 15.14);
            assert_true(agree > 0.48 && agree < 0.52);
        }
        free(h);
        free(z);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sr_unbiased),
        cmocka_unit_test(test_ars_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
