/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family: the reference against independent expectations, every
   runnable variant bit-exact against the reference (all tails, misaligned
   pointers, guard zones, 1e6 elements, every special class, many offsets),
   statistics of stochastic rounding, determinism across threads and splits,
   and bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "common/bf16.h"
#include "common/philox.h"
#include "common/stream.h"
#include "round/round.h"

#define SENT16 0xA5A5u

/* Inputs of n elements (+ 8 read past n for misalignment) in blocks of
   n + 136 elements. */
#define IN_PAD 136
static float *alloc_f32(size_t n) { return tu_xmalloc((n + IN_PAD) * 4); }
static lpk_bf16 *alloc_bf16(size_t n) { return tu_xmalloc((n + IN_PAD) * 2); }

/* ---- the reference itself ---------------------------------------------- */

/* Nearest-even chosen by value in double, independent of the bit trick. */
static uint16_t rne_by_value(uint32_t u)
{
    if (lpk_f32_bits_isnan(u))
        return (uint16_t)((u >> 16) | 0x40);
    const uint32_t lo = u & 0xFFFF0000u;
    if (lo == u)
        return (uint16_t)(u >> 16);
    const double x = fabs((double)lpk_bits_f32(u));
    const double a = fabs((double)lpk_bits_f32(lo));
    /* The next bf16 magnitude up; past the largest finite it is 2^128. */
    const double b = ((lo & 0x7FFFFFFFu) == 0x7F7F0000u) ? ldexp(1.0, 128)
                                                         : fabs((double)lpk_bits_f32(lo + 0x10000u));
    const uint16_t down = (uint16_t)(lo >> 16), up = (uint16_t)(down + 1);
    if (x - a < b - x)
        return down;
    if (x - a > b - x)
        return up;
    return (down & 1) ? up : down;
}

static void test_ref_rne_by_value(void **state)
{
    uint32_t sp[128];
    const size_t ns = tu_special_f32_bits(sp, 128);
    for (size_t i = 0; i < ns; i++) {
        lpk_bf16 out;
        float x = lpk_bits_f32(sp[i]);
        lpk_round_rne_f32_bf16__ref(&x, &out, 1);
        if (out != rne_by_value(sp[i]))
            fail_msg("ref rne(0x%08x) = 0x%04x, by value 0x%04x", sp[i], out, rne_by_value(sp[i]));
    }
    uint64_t s = 42;
    for (int i = 0; i < 200000; i++) {
        const uint32_t u = (uint32_t)tu_rand(&s);
        float x = lpk_bits_f32(u);
        lpk_bf16 out;
        lpk_round_rne_f32_bf16__ref(&x, &out, 1);
        if (out != rne_by_value(u))
            fail_msg("ref rne(0x%08x) = 0x%04x, by value 0x%04x", u, out, rne_by_value(u));
    }
}

static void test_ref_known_values(void **state)
{
    static const struct { uint32_t in; uint16_t rne; } cases[] = {
        {0x3F800000, 0x3F80}, {0x3F808000, 0x3F80}, {0x3F818000, 0x3F82},
        {0x3F808001, 0x3F81}, {0x3F807FFF, 0x3F80}, {0x7F7FFFFF, 0x7F80},
        {0x7F7F7FFF, 0x7F7F}, {0x7F800000, 0x7F80}, {0xFF800000, 0xFF80},
        {0x7F800001, 0x7FC0}, {0xFF800001, 0xFFC0}, {0x7FC00000, 0x7FC0},
        {0x7FBFFFFF, 0x7FFF}, {0x80000000, 0x8000}, {0x00000001, 0x0000},
        {0x00008000, 0x0000}, {0x00018000, 0x0002}, {0x007FFFFF, 0x0080},
        {0x80018000, 0x8002},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float x = lpk_bits_f32(cases[i].in);
        lpk_bf16 out;
        lpk_round_rne_f32_bf16__ref(&x, &out, 1);
        if (out != cases[i].rne)
            fail_msg("rne(0x%08x) = 0x%04x, want 0x%04x", cases[i].in, out, cases[i].rne);
    }
    /* Stochastic: exact values stay exact; Inf, -0 stay; NaN quiet with sign;
       the largest finite may reach Inf but nothing else can. */
    static const uint32_t exact[] = {0x3F800000, 0x80000000, 0x00000000, 0x7F800000,
                                     0xFF800000, 0x7F7F0000, 0x00010000};
    for (uint64_t seed = 0; seed < 64; seed++)
        for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
            float x = lpk_bits_f32(exact[i]);
            lpk_bf16 out;
            lpk_round_sr_f32_bf16__ref(&x, &out, 1, seed, seed * 77);
            assert_int_equal(out, exact[i] >> 16);
        }
    int inf = 0, fin = 0, ninf = 0;
    for (uint64_t j = 0; j < 4096; j++) {
        float x[4] = {lpk_bits_f32(0x7F7FFFFF), lpk_bits_f32(0xFF800001), lpk_bits_f32(0x7F7EFFFF),
                      lpk_bits_f32(0xFF7F8000)};
        lpk_bf16 out[4];
        lpk_round_sr_f32_bf16__ref(x, out, 4, 9, j * 4);
        inf += out[0] == 0x7F80;
        fin += out[0] == 0x7F7F;
        assert_int_equal(out[1], 0xFFC0);
        assert_true(out[2] == 0x7F7E || out[2] == 0x7F7F);
        assert_true(out[3] == 0xFF7F || out[3] == 0xFF80);
        ninf += out[3] == 0xFF80;
    }
    assert_int_equal(inf + fin, 4096);
    assert_true(inf >= 4090);                   /* fraction 0xFFFF / 2^16 */
    assert_true(ninf > 1800 && ninf < 2300);    /* fraction 1/2: -Inf half the time */
    /* widen keeps every bit, signalling NaN included */
    const lpk_bf16 h[4] = {0x7F81, 0xFFC1, 0x0001, 0x8000};
    float w[4];
    lpk_round_bf16_f32__ref(h, w, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(lpk_f32_bits(w[i]), (uint32_t)h[i] << 16);
}

/* ---- every variant against the reference -------------------------------- */

/* One rounding op: its typed functions behind one signature (src and dst
   f32 or bf16 by the op's in_bytes / out_bytes), and whether it draws
   random bits (seed, offset). */
typedef void round_run(const lpk_variant *v, const void *src, void *dst, size_t n,
                       uint64_t seed, uint64_t offset);
typedef struct {
    const lpk_op *op;
    round_run *run;
    int sr;
} round_case;

static void run_rne(const lpk_variant *v, const void *src, void *dst, size_t n, uint64_t seed,
                    uint64_t offset)
{
    (void)seed, (void)offset;
    LPK_FN(lpk_op_round_rne, v)(src, dst, n);
}

static void run_sr(const lpk_variant *v, const void *src, void *dst, size_t n, uint64_t seed,
                   uint64_t offset)
{
    LPK_FN(lpk_op_round_sr, v)(src, dst, n, seed, offset);
}

static void run_widen(const lpk_variant *v, const void *src, void *dst, size_t n, uint64_t seed,
                      uint64_t offset)
{
    (void)seed, (void)offset;
    LPK_FN(lpk_op_round_widen, v)(src, dst, n);
}

static const round_case rne_case = {&lpk_op_round_rne.op, run_rne, 0};
static const round_case sr_case = {&lpk_op_round_sr.op, run_sr, 1};
static const round_case widen_case = {&lpk_op_round_widen.op, run_widen, 0};

/* Runs v and the reference on src[0..n) (misaligned by `mis` elements),
   compares outputs bit for bit and checks the guard zones. */
static void compare_once(const lpk_variant *v, const round_case *c, const void *src, size_t n,
                         size_t mis, uint64_t seed, uint64_t offset)
{
    const size_t osz = c->op->out_bytes;
    const lpk_variant *r = tu_ref_of(c->op);
    tu_guarded ga, gb;
    void *da = tu_guard_alloc(&ga, n * osz, mis * osz), *db = tu_guard_alloc(&gb, n * osz, mis * osz);
    c->run(v, src, da, n, seed, offset);
    c->run(r, src, db, n, seed, offset);
    const long d = tu_first_diff(da, db, n * osz);
    if (d >= 0)
        fail_msg("%s differs from ref at element %ld (n=%zu mis=%zu seed=%llu offset=%llu)",
                 v->name, d / (long)osz, n, mis, (unsigned long long)seed,
                 (unsigned long long)offset);
    tu_guard_check(&ga, v->name, n);
    tu_guard_check(&gb, r->name, n);
    tu_guard_free(&ga);
    tu_guard_free(&gb);
}

/* n + 8 input elements of the op's input type (bf16 bit patterns, or
   tu_fill_f32), returned from element `mis`; *base is what to free. */
static void *make_input(const round_case *c, size_t n, size_t mis, uint64_t seed, void **base)
{
    if (c->op->in_bytes == 2) {
        lpk_bf16 *p = alloc_bf16(n);
        uint64_t s = seed;
        for (size_t i = 0; i < n + 8; i++)
            p[i] = (lpk_bf16)tu_rand(&s);
        *base = p;
        return p + mis;
    }
    assert_int_equal(c->op->in_bytes, 4);
    float *p = alloc_f32(n);
    tu_fill_f32(p, n + 8, seed);
    *base = p;
    return p + mis;
}

static const uint64_t offsets[] = {0, 1, 3, 5, 7, 8, 9, 63, 64, 1000003,
                                   (1ull << 35) - 13, 0xFFFFFFFFFFFFFFC5ull};

static void check_variant(const lpk_variant *v, void *ctx)
{
    const round_case *c = ctx;
    const lpk_op *op = c->op;
    const int sr = c->sr;
    printf("RUN     %s [%s]\n", v->name, op->name);
    for (size_t mis = 0; mis < 4; mis++)
        for (size_t n = 0; n <= 130; n++) {
            void *base;
            const void *src = make_input(c, n, mis, 1000 + n * 7 + mis, &base);
            const size_t noff = sr ? sizeof offsets / sizeof offsets[0] : 1;
            for (size_t k = 0; k < noff; k++)
                compare_once(v, c, src, n, (mis * 3 + k) % 4, 0x5EED0000ull + n, offsets[k]);
            free(base);
        }
    /* every special class, densely, at every position of a vector */
    {
        uint32_t sp[128];
        const size_t ns = tu_special_f32_bits(sp, 128);
        if (op->in_bytes == 2) {
            lpk_bf16 h[4 * 128];
            for (size_t i = 0; i < 4 * ns; i++)
                h[i] = (lpk_bf16)(sp[(i * 5) % ns] >> 16 | (i & 1));
            compare_once(v, c, h, 4 * ns, 0, 0, 0);
        } else {
            float x[4 * 128];
            for (size_t i = 0; i < 4 * ns; i++)
                x[i] = lpk_bits_f32(sp[(i * 5) % ns]);
            for (uint64_t off = 0; off < 9; off++)
                compare_once(v, c, x, 4 * ns, off & 3, 77 + off, off);
        }
    }
    /* large */
    {
        const size_t n = 1000000;
        void *base;
        const void *src = make_input(c, n, 1, 99, &base);
        compare_once(v, c, src, n, 3, 0xC0FFEE, 12345);
        free(base);
    }
    /* long runs across the counter's carries: the block index (offset / 8)
       crossing 2^32 (its high word changes inside a vector loop step) and
       the element index wrapping modulo 2^64 */
    if (sr) {
        const size_t n = 5003;
        void *base;
        const void *src = make_input(c, n, 2, 31, &base);
        static const uint64_t far[] = {(1ull << 35) - 2101, (1ull << 35) - 2048,
                                       0xFFFFFFFFFFFFFFFFull - 2000, (1ull << 35) - 3};
        for (size_t k = 0; k < sizeof far / sizeof far[0]; k++)
            compare_once(v, c, src, n, k % 4, 0xFACE + k, far[k]);
        free(base);
    }
    /* past the streaming-store threshold: destination aligned (mis 0 puts
       it TU_GUARD_BYTES into a malloc block), misaligned, and SR offsets that
       make the block and the cache-line alignment compatible or not.  Only
       the x86 variants have a streaming path (kernels/common/stream.h). */
    if (lpk_tiers[v->tier].arch == LPK_ARCH_X86) {
        const size_t n = LPK_STREAM_MIN_BYTES / 2 + 1001;
        void *base;
        const void *src = make_input(c, n, 0, 7, &base);
        compare_once(v, c, src, n, 0, 1, 0);
        compare_once(v, c, src, n, 3, 2, 5);
        if (sr) {
            compare_once(v, c, src, n, 1, 3, 7);
            compare_once(v, c, src, n, 0, 4, 8);
        }
        free(base);
    }
}

static void test_variants_rne(void **state) { tu_each(rne_case.op, check_variant, (void *)&rne_case); }
static void test_variants_sr(void **state) { tu_each(sr_case.op, check_variant, (void *)&sr_case); }
static void test_variants_widen(void **state)
{
    tu_each(widen_case.op, check_variant, (void *)&widen_case);
}

/* ---- stochastic rounding statistics (through the public API) ------------ */

static double bf16_value(lpk_bf16 h) { return (double)lpk_bits_f32((uint32_t)h << 16); }

/* Mean of N stochastic roundings of x (N elements, several seeds) is within
   6 standard errors of x: unbiasedness. */
static void test_sr_unbiased(void **state)
{
    const size_t n = 1 << 18;
    float *x = malloc(n * 4);
    lpk_bf16 *y = malloc(n * 2);
    const float values[] = {1.0f + 1.0f / 3.0f * 0x1p-7f, -3.14159265f, 1e-3f, 0.1f,
                            lpk_bits_f32(0x00012345), 65504.123f, -2.7182818e-20f};
    for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
        const uint32_t u = lpk_f32_bits(values[k]);
        const double lo = bf16_value((lpk_bf16)(u >> 16)), hi = bf16_value((lpk_bf16)((u >> 16) + 1));
        const double p = (double)(u & 0xFFFF) / 65536.0, ulp = fabs(hi - lo);
        for (size_t i = 0; i < n; i++)
            x[i] = values[k];
        double sum = 0;
        const int seeds = 4;
        for (int s = 0; s < seeds; s++) {
            assert_int_equal(lpk_f32_to_bf16(x, y, n, LPK_ROUND_STOCHASTIC, 1234 + s, s * n), LPK_OK);
            for (size_t i = 0; i < n; i++) {
                assert_true(y[i] == (lpk_bf16)(u >> 16) || y[i] == (lpk_bf16)((u >> 16) + 1));
                sum += bf16_value(y[i]);
            }
        }
        const double N = (double)n * seeds, mean = sum / N;
        const double se = ulp * sqrt(p * (1 - p) / N);
        if (fabs(mean - (double)values[k]) > 6 * se + 1e-300)
            fail_msg("SR of %.9g: mean %.12g differs by %.3g (> 6 s.e. = %.3g)", values[k], mean,
                     fabs(mean - (double)values[k]), 6 * se);
    }
    free(x);
    free(y);
}

/* Round-up frequency against the truncated fraction: chi-square over 32
   fractions (df = 31; the 0.9999 quantile is 64.0). */
static void test_sr_frequency_chi2(void **state)
{
    const size_t per = 1 << 15, cells = 32;
    float *x = malloc(per * cells * 4);
    lpk_bf16 *y = malloc(per * cells * 2);
    for (size_t c = 0; c < cells; c++)
        for (size_t i = 0; i < per; i++) /* fraction (2c+1)/64 of an ulp above 1.5 */
            x[c * per + i] = lpk_bits_f32(0x3FC00000u | (uint32_t)((2 * c + 1) * 1024));
    assert_int_equal(lpk_f32_to_bf16(x, y, per * cells, LPK_ROUND_STOCHASTIC, 77, 0), LPK_OK);
    double chi2 = 0;
    for (size_t c = 0; c < cells; c++) {
        size_t up = 0;
        for (size_t i = 0; i < per; i++)
            up += y[c * per + i] == 0x3FC1;
        const double p = (double)((2 * c + 1) * 1024) / 65536.0, e = p * (double)per;
        chi2 += ((double)up - e) * ((double)up - e) / (e * (1 - p));
    }
    printf("SR frequency chi-square: %.2f (df 31, 0.9999 quantile 64.0)\n", chi2);
    assert_true(chi2 < 64.0);
    free(x);
    free(y);
}

/* Neighbouring elements round independently: for lags 1..17 (inside a
   Philox block, across blocks) the 2x2 table of (up_i, up_{i+lag}) has
   chi-square below the 0.9999 quantile of df 1 (15.1). */
static void test_sr_independence(void **state)
{
    const size_t n = 1 << 20;
    float *x = malloc(n * 4);
    lpk_bf16 *y = malloc(n * 2);
    for (size_t i = 0; i < n; i++)
        x[i] = lpk_bits_f32(0x40490000u | 0x8000u); /* fraction 1/2 */
    assert_int_equal(lpk_f32_to_bf16(x, y, n, LPK_ROUND_STOCHASTIC, 2024, 5), LPK_OK);
    for (size_t lag = 1; lag <= 17; lag++) {
        double t[2][2] = {{0, 0}, {0, 0}};
        for (size_t i = 0; i + lag < n; i++)
            t[y[i] == 0x404A][y[i + lag] == 0x404A] += 1;
        const double N = (double)(n - lag);
        const double r0 = t[0][0] + t[0][1], r1 = t[1][0] + t[1][1];
        const double c0 = t[0][0] + t[1][0], c1 = t[0][1] + t[1][1];
        double chi2 = 0;
        const double e[2][2] = {{r0 * c0 / N, r0 * c1 / N}, {r1 * c0 / N, r1 * c1 / N}};
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                chi2 += (t[a][b] - e[a][b]) * (t[a][b] - e[a][b]) / e[a][b];
        if (chi2 > 15.1)
            fail_msg("lag %zu: chi-square %.2f > 15.1: neighbours are dependent", lag, chi2);
    }
    /* different seeds give different streams */
    lpk_bf16 *z = malloc(n * 2);
    assert_int_equal(lpk_f32_to_bf16(x, z, n, LPK_ROUND_STOCHASTIC, 2025, 5), LPK_OK);
    size_t same = 0;
    for (size_t i = 0; i < n; i++)
        same += y[i] == z[i];
    assert_true(same > n / 2 - n / 50 && same < n / 2 + n / 50);
    free(x);
    free(y);
    free(z);
}

/* ---- determinism through the public API -------------------------------- */

static void test_threads_and_splits(void **state)
{
    const size_t n = (4u << 20) + 37;
    float *x = malloc(n * 4);
    lpk_bf16 *a = malloc(n * 2), *b = malloc(n * 2), *c = malloc(n * 2);
    tu_fill_f32(x, n, 3);
    for (int mode = 0; mode < 2; mode++) {
        assert_int_equal(lpk_set_num_threads(1), LPK_OK);
        assert_int_equal(lpk_f32_to_bf16(x, a, n, (lpk_round)mode, 11, 1000), LPK_OK);
        assert_int_equal(lpk_set_num_threads(2), LPK_OK);
        assert_int_equal(lpk_get_num_threads(), 2);
        assert_int_equal(lpk_f32_to_bf16(x, b, n, (lpk_round)mode, 11, 1000), LPK_OK);
        assert_int_equal(tu_first_diff(a, b, n * 2), -1);
        /* two calls on uneven halves, each with its offset */
        const size_t h = n / 2 + 3;
        assert_int_equal(lpk_f32_to_bf16(x, c, h, (lpk_round)mode, 11, 1000), LPK_OK);
        assert_int_equal(lpk_f32_to_bf16(x + h, c + h, n - h, (lpk_round)mode, 11, 1000 + h), LPK_OK);
        assert_int_equal(tu_first_diff(a, c, n * 2), -1);
        /* and the reference agrees with the threaded public call */
        if (mode == 1)
            lpk_round_sr_f32_bf16__ref(x, c, n, 11, 1000);
        else
            lpk_round_rne_f32_bf16__ref(x, c, n);
        assert_int_equal(tu_first_diff(a, c, n * 2), -1);
    }
    float *w1 = malloc(n * 4), *w2 = malloc(n * 4);
    assert_int_equal(lpk_set_num_threads(1), LPK_OK);
    assert_int_equal(lpk_bf16_to_f32(a, w1, n), LPK_OK);
    assert_int_equal(lpk_set_num_threads(2), LPK_OK);
    assert_int_equal(lpk_bf16_to_f32(a, w2, n), LPK_OK);
    assert_int_equal(tu_first_diff(w1, w2, n * 4), -1);
    assert_int_equal(lpk_set_num_threads(0), LPK_OK);
    assert_int_equal(lpk_set_num_threads(-1), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "lpk_set_num_threads"));
    free(x); free(a); free(b); free(c); free(w1); free(w2);
}

/* ---- bad input ----------------------------------------------------------- */

static void test_bad_input(void **state)
{
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    lpk_bf16 y[8];
    float w[8];
    for (int i = 0; i < 8; i++) { y[i] = SENT16; w[i] = 0.5f; }
    assert_int_equal(lpk_f32_to_bf16(NULL, y, 8, LPK_ROUND_NEAREST, 0, 0), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "src is NULL"));
    assert_int_equal(lpk_f32_to_bf16(x, NULL, 8, LPK_ROUND_STOCHASTIC, 0, 0), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "dst is NULL"));
    assert_int_equal(lpk_f32_to_bf16(x, y, 8, (lpk_round)7, 0, 0), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "mode"));
    assert_int_equal(lpk_f32_to_bf16(x, y, SIZE_MAX / 2, LPK_ROUND_NEAREST, 0, 0), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "overflow"));
    assert_int_equal(lpk_f32_to_bf16(x, (lpk_bf16 *)(x + 2), 4, LPK_ROUND_NEAREST, 0, 0), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "overlap"));
    for (int i = 0; i < 8; i++)
        assert_int_equal(y[i], SENT16);
    assert_int_equal(x[2], 3.0f);
    assert_int_equal(lpk_bf16_to_f32(NULL, w, 8), LPK_EINVAL);
    assert_int_equal(lpk_bf16_to_f32(y, NULL, 8), LPK_EINVAL);
    assert_int_equal(lpk_bf16_to_f32(y, w, SIZE_MAX / 2), LPK_EINVAL);
    assert_int_equal(lpk_bf16_to_f32(y, (float *)(y + 1), 2), LPK_EINVAL);
    for (int i = 0; i < 8; i++)
        assert_true(w[i] == 0.5f);
    /* n == 0 accepts NULL and writes nothing */
    assert_int_equal(lpk_f32_to_bf16(NULL, NULL, 0, LPK_ROUND_STOCHASTIC, 0, 0), LPK_OK);
    assert_int_equal(lpk_bf16_to_f32(NULL, NULL, 0), LPK_OK);
    /* the message is per thread: a success does not clear it, another
       failure replaces it */
    assert_int_equal(lpk_bf16_to_f32(NULL, w, 1), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "lpk_bf16_to_f32"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_rne_by_value),
        cmocka_unit_test(test_ref_known_values),
        cmocka_unit_test(test_variants_rne),
        cmocka_unit_test(test_variants_sr),
        cmocka_unit_test(test_variants_widen),
        cmocka_unit_test(test_sr_unbiased),
        cmocka_unit_test(test_sr_frequency_chi2),
        cmocka_unit_test(test_sr_independence),
        cmocka_unit_test(test_threads_and_splits),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
