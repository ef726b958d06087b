/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, the fp32-arithmetic modes (LPK_UPDATE_F32_NEAREST /
   _STOCHASTIC / _KAHAN, with and without LPK_UPDATE_STATE_SR):
   - every runnable variant bit-exact against the reference: each mode x
     state SR x gradient type x SGD momentum / dampening / nesterov / decay /
     first step and AdamW with / without decay, sizes around the vector
     steps, SR offsets not multiples of 8, misaligned pointers, guard zones,
     random and dense NaN / Inf / denormal inputs, a long run;
   - the reference against an independent computation written here
     (fp32 arithmetic as lpk.h spells it, the test's own rne and SR);
   - stochastic roundings unbiased over many seeds (weight, m, v), the state
     streams distinct from the weight's;
   - mode values refused (STATE_SR with a non-F32 mode, unknown values). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "updateutil.h"
#include "common/philox.h"

static const int f32_modes[3] = {LPK_UPDATE_F32_NEAREST, LPK_UPDATE_F32_STOCHASTIC,
                                 LPK_UPDATE_F32_KAHAN};
static const char *const f32_names[3] = {"f32_nearest", "f32_stochastic", "f32_kahan"};

/* The buffers of an F32_* mode: bf16 w, m, v (and comp for F32_KAHAN). */
/* Every configuration of one F32 mode with state SR on or off. */
static size_t make_configs(int mi, int ssr, config *out)
{
    char label[40];
    snprintf(label, sizeof label, "%s%s", f32_names[mi], ssr ? "|state_sr" : "");
    return up_mode_configs(f32_modes[mi], ssr, label, out);
}

static const uint64_t offsets[] = {0, 1, 3, 5, 7, 8, 9, 13, 63, 64, 1000003,
                                   (1ull << 35) - 13, 0xFFFFFFFFFFFFFFC5ull};
#define NOFF (sizeof offsets / sizeof offsets[0])
/* around the steps: AVX2 32, AVX-512 and NEON 64 elements, pairs of 8..32 */
static const size_t sizes[] = {0,  1,  2,  7,  8,  9,  15, 16,  17,  31,  32,  33,
                               47, 63, 64, 65, 95, 96, 127, 128, 129, 130, 191, 257};
#define NSIZES (sizeof sizes / sizeof sizes[0])

static void check_variant(const lpk_variant *v, int adamw)
{
    const lpk_op *op = adamw ? &lpk_op_update_adamw.op : &lpk_op_update_sgd.op;
    const lpk_variant *ref = tu_ref_of(op);
    printf("RUN     %s [%s, fp32-arithmetic modes]\n", v->name, op->name);
    size_t runs = 0;
    for (int mi = 0; mi < 3; mi++)
        for (int ssr = 0; ssr < 2; ssr++) {
            config cfg[UP_NCONFIGS];
            const size_t nc = make_configs(mi, ssr, cfg);
            for (size_t ci = 0; ci < nc; ci++) {
                if (cfg[ci].adamw != adamw)
                    continue;
                for (int g32 = 0; g32 < 2; g32++) {
                    for (size_t si = 0; si < NSIZES; si++) {
                        arena a;
                        const size_t n = sizes[si];
                        arena_alloc(&a, n, (si + ci) % 3);
                        arena_fill(&a, 1000 * si + 17 * ci + g32, 7); /* 1/7 specials */
                        const uint64_t off = offsets[(si + ci + (size_t)mi) % NOFF];
                        up_compare_on(v, ref, &cfg[ci], &a, g32, 12345 + si, off);
                        runs++;
                        arena_free(&a);
                    }
                    arena a; /* dense specials: every class meets every other */
                    arena_alloc(&a, 2 * up_n_specials() + 3, 1);
                    arena_fill_specials(&a);
                    up_compare_on(v, ref, &cfg[ci], &a, g32, 99, 5);
                    arena_free(&a);
                    runs++;
                }
            }
            /* a long run (prefetching full steps), one configuration */
            arena a;
            arena_alloc(&a, 300007, 0);
            arena_fill(&a, 77, 0);
            up_compare_on(v, ref, &cfg[adamw ? nc - 1 : 7], &a, mi & 1, 4242, 1000001);
            arena_free(&a);
            runs++;
        }
    printf("        %zu comparisons\n", runs);
    assert_true(runs > 0);
}

static void sgd_variant(const lpk_variant *v, void *ctx) { (void)ctx; check_variant(v, 0); }
static void adamw_variant(const lpk_variant *v, void *ctx) { (void)ctx; check_variant(v, 1); }

static void test_variants_sgd(void **state)
{
    (void)state;
    tu_each(&lpk_op_update_sgd.op, sgd_variant, NULL);
}

static void test_variants_adamw(void **state)
{
    (void)state;
    tu_each(&lpk_op_update_adamw.op, adamw_variant, NULL);
}

/* ---- the reference against an independent computation ---------------------- */

/* The test's own roundings, straight from the bit patterns. */
static lpk_bf16 my_rne(float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u)
        return 0x7FC0;
    const uint32_t lsb = (u >> 16) & 1u;
    return (lpk_bf16)((u + 0x7FFFu + lsb) >> 16);
}

static lpk_bf16 my_sr(float x, uint32_t r16)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u)
        return 0x7FC0;
    return (lpk_bf16)((u + r16) >> 16);
}

static float my_wid(lpk_bf16 h)
{
    const uint32_t u = (uint32_t)h << 16;
    float x;
    memcpy(&x, &u, 4);
    return x;
}

/* Bits of element j from Philox4x32-10 through the public block function:
   block j / 8 (counter {lo, hi, 0, 0}, key = seed), 16 bits of element j. */
static uint32_t my_bits(uint64_t seed, uint64_t j)
{
    const uint64_t blk = j >> 3;
    const uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), 0, 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    uint32_t out[4];
    assert_int_equal(lpk_philox4x32_10(ctr, key, out), LPK_OK);
    return (out[(j & 7) >> 1] >> (16 * (j & 1))) & 0xFFFFu;
}

/* One element through the public API and by hand, SGD and AdamW, every F32
   mode, state SR on and off, with weight decay, momentum, nesterov. */
static void test_known_values(void **state)
{
    (void)state;
    /* the test's Philox reading agrees with lpk_f32_to_bf16's SR */
    {
        float x[13];
        lpk_bf16 h[13];
        for (int i = 0; i < 13; i++)
            x[i] = 1.0f + (float)i * 0.001953f;
        assert_int_equal(lpk_f32_to_bf16(x, h, 13, LPK_ROUND_STOCHASTIC, 555, 1234567), LPK_OK);
        for (int i = 0; i < 13; i++)
            assert_int_equal(h[i], my_sr(x[i], my_bits(555, 1234567 + (uint64_t)i)));
    }
    const float wv[] = {0.8125f, -1.5f, 3.0e-3f, 1.0f};
    const float gv[] = {0.0712890625f, -0.3f, 1.0e-4f, -2.5e-2f};
    const float mv[] = {0.046875f, 0.125f, -3.0e-4f, 0.0f};
    const float vv[] = {2.0e-3f, 0.0625f, 1.0e-7f, 0.0f};
    const float cv[] = {1.0e-3f, -2.0e-4f, 0.0f, 3.0e-6f};
    const uint64_t seed = 0x1234ABCDull, offset = 1000003;
    size_t checked = 0;
    for (int mi = 0; mi < 3; mi++)
        for (int ssr = 0; ssr < 2; ssr++)
            for (int k = 0; k < 4; k++) {
                const int mode = f32_modes[mi] | (ssr ? LPK_UPDATE_STATE_SR : 0);
                const int g32 = k & 1;
                const uint64_t off = offset + (uint64_t)k;
                lpk_bf16 w = my_rne(wv[k]), comp = my_rne(cv[k]), m = my_rne(mv[k]),
                         v = my_rne(vv[k]), g16 = my_rne(gv[k]);
                const float g = g32 ? gv[k] : my_wid(g16);
                const float W = my_wid(w), C = my_wid(comp), M = my_wid(m), V = my_wid(v);
                lpk_opt_tensor t = {1, &w, &comp, NULL, g32 ? NULL : &g16, g32 ? &gv[k] : NULL,
                                    &m, &v, NULL, NULL};
                /* the weight write, by hand */
#define EXPECT_WEIGHT(u, ew, ec)                                                           \
    do {                                                                                   \
        const float s_ = W + (u);                                                          \
        if (mi == 0) {                                                                     \
            ew = my_rne(s_);                                                               \
        } else if (mi == 1) {                                                              \
            ew = my_sr(s_, my_bits(seed, off));                                            \
        } else {                                                                           \
            const float y_ = (u) - C;                                                      \
            const float S_ = W + y_;                                                       \
            ew = my_rne(S_);                                                               \
            ec = my_rne((my_wid(ew) - W) - y_);                                            \
        }                                                                                  \
    } while (0)
                /* SGD: decay, momentum (step 3), nesterov */
                {
                    const lpk_sgd_params p = {0.05f, 0.9f, 0.0f, 0.01f, 1, 3};
                    float gg = g + 0.01f * W;
                    const float one_minus_damp = 1.0f;
                    const float B = 0.9f * M + one_minus_damp * gg;
                    const float d = gg + 0.9f * B;
                    const float u = -0.05f * d;
                    lpk_bf16 ew = 0, ec = comp;
                    EXPECT_WEIGHT(u, ew, ec);
                    const lpk_bf16 em = ssr ? my_sr(B, my_bits(seed ^ 0x9E3779B97F4A7C15ull, off))
                                            : my_rne(B);
                    const lpk_bf16 w0 = w, c0 = comp, m0 = m;
                    assert_int_equal(lpk_sgd_step(&p, (lpk_update_mode)mode, &t, seed, off),
                                     LPK_OK);
                    if (w != ew || comp != ec || m != em)
                        fail_msg("sgd %s ssr=%d k=%d: w %04x c %04x m %04x, by hand %04x %04x %04x",
                                 f32_names[mi], ssr, k, w, comp, m, ew, ec, em);
                    w = w0;
                    comp = c0;
                    m = m0;
                    checked++;
                }
                /* AdamW: decay, step 4 */
                {
                    const lpk_adamw_params p = {1e-2f, 0.9f, 0.99f, 1e-8f, 0.1f, 4};
                    const float omb1 = (float)(1.0 - (double)0.9f), omb2 = (float)(1.0 - (double)0.99f);
                    const float b1 = 0.9f, b2 = 0.99f;
                    const float isbc2 = (float)(1.0 / sqrt(1.0 - pow((double)b2, 4.0)));
                    const float nss = (float)(-(double)1e-2f / (1.0 - pow((double)b1, 4.0)));
                    const float lrwd = (float)((double)1e-2f * (double)0.1f);
                    const float M2 = b1 * M + omb1 * g;
                    const float V2 = b2 * V + omb2 * (g * g);
                    const float dn = sqrtf(V2) * isbc2 + 1e-8f;
                    float u = nss * (M2 / dn);
                    u = u - lrwd * W;
                    lpk_bf16 ew = 0, ec = comp;
                    EXPECT_WEIGHT(u, ew, ec);
                    const lpk_bf16 em = ssr ? my_sr(M2, my_bits(seed ^ 0x9E3779B97F4A7C15ull, off))
                                            : my_rne(M2);
                    const lpk_bf16 ev = ssr ? my_sr(V2, my_bits(seed ^ 0xBF58476D1CE4E5B9ull, off))
                                            : my_rne(V2);
                    assert_int_equal(lpk_adamw_step(&p, (lpk_update_mode)mode, &t, seed, off),
                                     LPK_OK);
                    if (w != ew || comp != ec || m != em || v != ev)
                        fail_msg("adamw %s ssr=%d k=%d: w %04x c %04x m %04x v %04x, by hand "
                                 "%04x %04x %04x %04x",
                                 f32_names[mi], ssr, k, w, comp, m, v, ew, ec, em, ev);
                    checked++;
                }
#undef EXPECT_WEIGHT
            }
    /* the special cases, by hand: NaN gradient -> canonical NaN everywhere
       it flows; Inf gradient; a denormal increment kept (not flushed) */
    {
        const float gnan = lpk_bits_f32(0x7FA00001u); /* signalling, payload in the low half */
        lpk_bf16 w = my_rne(1.0f), m = 0, v = 0, comp = 0;
        lpk_opt_tensor t = {1, &w, &comp, NULL, NULL, &gnan, &m, &v, NULL, NULL};
        const lpk_adamw_params p = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.0f, 1};
        assert_int_equal(lpk_adamw_step(&p, LPK_UPDATE_F32_KAHAN, &t, 1, 0), LPK_OK);
        assert_int_equal(w, 0x7FC0);
        assert_int_equal(m, 0x7FC0);
        assert_int_equal(v, 0x7FC0);
        assert_int_equal(comp, 0x7FC0);
        const float ginf = INFINITY;
        lpk_bf16 w2 = my_rne(1.0f), m2 = 0;
        lpk_opt_tensor t2 = {1, &w2, NULL, NULL, NULL, &ginf, &m2, NULL, NULL, NULL};
        const lpk_sgd_params sp = {0.5f, 0.9f, 0.0f, 0.0f, 0, 1};
        assert_int_equal(lpk_sgd_step(&sp, LPK_UPDATE_F32_NEAREST, &t2, 1, 0), LPK_OK);
        assert_int_equal(m2, 0x7F80);  /* B = g = +Inf */
        assert_int_equal(w2, 0xFF80);  /* 1 - 0.5 Inf */
        const float gden = lpk_bits_f32(0x00030000u); /* a bf16 denormal as fp32 */
        lpk_bf16 w3 = 0;
        lpk_opt_tensor t3 = {1, &w3, NULL, NULL, NULL, &gden, NULL, NULL, NULL, NULL};
        const lpk_sgd_params sp3 = {-1.0f, 0.0f, 0.0f, 0.0f, 0, 1}; /* w = 0 + g */
        assert_int_equal(lpk_sgd_step(&sp3, LPK_UPDATE_F32_NEAREST, &t3, 1, 0), LPK_OK);
        assert_int_equal(w3, 0x0003);
        checked += 3;
    }
    printf("        %zu hand-computed steps agree\n", checked);
}

/* ---- stochastic roundings are unbiased ------------------------------------ */

/* Fraction of `n` results equal to `hi` (the others must be `lo`). */
static double frac_up(const lpk_bf16 *x, size_t n, lpk_bf16 lo, lpk_bf16 hi)
{
    size_t up = 0;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != lo && x[i] != hi)
            fail_msg("SR result %04x is neither neighbour %04x / %04x", x[i], lo, hi);
        up += x[i] == hi;
    }
    return (double)up / (double)n;
}

/* Expected fraction rounded up for x between bf16 lo and hi (exact in
   double). */
static double p_up(float x, lpk_bf16 lo, lpk_bf16 hi)
{
    return ((double)x - (double)my_wid(lo)) / ((double)my_wid(hi) - (double)my_wid(lo));
}

static void test_sr_unbiased(void **state)
{
    (void)state;
    enum { N = 2048, SEEDS = 32 }; /* 65536 samples: sigma <= 0.002 */
    lpk_bf16 *w = tu_xmalloc(N * 2), *m = tu_xmalloc(N * 2), *v = tu_xmalloc(N * 2);
    lpk_bf16 *ws = tu_xmalloc(N * SEEDS * 2), *ms = tu_xmalloc(N * SEEDS * 2);
    lpk_bf16 *vs = tu_xmalloc(N * SEEDS * 2);
    float *g = tu_xmalloc(N * 4);
    /* weight: W = 1, u = -lr g = 0.3 ulp; m = B = g on step 1 (0.3 between
       neighbours of 0.046875 scale); AdamW v = g * g with beta2 = 0 */
    const float gw = -0.3f * 0.0078125f; /* bf16 ulp at 1 is 2^-7 */
    for (int s = 0; s < SEEDS; s++) {
        for (size_t i = 0; i < N; i++) {
            w[i] = my_rne(1.0f);
            g[i] = gw;
        }
        lpk_opt_tensor t = {N, w, NULL, NULL, NULL, g, m, NULL, NULL, NULL};
        const lpk_sgd_params sp = {1.0f, 0.5f, 0.0f, 0.0f, 0, 1};
        assert_int_equal(lpk_sgd_step(&sp, LPK_UPDATE_F32_STOCHASTIC | LPK_UPDATE_STATE_SR, &t,
                                      (uint64_t)s * 7919, 13),
                         LPK_OK);
        memcpy(ws + (size_t)s * N, w, N * 2);
        memcpy(ms + (size_t)s * N, m, N * 2);
        /* AdamW v: beta1 = beta2 = 0, so M' = g, V' = g * g */
        lpk_bf16 mm[N];
        for (size_t i = 0; i < N; i++) {
            w[i] = my_rne(1.0f);
            mm[i] = 0;
            v[i] = 0;
        }
        const float ga = 0.0371f;
        for (size_t i = 0; i < N; i++)
            g[i] = ga;
        lpk_opt_tensor ta = {N, w, NULL, NULL, NULL, g, mm, v, NULL, NULL};
        const lpk_adamw_params ap = {1e-3f, 0.0f, 0.0f, 1e-8f, 0.0f, 1};
        assert_int_equal(lpk_adamw_step(&ap, LPK_UPDATE_F32_NEAREST | LPK_UPDATE_STATE_SR, &ta,
                                        (uint64_t)s * 104729, 5),
                         LPK_OK);
        memcpy(vs + (size_t)s * N, v, N * 2);
    }
    const size_t tot = (size_t)N * SEEDS;
    struct {
        const char *what;
        const lpk_bf16 *x;
        float val;
    } cases[] = {
        {"weight (F32_STOCHASTIC)", ws, 1.0f + -1.0f * gw},
        {"m (STATE_SR)", ms, gw},
        {"v (STATE_SR)", vs, 0.0371f * 0.0371f},
    };
    double pc[3];
    lpk_bf16 hic[3];
    for (int c = 0; c < 3; c++) {
        const float x = cases[c].val;
        lpk_bf16 lo = my_rne(x);
        if (fabs((double)my_wid(lo)) > fabs((double)x))
            lo = (lpk_bf16)(lo - 1); /* toward zero: same sign, magnitude below */
        const lpk_bf16 hi = (lpk_bf16)(lo + 1);
        const double p = p_up(x, lo, hi), f = frac_up(cases[c].x, tot, lo, hi);
        const double sigma = sqrt(p * (1 - p) / (double)tot);
        printf("        %s: %.6g between %04x and %04x: up %.4f, expected %.4f (sigma %.4f)\n",
               cases[c].what, (double)x, lo, hi, f, p, sigma);
        assert_true(p > 0.05 && p < 0.95);
        assert_true(fabs(f - p) < 5 * sigma);
        pc[c] = p;
        hic[c] = hi;
    }
    /* the weight's and m's streams are independent: the two decisions of an
       element agree as often as independent ones would */
    size_t agree = 0;
    for (size_t i = 0; i < tot; i++)
        agree += (ws[i] == hic[0]) == (ms[i] == hic[1]);
    const double pa = pc[0] * pc[1] + (1 - pc[0]) * (1 - pc[1]);
    const double fa = (double)agree / (double)tot;
    printf("        weight / m decisions agree %.4f, independent %.4f\n", fa, pa);
    assert_true(fabs(fa - pa) < 5 * sqrt(pa * (1 - pa) / (double)tot));
    free(w); free(m); free(v); free(ws); free(ms); free(vs); free(g);
}

/* ---- mode values ----------------------------------------------------------- */

static void test_modes(void **state)
{
    (void)state;
    lpk_bf16 w[8] = {0}, comp[8] = {0}, m[8] = {0}, v[8] = {0}, g[8] = {0};
    float master[8] = {0}, m32[8] = {0}, v32[8] = {0};
    const lpk_opt_tensor t = {8, w, comp, master, g, NULL, m, v, m32, v32};
    const lpk_sgd_params sp = {0.1f, 0.9f, 0, 0, 0, 2};
    const lpk_adamw_params ap = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 2};
    static const int bad[] = {32, 0 | 32, 1 | 32, 2 | 32, 3 | 32, 4, 15, 19, 20, 31, 48 | 3,
                              128, 16 | 128, 1 | 64 | 128, -1, -16, 0x7FFFFFFF};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lpk_opt_tensor ts[2] = {t, t};
        ts[1].n = 0;
        const lpk_status st[4] = {
            lpk_sgd_step(&sp, (lpk_update_mode)bad[i], &t, 0, 0),
            lpk_adamw_step(&ap, (lpk_update_mode)bad[i], &t, 0, 0),
            lpk_sgd_step_multi(&sp, (lpk_update_mode)bad[i], ts, 2, 0, NULL),
            lpk_adamw_step_multi(&ap, (lpk_update_mode)bad[i], ts, 2, 0, NULL),
        };
        for (int k = 0; k < 4; k++) {
            if (st[k] != LPK_EINVAL)
                fail_msg("mode %d accepted (call %d)", bad[i], k);
        }
        assert_non_null(strstr(lpk_last_error(), "unknown update mode"));
    }
    static const unsigned char zero[16] = {0};
    assert_memory_equal(w, zero, 16);
    assert_memory_equal(m, zero, 16);
    assert_memory_equal(master, zero, 16);
    /* the valid ones */
    static const int good[] = {0, 1, 2, 3, 16, 17, 18, 16 | 32, 17 | 32, 18 | 32};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(lpk_sgd_step(&sp, (lpk_update_mode)good[i], &t, 0, 0), LPK_OK);
        assert_int_equal(lpk_adamw_step(&ap, (lpk_update_mode)good[i], &t, 0, 0), LPK_OK);
    }
    /* F32_KAHAN needs comp; the F32 modes need bf16 m (v) and no fp32 state */
    lpk_opt_tensor u = t;
    u.comp = NULL;
    assert_int_equal(lpk_sgd_step(&sp, LPK_UPDATE_F32_KAHAN, &u, 0, 0), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "buffer comp is NULL"));
    assert_int_equal(lpk_sgd_step(&sp, LPK_UPDATE_F32_STOCHASTIC, &u, 0, 0), LPK_OK);
    u = t;
    u.v = NULL;
    u.master = NULL;
    u.m32 = NULL;
    u.v32 = NULL;
    assert_int_equal(lpk_adamw_step(&ap, LPK_UPDATE_F32_NEAREST | LPK_UPDATE_STATE_SR, &u, 0, 0),
                     LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "buffer v is NULL"));
    assert_int_equal(lpk_sgd_step(&sp, LPK_UPDATE_F32_NEAREST | LPK_UPDATE_STATE_SR, &u, 0, 0),
                     LPK_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_variants_sgd),
        cmocka_unit_test(test_variants_adamw),
        cmocka_unit_test(test_sr_unbiased),
        cmocka_unit_test(test_modes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
