/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7, the AES-round generator (kernels/common/ars.h), and stochastic
   rounding with its bits (LPK_ROUND_STOCHASTIC_ARS):
   - known-answer vectors (from Random123's ars4x32_R(7, ...));
   - every implementation of the generator (rng.ars: scalar, AES-NI, VAES
     256/512, AESE/AESMC) against Random123's own ars.h over millions of
     counters (x86 with AES-NI; elsewhere against the scalar reference),
     counters wrapping at 2^64 included;
   - every runnable SR-with-ARS variant bit-exact against the scalar
     reference: sizes around the vector widths, offsets not multiples of 8,
     block indices wrapping (offset near UINT64_MAX), misaligned pointers,
     guard zones, the streaming path;
   - the software paths where the CPU has AES (feature mask hook);
   - determinism across thread counts and split calls;
   - statistics of both generators (unbiased rounding, chi-square of the
     16-bit values, neighbour independence);
   - bad input refused with a message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "ars_r123.h"
#include "../kernels/common/ars.h"
#include "../kernels/common/bf16.h"
#include "../kernels/common/philox.h"
#include "../kernels/round/round.h"
#include "../kernels/rng/rng.h"

/* Fewer blocks under emulation (qemu runs the scalar AES ~50x slower). */
static size_t scale(size_t native) { return LPK_ARCH_HOST == LPK_ARCH_X86 ? native : native / 16; }

static int cpu_has_aes(void) { return (lpk_cpu_detect() & LPK_F_AES) != 0; }

/* ---- known answers ------------------------------------------------------- */
/* ctr, key, ars4x32_R(7, ctr, key) computed with Random123 1.14's ars.h. */
static const uint32_t kat[][3][4] = {
    {{0x00000000, 0x00000000, 0x00000000, 0x00000000}, {0x00000000, 0x00000000, 0x00000000, 0x00000000},
     {0xdacf61ff, 0xc45798f3, 0x113c7eeb, 0x101e27f3}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xfbaaff1f, 0xbb547ef9, 0x13d8cd78, 0x7aaa969b}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0, 0x082efa98, 0xec4e6c89},
     {0xd1df87af, 0xf67d43ba, 0x4f66afdb, 0x393dcb2d}},
    {{0x00000001, 0x00000000, 0x00000000, 0x00000000}, {0x12345678, 0x9abcdef0, 0x00000000, 0x00000000},
     {0x9e605cc6, 0xc77435bb, 0xcabde653, 0x186085ee}},
};

static void test_known_answers(void **state)
{
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint32_t out[4], blk[4];
        assert_int_equal(lpk_ars(kat[i][0], kat[i][1], out), LPK_OK);
        assert_memory_equal(out, kat[i][2], sizeof out);
        /* every implementation, one block */
        const lpk_op *op = &lpk_op_rng_ars.op;
        for (size_t k = 0; k < op->count; k++) {
            const lpk_variant *v = &op->variants[k];
            if (!lpk_variant_runnable(v))
                continue;
            LPK_FN(lpk_op_rng_ars, v)(kat[i][1], kat[i][0], 1, blk);
            if (memcmp(blk, kat[i][2], sizeof blk) != 0)
                fail_msg("%s: known answer %zu differs", v->name, i);
        }
    }
    if (cpu_has_aes() && tu_r123_available()) {
        /* the vectors themselves, against the oracle */
        for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
            uint32_t out[4];
            tu_r123_ars(LPK_ARS_ROUNDS, kat[i][0], kat[i][1], out);
            assert_memory_equal(out, kat[i][2], sizeof out);
        }
    }
    uint32_t o[4];
    assert_int_equal(lpk_ars(NULL, kat[0][1], o), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "ctr"));
}

/* ---- every generator implementation vs Random123 --------------------------- */
typedef struct {
    size_t blocks; /* compared per variant */
    int oracle;    /* 1: Random123, 0: the scalar reference */
} gen_ctx;

static void check_gen(const lpk_variant *v, void *vctx)
{
    const gen_ctx *g = vctx;
    lpk_rng_ars_fn *fn = LPK_FN(lpk_op_rng_ars, v);
    enum { CHUNK = 4099 }; /* odd: every tail length of the vector loops */
    uint32_t *out = tu_xmalloc(4 * CHUNK * sizeof *out), *want = tu_xmalloc(4 * CHUNK * sizeof *want);
    uint64_t s = 0xA125ull ^ (uint64_t)(uintptr_t)v->name[0];
    size_t done = 0;
    for (int draw = 0; done < g->blocks; draw++) {
        uint32_t key[4], ctr[4];
        for (int w = 0; w < 4; w++) {
            key[w] = (uint32_t)tu_rand(&s);
            ctr[w] = (uint32_t)tu_rand(&s);
        }
        if (draw % 4 == 1) { /* low 64 bits wrap inside the call */
            ctr[0] = 0xFFFFFFFFu - 37;
            ctr[1] = 0xFFFFFFFFu;
        }
        if (draw % 4 == 2) { /* the SR layout: hi64 of counter and key 0 */
            ctr[2] = ctr[3] = key[2] = key[3] = 0;
        }
        const size_t nb = (size_t)(1 + tu_rand(&s) % CHUNK);
        fn(key, ctr, nb, out);
        const uint64_t lo = ctr[0] | (uint64_t)ctr[1] << 32;
        for (size_t b = 0; b < nb; b++) {
            const uint64_t c = lo + b;
            const uint32_t cb[4] = {(uint32_t)c, (uint32_t)(c >> 32), ctr[2], ctr[3]};
            if (g->oracle)
                tu_r123_ars(LPK_ARS_ROUNDS, cb, key, want + 4 * b);
            else
                lpk_ars_block(cb, key, want + 4 * b);
        }
        const long d = tu_first_diff(out, want, 4 * nb * sizeof *out);
        if (d >= 0)
            fail_msg("%s differs from %s at block %ld of draw %d (nb %zu)", v->name,
                     g->oracle ? "Random123 ars4x32_R" : "the scalar reference",
                     d / 16, draw, nb);
        done += nb;
    }
    printf("%s: %zu blocks equal to %s\n", v->name, done,
           g->oracle ? "Random123 ars4x32_R(7)" : "lpk_ars_block (scalar)");
    free(out);
    free(want);
}

static void test_generators_vs_random123(void **state)
{
    gen_ctx g = {scale(2u << 20), 0};
    if (!tu_r123_available())
        printf("SKIPPED Random123 oracle (not built: %s); implementations checked against the "
               "scalar reference\n", LPK_ARCH_HOST == LPK_ARCH_X86 ? "librandom123-dev missing"
                                                               : "Random123's ARS is x86 only");
    else if (!cpu_has_aes())
        printf("SKIPPED Random123 oracle (this CPU lacks AES-NI); implementations checked "
               "against the scalar reference\n");
    else
        g.oracle = 1;
    tu_each(&lpk_op_rng_ars.op, check_gen, &g);
}

/* The Philox generators against the scalar definition (beside ARS's, for the
   benchmark's "generator alone" rows). */
static void check_philox(const lpk_variant *v, void *vctx)
{
    /* 1031 = 32 * 32 + 7 and 1047 = 32 * 32 + 2 * 8 + 7 blocks: the wide
       groups, the 8-block groups (avx2) and the scalar tail */
    enum { NBMAX = 1047 };
    static const size_t nbs[] = {1031, NBMAX};
    uint32_t out[4 * NBMAX], want[4 * NBMAX];
    for (size_t c = 0; c < sizeof nbs / sizeof nbs[0]; c++) {
        const size_t nb = nbs[c];
        const uint64_t qs[] = {0, 5, (1ull << 32) - 17, LPK_PHILOX_QMASK - nb + 1};
        for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
            LPK_FN(lpk_op_rng_philox, v)(0x0123456789ABCDEFull, qs[i], nb, out);
            lpk_rng_philox__ref(0x0123456789ABCDEFull, qs[i], nb, want);
            if (tu_first_diff(out, want, 16 * nb) >= 0)
                fail_msg("%s differs from the reference at q = %llu, %zu blocks", v->name,
                         (unsigned long long)qs[i], nb);
        }
    }
}

static void test_philox_generators(void **state) { tu_each(&lpk_op_rng_philox.op, check_philox, NULL); }

/* ---- SR with ARS: every variant vs the reference ----------------------------- */
static const uint64_t offsets[] = {0, 1, 3, 7, 8, 13, 1000003, (1ull << 35) - 5,
                                   UINT64_MAX - 100, UINT64_MAX - 7, UINT64_MAX - 2,
                                   ((1ull << 61) - 1) * 8 - 21};

static void sr_case(const lpk_variant *v, size_t n, uint64_t seed, uint64_t offset, size_t lead)
{
    float *src = tu_xmalloc((n + 1) * sizeof *src);
    tu_fill_f32(src, n, seed ^ n ^ offset);
    lpk_bf16 *want = tu_xmalloc((n + 1) * sizeof *want);
    lpk_round_sr_ars_f32_bf16__ref(src, want, n, seed, offset);
    tu_guarded g;
    lpk_bf16 *dst = tu_guard_alloc(&g, n * sizeof *dst, lead);
    LPK_FN(lpk_op_round_sr_ars, v)(src, dst, n, seed, offset);
    const long d = tu_first_diff(dst, want, n * sizeof *dst);
    if (d >= 0)
        fail_msg("%s: n=%zu offset=%llu lead=%zu: element %ld is 0x%04x, ref 0x%04x (src 0x%08x)",
                 v->name, n, (unsigned long long)offset, lead, d / 2, dst[d / 2], want[d / 2],
                 lpk_f32_bits(src[d / 2]));
    tu_guard_check(&g, v->name, n);
    tu_guard_free(&g);
    free(src);
    free(want);
}

static void check_sr(const lpk_variant *v, void *ctx)
{
    static const size_t sizes[] = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128,
                                   129, 135, 255, 256, 257, 511, 1000, 4096 + 13};
    for (size_t o = 0; o < sizeof offsets / sizeof offsets[0]; o++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            sr_case(v, sizes[s], 0x5EED0000ull + s, offsets[o], (o + s) % 3 * 2);
    if (LPK_ARCH_HOST == LPK_ARCH_X86) {
        /* outputs of streaming size (>= 8 MiB): aligned and not, odd offset */
        sr_case(v, (5u << 20) + 77, 42, 5, 0);
        sr_case(v, (5u << 20) + 77, 43, UINT64_MAX - 1000, 2);
        sr_case(v, (5u << 20) + 77, 44, 8, 6); /* 2-byte aligned, not 64 */
    }
}

static void test_sr_variants_bit_exact(void **state) { tu_each(&lpk_op_round_sr_ars.op, check_sr, NULL); }

/* ---- the software paths on a CPU that has AES -------------------------------- */
static void test_software_paths(void **state)
{
    if (!cpu_has_aes()) {
        printf("no AES on this CPU: the software paths are the ones the other tests ran\n");
        return;
    }
    const size_t n = 3001;
    float *src = tu_xmalloc(n * sizeof *src);
    lpk_bf16 *hw = tu_xmalloc(n * 2), *sw = tu_xmalloc(n * 2), *want = tu_xmalloc(n * 2);
    tu_fill_f32(src, n, 77);
    lpk_round_sr_ars_f32_bf16__ref(src, want, n, 99, 12345);
    assert_int_equal(lpk_f32_to_bf16(src, hw, n, LPK_ROUND_STOCHASTIC_ARS, 99, 12345), LPK_OK);
    const lpk_variant *vh = lpk_selected(&lpk_op_round_sr_ars.op);
    lpk_test_set_feature_mask(~LPK_F_AES);
    const lpk_variant *vs = lpk_selected(&lpk_op_round_sr_ars.op);
    assert_int_equal(lpk_f32_to_bf16(src, sw, n, LPK_ROUND_STOCHASTIC_ARS, 99, 12345), LPK_OK);
    lpk_test_set_feature_mask(~0ull);
    printf("with AES: %s; AES masked off: %s\n", vh->name, vs->name);
    assert_true(vs->tier != LPK_TIER_AVX2AES && vs->tier != LPK_TIER_AVX2VAES &&
                vs->tier != LPK_TIER_AVX512VAES && vs->tier != LPK_TIER_NEONAES);
    if (LPK_ARCH_HOST == LPK_ARCH_ARM)
        assert_int_equal(vs->tier, LPK_TIER_NEON); /* software AES in the NEON loop */
    assert_memory_equal(hw, want, n * 2);
    assert_memory_equal(sw, want, n * 2);
    free(src);
    free(hw);
    free(sw);
    free(want);
}

/* ---- AES-NI without VAES (Skylake-SP, Zen 2): the avx2aes variants -------------- */
static void test_aesni_only(void **state)
{
    if (LPK_ARCH_HOST != LPK_ARCH_X86 || (lpk_cpu_detect() & LPK_TIERMASK_AVX2) != LPK_TIERMASK_AVX2 ||
        !cpu_has_aes()) {
        printf("SKIPPED avx2aes: this CPU lacks AVX2 + AES-NI (the variants compiled, not run)\n");
        skip();
    }
    const size_t n = 3001;
    float *src = tu_xmalloc(n * sizeof *src);
    lpk_bf16 *got = tu_xmalloc(n * 2), *want = tu_xmalloc(n * 2);
    tu_fill_f32(src, n, 78);
    lpk_round_sr_ars_f32_bf16__ref(src, want, n, 7, 999);
    lpk_test_set_feature_mask(~LPK_F_VAES);
    const lpk_variant *v = lpk_selected(&lpk_op_round_sr_ars.op);
    const char *upd = lpk_kernel_variant("update.sgd"), *gen = lpk_kernel_variant("rng.ars");
    assert_int_equal(lpk_f32_to_bf16(src, got, n, LPK_ROUND_STOCHASTIC_ARS, 7, 999), LPK_OK);
    lpk_test_set_feature_mask(~0ull);
    printf("VAES masked off: round.sr_ars -> %s, rng.ars -> %s, update.sgd -> %s\n", v->name,
           gen, upd);
    assert_int_equal(v->tier, LPK_TIER_AVX2AES);
    assert_non_null(strstr(gen, "__avx2aes"));
    /* the update kernels: their own AES-NI variant, or on an AVX-512 CPU the
       avx512 one, which draws ARS blocks through rng.ars (step-inl.h) */
    assert_true(strstr(upd, "__avx2aes") || strstr(upd, "__avx512"));
    assert_memory_equal(got, want, n * 2);
    free(src);
    free(got);
    free(want);
}

/* ---- determinism: threads and splits ------------------------------------------- */
static void test_threads_and_splits(void **state)
{
    const size_t n = scale(3u << 20) + 5;
    float *src = tu_xmalloc(n * sizeof *src);
    lpk_bf16 *a = tu_xmalloc(n * 2), *b = tu_xmalloc(n * 2), *c = tu_xmalloc(n * 2);
    tu_fill_f32(src, n, 5);
    const uint64_t off = UINT64_MAX - n / 2; /* the element index wraps mid-array */
    assert_int_equal(lpk_set_num_threads(1), LPK_OK);
    assert_int_equal(lpk_f32_to_bf16(src, a, n, LPK_ROUND_STOCHASTIC_ARS, 7, off), LPK_OK);
    assert_int_equal(lpk_set_num_threads(4), LPK_OK);
    assert_int_equal(lpk_f32_to_bf16(src, b, n, LPK_ROUND_STOCHASTIC_ARS, 7, off), LPK_OK);
    assert_int_equal(lpk_set_num_threads(0), LPK_OK);
    assert_memory_equal(a, b, n * 2);
    const size_t cuts[] = {0, 1, 13, 4096 + 3, n / 2, n / 2 + 7, n};
    for (size_t k = 0; k + 1 < sizeof cuts / sizeof cuts[0]; k++)
        assert_int_equal(lpk_f32_to_bf16(src + cuts[k], c + cuts[k], cuts[k + 1] - cuts[k],
                                         LPK_ROUND_STOCHASTIC_ARS, 7, off + cuts[k]),
                         LPK_OK);
    assert_memory_equal(a, c, n * 2);
    /* the generators differ (the mode is honoured) */
    assert_int_equal(lpk_f32_to_bf16(src, c, n, LPK_ROUND_STOCHASTIC, 7, off), LPK_OK);
    assert_true(memcmp(a, c, n * 2) != 0);
    free(src);
    free(a);
    free(b);
    free(c);
}

/* ---- statistics, both generators -------------------------------------------- */
/* The random uint16 of `count` elements from element 0 of stream 2024. */
static uint16_t *stream_bits(int ars, size_t count)
{
    const size_t nb = count / 8;
    uint32_t *w = tu_xmalloc(nb * 16);
    if (ars) {
        const uint32_t key[4] = {2024, 0, 0, 0}, ctr[4] = {0, 0, 0, 0};
        /* the best runnable implementation (all are bit-identical) */
        const lpk_op *op = &lpk_op_rng_ars.op;
        for (size_t k = 0; k < op->count; k++)
            if (lpk_variant_runnable(&op->variants[k])) {
                LPK_FN(lpk_op_rng_ars, &op->variants[k])(key, ctr, nb, w);
                break;
            }
    } else {
        lpk_rng_philox__ref(2024, 0, nb, w);
    }
    return (uint16_t *)w;
}

static void stats_for(int ars)
{
    const char *gen = ars ? "ARS-7" : "Philox4x32-10";
    const size_t N = scale(8u << 20);
    uint16_t *r = stream_bits(ars, N);
    /* chi-square of the 16-bit values over 4096 classes (top 12 bits) */
    enum { C = 4096 };
    static double cnt[C], pair[256];
    memset(cnt, 0, sizeof cnt);
    memset(pair, 0, sizeof pair);
    for (size_t i = 0; i < N; i++)
        cnt[r[i] >> 4] += 1;
    double chi = 0, e = (double)N / C;
    for (int k = 0; k < C; k++)
        chi += (cnt[k] - e) * (cnt[k] - e) / e;
    const double z = (chi - (C - 1)) / sqrt(2.0 * (C - 1));
    /* neighbour independence: the pairs (top 4 bits of element j, of j+1),
       j even and odd (inside a block and across block boundaries) */
    for (size_t i = 0; i + 1 < N; i++)
        pair[(r[i] >> 12) << 4 | (r[i + 1] >> 12)] += 1;
    double chi2 = 0, e2 = (double)(N - 1) / 256;
    for (int k = 0; k < 256; k++)
        chi2 += (pair[k] - e2) * (pair[k] - e2) / e2;
    const double z2 = (chi2 - 255) / sqrt(2.0 * 255);
    /* lag-1 serial correlation of the values */
    double sx = 0, sxy = 0, sxx = 0;
    for (size_t i = 0; i + 1 < N; i++) {
        const double x = r[i] - 32767.5, y = r[i + 1] - 32767.5;
        sx += x;
        sxx += x * x;
        sxy += x * y;
    }
    const double corr = sxy / sxx;
    printf("%s: %zu values: chi-square(4095) = %.1f (z %.2f); pairs chi-square(255) = %.1f "
           "(z %.2f); lag-1 correlation %.2e\n", gen, N, chi, z, chi2, z2, corr);
    if (fabs(z) > 6 || fabs(z2) > 6 || fabs(corr) > 6 / sqrt((double)N))
        fail_msg("%s: statistics out of range", gen);
    free(r);
    /* unbiased rounding: x between two bf16 neighbours at fraction 0.3;
       mean of SR(x) over N elements vs x */
    const size_t M = scale(4u << 20);
    float *src = tu_xmalloc(M * sizeof *src);
    lpk_bf16 *dst = tu_xmalloc(M * 2);
    const float lo = 1.5f, ulp = 1.0f / 128; /* bf16 spacing in [1, 2) */
    const float x = lo + 0.3f * ulp;
    for (size_t i = 0; i < M; i++)
        src[i] = (i & 1) ? -x : x;
    assert_int_equal(lpk_f32_to_bf16(src, dst, M, ars ? LPK_ROUND_STOCHASTIC_ARS : LPK_ROUND_STOCHASTIC,
                                     99, 3),
                     LPK_OK);
    double up = 0, both = 0, pairs = 0;
    for (size_t i = 0; i < M; i++) {
        const float y = fabsf(lpk_bits_f32((uint32_t)dst[i] << 16));
        assert_true(y == lo || y == lo + ulp);
        up += y != lo;
    }
    for (size_t i = 0; i + 1 < M; i += 2) { /* neighbours' decisions */
        const int a = fabsf(lpk_bits_f32((uint32_t)dst[i] << 16)) != lo;
        const int b = fabsf(lpk_bits_f32((uint32_t)dst[i + 1] << 16)) != lo;
        both += a && b;
        pairs += 1;
    }
    const double p = (double)(lpk_f32_bits(x) & 0xFFFF) / 65536.0;
    const double ph = up / (double)M, zb = (ph - p) / sqrt(p * (1 - p) / (double)M);
    const double pb = both / pairs, zp = (pb - p * p) / sqrt(p * p * (1 - p * p) / pairs);
    printf("%s: SR of x = %.9g: P(up) %.5f (exact %.5f, z %.2f); P(both neighbours up) %.5f "
           "(independent %.5f, z %.2f)\n", gen, (double)x, ph, p, zb, pb, p * p, zp);
    if (fabs(zb) > 6 || fabs(zp) > 6)
        fail_msg("%s: SR biased or neighbours dependent", gen);
    free(src);
    free(dst);
}

static void test_statistics_ars(void **state) { stats_for(1); }
static void test_statistics_philox(void **state) { stats_for(0); }

/* ---- bad input ------------------------------------------------------------- */
static void test_bad_mode(void **state)
{
    float src[4] = {1, 2, 3, 4};
    lpk_bf16 dst[4] = {0xAAAA, 0xAAAA, 0xAAAA, 0xAAAA};
    const int bad[] = {3, -1, 17};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lpk_f32_to_bf16(src, dst, 4, (lpk_round)bad[i], 1, 0), LPK_EINVAL);
        assert_non_null(strstr(lpk_last_error(), "unknown rounding mode"));
        printf("mode %d refused: %s\n", bad[i], lpk_last_error());
        for (int k = 0; k < 4; k++)
            assert_int_equal(dst[k], 0xAAAA);
    }
    assert_int_equal(lpk_f32_to_bf16(src, dst, 4, LPK_ROUND_STOCHASTIC_ARS, 1, 0), LPK_OK);
    /* the bf16-output GEMM takes ARS bits and refuses unknown modes */
    lpk_bf16 a[4] = {0}, b[4] = {0}, c[4] = {0x1234, 0x1234, 0x1234, 0x1234};
    assert_int_equal(lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2,
                                   (lpk_round)3, 1),
                     LPK_EINVAL);
    assert_int_equal(c[0], 0x1234);
    assert_int_equal(lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, 2, 2, 2, 1.0f, a, 2, b, 2, 0.0f, c, 2,
                                   LPK_ROUND_STOCHASTIC_ARS, 1),
                     LPK_OK);
    assert_int_equal(c[0], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_generators_vs_random123),
        cmocka_unit_test(test_philox_generators),
        cmocka_unit_test(test_sr_variants_bit_exact),
        cmocka_unit_test(test_software_paths),
        cmocka_unit_test(test_aesni_only),
        cmocka_unit_test(test_threads_and_splits),
        cmocka_unit_test(test_statistics_ars),
        cmocka_unit_test(test_statistics_philox),
        cmocka_unit_test(test_bad_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
