/* Fixed-point family (HALP kernels): the reference against independent
   expectations, every runnable variant bit-exact against the reference (all
   tails n = 0..130, misaligned pointers, guard zones, saturation at both
   ends, -128*-128 and -32768*-32768, Inf/NaN, nearest ties, sums past the
   int32 range), exactly which random bits each element uses, stochastic
   rounding on and next to its decision points (the reference's rounded frac
   in (-1, 0) included), statistics of stochastic rounding, split calls, and
   dotf within its documented bound. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "common/bf16.h"
#include "common/philox.h"
#include "fixed/fixed.h"

#define GUARD 64 /* bytes of sentinel on each side of every output */
#define SENT 0xA5

static const uint64_t offsets[] = {0, 1, 5, 7, 8, 63, 64, 1000003, (1ull << 35) - 13,
                                   0xFFFFFFFFFFFFFFC5ull};
#define NOFF (sizeof offsets / sizeof offsets[0])

static const lpk_variant *ref_of(const lpk_op *op)
{
    const lpk_variant *r = &op->variants[op->count - 1];
    assert_int_equal(r->tier, LPK_TIER_SCALAR);
    return r;
}

static void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    assert_non_null(p);
    return p;
}

/* An output buffer of `bytes` (+ `mis` bytes of misalignment) between two
   guard zones of sentinel; the returned pointer is where the kernel writes. */
typedef struct {
    unsigned char *base;
    size_t bytes, mis;
} guarded;

static void *g_alloc(guarded *g, size_t bytes, size_t mis)
{
    g->bytes = bytes;
    g->mis = mis;
    g->base = xmalloc(bytes + mis + 2 * GUARD);
    memset(g->base, SENT, bytes + mis + 2 * GUARD);
    return g->base + GUARD + mis;
}

static void g_check(const guarded *g, const char *name, size_t n)
{
    for (size_t k = 0; k < GUARD + g->mis; k++)
        if (g->base[k] != SENT)
            fail_msg("%s wrote before its output (n=%zu)", name, n);
    for (size_t k = GUARD + g->mis + g->bytes; k < g->bytes + g->mis + 2 * GUARD; k++)
        if (g->base[k] != SENT)
            fail_msg("%s wrote past its output (n=%zu)", name, n);
    free(g->base);
}

/* ---- inputs -------------------------------------------------------------- */

static int8_t rand_i8(uint64_t *s)
{
    static const int8_t edge[] = {-128, -127, -1, 0, 1, 126, 127};
    const uint64_t r = tu_rand(s);
    return (r & 3) == 0 ? edge[(r >> 8) % 7] : (int8_t)(r >> 16);
}

static int16_t rand_i16(uint64_t *s)
{
    static const int16_t edge[] = {-32768, -32767, -1, 0, 1, 32766, 32767};
    const uint64_t r = tu_rand(s);
    return (r & 3) == 0 ? edge[(r >> 8) % 7] : (int16_t)(r >> 16);
}

/* Quantize inputs: tu_fill_f32 (specials, random patterns, moderate values)
   mixed with exact halves and integers near and past both saturation ends
   (scaled back by the inverse step so that x * inv lands on them). */
static void fill_quant_input(float *x, size_t n, uint64_t seed, float inv, int bits)
{
    tu_fill_f32(x, n, seed);
    uint64_t s = seed * 31 + 7;
    const int lim = 1 << (bits - 1);
    for (size_t i = 0; i < n; i++) {
        const uint64_t r = tu_rand(&s);
        if ((r & 3) == 0) {
            /* k / 2 for k spanning [-2 lim - 8, 2 lim + 8] */
            const int k = (int)((r >> 8) % (uint64_t)(4 * lim + 17)) - 2 * lim - 8;
            x[i] = (float)k * 0.5f / inv;
        } else if ((r & 7) == 1) {
            x[i] = (float)((double)(int32_t)(r >> 32) / 2147483648.0 * 1.5 * lim) / inv;
        }
    }
}

/* h for update: mostly moderate values, some specials. */
static void fill_h(float *h, size_t n, uint64_t seed, int bits)
{
    uint64_t s = seed;
    const double lim = (double)(1 << (bits - 1));
    uint32_t sp[128];
    const size_t ns = tu_special_f32_bits(sp, 128);
    for (size_t i = 0; i < n; i++) {
        const uint64_t r = tu_rand(&s);
        if ((r & 31) == 0)
            h[i] = lpk_bits_f32(sp[(r >> 8) % ns]);
        else if ((r & 31) == 1)
            h[i] = (float)((int)((r >> 8) % 64) - 32) * 0.5f; /* halves: ties */
        else
            h[i] = (float)((double)(int32_t)(r >> 32) / 2147483648.0 * 1.25 * lim);
    }
}

/* ---- the reference itself ----------------------------------------------- */

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

/* ---- every variant against the reference --------------------------------- */

static const float inv_deltas[] = {1.0f, 0.37f, 64.0f, 1e-3f, 3e5f};

static void check_quant(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const int bits = op == &lpk_op_fixed_quant8.op ? 8 : 16;
    const size_t es = (size_t)bits / 8;
    const lpk_variant *r = ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    const size_t big = 100003;
    float *xb = xmalloc((big + 8) * 4);
    for (int mode = 0; mode < 2; mode++)
        for (size_t id = 0; id < sizeof inv_deltas / sizeof inv_deltas[0]; id++) {
            const float inv = inv_deltas[id];
            for (size_t n = 0; n <= 130; n++)
                for (size_t mis = 0; mis < 4; mis++) {
                    fill_quant_input(xb, n + 4, 1000 + n * 7 + mis + 31 * id, inv, bits);
                    const size_t noff = mode ? NOFF : 1;
                    for (size_t k = 0; k < noff; k += (mis == 0 ? 1 : 3)) {
                        guarded ga, gb;
                        void *qa = g_alloc(&ga, n * es, (mis * 3 + k) % 4 * es);
                        void *qb = g_alloc(&gb, n * es, 0);
                        const float *x = xb + mis;
                        if (bits == 8) {
                            LPK_FN(lpk_op_fixed_quant8, v)(x, qa, n, inv, (lpk_round)mode, 77 + n, offsets[k]);
                            LPK_FN(lpk_op_fixed_quant8, r)(x, qb, n, inv, (lpk_round)mode, 77 + n, offsets[k]);
                        } else {
                            LPK_FN(lpk_op_fixed_quant16, v)(x, qa, n, inv, (lpk_round)mode, 77 + n, offsets[k]);
                            LPK_FN(lpk_op_fixed_quant16, r)(x, qb, n, inv, (lpk_round)mode, 77 + n, offsets[k]);
                        }
                        const long d = tu_first_diff(qa, qb, n * es);
                        if (d >= 0)
                            fail_msg("%s differs from ref at %ld (n=%zu mode=%d inv=%g offset=%llu x=%a)",
                                     v->name, d / (long)es, n, mode, inv,
                                     (unsigned long long)offsets[k], x[d / (long)es]);
                        g_check(&ga, v->name, n);
                        g_check(&gb, r->name, n);
                    }
                }
            /* large, misaligned */
            fill_quant_input(xb, big + 8, 5 + id, inv, bits);
            guarded ga, gb;
            void *qa = g_alloc(&ga, big * es, es), *qb = g_alloc(&gb, big * es, 0);
            if (bits == 8) {
                LPK_FN(lpk_op_fixed_quant8, v)(xb + 1, qa, big, inv, (lpk_round)mode, 9, 12345);
                LPK_FN(lpk_op_fixed_quant8, r)(xb + 1, qb, big, inv, (lpk_round)mode, 9, 12345);
            } else {
                LPK_FN(lpk_op_fixed_quant16, v)(xb + 1, qa, big, inv, (lpk_round)mode, 9, 12345);
                LPK_FN(lpk_op_fixed_quant16, r)(xb + 1, qb, big, inv, (lpk_round)mode, 9, 12345);
            }
            assert_int_equal(tu_first_diff(qa, qb, big * es), -1);
            g_check(&ga, v->name, big);
            g_check(&gb, r->name, big);
        }
    free(xb);
}

static void check_dequant(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const int bits = op == &lpk_op_fixed_dequant8.op ? 8 : 16;
    const size_t es = (size_t)bits / 8;
    const lpk_variant *r = ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    const size_t big = 70001;
    unsigned char *qb = xmalloc((big + 8) * es);
    uint64_t s = 3;
    for (size_t i = 0; i < big + 8; i++) {
        if (bits == 8)
            ((int8_t *)qb)[i] = rand_i8(&s);
        else
            ((int16_t *)qb)[i] = rand_i16(&s);
    }
    const float deltas[] = {1.0f, 0.37f, 1e-30f, 3e36f, -0.5f, INFINITY, NAN};
    for (size_t id = 0; id < sizeof deltas / sizeof deltas[0]; id++)
        for (size_t n = 0; n <= 130 + (id == 1 ? big - 130 : 0); n += (n < 130 ? 1 : big - 130))
            for (size_t mis = 0; mis < 4; mis++) {
                guarded ga, gb;
                float *xa = g_alloc(&ga, n * 4, mis * 4), *xr = g_alloc(&gb, n * 4, 0);
                const void *q = qb + (mis + 1) % 4 * es;
                if (bits == 8) {
                    LPK_FN(lpk_op_fixed_dequant8, v)(q, xa, n, deltas[id]);
                    LPK_FN(lpk_op_fixed_dequant8, r)(q, xr, n, deltas[id]);
                } else {
                    LPK_FN(lpk_op_fixed_dequant16, v)(q, xa, n, deltas[id]);
                    LPK_FN(lpk_op_fixed_dequant16, r)(q, xr, n, deltas[id]);
                }
                const long d = tu_first_diff(xa, xr, n * 4);
                if (d >= 0)
                    fail_msg("%s differs from ref at %ld (n=%zu delta=%g)", v->name, d / 4, n,
                             deltas[id]);
                g_check(&ga, v->name, n);
                g_check(&gb, r->name, n);
            }
    free(qb);
}

static int64_t run_dot(const lpk_variant *v, int bits, const void *a, const void *b, size_t n)
{
    return bits == 8 ? LPK_FN(lpk_op_fixed_dot8, v)(a, b, n) : LPK_FN(lpk_op_fixed_dot16, v)(a, b, n);
}

/* n elements of a and b set to the constants ca, cb: the exact dot is
   n * ca * cb, which the reference must also give. */
static void dot_const(const lpk_variant *v, const lpk_variant *r, int bits, size_t n, int ca,
                      int cb)
{
    const size_t es = (size_t)bits / 8;
    /* a one element past an aligned address */
    unsigned char *a = xmalloc(n * es + 2), *b = xmalloc(n * es + 2);
    for (size_t i = 0; i < n; i++) {
        if (bits == 8) {
            ((int8_t *)(a + 1))[i] = (int8_t)ca;
            ((int8_t *)b)[i] = (int8_t)cb;
        } else {
            ((int16_t *)(a + 2))[i] = (int16_t)ca;
            ((int16_t *)b)[i] = (int16_t)cb;
        }
    }
    const int64_t want = (int64_t)n * ca * cb;
    const int64_t got = run_dot(v, bits, a + es, b, n), gr = run_dot(r, bits, a + es, b, n);
    if (got != want || gr != want)
        fail_msg("%s: dot of %zu x (%d * %d) = %lld (ref %lld), want %lld", v->name, n, ca, cb,
                 (long long)got, (long long)gr, (long long)want);
    free(a);
    free(b);
}

static void check_dot(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const int bits = op == &lpk_op_fixed_dot8.op ? 8 : 16;
    const size_t es = (size_t)bits / 8;
    const lpk_variant *r = ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    const size_t big = 300007;
    unsigned char *a = xmalloc((big + 8) * es), *b = xmalloc((big + 8) * es);
    uint64_t s = 11;
    for (size_t i = 0; i < big + 8; i++) {
        if (bits == 8) {
            ((int8_t *)a)[i] = rand_i8(&s);
            ((int8_t *)b)[i] = rand_i8(&s);
        } else {
            ((int16_t *)a)[i] = rand_i16(&s);
            ((int16_t *)b)[i] = rand_i16(&s);
        }
    }
    for (size_t n = 0; n <= 300; n++)
        for (size_t ma = 0; ma < 4; ma++) {
            const size_t mb = (ma * 3 + n) % 4;
            const int64_t x = run_dot(v, bits, a + ma * es, b + mb * es, n);
            const int64_t y = run_dot(r, bits, a + ma * es, b + mb * es, n);
            if (x != y)
                fail_msg("%s: %lld, ref %lld (n=%zu)", v->name, (long long)x, (long long)y, n);
        }
    for (size_t n = 1000; n <= big; n = n * 3 + 17)
        assert_true(run_dot(v, bits, a + es, b, n) == run_dot(r, bits, a + es, b, n));
    free(a);
    free(b);
    /* past the int32 range, every sign combination of the extremes; lengths
       past 2^23 so that any int32 lane of any variant would overflow
       without its flush */
    const int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
    const size_t nbig = bits == 8 ? ((size_t)1 << 23) + 77 : ((size_t)1 << 21) + 77;
    dot_const(v, r, bits, 200000, lo, lo);
    dot_const(v, r, bits, nbig, lo, lo);
    dot_const(v, r, bits, nbig, hi, lo);
    dot_const(v, r, bits, nbig, lo, hi);
    dot_const(v, r, bits, nbig, hi, hi);
    dot_const(v, r, bits, 4099, lo, lo);
}

/* One update call on copies of z0 by v and by the reference. */
static void update_once(const lpk_variant *v, const lpk_variant *r, int bits, const void *z0,
                        const void *x, const float *h, size_t n, size_t mis, float a, float b,
                        int mode, uint64_t seed, uint64_t offset)
{
    const size_t es = (size_t)bits / 8;
    guarded ga, gb;
    void *za = g_alloc(&ga, n * es, mis * es), *zr = g_alloc(&gb, n * es, 0);
    memcpy(za, z0, n * es);
    memcpy(zr, z0, n * es);
    if (bits == 8) {
        LPK_FN(lpk_op_fixed_update8, v)(za, x, h, n, a, b, (lpk_round)mode, seed, offset);
        LPK_FN(lpk_op_fixed_update8, r)(zr, x, h, n, a, b, (lpk_round)mode, seed, offset);
    } else {
        LPK_FN(lpk_op_fixed_update16, v)(za, x, h, n, a, b, (lpk_round)mode, seed, offset);
        LPK_FN(lpk_op_fixed_update16, r)(zr, x, h, n, a, b, (lpk_round)mode, seed, offset);
    }
    const long d = tu_first_diff(za, zr, n * es);
    if (d >= 0)
        fail_msg("%s differs from ref at %ld (n=%zu mode=%d a=%g b=%g offset=%llu h=%a)", v->name,
                 d / (long)es, n, mode, a, b, (unsigned long long)offset, h[d / (long)es]);
    g_check(&ga, v->name, n);
    g_check(&gb, r->name, n);
}

static void check_update(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const int bits = op == &lpk_op_fixed_update8.op ? 8 : 16;
    const size_t es = (size_t)bits / 8;
    const lpk_variant *r = ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    const size_t big = 50021;
    unsigned char *z0 = xmalloc((big + 8) * es), *x = xmalloc((big + 8) * es);
    float *h = xmalloc((big + 8) * 4);
    uint64_t s = 21;
    for (size_t i = 0; i < big + 8; i++) {
        if (bits == 8) {
            ((int8_t *)z0)[i] = rand_i8(&s);
            ((int8_t *)x)[i] = rand_i8(&s);
        } else {
            ((int16_t *)z0)[i] = rand_i16(&s);
            ((int16_t *)x)[i] = rand_i16(&s);
        }
    }
    fill_h(h, big + 8, 5, bits);
    static const float ab[][2] = {{0.99f, -0.37f}, {1.0f, 1.0f}, {0.5f, 0.25f}, {0.0f, 0.0f},
                                  {-1.0f, 3e3f}, {1e30f, 1.0f}, {INFINITY, 0.5f}, {1.0f, NAN}};
    for (int mode = 0; mode < 2; mode++)
        for (size_t k = 0; k < sizeof ab / sizeof ab[0]; k++) {
            for (size_t n = 0; n <= 130; n++)
                for (size_t mis = 0; mis < 4; mis++) {
                    const size_t noff = mode ? NOFF : 1;
                    for (size_t o = (n + mis) % 3; o < noff; o += 3)
                        update_once(v, r, bits, z0 + mis * es, x + (3 - mis) * es, h + mis, n,
                                    (mis + o) % 4, ab[k][0], ab[k][1], mode, 99 + k, offsets[o]);
                }
            update_once(v, r, bits, z0 + es, x, h + 3, big, 2, ab[k][0], ab[k][1], mode, 7, 3);
            update_once(v, r, bits, z0, x, h, 1024, 0, ab[k][0], ab[k][1], mode, 8, 64);
        }
    /* saturation: every z and x at the extremes, h pushing past both ends */
    {
        const size_t n = 257;
        for (size_t i = 0; i < n; i++) {
            const int lo = -(1 << (bits - 1)), hi = (1 << (bits - 1)) - 1;
            if (bits == 8) {
                ((int8_t *)z0)[i] = (int8_t)((i & 1) ? lo : hi);
                ((int8_t *)x)[i] = (int8_t)((i & 2) ? lo : hi);
            } else {
                ((int16_t *)z0)[i] = (int16_t)((i & 1) ? lo : hi);
                ((int16_t *)x)[i] = (int16_t)((i & 2) ? lo : hi);
            }
            h[i] = (float)((int)(i % 7) - 3) * 0.5f;
        }
        for (int mode = 0; mode < 2; mode++) {
            update_once(v, r, bits, z0, x, h, n, 1, 1.0f, 1.0f, mode, 1, 0);
            update_once(v, r, bits, z0, x, h, n, 3, 1.0f, -1.0f, mode, 2, 5);
            update_once(v, r, bits, z0, x, h, n, 0, 3e9f, 3e9f, mode, 3, 0);
        }
    }
    free(z0);
    free(x);
    free(h);
}

static void check_updatef(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const lpk_variant *r = ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    const size_t big = 40009;
    float *z0 = xmalloc((big + 8) * 4), *x = xmalloc((big + 8) * 4), *h = xmalloc((big + 8) * 4);
    tu_fill_f32(z0, big + 8, 1);
    tu_fill_f32(x, big + 8, 2);
    tu_fill_f32(h, big + 8, 3);
    static const float ab[][2] = {{0.99f, -0.37f}, {1.0f, 1.0f}, {1e-20f, 3e20f}, {0.0f, NAN}};
    for (size_t k = 0; k < sizeof ab / sizeof ab[0]; k++)
        for (size_t n = 0; n <= 130 + big - 130; n += (n < 130 ? 1 : big - 130))
            for (size_t mis = 0; mis < 4; mis++) {
                guarded ga, gb;
                float *za = g_alloc(&ga, n * 4, mis * 4), *zr = g_alloc(&gb, n * 4, 0);
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
                g_check(&ga, v->name, n);
                g_check(&gb, r->name, n);
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
    printf("RUN     %s [%s]\n", v->name, ((const lpk_op *)ctx)->name);
    const size_t big = 200003;
    float *a = xmalloc((big + 8) * 4), *b = xmalloc((big + 8) * 4);
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
            const double got = LPK_FN(lpk_op_fixed_dotf, v)(pa, pb, n);
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
        assert_true(LPK_FN(lpk_op_fixed_dotf, v)(a, b, n) == (float)exact);
    }
    /* NaN and Inf propagate */
    a[5] = NAN;
    assert_true(isnan(LPK_FN(lpk_op_fixed_dotf, v)(a, b, 100)));
    a[5] = INFINITY;
    b[5] = 1.0f;
    assert_true(isinf(LPK_FN(lpk_op_fixed_dotf, v)(a, b, 100)));
    free(a);
    free(b);
}

static void each(const lpk_op *op, tu_variant_fn fn)
{
    const int ran = tu_each_variant(op, fn, (void *)op);
    printf("%s: %d variant(s) checked\n", op->name, ran);
}

static void test_quant8(void **state) { each(&lpk_op_fixed_quant8.op, check_quant); }
static void test_quant16(void **state) { each(&lpk_op_fixed_quant16.op, check_quant); }
static void test_dequant8(void **state) { each(&lpk_op_fixed_dequant8.op, check_dequant); }
static void test_dequant16(void **state) { each(&lpk_op_fixed_dequant16.op, check_dequant); }
static void test_dot8(void **state) { each(&lpk_op_fixed_dot8.op, check_dot); }
static void test_dot16(void **state) { each(&lpk_op_fixed_dot16.op, check_dot); }
static void test_update8(void **state) { each(&lpk_op_fixed_update8.op, check_update); }
static void test_update16(void **state) { each(&lpk_op_fixed_update16.op, check_update); }
static void test_dotf(void **state) { each(&lpk_op_fixed_dotf.op, check_dotf); }
static void test_updatef(void **state) { each(&lpk_op_fixed_updatef.op, check_updatef); }

/* ---- which random bits each element uses ---------------------------------- */

/* With v = frac in [0, 1), R(v) = (r16 < 65536 frac): frac = r16 / 2^16
   gives 0 and frac = (r16 + 1) / 2^16 gives 1 exactly when the element used
   r16.  Quantize: element i draws element offset + i; update: offset +
   (i % 64). */
static void check_bits(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const int upd = op == &lpk_op_fixed_update8.op || op == &lpk_op_fixed_update16.op;
    const int bits = (op == &lpk_op_fixed_quant8.op || op == &lpk_op_fixed_update8.op) ? 8 : 16;
    printf("RUN     %s [%s] bits\n", v->name, op->name);
    const size_t n = 300;
    float f[300];
    int16_t out[300];
    int8_t out8[300];
    int16_t zero16[300];
    int8_t zero8[300];
    memset(zero16, 0, sizeof zero16);
    memset(zero8, 0, sizeof zero8);
    static const uint64_t offs[] = {0, 3, 64, 1000003, 0xFFFFFFFFFFFFFFF0ull};
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++)
        for (int plus = 0; plus < 2; plus++) {
            const uint64_t seed = 0xABCDEF + k;
            for (size_t i = 0; i < n; i++) {
                const uint64_t j = offs[k] + (upd ? i % LPK_FIXED_SR_PERIOD : i);
                f[i] = (float)(lpk_sr_bits16(seed, j) + (uint32_t)plus) * (1.0f / 65536.0f);
            }
            if (upd) {
                memset(out, 0, sizeof out);
                memset(out8, 0, sizeof out8);
                if (bits == 8)
                    LPK_FN(lpk_op_fixed_update8, v)(out8, zero8, f, n, 0.0f, 0.0f,
                                                    LPK_ROUND_STOCHASTIC, seed, offs[k]);
                else
                    LPK_FN(lpk_op_fixed_update16, v)(out, zero16, f, n, 0.0f, 0.0f,
                                                     LPK_ROUND_STOCHASTIC, seed, offs[k]);
            } else if (bits == 8) {
                LPK_FN(lpk_op_fixed_quant8, v)(f, out8, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
            } else {
                LPK_FN(lpk_op_fixed_quant16, v)(f, out, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
            }
            for (size_t i = 0; i < n; i++) {
                const int q = bits == 8 ? out8[i] : out[i];
                if (q != plus)
                    fail_msg("%s: element %zu (offset %llu) rounded %d with frac = (r16 + %d) / 2^16",
                             v->name, i, (unsigned long long)offs[k], q, plus);
            }
        }
}

static void test_bits(void **state)
{
    each(&lpk_op_fixed_quant8.op, check_bits);
    each(&lpk_op_fixed_quant16.op, check_bits);
    each(&lpk_op_fixed_update8.op, check_bits);
    each(&lpk_op_fixed_update16.op, check_bits);
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

static size_t sr_edge_values(float *v, size_t cap, int bits, uint64_t seed, uint64_t offset,
                             int upd)
{
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
            const double r = lpk_sr_bits16(seed, offset + (upd ? n % P : n)) / 65536.0;    \
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
    const lpk_op *op = ctx;
    const int upd = op == &lpk_op_fixed_update8.op || op == &lpk_op_fixed_update16.op;
    const int bits = (op == &lpk_op_fixed_quant8.op || op == &lpk_op_fixed_update8.op) ? 8 : 16;
    const size_t es = (size_t)bits / 8, cap = 64 * 256;
    const lpk_variant *r = ref_of(op);
    printf("RUN     %s [%s] rounding edges\n", v->name, op->name);
    float *h = xmalloc(cap * sizeof(float));
    unsigned char *x = xmalloc(cap * es), *z0 = xmalloc(cap * es);
    uint64_t s = 77;
    for (size_t i = 0; i < cap; i++) {
        if (bits == 8) {
            ((int8_t *)x)[i] = rand_i8(&s);
            ((int8_t *)z0)[i] = rand_i8(&s);
        } else {
            ((int16_t *)x)[i] = rand_i16(&s);
            ((int16_t *)z0)[i] = rand_i16(&s);
        }
    }
    static const uint64_t offs[] = {0, 5, 64 * 12345, 1000003, 0xFFFFFFFFFFFFFF80ull};
    for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
        const uint64_t seed = 0x5EED + k;
        const size_t n = sr_edge_values(h, cap, bits, seed, offs[k], upd);
        assert_true(n < cap);
        if (upd) {
            update_once(v, r, bits, z0, x, h, n, k % 4, 0.0f, 0.0f, LPK_ROUND_STOCHASTIC, seed,
                        offs[k]);
            continue;
        }
        guarded ga, gb;
        void *qa = g_alloc(&ga, n * es, (k % 4) * es), *qr = g_alloc(&gb, n * es, 0);
        if (bits == 8) {
            LPK_FN(lpk_op_fixed_quant8, v)(h, qa, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
            LPK_FN(lpk_op_fixed_quant8, r)(h, qr, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
        } else {
            LPK_FN(lpk_op_fixed_quant16, v)(h, qa, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
            LPK_FN(lpk_op_fixed_quant16, r)(h, qr, n, 1.0f, LPK_ROUND_STOCHASTIC, seed, offs[k]);
        }
        const long d = tu_first_diff(qa, qr, n * es);
        if (d >= 0)
            fail_msg("%s differs from ref at %ld (x=%a, offset=%llu)", v->name, d / (long)es,
                     h[d / (long)es], (unsigned long long)offs[k]);
        g_check(&ga, v->name, n);
        g_check(&gb, r->name, n);
    }
    free(h);
    free(x);
    free(z0);
}

static void test_sr_edges(void **state)
{
    each(&lpk_op_fixed_quant8.op, check_sr_edges);
    each(&lpk_op_fixed_quant16.op, check_sr_edges);
    each(&lpk_op_fixed_update8.op, check_sr_edges);
    each(&lpk_op_fixed_update16.op, check_sr_edges);
}

/* ---- statistics of stochastic rounding (dispatched variants) -------------- */

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
    float *x = xmalloc(n * 4), *h = xmalloc(n * 4);
    int8_t *q = xmalloc(n), *z = xmalloc(n), *xz = xmalloc(n);
    int16_t *z16 = xmalloc(n * 2), *x16 = xmalloc(n * 2);
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
        float *y = xmalloc(per * cells * 4);
        int8_t *o = xmalloc(per * cells);
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

/* ---- splits and offsets --------------------------------------------------- */

/* Quantize split anywhere with the offset of each piece, and update split at
   multiples of the period with the same offset, equal one call; a different
   offset or seed changes the result. */
static void test_splits(void **state)
{
    const size_t n = 5000;
    float *x = xmalloc(n * 4), *h = xmalloc(n * 4);
    int8_t *a = xmalloc(n), *b = xmalloc(n), *z0 = xmalloc(n), *xi = xmalloc(n);
    fill_quant_input(x, n, 1, 1.0f, 8);
    fill_h(h, n, 2, 8);
    for (size_t i = 0; i < n; i++)
        h[i] = isfinite(h[i]) ? h[i] : 0.3f;
    uint64_t s = 4;
    for (size_t i = 0; i < n; i++) {
        z0[i] = rand_i8(&s);
        xi[i] = rand_i8(&s);
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
    free(x); free(h); free(a); free(b); free(z0); free(xi);
}

/* n = 0: every variant of every op reads and writes nothing (NULL
   pointers are never dereferenced) and the dots return 0. */
static void n0_variant(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    if (op == &lpk_op_fixed_quant8.op)
        LPK_FN(lpk_op_fixed_quant8, v)(NULL, NULL, 0, 1.0f, LPK_ROUND_STOCHASTIC, 1, 3);
    else if (op == &lpk_op_fixed_quant16.op)
        LPK_FN(lpk_op_fixed_quant16, v)(NULL, NULL, 0, 1.0f, LPK_ROUND_NEAREST, 1, 3);
    else if (op == &lpk_op_fixed_dequant8.op)
        LPK_FN(lpk_op_fixed_dequant8, v)(NULL, NULL, 0, 1.0f);
    else if (op == &lpk_op_fixed_dequant16.op)
        LPK_FN(lpk_op_fixed_dequant16, v)(NULL, NULL, 0, 1.0f);
    else if (op == &lpk_op_fixed_dot8.op)
        assert_true(LPK_FN(lpk_op_fixed_dot8, v)(NULL, NULL, 0) == 0);
    else if (op == &lpk_op_fixed_dot16.op)
        assert_true(LPK_FN(lpk_op_fixed_dot16, v)(NULL, NULL, 0) == 0);
    else if (op == &lpk_op_fixed_update8.op)
        LPK_FN(lpk_op_fixed_update8, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f, LPK_ROUND_STOCHASTIC, 1, 3);
    else if (op == &lpk_op_fixed_update16.op)
        LPK_FN(lpk_op_fixed_update16, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f, LPK_ROUND_NEAREST, 1, 3);
    else if (op == &lpk_op_fixed_dotf.op)
        assert_true(LPK_FN(lpk_op_fixed_dotf, v)(NULL, NULL, 0) == 0.0f);
    else
        LPK_FN(lpk_op_fixed_updatef, v)(NULL, NULL, NULL, 0, 1.0f, 1.0f);
}

static void test_n0(void **state)
{
    const lpk_op *ops[] = {&lpk_op_fixed_quant8.op, &lpk_op_fixed_quant16.op, &lpk_op_fixed_dequant8.op,
                           &lpk_op_fixed_dequant16.op, &lpk_op_fixed_dot8.op, &lpk_op_fixed_dot16.op,
                           &lpk_op_fixed_update8.op, &lpk_op_fixed_update16.op, &lpk_op_fixed_dotf.op,
                           &lpk_op_fixed_updatef.op};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        tu_each_variant(ops[k], n0_variant, (void *)ops[k]);
        /* the table is complete: registered, named, ends with the reference */
        int found = 0;
        for (size_t i = 0; i < lpk_nops; i++)
            found += lpk_ops[i] == ops[k];
        assert_int_equal(found, 1);
        assert_non_null(strstr(ops[k]->name, "fixed."));
        ref_of(ops[k]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_known_values),
        cmocka_unit_test(test_quant8),
        cmocka_unit_test(test_quant16),
        cmocka_unit_test(test_dequant8),
        cmocka_unit_test(test_dequant16),
        cmocka_unit_test(test_dot8),
        cmocka_unit_test(test_dot16),
        cmocka_unit_test(test_update8),
        cmocka_unit_test(test_update16),
        cmocka_unit_test(test_dotf),
        cmocka_unit_test(test_updatef),
        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_sr_edges),
        cmocka_unit_test(test_sr_unbiased),
        cmocka_unit_test(test_splits),
        cmocka_unit_test(test_n0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
