/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM: every runnable variant against the exact (double) product of the same
   bf16 inputs within the documented bound, over edge shapes, transposes,
   strides, misaligned pointers and guard zones; BLAS special cases; NaN/Inf;
   a large sampled product; determinism across threads; the bf16-output
   path; cblas_sbgemm; bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "common/bf16.h"
#include "gemm/gemm.h"

static lpk_bf16 to_bf16(float x) { return lpk_bf16_rne(lpk_f32_bits(x)); }
static double from_bf16(lpk_bf16 h) { return (double)lpk_bits_f32((uint32_t)h << 16); }

/* A random bf16 in [-2, 2), about one in eight exactly zero. */
static lpk_bf16 rand_bf16(uint64_t *s)
{
    const uint64_t r = tu_rand(s);
    if ((r & 7) == 0)
        return 0;
    return to_bf16((float)((double)(r >> 11) / 9007199254740992.0 * 4.0 - 2.0));
}

typedef struct {
    lpk_trans ta, tb;
    size_t m, n, k, lda, ldb, ldc;
    float alpha, beta;
    const lpk_bf16 *a, *b;
} problem;

static double elem_a(const problem *p, size_t i, size_t q)
{
    return from_bf16(p->ta == LPK_NOTRANS ? p->a[i * p->lda + q] : p->a[q * p->lda + i]);
}
static double elem_b(const problem *p, size_t q, size_t j)
{
    return from_bf16(p->tb == LPK_NOTRANS ? p->b[q * p->ldb + j] : p->b[j * p->ldb + q]);
}

/* Checks C(i,j) against the exact product; c0 is C's value before the call. */
static void check_elem(const problem *p, const char *who, size_t i, size_t j, float got, float c0)
{
    double exact = 0, mag = 0;
    for (size_t q = 0; q < p->k; q++) {
        const double x = elem_a(p, i, q), y = elem_b(p, q, j);
        exact += x * y;
        mag += fabs(x * y);
    }
    exact = (double)p->alpha * exact + (p->beta == 0.0f ? 0.0 : (double)p->beta * c0);
    const double bc = p->beta == 0.0f ? 0.0 : fabs((double)p->beta * c0);
    const double bound = (2.0 * (double)p->k + 4.0) * 0x1p-24 * (fabs(p->alpha) * mag + bc) + 1e-30;
    if (isnan(exact)) {
        if (!isnan(got))
            fail_msg("%s: C(%zu,%zu) = %g, want NaN", who, i, j, got);
        return;
    }
    if (isinf(exact)) {
        if (got != (float)exact)
            fail_msg("%s: C(%zu,%zu) = %g, want %g", who, i, j, got, exact);
        return;
    }
    if (!(fabs((double)got - exact) <= bound))
        fail_msg("%s: m=%zu n=%zu k=%zu ta=%d tb=%d: C(%zu,%zu) = %.9g, exact %.9g, |err| %.3g > bound %.3g",
                 who, p->m, p->n, p->k, p->ta, p->tb, i, j, got, exact, fabs(got - exact), bound);
}

#define CG 16 /* guard floats before C and after its last row */

/* Runs lpk_gemm_run with micro-kernel u on p; C starts as c_init (NaN when
   beta == 0, to prove it is not read); checks every element (or `samples`
   random ones when nonzero) and that nothing outside C was written. */
static void run_and_check(const lpk_gemm_ukr *u, const char *who, const problem *p,
                          size_t c_mis, size_t samples)
{
    const size_t csize = CG + c_mis + p->m * p->ldc + CG;
    float *cbuf = malloc(csize * sizeof(float)), *c0 = malloc(p->m * p->ldc * sizeof(float) + 4);
    assert_non_null(cbuf);
    for (size_t x = 0; x < csize; x++)
        cbuf[x] = -777.0f;
    float *c = cbuf + CG + c_mis;
    uint64_t s = p->m * 31 + p->n * 7 + p->k;
    for (size_t i = 0; i < p->m; i++)
        for (size_t j = 0; j < p->n; j++)
            c[i * p->ldc + j] = p->beta == 0.0f ? NAN : (float)from_bf16(rand_bf16(&s));
    memcpy(c0, c, p->m * p->ldc * sizeof(float));
    assert_int_equal(lpk_gemm_run(u, p->ta, p->tb, p->m, p->n, p->k, p->alpha, p->a, p->lda, p->b,
                                  p->ldb, p->beta, c, p->ldc),
                     LPK_OK);
    for (size_t x = 0; x < csize; x++) {
        const size_t off = x >= CG + c_mis ? x - CG - c_mis : SIZE_MAX;
        const int inside = off != SIZE_MAX && off < p->m * p->ldc && off % p->ldc < p->n;
        if (!inside && cbuf[x] != -777.0f)
            fail_msg("%s: wrote outside C at offset %ld (m=%zu n=%zu ldc=%zu)", who,
                     (long)x - (long)(CG + c_mis), p->m, p->n, p->ldc);
    }
    if (samples) {
        for (size_t t = 0; t < samples; t++) {
            const size_t i = tu_rand(&s) % p->m, j = tu_rand(&s) % p->n;
            check_elem(p, who, i, j, c[i * p->ldc + j], c0[i * p->ldc + j]);
        }
    } else {
        for (size_t i = 0; i < p->m; i++)
            for (size_t j = 0; j < p->n; j++)
                check_elem(p, who, i, j, c[i * p->ldc + j], c0[i * p->ldc + j]);
    }
    free(cbuf);
    free(c0);
}

/* Operand storage: rows x cols (+ padding to ld), misaligned by `mis`. */
static lpk_bf16 *make_operand(size_t rows, size_t ld, size_t mis, uint64_t seed, lpk_bf16 **base)
{
    const size_t count = rows * ld + mis + 1;
    lpk_bf16 *p = malloc(count * sizeof(lpk_bf16));
    assert_non_null(p);
    uint64_t s = seed;
    for (size_t x = 0; x < count; x++)
        p[x] = rand_bf16(&s);
    *base = p;
    return p + mis;
}

static void run_shape(const lpk_gemm_ukr *u, const char *who, lpk_trans ta, lpk_trans tb,
                      size_t m, size_t n, size_t k, size_t pad, float alpha, float beta,
                      size_t samples)
{
    problem p = {ta, tb, m, n, k, 0, 0, n + pad, alpha, beta, NULL, NULL};
    p.lda = (ta == LPK_NOTRANS ? k : m) + pad;
    p.ldb = (tb == LPK_NOTRANS ? n : k) + pad;
    lpk_bf16 *ab, *bb;
    p.a = make_operand(ta == LPK_NOTRANS ? m : k, p.lda, pad % 2, m * 1000 + k, &ab);
    p.b = make_operand(tb == LPK_NOTRANS ? k : n, p.ldb, pad % 3, n * 1000 + k + 1, &bb);
    run_and_check(u, who, &p, pad % 2, samples);
    free(ab);
    free(bb);
}

static const size_t dims[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 48, 63, 64, 67};
#define NDIMS (sizeof dims / sizeof dims[0])

static void check_variant(const lpk_variant *v, void *ctx)
{
    const lpk_gemm_ukr *u = LPK_FN(lpk_op_gemm, v)();
    printf("RUN     %s (%ux%u, kr %u)\n", v->name, u->mr, u->nr, u->kr);
    /* all m, n in the list crossed, k cycling through it; every transpose
       pair, padded leading dimensions (prime pads), misaligned pointers */
    size_t count = 0;
    for (size_t im = 0; im < NDIMS; im++)
        for (size_t in = 0; in < NDIMS; in++) {
            const size_t k = dims[(im * 5 + in * 3) % NDIMS];
            const int t = (int)((im + in) % 4);
            const size_t pad = (im * 7 + in) % 3 == 0 ? 0 : (im + in) % 2 ? 3 : 7;
            run_shape(u, v->name, (lpk_trans)(t & 1), (lpk_trans)(t >> 1), dims[im], dims[in], k,
                      pad, 1.0f, (im + in) % 3 == 0 ? 0.0f : 0.5f, 0);
            count++;
        }
    /* k below, at and above every unroll and the kc blocking; m past mc;
       n past nc; alpha and beta away from 1 */
    static const size_t ks[] = {1, 2, 3, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257};
    for (size_t x = 0; x < sizeof ks / sizeof ks[0]; x++)
        run_shape(u, v->name, LPK_NOTRANS, LPK_NOTRANS, 17, 33, ks[x], 1, -1.5f, 2.0f, 0);
    run_shape(u, v->name, LPK_NOTRANS, LPK_TRANS, 37, 19, 3100, 0, 0.75f, -1.0f, 64);
    run_shape(u, v->name, LPK_TRANS, LPK_NOTRANS, 400, 23, 700, 5, 1.0f, 1.0f, 256);
    run_shape(u, v->name, LPK_NOTRANS, LPK_NOTRANS, 9, 4100, 5, 2, 1.0f, 0.0f, 256);
    /* large, sampled against the exact product */
    const size_t big = v->tier == LPK_TIER_SCALAR || tu_emulated() ? 256 : 2048;
    run_shape(u, v->name, LPK_NOTRANS, LPK_NOTRANS, big, big, big, 0, 1.0f, 0.0f, 200);
    printf("        %zu edge shapes + 18 blocking shapes + %zu^3 sampled: within bound\n", count,
           big);
}

static void test_variants(void **state)
{
    const int ran = tu_each_variant(&lpk_op_gemm.op, check_variant, NULL);
    printf("gemm: %d variant(s) checked against the exact product\n", ran);
}

/* NaN and Inf in A or B reach exactly the C elements they should. */
static void specials_variant(const lpk_variant *v, void *ctx)
{
    const lpk_gemm_ukr *u = LPK_FN(lpk_op_gemm, v)();
    const size_t m = 19, n = 21, k = 35;
    lpk_bf16 *a = malloc(m * k * 2), *b = malloc(k * n * 2);
    uint64_t s = 5;
    for (size_t x = 0; x < m * k; x++) a[x] = rand_bf16(&s);
    for (size_t x = 0; x < k * n; x++) b[x] = rand_bf16(&s) | 0x3F80; /* no zeros */
    a[3 * k + 4] = 0x7FC0;   /* NaN: row 3 all NaN */
    a[5 * k + 6] = 0x7F80;   /* +Inf in row 5 */
    a[5 * k + 7] = 0x0000;
    b[6 * n + 2] = 0x0000;   /* Inf * 0 = NaN at C(5, 2) */
    problem p = {LPK_NOTRANS, LPK_NOTRANS, m, n, k, k, n, n, 1.0f, 0.0f, a, b};
    run_and_check(u, v->name, &p, 0, 0);
    free(a);
    free(b);
}

static void test_specials(void **state) { tu_each_variant(&lpk_op_gemm.op, specials_variant, NULL); }

/* ---- the public API ------------------------------------------------------ */

static void test_blas_rules(void **state)
{
    float c[6] = {NAN, 1, 2, 3, INFINITY, 5};
    /* alpha == 0: A and B not read (NULL accepted), C = beta*C */
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 2, 3, 4, 0.0f, NULL, 4, NULL, 3,
                                      2.0f, c, 3), LPK_OK);
    assert_true(isnan(c[0]) && c[1] == 2 && c[2] == 4 && isinf(c[4]));
    /* beta == 0 overwrites, even NaN/Inf */
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 2, 3, 0, 1.0f, NULL, 1, NULL, 3,
                                      0.0f, c, 3), LPK_OK);
    for (int i = 0; i < 6; i++)
        assert_true(c[i] == 0.0f);
    /* beta == 0 with k > 0: NaN in C does not propagate */
    const lpk_bf16 a[2] = {0x3F80, 0x4000}, b[2] = {0x4040, 0x4080}; /* 1 2 ; 3 4 */
    float d[1] = {NAN};
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 1, 1, 2, 1.0f, a, 2, b, 1, 0.0f,
                                      d, 1), LPK_OK);
    assert_true(d[0] == 11.0f);
    /* m == 0 or n == 0: nothing read or written */
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 0, 3, 4, 1.0f, NULL, 4, NULL, 3,
                                      1.0f, NULL, 3), LPK_OK);
}

static void test_bad_input(void **state)
{
    lpk_bf16 a[64] = {0}, b[64] = {0};
    float c[64];
    for (int i = 0; i < 64; i++) c[i] = 42.0f;
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 4, 4, 4, 1.0f, NULL, 4, b, 4, 0.0f, c, 4), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "A is NULL"));
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 4, 4, 4, 1.0f, a, 4, NULL, 4, 0.0f, c, 4), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "B is NULL"));
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, NULL, 4), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "C is NULL"));
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 4, 4, 4, 1.0f, a, 3, b, 4, 0.0f, c, 4), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "ldA = 3"));
    assert_int_equal(lpk_gemm_bf16f32(LPK_TRANS, LPK_NOTRANS, 5, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c, 4), LPK_EINVAL);
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_TRANS, 4, 5, 4, 1.0f, a, 4, b, 3, 0.0f, c, 5), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "ldB = 3"));
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c, 3), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "ldc = 3"));
    assert_int_equal(lpk_gemm_bf16f32((lpk_trans)2, LPK_NOTRANS, 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c, 4), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "transA = 2"));
    /* m * k overflows */
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, SIZE_MAX / 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c, 4), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "overflows"));
    for (int i = 0; i < 64; i++)
        assert_true(c[i] == 42.0f);
    lpk_bf16 h[16];
    assert_int_equal(lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, h, 4, (lpk_round)9, 0), LPK_EINVAL);
    /* cblas drop-in: errors write nothing */
    lpk_cblas_sbgemm(103, 111, 111, 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c, 4);
    assert_non_null(strstr(lpk_last_error(), "parameter 1"));
    lpk_cblas_sbgemm(101, 111, 120, 4, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c, 4);
    assert_non_null(strstr(lpk_last_error(), "parameter 3"));
    lpk_cblas_sbgemm(101, 111, 111, -1, 4, 4, 1.0f, a, 4, b, 4, 0.0f, c, 4);
    assert_non_null(strstr(lpk_last_error(), "parameter 4"));
    for (int i = 0; i < 64; i++)
        assert_true(c[i] == 42.0f);
}

/* Same bits for 1 and 2 threads; the bf16-output SR path likewise, and the
   same bits for every variant when the fp32 results are exact (small
   integers), drawing element (i,j)'s bits from index i*n + j. */
static void test_threads_and_bf16_output(void **state)
{
    uint64_t s = 77;
    /* Shapes that split the work differently between threads (blocking of
       the AMX kernel: kc 512, nc 1024, mc 32): row blocks split by rows
       (n < m) with one k block and with two; two k and two n blocks split
       by columns (n > m, each thread packs only its panels); an odd number
       of row blocks over two n blocks split by columns; one row of tiles
       (on one thread its B panels are packed just before use, in groups
       when B is not transposed; with B transposed the AMX kernel packs
       whole-depth panels instead, unless k is too deep for L2 as in the
       last shape).  Every tier, both layouts of B, beta != 0. */
    static const size_t shapes[][3] = {{203, 197, 301}, {40, 1040, 520}, {260, 1040, 96},
                                       {13, 1040, 520}, {600, 100, 530}, {9, 70, 8500}};
    for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
        const size_t m = shapes[sh][0], n = shapes[sh][1], k = shapes[sh][2];
        lpk_bf16 *a = malloc(m * k * 2), *b = malloc(k * n * 2);
        float *c1 = malloc(m * n * 4), *c2 = malloc(m * n * 4);
        for (size_t x = 0; x < m * k; x++) a[x] = rand_bf16(&s);
        for (size_t x = 0; x < k * n; x++) b[x] = rand_bf16(&s);
        for (int tier = LPK_TIER_COUNT - 1; tier >= 0; tier--) {
            if (!lpk_tier_supported((lpk_tier)tier) || (tier == LPK_TIER_SCALAR && sh > 0))
                continue;
            assert_int_equal(lpk_set_isa(lpk_tiers[tier].name), LPK_OK);
            for (int tb = 0; tb < 2; tb++) {
                const size_t ldb = tb ? k : n;
                for (size_t x = 0; x < m * n; x++)
                    c1[x] = c2[x] = (float)(x % 13) - 6.0f;
                lpk_set_num_threads(1);
                assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, (lpk_trans)tb, m, n, k, 1.0f, a, k,
                                                  b, ldb, 0.5f, c1, n), LPK_OK);
                lpk_set_num_threads(2);
                assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, (lpk_trans)tb, m, n, k, 1.0f, a, k,
                                                  b, ldb, 0.5f, c2, n), LPK_OK);
                if (tu_first_diff(c1, c2, m * n * 4) != -1)
                    fail_msg("%zux%zux%zu tb=%d: 1 and 2 threads differ under tier %s", m, n, k,
                             tb, lpk_tiers[tier].name);
            }
        }
        assert_int_equal(lpk_set_isa("auto"), LPK_OK);
        free(a); free(b); free(c1); free(c2);
    }
    const size_t m = 203, n = 197, k = 301;
    lpk_bf16 *a = malloc(m * k * 2), *b = malloc(k * n * 2);

    /* small integers: every partial sum exact in fp32, for every variant */
    for (size_t x = 0; x < m * k; x++) a[x] = to_bf16((float)((int)(tu_rand(&s) % 7) - 3));
    for (size_t x = 0; x < k * n; x++) b[x] = to_bf16((float)((int)(tu_rand(&s) % 5) - 2) * 0.125f);
    lpk_bf16 *h1 = malloc(m * n * 2), *h2 = malloc(m * n * 2), *want = malloc(m * n * 2);
    float *t = malloc(m * n * 4);
    for (size_t i = 0; i < m; i++) /* exact result, then lpk's SR of it */
        for (size_t j = 0; j < n; j++) {
            double acc = 0;
            for (size_t q = 0; q < k; q++)
                acc += from_bf16(a[i * k + q]) * from_bf16(b[q * n + j]);
            t[i * n + j] = (float)(acc * 0.3);
        }
    assert_int_equal(lpk_f32_to_bf16(t, want, m * n, LPK_ROUND_STOCHASTIC, 99, 0), LPK_OK);
    lpk_bf16 *want_ars = malloc(m * n * 2);
    assert_int_equal(lpk_f32_to_bf16(t, want_ars, m * n, LPK_ROUND_STOCHASTIC_ARS, 99, 0), LPK_OK);
    assert_true(tu_first_diff(want, want_ars, m * n * 2) != -1); /* two generators */
    int variants = 0;
    for (int tier = LPK_TIER_COUNT - 1; tier >= 0; tier--) {
        if (!lpk_tier_supported((lpk_tier)tier))
            continue;
        assert_int_equal(lpk_set_isa(lpk_tiers[tier].name), LPK_OK);
        for (int threads = 1; threads <= 2; threads++) {
            lpk_set_num_threads(threads);
            memset(h1, 0, m * n * 2);
            assert_int_equal(lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, m, n, k, 0.3f, a, k, b, n, 0.0f,
                                           h1, n, LPK_ROUND_STOCHASTIC, 99), LPK_OK);
            if (tu_first_diff(h1, want, m * n * 2) != -1)
                fail_msg("bf16 SR output differs under tier %s, %d thread(s)", lpk_tiers[tier].name, threads);
            memset(h1, 0, m * n * 2);
            assert_int_equal(lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, m, n, k, 0.3f, a, k, b, n, 0.0f,
                                           h1, n, LPK_ROUND_STOCHASTIC_ARS, 99), LPK_OK);
            if (tu_first_diff(h1, want_ars, m * n * 2) != -1)
                fail_msg("bf16 SR (ARS) output differs under tier %s, %d thread(s)",
                         lpk_tiers[tier].name, threads);
        }
        variants++;
    }
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    assert_true(variants >= 1);
    /* bf16 output with beta: C read from bf16, ldc > n, nearest */
    for (size_t x = 0; x < m * n; x++) h2[x] = to_bf16(1.0f);
    assert_int_equal(lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, m, n - 3, k, 0.3f, a, k, b, n, 2.0f, h2,
                                   n, LPK_ROUND_NEAREST, 0), LPK_OK);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const float expect = j < n - 3 ? t[i * n + j] + 2.0f : 1.0f;
            assert_int_equal(h2[i * n + j], to_bf16(expect));
        }
    lpk_set_num_threads(0);
    free(a); free(b); free(h1); free(h2); free(want); free(want_ars); free(t);
}

/* cblas_sbgemm: row- and column-major against the exact product. */
static void test_cblas(void **state)
{
    const int m = 13, n = 11, k = 9, lda = 17, ldb = 19, ldc = 23; /* >= every dim */
    lpk_bf16 a[32 * 32], b[32 * 32];
    float c[32 * 32];
    uint64_t s = 3;
    for (int x = 0; x < 32 * 32; x++) { a[x] = rand_bf16(&s); b[x] = rand_bf16(&s); }
    for (int order = 101; order <= 102; order++)
        for (int ta = 111; ta <= 112; ta++)
            for (int tb = 111; tb <= 113; tb++) {
                for (int x = 0; x < 32 * 32; x++) c[x] = 1.0f;
                lpk_set_isa("bogus"); /* leaves a message; a good call must not */
                lpk_cblas_sbgemm(order, ta, tb, m, n, k, 2.0f, a, lda, b, ldb, 0.5f, c, ldc);
                assert_non_null(strstr(lpk_last_error(), "bogus"));
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double exact = 0, mag = 0;
                        for (int q = 0; q < k; q++) {
                            /* element (r, c) of a stored matrix in this order */
#define AT(M, ld, r, cc) from_bf16(order == 101 ? M[(r) * (ld) + (cc)] : M[(cc) * (ld) + (r)])
                            const double x = ta == 111 ? AT(a, lda, i, q) : AT(a, lda, q, i);
                            const double y = tb == 111 ? AT(b, ldb, q, j) : AT(b, ldb, j, q);
#undef AT
                            exact += x * y;
                            mag += fabs(x * y);
                        }
                        exact = 2.0 * exact + 0.5;
                        const float got = order == 101 ? c[i * ldc + j] : c[j * ldc + i];
                        assert_true(fabs(got - exact) <= (2.0 * k + 4) * 0x1p-24 * (2 * mag + 0.5));
                    }
            }
}

/* Pre-packed B: bit-identical to the unpacked call under every tier (one
   block and several blocks in n and k, both B layouts, alpha/beta), refused
   when packed for another variant, bad input writes nothing. */
static void test_packed_b(void **state)
{
    static const size_t shapes[][3] = {{32, 1000, 700}, {5, 4100, 1100}, {67, 33, 3}};
    int tiers = 0;
    for (int tier = LPK_TIER_COUNT - 1; tier >= 0; tier--) {
        if (!lpk_tier_supported((lpk_tier)tier))
            continue;
        assert_int_equal(lpk_set_isa(lpk_tiers[tier].name), LPK_OK);
        for (size_t x = 0; x < 3; x++)
            for (int tb = 0; tb < 2; tb++) {
                const size_t m = shapes[x][0], n = shapes[x][1], k = shapes[x][2];
                if (tier == LPK_TIER_SCALAR && n * k > 1000000)
                    continue;
                const size_t ldb = (tb ? k : n) + 3;
                lpk_bf16 *a = malloc(m * k * 2), *b = malloc((tb ? n : k) * ldb * 2);
                float *c1 = malloc(m * n * 4), *c2 = malloc(m * n * 4);
                uint64_t s = x * 10 + (uint64_t)tb;
                for (size_t i = 0; i < m * k; i++) a[i] = rand_bf16(&s);
                for (size_t i = 0; i < (tb ? n : k) * ldb; i++) b[i] = rand_bf16(&s);
                for (size_t i = 0; i < m * n; i++) c1[i] = c2[i] = (float)(i % 7);
                lpk_gemm_packed_b *pb = NULL;
                assert_int_equal(lpk_gemm_pack_b((lpk_trans)tb, k, n, b, ldb, &pb), LPK_OK);
                assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, (lpk_trans)tb, m, n, k, 1.5f, a, k,
                                                  b, ldb, -0.5f, c1, n), LPK_OK);
                assert_int_equal(lpk_gemm_bf16f32_packed(LPK_NOTRANS, m, n, k, 1.5f, a, k, pb,
                                                         -0.5f, c2, n), LPK_OK);
                if (tu_first_diff(c1, c2, m * n * 4) != -1)
                    fail_msg("packed B differs from unpacked under %s (%zux%zux%zu, tb %d)",
                             lpk_tiers[tier].name, m, n, k, tb);
                lpk_gemm_packed_b_free(pb);
                free(a); free(b); free(c1); free(c2);
            }
        tiers++;
    }
    assert_true(tiers >= 2);
    /* packed under one cap, used under another selecting a different kernel */
    lpk_bf16 a[64] = {0}, b[64] = {0};
    float c[64];
    for (int i = 0; i < 64; i++) c[i] = 9.0f;
    lpk_gemm_packed_b *pb = NULL;
    assert_int_equal(lpk_set_isa("scalar"), LPK_OK);
    assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, 8, 8, b, 8, &pb), LPK_OK);
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    if (strcmp(lpk_kernel_variant("gemm.bf16f32"), "lpk_gemm_ukr_4x4__ref") != 0) {
        assert_int_equal(lpk_gemm_bf16f32_packed(LPK_NOTRANS, 8, 8, 8, 1.0f, a, 8, pb, 0.0f, c, 8), LPK_EINVAL);
        assert_non_null(strstr(lpk_last_error(), "pack again"));
    }
    assert_int_equal(lpk_gemm_bf16f32_packed(LPK_NOTRANS, 8, 9, 8, 1.0f, a, 8, pb, 0.0f, c, 9), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "packed as 8 x 8"));
    lpk_gemm_packed_b_free(pb);
    assert_int_equal(lpk_gemm_bf16f32_packed(LPK_NOTRANS, 8, 8, 8, 1.0f, a, 8, NULL, 0.0f, c, 8), LPK_EINVAL);
    assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, 8, 8, b, 8, NULL), LPK_EINVAL);
    assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, 8, 8, NULL, 8, &pb), LPK_EINVAL);
    assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, 8, 8, b, 7, &pb), LPK_EINVAL);
    assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, 0, 8, b, 8, &pb), LPK_EINVAL);
    assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, 8, 8, b, 8, &pb), LPK_OK);
    assert_int_equal(lpk_gemm_bf16f32_packed(LPK_NOTRANS, 8, 8, 8, 1.0f, NULL, 8, pb, 0.0f, c, 8), LPK_EINVAL);
    assert_int_equal(lpk_gemm_bf16f32_packed(LPK_NOTRANS, 8, 8, 8, 1.0f, a, 8, pb, 0.0f, c, 7), LPK_EINVAL);
    for (int i = 0; i < 64; i++)
        assert_true(c[i] == 9.0f);
    lpk_gemm_packed_b_free(pb);
    lpk_gemm_packed_b_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_specials),
        cmocka_unit_test(test_blas_rules),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_threads_and_bf16_output),
        cmocka_unit_test(test_cblas),
        cmocka_unit_test(test_packed_b),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
