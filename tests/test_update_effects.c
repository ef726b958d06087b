/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer-update family: the numerical effects the modes exist for,
   through the public API: stochastic rounding tracks the fp32 result in
   the mean where nearest stalls; Kahan tracks the exact sum; the Kahan
   split / merge round trip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "updateutil.h"

static double bfv(lpk_bf16 h) { return (double)wid(h); }

/* SGD with lr = 1 and a constant bf16 gradient -2^-13 on weights 1.0:
   u = 2^-13 = 1/64 of an ulp (2^-7).  After K = 1024 steps fp32 gives
   exactly 1.125; nearest stalls at 1 (every sum rounds back); stochastic
   rounding is unbiased, so the mean over N elements is 1.125 within 6
   standard errors (per element the count of up-steps is Binomial(K, 1/64),
   sd = 2^-7 sqrt(K p (1-p))). */
static void test_sr_tracks_fp32(void **state)
{
    const size_t n = 4096;
    const int K = 1024;
    lpk_bf16 *w = malloc(n * 2), *wn = malloc(n * 2), *g = malloc(n * 2);
    float *master = malloc(n * 4);
    for (size_t i = 0; i < n; i++) {
        w[i] = wn[i] = to_bf(1.0f);
        g[i] = to_bf(-0x1p-13f);
        master[i] = 1.0f;
    }
    lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1};
    lpk_opt_tensor ts = {.n = n, .w = w, .grad = g};
    lpk_opt_tensor tn = {.n = n, .w = wn, .grad = g};
    lpk_bf16 *wf = malloc(n * 2);
    lpk_opt_tensor tf = {.n = n, .w = wf, .master = master, .grad = g};
    for (int s = 1; s <= K; s++) {
        p.step = (uint64_t)s;
        /* a fresh stream per step: offset advances by n */
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_STOCHASTIC, &ts, 2024, (uint64_t)s * n), LPK_OK);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &tn, 0, 0), LPK_OK);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_FP32, &tf, 0, 0), LPK_OK);
    }
    double sum = 0;
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        sum += bfv(w[i]);
        distinct += w[i] != w[0];
        assert_true(bfv(wn[i]) == 1.0);     /* nearest stalled */
        assert_true(master[i] == 1.125f);   /* fp32 exact */
    }
    const double mean = sum / (double)n, pp = 1.0 / 64;
    const double se = 0x1p-7 * sqrt(K * pp * (1 - pp)) / sqrt((double)n);
    printf("SR mean after %d steps: %.6f (fp32 1.125, nearest 1.0, 6 s.e. = %.2g)\n", K, mean,
           6 * se);
    assert_true(fabs(mean - 1.125) < 6 * se);
    assert_true(distinct > n / 4); /* elements took different paths */
    free(w); free(wn); free(g); free(master); free(wf);
}

/* Many tiny random increments (|u| < 2^-12, i.e. below a quarter ulp of
   weights in [1, 2)) summed K = 2000 times.  Exact sum S in double.
   Kahan mode: the weight w stays within one bf16 ulp of S (measured 0.56)
   and the pair's value w - comp within 2^-10 |S| (measured 4.3e-4: the
   rounding of y = [u - c] each step, a random walk); nearest stalls, so its
   error is the whole drift, 2000 * 2^-14 = 0.12, at least 4 ulps for every
   element (measured 6.9). */
static void test_kahan_tracks_sum(void **state)
{
    const size_t n = 1024;
    const int K = 2000;
    lpk_bf16 *w = malloc(n * 2), *c = malloc(n * 2), *wn = malloc(n * 2), *g = malloc(n * 2);
    double *S = malloc(n * sizeof(double));
    uint64_t s = 5;
    for (size_t i = 0; i < n; i++) {
        w[i] = wn[i] = to_bf(rand_val(&s, 0, 0, 0));
        c[i] = 0;
        S[i] = bfv(w[i]);
    }
    lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1};
    lpk_opt_tensor tk = {.n = n, .w = w, .comp = c, .grad = g};
    lpk_opt_tensor tn = {.n = n, .w = wn, .grad = g};
    for (int k = 0; k < K; k++) {
        for (size_t i = 0; i < n; i++) {
            /* a bias so the sum drifts: mean +2^-14 per step, u = -g */
            g[i] = to_bf(-(0x1p-14f + rand_val(&s, -16, -13, -1)));
            S[i] += -(double)wid(g[i]);
        }
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_KAHAN, &tk, 0, 0), LPK_OK);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &tn, 0, 0), LPK_OK);
    }
    double worst_w = 0, worst_pair = 0, best_nearest = INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double ulp = ldexp(1.0, ilogb(S[i]) - 7);
        worst_w = fmax(worst_w, fabs(bfv(w[i]) - S[i]) / ulp);
        worst_pair = fmax(worst_pair, fabs(bfv(w[i]) - bfv(c[i]) - S[i]) / fabs(S[i]));
        best_nearest = fmin(best_nearest, fabs(bfv(wn[i]) - S[i]) / ulp);
    }
    printf("Kahan after %d tiny steps: |w - S| <= %.3f ulp, |w - c - S| <= %.3g |S|; "
           "nearest >= %.1f ulp off\n", K, worst_w, worst_pair, best_nearest);
    assert_true(worst_w <= 1.0);
    assert_true(worst_pair <= 0x1p-10);
    assert_true(best_nearest >= 4.0);
    free(w); free(c); free(wn); free(g); free(S);
}

/* split then merge returns w32 within 2^-17 |w32| for normal values whose
   compensation stays normal; bf16-representable values come back exactly
   with comp = 0.  Kahan steps after a split continue from w32. */
static void test_split_merge_roundtrip(void **state)
{
    const size_t n = 100000;
    float *x = malloc(n * 4), *y = malloc(n * 4);
    lpk_bf16 *w = malloc(n * 2), *c = malloc(n * 2);
    uint64_t s = 17;
    for (size_t i = 0; i < n; i++)
        x[i] = rand_val(&s, -100, 100, -1);
    assert_int_equal(lpk_kahan_split(x, w, c, n), LPK_OK);
    assert_int_equal(lpk_kahan_merge(w, c, y, n), LPK_OK);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(w[i], to_bf(x[i]));
        worst = fmax(worst, fabs((double)y[i] - (double)x[i]) / fabs((double)x[i]));
    }
    printf("split/merge round trip: worst relative error %.3g (bound 2^-17 = %.3g)\n", worst,
           0x1p-17);
    assert_true(worst <= 0x1p-17);
    for (size_t i = 0; i < n; i++)
        x[i] = wid(to_bf(x[i]));
    assert_int_equal(lpk_kahan_split(x, w, c, n), LPK_OK);
    assert_int_equal(lpk_kahan_merge(w, c, y, n), LPK_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i] & 0x7FFF, 0);
        assert_true(y[i] == x[i]);
    }
    free(x); free(y); free(w); free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sr_tracks_fp32),
        cmocka_unit_test(test_kahan_tracks_sum),
        cmocka_unit_test(test_split_merge_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
