/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family (HALP kernels): every runnable variant bit-exact
   against the scalar reference: all tails n = 0..130 (dot to 300),
   misaligned pointers, guard zones, saturation at both ends, -128*-128 and
   -32768*-32768, Inf/NaN, nearest ties, sums past the int32 range, many SR
   offsets, large n (update8_ars / update16_ars likewise); dotf within its documented bound; n = 0 reads and
   writes nothing. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixedutil.h"
#include "common/bf16.h"

/* ---- quantize / dequantize ----------------------------------------------- */

static const float inv_deltas[] = {1.0f, 0.37f, 64.0f, 1e-3f, 3e5f};

static void check_quant(const lpk_variant *v, void *ctx)
{
    const fx_case *c = ctx;
    const int bits = fx_bits(c);
    const size_t es = fx_es(c);
    const lpk_variant *r = tu_ref_of(c->op);
    printf("RUN     %s [%s]\n", v->name, c->op->name);
    const size_t big = 100003;
    float *xb = tu_xmalloc((big + 8) * 4);
    for (int mode = 0; mode < 2; mode++)
        for (size_t id = 0; id < sizeof inv_deltas / sizeof inv_deltas[0]; id++) {
            const float inv = inv_deltas[id];
            for (size_t n = 0; n <= 130; n++)
                for (size_t mis = 0; mis < 4; mis++) {
                    fx_fill_quant_input(xb, n + 4, 1000 + n * 7 + mis + 31 * id, inv, bits);
                    const size_t noff = mode ? FX_NOFF : 1;
                    for (size_t k = 0; k < noff; k += (mis == 0 ? 1 : 3)) {
                        tu_guarded ga, gb;
                        void *qa = tu_guard_alloc(&ga, n * es, (mis * 3 + k) % 4 * es);
                        void *qb = tu_guard_alloc(&gb, n * es, 0);
                        const float *x = xb + mis;
                        c->quant(v, x, qa, n, inv, (lpk_round)mode, 77 + n, fx_offsets[k]);
                        c->quant(r, x, qb, n, inv, (lpk_round)mode, 77 + n, fx_offsets[k]);
                        const long d = tu_first_diff(qa, qb, n * es);
                        if (d >= 0)
                            fail_msg("%s differs from ref at %ld (n=%zu mode=%d inv=%g offset=%llu x=%a)",
                                     v->name, d / (long)es, n, mode, inv,
                                     (unsigned long long)fx_offsets[k], x[d / (long)es]);
                        tu_guard_check(&ga, v->name, n);
                        tu_guard_check(&gb, r->name, n);
                        tu_guard_free(&ga);
                        tu_guard_free(&gb);
                    }
                }
            /* large, misaligned */
            fx_fill_quant_input(xb, big + 8, 5 + id, inv, bits);
            tu_guarded ga, gb;
            void *qa = tu_guard_alloc(&ga, big * es, es), *qb = tu_guard_alloc(&gb, big * es, 0);
            c->quant(v, xb + 1, qa, big, inv, (lpk_round)mode, 9, 12345);
            c->quant(r, xb + 1, qb, big, inv, (lpk_round)mode, 9, 12345);
            assert_int_equal(tu_first_diff(qa, qb, big * es), -1);
            tu_guard_check(&ga, v->name, big);
            tu_guard_check(&gb, r->name, big);
            tu_guard_free(&ga);
            tu_guard_free(&gb);
        }
    free(xb);
}

static void check_dequant(const lpk_variant *v, void *ctx)
{
    const fx_case *c = ctx;
    const size_t es = fx_es(c);
    const lpk_variant *r = tu_ref_of(c->op);
    printf("RUN     %s [%s]\n", v->name, c->op->name);
    const size_t big = 70001;
    unsigned char *qb = tu_xmalloc((big + 8) * es);
    uint64_t s = 3;
    for (size_t i = 0; i < big + 8; i++)
        fx_put_int(qb, es, i, fx_rand_int(&s, es));
    const float deltas[] = {1.0f, 0.37f, 1e-30f, 3e36f, -0.5f, INFINITY, NAN};
    for (size_t id = 0; id < sizeof deltas / sizeof deltas[0]; id++)
        for (size_t n = 0; n <= 130 + (id == 1 ? big - 130 : 0); n += (n < 130 ? 1 : big - 130))
            for (size_t mis = 0; mis < 4; mis++) {
                tu_guarded ga, gb;
                float *xa = tu_guard_alloc(&ga, n * 4, mis * 4), *xr = tu_guard_alloc(&gb, n * 4, 0);
                const void *q = qb + (mis + 1) % 4 * es;
                c->dequant(v, q, xa, n, deltas[id]);
                c->dequant(r, q, xr, n, deltas[id]);
                const long d = tu_first_diff(xa, xr, n * 4);
                if (d >= 0)
                    fail_msg("%s differs from ref at %ld (n=%zu delta=%g)", v->name, d / 4, n,
                             deltas[id]);
                tu_guard_check(&ga, v->name, n);
                tu_guard_check(&gb, r->name, n);
                tu_guard_free(&ga);
                tu_guard_free(&gb);
            }
    free(qb);
}

/* ---- integer dot products ------------------------------------------------- */

/* n elements of a and b set to the constants ca, cb: the exact dot is
   n * ca * cb, which the reference must also give. */
static void dot_const(const fx_case *c, const lpk_variant *v, const lpk_variant *r, size_t n,
                      int ca, int cb)
{
    const size_t es = fx_es(c);
    /* a one element past an aligned address */
    unsigned char *a = tu_xmalloc(n * es + 2), *b = tu_xmalloc(n * es + 2);
    for (size_t i = 0; i < n; i++) {
        fx_put_int(a + es, es, i, ca);
        fx_put_int(b, es, i, cb);
    }
    const int64_t want = (int64_t)n * ca * cb;
    const int64_t got = c->dot(v, a + es, b, n), gr = c->dot(r, a + es, b, n);
    if (got != want || gr != want)
        fail_msg("%s: dot of %zu x (%d * %d) = %lld (ref %lld), want %lld", v->name, n, ca, cb,
                 (long long)got, (long long)gr, (long long)want);
    free(a);
    free(b);
}

static void check_dot(const lpk_variant *v, void *ctx)
{
    const fx_case *c = ctx;
    const int bits = fx_bits(c);
    const size_t es = fx_es(c);
    const lpk_variant *r = tu_ref_of(c->op);
    printf("RUN     %s [%s]\n", v->name, c->op->name);
    const size_t big = 300007;
    unsigned char *a = tu_xmalloc((big + 8) * es), *b = tu_xmalloc((big + 8) * es);
    uint64_t s = 11;
    for (size_t i = 0; i < big + 8; i++) {
        fx_put_int(a, es, i, fx_rand_int(&s, es));
        fx_put_int(b, es, i, fx_rand_int(&s, es));
    }
    for (size_t n = 0; n <= 300; n++)
        for (size_t ma = 0; ma < 4; ma++) {
            const size_t mb = (ma * 3 + n) % 4;
            const int64_t x = c->dot(v, a + ma * es, b + mb * es, n);
            const int64_t y = c->dot(r, a + ma * es, b + mb * es, n);
            if (x != y)
                fail_msg("%s: %lld, ref %lld (n=%zu)", v->name, (long long)x, (long long)y, n);
        }
    for (size_t n = 1000; n <= big; n = n * 3 + 17)
        assert_true(c->dot(v, a + es, b, n) == c->dot(r, a + es, b, n));
    free(a);
    free(b);
    /* past the int32 range, every sign combination of the extremes; lengths
       past 2^23 so that any int32 lane of any variant would overflow
       without its flush */
    const int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
    const size_t nbig = bits == 8 ? ((size_t)1 << 23) + 77 : ((size_t)1 << 21) + 77;
    dot_const(c, v, r, 200000, lo, lo);
    dot_const(c, v, r, nbig, lo, lo);
    dot_const(c, v, r, nbig, hi, lo);
    dot_const(c, v, r, nbig, lo, hi);
    dot_const(c, v, r, nbig, hi, hi);
    dot_const(c, v, r, 4099, lo, lo);
}

/* ---- the HALP update ------------------------------------------------------ */

static void check_update(const lpk_variant *v, void *ctx)
{
    const fx_case *c = ctx;
    const int bits = fx_bits(c);
    const size_t es = fx_es(c);
    const lpk_variant *r = tu_ref_of(c->op);
    printf("RUN     %s [%s]\n", v->name, c->op->name);
    const size_t big = 50021;
    unsigned char *z0 = tu_xmalloc((big + 8) * es), *x = tu_xmalloc((big + 8) * es);
    float *h = tu_xmalloc((big + 8) * 4);
    uint64_t s = 21;
    for (size_t i = 0; i < big + 8; i++) {
        fx_put_int(z0, es, i, fx_rand_int(&s, es));
        fx_put_int(x, es, i, fx_rand_int(&s, es));
    }
    fx_fill_h(h, big + 8, 5, bits);
    static const float ab[][2] = {{0.99f, -0.37f}, {1.0f, 1.0f}, {0.5f, 0.25f}, {0.0f, 0.0f},
                                  {-1.0f, 3e3f}, {1e30f, 1.0f}, {INFINITY, 0.5f}, {1.0f, NAN}};
    for (int mode = 0; mode < 2; mode++)
        for (size_t k = 0; k < sizeof ab / sizeof ab[0]; k++) {
            for (size_t n = 0; n <= 130; n++)
                for (size_t mis = 0; mis < 4; mis++) {
                    const size_t noff = mode ? FX_NOFF : 1;
                    for (size_t o = (n + mis) % 3; o < noff; o += 3)
                        fx_update_once(c, v, r, z0 + mis * es, x + (3 - mis) * es, h + mis, n,
                                       (mis + o) % 4, ab[k][0], ab[k][1], mode, 99 + k,
                                       fx_offsets[o]);
                }
            fx_update_once(c, v, r, z0 + es, x, h + 3, big, 2, ab[k][0], ab[k][1], mode, 7, 3);
            fx_update_once(c, v, r, z0, x, h, 1024, 0, ab[k][0], ab[k][1], mode, 8, 64);
        }
    /* saturation: every z and x at the extremes, h pushing past both ends */
    {
        const size_t n = 257;
        for (size_t i = 0; i < n; i++) {
            const int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
            fx_put_int(z0, es, i, (i & 1) ? lo : hi);
            fx_put_int(x, es, i, (i & 2) ? lo : hi);
            h[i] = (float)((int)(i % 7) - 3) * 0.5f;
        }
        for (int mode = 0; mode < 2; mode++) {
            fx_update_once(c, v, r, z0, x, h, n, 1, 1.0f, 1.0f, mode, 1, 0);
            fx_update_once(c, v, r, z0, x, h, n, 3, 1.0f, -1.0f, mode, 2, 5);
            fx_update_once(c, v, r, z0, x, h, n, 0, 3e9f, 3e9f, mode, 3, 0);
        }
    }
    free(z0);
    free(x);
    free(h);
}

/* ---- the fp32 baseline: updatef, dotf --------------------------------------- */

static void check_updatef(const lpk_variant *v, void *ctx)
{
    (void)ctx;
    const lpk_variant *r = tu_ref_of(&lpk_op_fixed_updatef.op);
    printf("RUN     %s [%s]\n", v->name, lpk_op_fixed_updatef.op.name);
    const size_t big = 40009;
    float *z0 = tu_xmalloc((big + 8) * 4), *x = tu_xmalloc((big + 8) * 4), *h = tu_xmalloc((big + 8) * 4);
    tu_fill_f32(z0, big + 8, 1);
    tu_fill_f32(x, big + 8, 2);
    tu_fill_f32(h, big + 8, 3);
    static const float ab[][2] = {{0.99f, -0.37f}, {1.0f, 1.0f}, {1e-20f, 3e20f}, {0.0f, NAN}};
    for (size_t k = 0; k < sizeof ab / sizeof ab[0]; k++)
        for (size_t n = 0; n <= 130 + big - 130; n += (n < 130 ? 1 : big - 130))
            for (size_t mis = 0; mis < 4; mis++) {
                tu_guarded ga, gb;
                float *za = tu_guard_alloc(&ga, n * 4, mis * 4), *zr = tu_guard_alloc(&gb, n * 4, 0);
                memcpy(za, z0 + mis, n * 4);
                memcpy(zr, z0 + mis, n * 4);
                LPK_FN(lpk_op_fixed_updatef, v)(za, x + (mis + 1) % 4, h + (mis + 2) % 4, n,
                                                ab[k][0], ab[k][1]);
                LPK_FN(lpk_op_fixed_updatef, r)(zr, x + (mis + 1) % 4, h + (mis + 2) % 4, n,
                                                ab[k][0], ab[k][1]);
                /* bit for bit, but a NaN result only needs to be a NaN (fixed.h) */
                for (size_t i = 0; i < n; i++)
                    if (lpk_f32_bits(za[i]) != lpk_f32_bits(zr[i]) && !(isnan(za[i]) && isnan(zr[i])))
                        fail_msg("%s differs from ref at %zu (n=%zu): 0x%08x, ref 0x%08x", v->name,
                                 i, n, lpk_f32_bits(za[i]), lpk_f32_bits(zr[i]));
                tu_guard_check(&ga, v->name, n);
                tu_guard_check(&gb, r->name, n);
                tu_guard_free(&ga);
                tu_guard_free(&gb);
            }
    free(z0);
    free(x);
    free(h);
}

/* dotf: |dotf - exact| <= gamma_n sum |a b| (fixed.h), the exact sum taken
   in double (products of two floats are exact in double; the double sum's
   own error, below n 2^-53 sum |a b|, is added to the allowance). */
static void check_dotf(const lpk_variant *v, void *ctx)
{
    (void)ctx;
    lpk_fixed_dotf_fn *dotf = LPK_FN(lpk_op_fixed_dotf, v);
    printf("RUN     %s [%s]\n", v->name, lpk_op_fixed_dotf.op.name);
    const size_t big = 200003;
    float *a = tu_xmalloc((big + 8) * 4), *b = tu_xmalloc((big + 8) * 4);
    uint64_t s = 17;
    for (size_t i = 0; i < big + 8; i++) {
        a[i] = (float)((double)(int32_t)tu_rand(&s) / 2147483648.0 * 8.0);
        b[i] = (float)((double)(int32_t)tu_rand(&s) / 2147483648.0 * 8.0);
    }
    double worst = 0;
    for (size_t n = 0; n <= big; n += (n < 300 ? 1 : n / 2 + 13))
        for (size_t mis = 0; mis < 4; mis++) {
            const float *pa = a + mis, *pb = b + (mis * 3 + 1) % 4;
            double exact = 0, absum = 0;
            for (size_t i = 0; i < n; i++) {
                exact += (double)pa[i] * pb[i];
                absum += fabs((double)pa[i] * pb[i]);
            }
            const double u = 0x1p-24, nu = (double)n * u;
            const double bound = nu / (1 - nu) * absum + (double)n * 0x1p-53 * absum;
            const double got = dotf(pa, pb, n);
            if (fabs(got - exact) > bound)
                fail_msg("%s: n=%zu dotf %.9g, exact %.17g, error %.3g > bound %.3g", v->name, n,
                         got, exact, fabs(got - exact), bound);
            if (absum > 0 && fabs(got - exact) / absum > worst)
                worst = fabs(got - exact) / absum;
        }
    printf("        worst |error| / sum|ab| = %.3g\n", worst);
    /* small integers: every partial sum is exact, so the result is */
    for (size_t i = 0; i < 4096; i++) {
        a[i] = (float)((int)(i % 17) - 8);
        b[i] = (float)((int)(i % 13) - 6);
    }
    for (size_t n = 0; n <= 4096; n += 91) {
        double exact = 0;
        for (size_t i = 0; i < n; i++)
            exact += (double)a[i] * b[i];
        assert_true(dotf(a, b, n) == (float)exact);
    }
    /* NaN and Inf propagate */
    a[5] = NAN;
    assert_true(isnan(dotf(a, b, 100)));
    a[5] = INFINITY;
    b[5] = 1.0f;
    assert_true(isinf(dotf(a, b, 100)));
    free(a);
    free(b);
}

static void each(const fx_case *c, tu_variant_fn fn) { tu_each(c->op, fn, (void *)c); }

static void test_quant8(void **state) { each(&fx_quant8, check_quant); }
static void test_quant16(void **state) { each(&fx_quant16, check_quant); }
static void test_dequant8(void **state) { each(&fx_dequant8, check_dequant); }
static void test_dequant16(void **state) { each(&fx_dequant16, check_dequant); }
static void test_dot8(void **state) { each(&fx_dot8, check_dot); }
static void test_dot16(void **state) { each(&fx_dot16, check_dot); }
static void test_update8(void **state) { each(&fx_update8, check_update); }
static void test_update16(void **state) { each(&fx_update16, check_update); }
static void test_update8_ars(void **state) { each(&fx_update8_ars, check_update); }
static void test_update16_ars(void **state) { each(&fx_update16_ars, check_update); }
static void test_dotf(void **state) { tu_each(&lpk_op_fixed_dotf.op, check_dotf, NULL); }
static void test_updatef(void **state) { tu_each(&lpk_op_fixed_updatef.op, check_updatef, NULL); }

/* ---- n = 0 -------------------------------------------------------------------- */

/* Every variant of every op reads and writes nothing (NULL pointers are
   never dereferenced) and the dots return 0. */
static void n0_quant8(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_quant8, v)(NULL, NULL, 0, 1.0f, LPK_ROUND_STOCHASTIC, 1, 3);
}
static void n0_quant16(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_quant16, v)(NULL, NULL, 0, 1.0f, LPK_ROUND_NEAREST, 1, 3);
}
static void n0_dequant8(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_dequant8, v)(NULL, NULL, 0, 1.0f);
}
static void n0_dequant16(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_dequant16, v)(NULL, NULL, 0, 1.0f);
}
static void n0_dot8(const lpk_variant *v, void *ctx)
{
    assert_true(LPK_FN(lpk_op_fixed_dot8, v)(NULL, NULL, 0) == 0);
}
static void n0_dot16(const lpk_variant *v, void *ctx)
{
    assert_true(LPK_FN(lpk_op_fixed_dot16, v)(NULL, NULL, 0) == 0);
}
static void n0_update8(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_update8, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f, LPK_ROUND_STOCHASTIC, 1, 3);
}
static void n0_update16(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_update16, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f, LPK_ROUND_NEAREST, 1, 3);
}
static void n0_update8_ars(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_update8_ars, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f, LPK_ROUND_STOCHASTIC, 1, 3);
}
static void n0_update16_ars(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_update16_ars, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f, LPK_ROUND_NEAREST, 1, 3);
}
static void n0_dotf(const lpk_variant *v, void *ctx)
{
    assert_true(LPK_FN(lpk_op_fixed_dotf, v)(NULL, NULL, 0) == 0.0f);
}
static void n0_updatef(const lpk_variant *v, void *ctx)
{
    LPK_FN(lpk_op_fixed_updatef, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f);
}

static void test_n0(void **state)
{
    static const struct {
        const lpk_op *op;
        tu_variant_fn fn;
    } ops[] = {
        {&lpk_op_fixed_quant8.op, n0_quant8},     {&lpk_op_fixed_quant16.op, n0_quant16},
        {&lpk_op_fixed_dequant8.op, n0_dequant8}, {&lpk_op_fixed_dequant16.op, n0_dequant16},
        {&lpk_op_fixed_dot8.op, n0_dot8},         {&lpk_op_fixed_dot16.op, n0_dot16},
        {&lpk_op_fixed_update8.op, n0_update8},   {&lpk_op_fixed_update16.op, n0_update16},
        {&lpk_op_fixed_dotf.op, n0_dotf},         {&lpk_op_fixed_updatef.op, n0_updatef},
        {&lpk_op_fixed_update8_ars.op, n0_update8_ars},
        {&lpk_op_fixed_update16_ars.op, n0_update16_ars},
    };
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        tu_each_variant(ops[k].op, ops[k].fn, NULL);
        /* the table is complete: registered, named, ends with the reference
           (test_tables checks every table in full) */
        int found = 0;
        for (size_t i = 0; i < lpk_nops; i++)
            found += lpk_ops[i] == ops[k].op;
        assert_int_equal(found, 1);
        assert_non_null(strstr(ops[k].op->name, "fixed."));
        tu_ref_of(ops[k].op);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quant8),
        cmocka_unit_test(test_quant16),
        cmocka_unit_test(test_dequant8),
        cmocka_unit_test(test_dequant16),
        cmocka_unit_test(test_dot8),
        cmocka_unit_test(test_dot16),
        cmocka_unit_test(test_update8),
        cmocka_unit_test(test_update16),
        cmocka_unit_test(test_update8_ars),
        cmocka_unit_test(test_update16_ars),
        cmocka_unit_test(test_dotf),
        cmocka_unit_test(test_updatef),
        cmocka_unit_test(test_n0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
