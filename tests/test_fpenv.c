/* SPDX-License-Identifier: Apache-2.0 */
/* Results never depend on the caller's FP environment nor on the thread
   count: every kernel family (rounding; the optimizer steps in the 16-bit
   model's modes, FP32 and an F32_* mode; Kahan split/merge; GEMM with fp32
   and bf16 output; HALP, with Philox and with ARS bits) is run under the
   default environment on one thread, then under flush-to-zero,
   denormals-are-zero, each directed rounding mode and (x86) unmasked
   exceptions, set on the calling thread and on every OpenMP worker, with 1,
   2 and 4 threads, and must give the same bits.  After each call the caller's state (and every
   worker's) must be exactly what it set.  Each tier this machine runs is
   checked: the best and scalar with every environment and 1, 2, 4 threads,
   the tiers in between with the last three environments and 1, 4 threads
   (under emulation, for time: the best tier with every environment and
   scalar with the last three, each with 1 and 4 threads; under ASan, which
   looks for memory errors rather than the environment's effect, scalar as
   the tiers in between: its full matrix took 45 of the test's 110 s at -O0
   with ASan, and the release builds run it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "common/asan.h"
#include "common/bf16.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- the environment, per architecture ----------------------------------- */
typedef struct {
    const char *name;
    uint64_t bits;
} fpenv;

#if defined(__x86_64__)
#include <xmmintrin.h>
static uint64_t env_get(void) { return _mm_getcsr(); }
static void env_set(uint64_t v) { _mm_setcsr((unsigned int)v); }
static const uint64_t env_default = 0x1F80;
static const fpenv envs[] = {
    {"FTZ", 0x1F80 | 0x8000},
    {"DAZ", 0x1F80 | 0x0040},
    {"FTZ+DAZ", 0x1F80 | 0x8040},
    {"round down", 0x1F80 | 0x2000},
    {"round up", 0x1F80 | 0x4000},
    {"round toward zero", 0x1F80 | 0x6000},
    {"FTZ+DAZ, toward zero", 0x1F80 | 0x8040 | 0x6000},
    {"exceptions unmasked", 0x0000},
};
#elif defined(__aarch64__)
static uint64_t env_get(void)
{
    uint64_t v;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(v));
    return v;
}
static void env_set(uint64_t v) { __asm__ __volatile__("msr fpcr, %0" : : "r"(v) : "memory"); }
static const uint64_t env_default = 0;
static const fpenv envs[] = {
    {"FZ", 1u << 24},
    {"DN", 1u << 25},
    {"FZ+DN", 3u << 24},
    {"round toward +inf", 1u << 22},
    {"round toward -inf", 2u << 22},
    {"round toward zero", 3u << 22},
    {"FZ, toward zero", (1u << 24) | (3u << 22)},
};
#else
#include <fenv.h>
static uint64_t env_get(void) { return (uint64_t)fegetround(); }
static void env_set(uint64_t v) { fesetround((int)v); }
static const uint64_t env_default = FE_TONEAREST;
static const fpenv envs[] = {
#ifdef FE_TOWARDZERO
    {"round toward zero", FE_TOWARDZERO},
#endif
#ifdef FE_UPWARD
    {"round up", FE_UPWARD},
#endif
};
#endif
#define NENVS (sizeof envs / sizeof envs[0])

/* Sets the state on the calling thread and on every worker of a 4-thread
   team (the pool lpk's parallel regions reuse). */
static void env_set_all(uint64_t v)
{
#ifdef _OPENMP
#pragma omp parallel num_threads(4)
    env_set(v);
#endif
    env_set(v);
}

/* Fails unless the calling thread and every worker hold exactly v. */
static void env_expect_all(uint64_t v, const char *what)
{
    int bad = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(4) reduction(+ : bad)
    bad += env_get() != v;
#endif
    const uint64_t here = env_get();
    if (here != v || bad)
        fail_msg("%s: FP state not restored (caller 0x%llx, want 0x%llx; %d workers differ)",
                 what, (unsigned long long)here, (unsigned long long)v, bad);
}

/* ---- the work ------------------------------------------------------------- */
#define NS 720896 /* streaming kernels: > 4 MiB of traffic, so 4 threads run */
#define GM 160    /* GEMM: > 4e6 flops per thread for 4 threads */
#define HN 1500
#define HD 48

typedef struct {
    float *src;           /* rounding input */
    lpk_bf16 *w0, *g0, *m0, *v0, *c0;
    float *master0, *g32;
    lpk_bf16 *a, *b, *cb0;
    float *X, *y;
} inputs;

/* The optimizer steps' modes: the 16-bit model's three, FP32, and one of
   the F32_* modes (fp32 arithmetic on bf16 storage) per optimizer: SGD's
   fp32 Kahan write, AdamW's fp32 sqrt and division.  Their SR variants and
   the ARS generator add integer work only, the same under every
   environment (their bits are checked across tiers, threads and splits by
   the update tests), and the reference tier's per-element bits are slow:
   with the SR modes and ARS bits here the test took 33 s instead of 11 in
   the release build. */
#define NMODES 5
static const lpk_update_mode sgd_modes[NMODES] = {LPK_UPDATE_NEAREST, LPK_UPDATE_STOCHASTIC,
                                                  LPK_UPDATE_KAHAN, LPK_UPDATE_FP32,
                                                  LPK_UPDATE_F32_KAHAN};
static const lpk_update_mode adamw_modes[NMODES] = {LPK_UPDATE_NEAREST, LPK_UPDATE_STOCHASTIC,
                                                    LPK_UPDATE_KAHAN, LPK_UPDATE_FP32,
                                                    LPK_UPDATE_F32_NEAREST};

/* HALP runs: the solvers, and HALP with ARS bits (update8_ars: kernels of
   their own, with fp32 arithmetic), shorter */
#define NHALP 4

/* One run's outputs, compared bit for bit. */
typedef struct {
    lpk_bf16 rne[NS], sr[NS];
    float widened[NS];
    lpk_bf16 sgd_w[NMODES][NS], sgd_m[NMODES][NS], adam_w[NMODES][NS], adam_v[NMODES][NS];
    lpk_bf16 kahan_c[3][NS]; /* SGD KAHAN, SGD F32_KAHAN, AdamW KAHAN */
    float sgd_master[NS], adam_master[NS], split_merge[NS];
    lpk_bf16 split_w[NS], split_c[NS];
    float gemm[GM * GM];
    lpk_bf16 gemm_sr[GM * GM];
    float halp_w[NHALP][HD];
} outputs;

/* A bf16 with a random sign, mantissa and an exponent anywhere from
   denormal to 2^8: small values make denormal results likely. */
static lpk_bf16 wide_bf16(uint64_t *s)
{
    const uint64_t r = tu_rand(s);
    const uint32_t exp = (uint32_t)(r % 140); /* 0 (denormal) .. 139 (= 2^12) */
    return (lpk_bf16)(((r >> 8) & 0x8000) | (exp << 7) | ((r >> 20) & 0x7F));
}

static void make_inputs(inputs *in)
{
    uint64_t s = 11;
    in->src = malloc(NS * sizeof(float));
    tu_fill_f32(in->src, NS, 5);
    /* more values near the denormal boundary, where FTZ/DAZ bite */
    for (size_t i = 0; i < NS; i += 3)
        in->src[i] = ldexpf((float)(tu_rand(&s) % 100000) - 50000.0f, -150 + (int)(i % 40));
    lpk_bf16 **bufs[] = {&in->w0, &in->g0, &in->m0, &in->v0, &in->c0};
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++) {
        *bufs[k] = malloc(NS * sizeof(lpk_bf16));
        for (size_t i = 0; i < NS; i++)
            (*bufs[k])[i] = wide_bf16(&s);
    }
    for (size_t i = 0; i < NS; i++)
        in->v0[i] &= 0x7FFF; /* second moments are >= 0 */
    in->master0 = malloc(NS * sizeof(float));
    in->g32 = malloc(NS * sizeof(float));
    for (size_t i = 0; i < NS; i++) {
        in->master0[i] = lpk_bits_f32((uint32_t)in->w0[i] << 16 | (uint32_t)(tu_rand(&s) & 0xFFFF));
        in->g32[i] = lpk_bits_f32((uint32_t)in->g0[i] << 16 | (uint32_t)(tu_rand(&s) & 0xFFFF));
    }
    /* GEMM: rows of A scaled towards the bottom of the range, so products
       and sums are denormal in fp32 for some C elements */
    in->a = malloc(GM * GM * sizeof(lpk_bf16));
    in->b = malloc(GM * GM * sizeof(lpk_bf16));
    in->cb0 = malloc(GM * GM * sizeof(lpk_bf16));
    for (size_t i = 0; i < GM; i++)
        for (size_t j = 0; j < GM; j++) {
            const float x = (float)((int)(tu_rand(&s) % 2001) - 1000) / 997.0f;
            in->a[i * GM + j] = lpk_bf16_rne(lpk_f32_bits(ldexpf(x, -(int)(i % 9) * 16)));
            in->b[i * GM + j] = lpk_bf16_rne(lpk_f32_bits(ldexpf(x + 0.25f, -(int)(j % 5) * 15)));
            in->cb0[i * GM + j] = wide_bf16(&s);
        }
    in->X = malloc(HN * HD * sizeof(float));
    in->y = malloc(HN * sizeof(float));
    for (size_t i = 0; i < HN * HD; i++)
        in->X[i] = (float)((int)(tu_rand(&s) % 2001) - 1000) / 1000.0f;
    for (size_t i = 0; i < HN; i++)
        in->y[i] = (float)((int)(tu_rand(&s) % 2001) - 1000) / 500.0f;
}

static void free_inputs(inputs *in)
{
    free(in->src); free(in->w0); free(in->g0); free(in->m0); free(in->v0); free(in->c0);
    free(in->master0); free(in->g32); free(in->a); free(in->b); free(in->cb0);
    free(in->X); free(in->y);
}

/* Runs every family once with the caller's state `env` set on all threads
   around each call (and checked restored after it). */
static void run_all(const inputs *in, outputs *o, uint64_t env, const char *what)
{
#define CALL(expr)                                                   \
    do {                                                             \
        env_set_all(env);                                            \
        const lpk_status st_ = (expr);                               \
        const uint64_t after_ = env_get();                           \
        env_set(env_default);                                        \
        assert_int_equal(st_, LPK_OK);                               \
        if (after_ != env)                                           \
            fail_msg("%s: %s changed the caller's FP state", what, #expr); \
        env_set(env);                                                \
        env_expect_all(env, what);                                   \
        env_set_all(env_default);                                    \
    } while (0)

    CALL(lpk_f32_to_bf16(in->src, o->rne, NS, LPK_ROUND_NEAREST, 0, 0));
    CALL(lpk_f32_to_bf16(in->src, o->sr, NS, LPK_ROUND_STOCHASTIC, 77, 1000));
    CALL(lpk_bf16_to_f32(o->rne, o->widened, NS));

    /* outputs: w and the state (FP32's fp32 state in its top halves), the
       compensation of the Kahan modes */
    lpk_bf16(*kc)[NS] = o->kahan_c;
    for (size_t k = 0; k < NMODES; k++) {
        const int fp32 = sgd_modes[k] == LPK_UPDATE_FP32;
        memcpy(o->sgd_w[k], in->w0, NS * sizeof(lpk_bf16));
        memcpy(o->sgd_m[k], in->m0, NS * sizeof(lpk_bf16));
        static lpk_bf16 comp[NS];
        memcpy(comp, in->c0, sizeof comp);
        memcpy(o->sgd_master, in->master0, NS * sizeof(float));
        static float m32[NS];
        for (size_t i = 0; i < NS; i++)
            m32[i] = lpk_bits_f32((uint32_t)in->m0[i] << 16);
        const lpk_sgd_params p = {.lr = 1e-3f, .momentum = 0.9f, .dampening = 0.1f,
                                  .weight_decay = 1e-4f, .step = 3};
        const lpk_opt_tensor t = {.n = NS, .w = o->sgd_w[k], .comp = comp,
                                  .master = o->sgd_master, .grad = fp32 ? NULL : in->g0,
                                  .grad32 = fp32 ? in->g32 : NULL, .m = o->sgd_m[k],
                                  .m32 = m32};
        CALL(lpk_sgd_step(&p, sgd_modes[k], &t, 99, 5));
        if (sgd_modes[k] == LPK_UPDATE_KAHAN || sgd_modes[k] == LPK_UPDATE_F32_KAHAN)
            memcpy(*kc++, comp, sizeof comp);
        if (fp32)
            for (size_t i = 0; i < NS; i++)
                o->sgd_m[k][i] = (lpk_bf16)(lpk_f32_bits(m32[i]) >> 16);
    }
    for (size_t k = 0; k < NMODES; k++) {
        const int fp32 = adamw_modes[k] == LPK_UPDATE_FP32;
        static float m32[NS], v32[NS];
        memcpy(o->adam_w[k], in->w0, NS * sizeof(lpk_bf16));
        static lpk_bf16 m[NS], comp[NS];
        memcpy(m, in->m0, sizeof m);
        memcpy(o->adam_v[k], in->v0, NS * sizeof(lpk_bf16));
        memcpy(comp, in->c0, sizeof comp);
        memcpy(o->adam_master, in->master0, NS * sizeof(float));
        for (size_t i = 0; i < NS; i++) {
            m32[i] = lpk_bits_f32((uint32_t)in->m0[i] << 16);
            v32[i] = lpk_bits_f32((uint32_t)in->v0[i] << 16);
        }
        const lpk_adamw_params p = {.lr = 1e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f,
                                    .weight_decay = 1e-2f, .step = 7};
        const lpk_opt_tensor t = {.n = NS, .w = o->adam_w[k], .comp = comp,
                                  .master = o->adam_master, .grad = in->g0, .m = m,
                                  .v = o->adam_v[k], .m32 = m32, .v32 = v32};
        CALL(lpk_adamw_step(&p, adamw_modes[k], &t, 123, 0));
        if (adamw_modes[k] == LPK_UPDATE_KAHAN)
            memcpy(*kc++, comp, sizeof comp);
        if (fp32)
            for (size_t i = 0; i < NS; i++)
                o->adam_v[k][i] = (lpk_bf16)(lpk_f32_bits(v32[i]) >> 16);
    }
    CALL(lpk_kahan_split(in->master0, o->split_w, o->split_c, NS));
    CALL(lpk_kahan_merge(o->split_w, o->split_c, o->split_merge, NS));

    for (size_t i = 0; i < GM * GM; i++)
        o->gemm[i] = lpk_bits_f32((uint32_t)in->cb0[i] << 16);
    CALL(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_TRANS, GM, GM, GM, 0.75f, in->a, GM, in->b, GM, 0.5f,
                          o->gemm, GM));
    memcpy(o->gemm_sr, in->cb0, sizeof o->gemm_sr);
    CALL(lpk_gemm_bf16(LPK_TRANS, LPK_NOTRANS, GM, GM, GM, 1.25f, in->a, GM, in->b, GM, -0.5f,
                       o->gemm_sr, GM, LPK_ROUND_STOCHASTIC, 4242));

    static const lpk_solver solvers[NHALP] = {LPK_SOLVER_SVRG, LPK_SOLVER_HALP, LPK_SOLVER_LP_SGD,
                                              LPK_SOLVER_HALP};
    for (int s = 0; s < NHALP; s++) {
        lpk_halp_options opt = {.solver = solvers[s], .loss = LPK_LOSS_LSQ, .bits = 8,
                                .step = 0.02f, .lambda = 1e-3f, .mu = 0.1f, .T = 400,
                                .epochs = 3, .seed = 9};
        if (s == 3) { /* fewer steps: tiers without AES make the bits in software */
            opt.rng = LPK_RNG_ARS;
            opt.T = 50;
            opt.epochs = 2;
        }
        memset(o->halp_w[s], 0, sizeof o->halp_w[s]);
        CALL(lpk_halp_train(&opt, in->X, in->y, HN, HD, o->halp_w[s], NULL));
    }
#undef CALL
}

static outputs ref_out, got_out;

static void compare(const char *what)
{
#define SAME(field)                                                                  \
    do {                                                                             \
        const long d_ = tu_first_diff(&ref_out.field, &got_out.field, sizeof ref_out.field); \
        if (d_ >= 0)                                                                 \
            fail_msg("%s: %s differs from the default-environment, 1-thread result " \
                     "(first differing byte %ld)", what, #field, d_);                \
    } while (0)
    SAME(rne);
    SAME(sr);
    SAME(widened);
    SAME(sgd_w);
    SAME(sgd_m);
    SAME(sgd_master);
    SAME(adam_w);
    SAME(adam_v);
    SAME(kahan_c);
    SAME(adam_master);
    SAME(split_w);
    SAME(split_c);
    SAME(split_merge);
    SAME(gemm);
    SAME(gemm_sr);
    SAME(halp_w);
#undef SAME
}

static void test_fp_environment(void **state)
{
    (void)state;
    inputs in;
    make_inputs(&in);
    int tiers_run = 0;
    for (int t = LPK_TIER_COUNT - 1; t >= 0; t--) {
        if (!lpk_tier_supported((lpk_tier)t)) {
            if (lpk_tier_built((lpk_tier)t))
                printf("SKIPPED tier %s (this CPU/OS lacks it)\n", lpk_tiers[t].name);
            continue;
        }
        if (tu_emulated() && tiers_run > 0 && t != LPK_TIER_SCALAR)
            continue; /* under qemu: the best tier and scalar */
        assert_int_equal(lpk_set_isa(lpk_tiers[t].name), LPK_OK);
        lpk_set_num_threads(1);
        run_all(&in, &ref_out, env_default, "default environment");
        /* the inputs reach the range where FTZ/DAZ act: denormal results */
        size_t denormals = 0;
        for (size_t i = 0; i < GM * GM; i++)
            denormals += fpclassify(ref_out.gemm[i]) == FP_SUBNORMAL;
        for (size_t i = 0; i < NS; i++)
            denormals += (ref_out.sgd_w[0][i] & 0x7F80) == 0 && (ref_out.sgd_w[0][i] & 0x7F);
        printf("tier %s: %zu denormal results in the reference run\n", lpk_tiers[t].name,
               denormals);
        assert_true(denormals > 20);
        /* every environment with 1, 2 and 4 threads for the best tier and
           (but under emulation or ASan) scalar; the harshest three with 1
           and 4 threads in between */
        const int full = tiers_run == 0 || (t == LPK_TIER_SCALAR && !tu_emulated() && !LPK_ASAN);
        int ran = 0;
        for (int threads = 1; threads <= 4; threads *= full && !tu_emulated() ? 2 : 4) {
            lpk_set_num_threads(threads);
            char what[160];
            snprintf(what, sizeof what, "tier %s, %d thread(s), default environment",
                     lpk_tiers[t].name, threads);
            memset(&got_out, 0xA5, sizeof got_out);
            run_all(&in, &got_out, env_default, what);
            compare(what);
            for (size_t e = 0; e < NENVS; e++) {
                if (!full && e + 3 < NENVS)
                    continue;
                snprintf(what, sizeof what, "tier %s, %d thread(s), %s", lpk_tiers[t].name,
                         threads, envs[e].name);
                memset(&got_out, 0xA5, sizeof got_out);
                run_all(&in, &got_out, envs[e].bits, what);
                compare(what);
                ran++;
            }
        }
        printf("tier %-10s: %d environment x thread combinations bit-identical\n",
               lpk_tiers[t].name, ran);
        tiers_run++;
    }
    assert_true(tiers_run >= 1);
    lpk_set_num_threads(0);
    assert_int_equal(lpk_set_isa("auto"), LPK_OK);
    free_inputs(&in);
}

/* The library's own calculations differ under a changed environment, so
   the test above is not vacuous: the same fp32 sum computed here in the
   caller's environment changes with FTZ / rounding mode. */
/* Out of line, so the compiler cannot move the arithmetic across the
   changes of the FP state around the call. */
__attribute__((noinline)) static float probe(float tiny, float one, float third)
{
    return tiny * one + (one + third * 0x1p-23f) * 0x1p-140f;
}

static void test_environment_matters(void **state)
{
    (void)state;
    int differs = 0;
    volatile float t = 0x1p-130f, o = 1.0f, th = 1.0f / 3.0f;
    const float want = probe(t, o, th);
    for (size_t e = 0; e < NENVS; e++) {
        if (strstr(envs[e].name, "unmasked"))
            continue; /* an inexact result would trap here */
        env_set(envs[e].bits);
        const float got = probe(t, o, th);
        env_set(env_default);
        differs += got != want;
    }
    printf("%d of %zu environments change a plain fp32 result\n", differs, (size_t)NENVS);
    assert_true(differs >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_environment_matters),
        cmocka_unit_test(test_fp_environment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
