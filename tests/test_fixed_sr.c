/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family (HALP kernels): the stochastic-rounding contract of
   every runnable variant: exactly which random bits each element uses
   (quantize: element offset + i; update: offset + i % 64; update_ars: ARS
   element offset + i), rounding on and
   next to its decision points (the reference's rounded frac in (-1, 0)
   included) bit-exact against the reference, and split calls with the
   offset of each piece equal to one call. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixedutil.h"
#include "common/bf16.h"
#include "common/philox.h"

/* ---- which random bits each element uses ---------------------------------- */

/* Rounds `vals` stochastically as the case's op does: quantize with
   inv_delta = 1, update with a = b = 0 on zero z and x. */
static void sr_round(const fx_case *c, const lpk_variant *v, const float *vals, void *out,
                     const void *zero, size_t n, uint64_t seed, uint64_t offset)
{
    if (c->update)
        c->update(v, out, zero, vals, n, 0.0f, 0.0f, LPK_ROUND_STOCHASTIC, seed, offset);
    else
        c->quant(v, vals, out, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offset);
}

/* With v = frac in [0, 1), R(v) = (r16 < 65536 frac): frac = r16 / 2^16
   gives 0 and frac = (r16 + 1) / 2^16 gives 1 exactly when the element used
   r16.  Quantize: element i draws element offset + i; update: offset +
   (i % 64). */
static void check_bits(const lpk_variant *v, void *ctx)
{
    const fx_case *c = ctx;
    const size_t es = fx_es(c);
    printf("RUN     %s [%s] bits\n", v->name, c->op->name);
    const size_t n = 300;
    float f[300];
    int16_t out[300], zero[300]; /* int8 or int16 by es */
    memset(zero, 0, sizeof zero);
    static const uint64_t offs[] = {0, 3, 64, 1000003, 0xFFFFFFFFFFFFFFF0ull};
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++)
        for (int plus = 0; plus < 2; plus++) {
            const uint64_t seed = 0xABCDEF + k;
            for (size_t i = 0; i < n; i++) {
                f[i] = (float)(fx_r16(c, seed, offs[k], i) + (uint32_t)plus) * (1.0f / 65536.0f);
            }
            memset(out, 0, sizeof out);
            sr_round(c, v, f, out, zero, n, seed, offs[k]);
            for (size_t i = 0; i < n; i++) {
                const int q = fx_get_int(out, es, i);
                if (q != plus)
                    fail_msg("%s: element %zu (offset %llu) rounded %d with frac = (r16 + %d) / 2^16",
                             v->name, i, (unsigned long long)offs[k], q, plus);
            }
        }
}

static void test_bits(void **state)
{
    tu_each(fx_quant8.op, check_bits, (void *)&fx_quant8);
    tu_each(fx_quant16.op, check_bits, (void *)&fx_quant16);
    tu_each(fx_update8.op, check_bits, (void *)&fx_update8);
    tu_each(fx_update16.op, check_bits, (void *)&fx_update16);
    tu_each(fx_update8_ars.op, check_bits, (void *)&fx_update8_ars);
    tu_each(fx_update16_ars.op, check_bits, (void *)&fx_update16_ars);
}

/* ---- stochastic rounding at its decision edges ---------------------------- */

/* v = f + r (r = r16 / 2^16, the element's own bits) and up to two fp32
   steps either side, for integers f around 0 and both ends of the range and
   far past them; v in (-1, 0) around r - 1 in steps of 2^-26, where the
   reference's frac = v + 1 rounds (fixed.h); tiny, zero, infinite and NaN v.
   Quantize takes v = x (inv_delta = 1), update v = h (a = b = 0).  Each
   block of 64 elements is one case, so every element meets every case with
   its own r16. */
/* v moved by |k| fp32 steps towards +-Inf. */
static float f32_steps(float v, int k)
{
    for (; k < 0; k++)
        v = nextafterf(v, -INFINITY);
    for (; k > 0; k--)
        v = nextafterf(v, INFINITY);
    return v;
}

static size_t sr_edge_values(float *v, size_t cap, const fx_case *c, uint64_t seed,
                             uint64_t offset)
{
    const int bits = fx_bits(c);
    static const double f8[] = {-3e9, -1e6, -300, -257, -256, -131, -130, -129, -128, -127,
                                -126, -3, -2, -1, 0, 1, 2, 125, 126, 127, 128, 129, 255, 256,
                                1e6, 3e9};
    static const double f16[] = {-3e9, -1e6, -32770, -32769, -32768, -32767, -32766, -4097,
                                 -1000, -257, -256, -255, -2, -1, 0, 1, 255, 256, 257, 1000,
                                 4097, 32765, 32766, 32767, 32768, 32769, 1e6, 3e9};
    const double *fs = bits == 8 ? f8 : f16;
    const size_t nf = bits == 8 ? sizeof f8 / sizeof f8[0] : sizeof f16 / sizeof f16[0];
    const size_t P = LPK_FIXED_SR_PERIOD;
    size_t n = 0;
#define EDGE_BLOCK(expr)                                                                   \
    do {                                                                                   \
        for (size_t i = 0; i < P && n < cap; i++, n++) {                                   \
            const double r = fx_r16(c, seed, offset, n) / 65536.0;                       \
            v[n] = (expr);                                                                 \
        }                                                                                  \
    } while (0)
    for (size_t k = 0; k < nf; k++)
        for (int st = -2; st <= 2; st++) {
            const double f = fs[k];
            EDGE_BLOCK(f32_steps((float)(f + r), st));
        }
    for (int j = -6; j <= 6; j++)
        EDGE_BLOCK((float)(r - 1.0 + j * 0x1p-26));
    for (int j = -3; j <= 3; j++)
        EDGE_BLOCK((float)(r - 1.0 + j * 0x1p-25));
    EDGE_BLOCK((float)(r * 0x1p-30));
    EDGE_BLOCK((float)(-r * 0x1p-30));
    EDGE_BLOCK(-0.0f);
    EDGE_BLOCK(INFINITY);
    EDGE_BLOCK(-INFINITY);
    EDGE_BLOCK(NAN);
    EDGE_BLOCK(-NAN);
    EDGE_BLOCK(lpk_bits_f32(0x7F800001u)); /* signaling NaN */
    EDGE_BLOCK(FLT_MAX);
    EDGE_BLOCK(-FLT_MAX);
#undef EDGE_BLOCK
    return n;
}

static void check_sr_edges(const lpk_variant *v, void *ctx)
{
    const fx_case *c = ctx;
    const int upd = c->update != NULL;
    const int bits = fx_bits(c);
    const size_t es = fx_es(c), cap = 64 * 256;
    const lpk_variant *r = tu_ref_of(c->op);
    printf("RUN     %s [%s] rounding edges\n", v->name, c->op->name);
    float *h = tu_xmalloc(cap * sizeof(float));
    unsigned char *x = tu_xmalloc(cap * es), *z0 = tu_xmalloc(cap * es);
    uint64_t s = 77;
    for (size_t i = 0; i < cap; i++) {
        fx_put_int(x, es, i, fx_rand_int(&s, es));
        fx_put_int(z0, es, i, fx_rand_int(&s, es));
    }
    static const uint64_t offs[] = {0, 5, 64 * 12345, 1000003, 0xFFFFFFFFFFFFFF80ull};
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        const uint64_t seed = 0x5EED + k;
        const size_t n = sr_edge_values(h, cap, c, seed, offs[k]);
        assert_true(n < cap);
        if (upd) {
            fx_update_once(c, v, r, z0, x, h, n, k % 4, 0.0f, 0.0f, LPK_ROUND_STOCHASTIC, seed,
                           offs[k]);
            continue;
        }
        tu_guarded ga, gb;
        void *qa = tu_guard_alloc(&ga, n * es, (k % 4) * es), *qr = tu_guard_alloc(&gb, n * es, 0);
        c->quant(v, h, qa, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
        c->quant(r, h, qr, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
        const long d = tu_first_diff(qa, qr, n * es);
        if (d >= 0)
            fail_msg("%s differs from ref at %ld (x=%a, offset=%llu)", v->name, d / (long)es,
                     h[d / (long)es], (unsigned long long)offs[k]);
        tu_guard_check(&ga, v->name, n);
        tu_guard_check(&gb, r->name, n);
        tu_guard_free(&ga);
        tu_guard_free(&gb);
    }
    free(h);
    free(x);
    free(z0);
}

static void test_sr_edges(void **state)
{
    tu_each(fx_quant8.op, check_sr_edges, (void *)&fx_quant8);
    tu_each(fx_quant16.op, check_sr_edges, (void *)&fx_quant16);
    tu_each(fx_update8.op, check_sr_edges, (void *)&fx_update8);
    tu_each(fx_update16.op, check_sr_edges, (void *)&fx_update16);
    tu_each(fx_update8_ars.op, check_sr_edges, (void *)&fx_update8_ars);
    tu_each(fx_update16_ars.op, check_sr_edges, (void *)&fx_update16_ars);
}

/* ---- splits and offsets (dispatched variants) ----------------------------- */

/* Quantize split anywhere with the offset of each piece, and update split at
   multiples of the period with the same offset, equal one call; a different
   offset or seed changes the result. */
static void test_splits(void **state)
{
    const size_t n = 5000;
    float *x = tu_xmalloc(n * 4), *h = tu_xmalloc(n * 4);
    int8_t *a = tu_xmalloc(n), *b = tu_xmalloc(n), *z0 = tu_xmalloc(n), *xi = tu_xmalloc(n);
    fx_fill_quant_input(x, n, 1, 1.0f, 8);
    fx_fill_h(h, n, 2, 8);
    for (size_t i = 0; i < n; i++)
        h[i] = isfinite(h[i]) ? h[i] : 0.3f;
    uint64_t s = 4;
    for (size_t i = 0; i < n; i++) {
        z0[i] = fx_rand_i8(&s);
        xi[i] = fx_rand_i8(&s);
    }
    lpk_fixed_quant8_fn *qf = LPK_SELECTED(lpk_op_fixed_quant8);
    lpk_fixed_update8_fn *uf = LPK_SELECTED(lpk_op_fixed_update8);
    qf(x, a, n, 1.0f, LPK_ROUND_STOCHASTIC, 9, 100);
    static const size_t cuts[] = {1, 7, 63, 64, 65, 1000, 4999};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        memset(b, 0, n);
        qf(x, b, cuts[c], 1.0f, LPK_ROUND_STOCHASTIC, 9, 100);
        qf(x + cuts[c], b + cuts[c], n - cuts[c], 1.0f, LPK_ROUND_STOCHASTIC, 9, 100 + cuts[c]);
        assert_int_equal(tu_first_diff(a, b, n), -1);
    }
    memcpy(a, z0, n);
    uf(a, xi, h, n, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 9, 640);
    static const size_t ucuts[] = {64, 128, 1024, 4992};
    for (size_t c = 0; c < sizeof ucuts / sizeof ucuts[0]; c++) {
        memcpy(b, z0, n);
        uf(b, xi, h, ucuts[c], 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 9, 640);
        uf(b + ucuts[c], xi + ucuts[c], h + ucuts[c], n - ucuts[c], 0.9f, 0.1f,
           LPK_ROUND_STOCHASTIC, 9, 640);
        assert_int_equal(tu_first_diff(a, b, n), -1);
    }
    /* another offset or seed: different bits, so many elements differ */
    for (int w = 0; w < 2; w++) {
        memcpy(b, z0, n);
        uf(b, xi, h, n, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, w ? 10 : 9, w ? 640 : 704);
        size_t diff = 0;
        for (size_t i = 0; i < n; i++)
            diff += a[i] != b[i];
        assert_true(diff > n / 20);
    }
    /* update_ars: split anywhere, each piece with offset + its start */
    lpk_fixed_update8_fn *ua = LPK_SELECTED(lpk_op_fixed_update8_ars);
    memcpy(a, z0, n);
    ua(a, xi, h, n, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 9, 1003);
    static const size_t acuts[] = {1, 5, 7, 8, 63, 64, 127, 128, 129, 1000, 4999};
    for (size_t c = 0; c < sizeof acuts / sizeof acuts[0]; c++) {
        memcpy(b, z0, n);
        ua(b, xi, h, acuts[c], 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 9, 1003);
        ua(b + acuts[c], xi + acuts[c], h + acuts[c], n - acuts[c], 0.9f, 0.1f,
           LPK_ROUND_STOCHASTIC, 9, 1003 + acuts[c]);
        assert_int_equal(tu_first_diff(a, b, n), -1);
    }
    free(x); free(h); free(a); free(b); free(z0); free(xi);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_sr_edges),
        cmocka_unit_test(test_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
