/* SPDX-License-Identifier: Apache-2.0 */
/* Hostile input against the public header: every entry point walked through
   the boundary sizes (each must fail with LPK_EINVAL and write nothing),
   GEMM with C overlapping A or B, the names in lpk_cblas_sbgemm's messages
   (row- and column-major), lpk_last_status / lpk_status_str / lpk_version,
   and a forked child after threaded calls. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define GUARD 0x5A

/* Sizes whose byte extent exceeds PTRDIFF_MAX for any element size >= 2
   (with another dimension >= 2 where a stride multiplies them). */
static const size_t huge[] = {
    (size_t)1 << 62,       ((size_t)1 << 62) + 1, ((size_t)1 << 63) - 1, (size_t)1 << 63,
    ((size_t)1 << 63) + 1, SIZE_MAX / 3 * 2,      SIZE_MAX - 1,          SIZE_MAX,
};
#define NHUGE (sizeof huge / sizeof huge[0])

static unsigned char out_buf[4096], in_buf[4096];

static void guard_out(void) { memset(out_buf, GUARD, sizeof out_buf); }
static void expect_untouched(const char *what)
{
    for (size_t i = 0; i < sizeof out_buf; i++)
        if (out_buf[i] != GUARD)
            fail_msg("%s: wrote byte %zu of the output", what, i);
}

static void expect_einval(lpk_status st, const char *what)
{
    if (st != LPK_EINVAL)
        fail_msg("%s: status %d (%s), want LPK_EINVAL", what, (int)st, lpk_status_str(st));
    assert_int_equal(lpk_last_status(), LPK_EINVAL);
    assert_true(strlen(lpk_last_error()) > 0);
    expect_untouched(what);
}

/* ---- boundary sizes ------------------------------------------------------ */
static void test_bounds_streaming(void **state)
{
    (void)state;
    const float *src = (const float *)in_buf;
    for (size_t h = 0; h < NHUGE; h++) {
        const size_t n = huge[h];
        char what[128];
        lpk_status st;
        for (int mode = 0; mode < 2; mode++) {
            guard_out();
            st = lpk_f32_to_bf16(src, (lpk_bf16 *)out_buf, n, (lpk_round)mode, 1, 2);
            snprintf(what, sizeof what, "lpk_f32_to_bf16(n = %zu, mode %d)", n, mode);
            expect_einval(st, what);
        }
        guard_out();
        st = lpk_bf16_to_f32((const lpk_bf16 *)in_buf, (float *)out_buf, n);
        snprintf(what, sizeof what, "lpk_bf16_to_f32(n = %zu)", n);
        expect_einval(st, what);
        guard_out();
        st = lpk_kahan_split(src, (lpk_bf16 *)out_buf, (lpk_bf16 *)(out_buf + 2048), n);
        snprintf(what, sizeof what, "lpk_kahan_split(n = %zu)", n);
        expect_einval(st, what);
        guard_out();
        st = lpk_kahan_merge((const lpk_bf16 *)in_buf, (const lpk_bf16 *)(in_buf + 2048),
                             (float *)out_buf, n);
        snprintf(what, sizeof what, "lpk_kahan_merge(n = %zu)", n);
        expect_einval(st, what);

        /* optimizer steps: every mode, both gradient types; the buffers
           are disjoint slices of out_buf (read-only inputs from in_buf) */
        for (int mode = 0; mode < 4; mode++)
            for (int g32 = 0; g32 < 2; g32++) {
                lpk_opt_tensor t = {.n = n,
                                    .w = (lpk_bf16 *)out_buf,
                                    .comp = (lpk_bf16 *)(out_buf + 512),
                                    .master = (float *)(out_buf + 1024),
                                    .grad = g32 ? NULL : (const lpk_bf16 *)in_buf,
                                    .grad32 = g32 ? (const float *)in_buf : NULL,
                                    .m = (lpk_bf16 *)(out_buf + 1536),
                                    .v = (lpk_bf16 *)(out_buf + 2048),
                                    .m32 = (float *)(out_buf + 2560),
                                    .v32 = (float *)(out_buf + 3072)};
                const lpk_sgd_params sp = {.lr = 0.1f, .momentum = 0.9f, .step = 2};
                const lpk_adamw_params ap = {.lr = 0.1f, .beta1 = 0.9f, .beta2 = 0.99f,
                                             .eps = 1e-8f, .step = 2};
                guard_out();
                st = lpk_sgd_step(&sp, (lpk_update_mode)mode, &t, 1, 0);
                snprintf(what, sizeof what, "lpk_sgd_step(n = %zu, mode %d, grad32 %d)", n, mode,
                         g32);
                expect_einval(st, what);
                guard_out();
                st = lpk_adamw_step(&ap, (lpk_update_mode)mode, &t, 1, 0);
                snprintf(what, sizeof what, "lpk_adamw_step(n = %zu, mode %d, grad32 %d)", n,
                         mode, g32);
                expect_einval(st, what);
            }
    }
}

/* One GEMM entry point under test; C is out_buf. */
enum { E_F32, E_BF16, E_BF16_SR, E_PACKED, E_COUNT };
static const char *const entry_names[E_COUNT] = {"lpk_gemm_bf16f32", "lpk_gemm_bf16 (nearest)",
                                                 "lpk_gemm_bf16 (stochastic)",
                                                 "lpk_gemm_bf16f32_packed"};

static lpk_status call_gemm(int e, lpk_trans ta, lpk_trans tb, size_t m, size_t n, size_t k,
                            float alpha, const lpk_bf16 *a, size_t lda, const lpk_bf16 *b,
                            size_t ldb, void *c, size_t ldc, const lpk_gemm_packed_b *pb)
{
    switch (e) {
    case E_F32:
        return lpk_gemm_bf16f32(ta, tb, m, n, k, alpha, a, lda, b, ldb, 0.5f, c, ldc);
    case E_BF16:
    case E_BF16_SR:
        return lpk_gemm_bf16(ta, tb, m, n, k, alpha, a, lda, b, ldb, 0.5f, c, ldc,
                             e == E_BF16 ? LPK_ROUND_NEAREST : LPK_ROUND_STOCHASTIC, 7);
    default:
        return lpk_gemm_bf16f32_packed(ta, m, n, k, alpha, a, lda, pb, 0.5f, c, ldc);
    }
}

/* Every one of m, n, k, lda, ldb, ldc set to each huge value, the others
   small (every dimension >= 2, so a huge stride always overflows), all
   transposes: LPK_EINVAL and C untouched. */
static void test_bounds_gemm(void **state)
{
    (void)state;
    const lpk_bf16 *a = (const lpk_bf16 *)in_buf, *b = (const lpk_bf16 *)(in_buf + 2048);
    int cases = 0;
    for (int e = 0; e < E_COUNT; e++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int which = 0; which < 6; which++)
                    for (size_t h = 0; h < NHUGE; h++) {
                        if (e == E_PACKED && (tb || which == 4))
                            continue; /* packed B: no tb, no ldb */
                        size_t d[6] = {3, 4, 5, 8, 8, 8}; /* m n k lda ldb ldc */
                        d[which] = huge[h];
                        if (which < 3) /* a huge dimension: strides that admit it */
                            for (int x = 3; x < 6; x++)
                                d[x] = huge[h];
                        lpk_gemm_packed_b *pb = NULL;
                        if (e == E_PACKED)
                            assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, 5, 4, b, 8, &pb),
                                             LPK_OK);
                        guard_out();
                        const lpk_status st =
                            call_gemm(e, (lpk_trans)ta, (lpk_trans)tb, d[0], d[1], d[2], 1.0f, a,
                                      d[3], b, d[4], out_buf, d[5], pb);
                        char what[200];
                        snprintf(what, sizeof what,
                                 "%s(ta %d, tb %d, m %zu, n %zu, k %zu, lda %zu, ldb %zu, ldc %zu)",
                                 entry_names[e], ta, tb, d[0], d[1], d[2], d[3], d[4], d[5]);
                        if (e == E_PACKED && (which == 1 || which == 2)) {
                            /* n, k differ from the packing: refused as such */
                            assert_int_equal(st, LPK_EINVAL);
                            expect_untouched(what);
                        } else {
                            expect_einval(st, what);
                        }
                        lpk_gemm_packed_b_free(pb);
                        cases++;
                    }
    /* the cases reported against earlier versions */
    guard_out();
    expect_einval(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_TRANS, 1, 1, SIZE_MAX, 1.0f, a, SIZE_MAX, b,
                                   SIZE_MAX, 0.0f, (float *)out_buf, 1),
                  "gemm_bf16f32 m = n = 1, k = lda = ldb = SIZE_MAX, B transposed");
    for (size_t k = SIZE_MAX / 2 - 1; k <= SIZE_MAX / 2 + 1; k++) {
        guard_out();
        expect_einval(lpk_gemm_bf16f32(LPK_TRANS, LPK_TRANS, 1, 2, k, 1.0f, a, 1, b, k, 0.0f,
                                       (float *)out_buf, 2),
                      "gemm_bf16f32 one-row A^T, k ~ SIZE_MAX / 2");
    }
    guard_out();
    expect_einval(lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, (size_t)1 << 31, (size_t)1 << 31, 1,
                                1.0f, a, 1, b, (size_t)1 << 31, 0.0f, (lpk_bf16 *)out_buf,
                                (size_t)1 << 31, LPK_ROUND_NEAREST, 0),
                  "gemm_bf16 m = n = 2^31 (scratch m n 4 bytes wraps)");
    lpk_gemm_packed_b *pb = (lpk_gemm_packed_b *)out_buf;
    guard_out();
    expect_einval(lpk_gemm_pack_b(LPK_NOTRANS, 1, SIZE_MAX, b, SIZE_MAX, &pb),
                  "gemm_pack_b n = SIZE_MAX, k = 1");
    guard_out();
    expect_einval(lpk_gemm_pack_b(LPK_TRANS, (size_t)1 << 62, 1, b, (size_t)1 << 62, &pb),
                  "gemm_pack_b k = 2^62, n = 1");
    for (size_t h = 0; h < NHUGE; h++)
        for (int tb = 0; tb < 2; tb++) {
            guard_out();
            expect_einval(lpk_gemm_pack_b((lpk_trans)tb, 3, huge[h], b, huge[h], &pb),
                          "gemm_pack_b huge n");
            guard_out();
            expect_einval(lpk_gemm_pack_b((lpk_trans)tb, huge[h], 3, b, huge[h], &pb),
                          "gemm_pack_b huge k");
        }
    assert_ptr_equal(pb, (lpk_gemm_packed_b *)out_buf); /* *out untouched */
    printf("%d GEMM boundary cases refused without writing\n", cases);
    assert_true(cases > 500);
}

/* When A and B are not read (k == 0 or alpha == 0) their strides and
   pointers are not checked, as documented: C is scaled by beta. */
static void test_unread_operands(void **state)
{
    (void)state;
    float c[6] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 2, 3, 0, 1.0f, NULL, SIZE_MAX,
                                      NULL, 0, 2.0f, c, 3),
                     LPK_OK);
    assert_true(c[0] == 2.0f && c[5] == 12.0f);
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 2, 3, 4, 0.0f, NULL, 0, NULL, 0,
                                      0.5f, c, 3),
                     LPK_OK);
    assert_true(c[0] == 1.0f && c[5] == 6.0f);
    assert_int_equal(lpk_last_status(), LPK_OK);
}

static void test_bounds_halp(void **state)
{
    (void)state;
    const float *X = (const float *)in_buf;
    for (size_t h = 0; h < NHUGE; h++)
        for (int which = 0; which < 2; which++) {
            const lpk_halp_options o = {.solver = LPK_SOLVER_HALP, .loss = LPK_LOSS_LSQ,
                                        .bits = 8, .step = 0.1f, .mu = 1.0f, .epochs = 2};
            const size_t n = which == 0 ? huge[h] : 4, d = which == 1 ? huge[h] : 4;
            guard_out();
            expect_einval(lpk_halp_train(&o, X, X, n, d, (float *)out_buf, NULL),
                          which ? "lpk_halp_train huge d" : "lpk_halp_train huge n");
        }
    /* T * epochs beyond the step counter */
    const lpk_halp_options o = {.solver = LPK_SOLVER_SGD, .loss = LPK_LOSS_LSQ, .step = 0.1f,
                                .T = SIZE_MAX, .epochs = 1000};
    guard_out();
    expect_einval(lpk_halp_train(&o, X, X, 4, 4, (float *)out_buf, NULL),
                  "lpk_halp_train T * epochs");
}

/* ---- aliasing ------------------------------------------------------------ */
static void test_gemm_aliasing(void **state)
{
    (void)state;
    enum { M = 40, N = 40, K = 60 };
    lpk_bf16 *ab = calloc((size_t)(M * K + K * N) * 4, sizeof(lpk_bf16));
    float *c = calloc(M * N, sizeof(float));
    uint64_t s = 1;
    for (size_t i = 0; i < (size_t)(M * K + K * N) * 4; i++)
        ab[i] = (lpk_bf16)(0x3F80 + (tu_rand(&s) & 0x3F));
    lpk_bf16 *a = ab, *b = ab + M * K;
    /* C on top of A, inside A, on top of B, straddling A's end into B */
    void *cs[] = {a, a + 8, b, a + M * K - 4};
    const char *names[] = {"C on A", "C inside A", "C on B", "C across A and B"};
    for (int e = 0; e < E_COUNT; e++)
        for (size_t x = 0; x < sizeof cs / sizeof cs[0]; x++) {
            if (e == E_PACKED && x >= 2)
                continue; /* a packed B is the library's own copy */
            lpk_gemm_packed_b *pb = NULL;
            if (e == E_PACKED)
                assert_int_equal(lpk_gemm_pack_b(LPK_NOTRANS, K, N, b, N, &pb), LPK_OK);
            unsigned char *before = malloc((size_t)(M * K + K * N) * 4 * sizeof(lpk_bf16));
            memcpy(before, ab, (size_t)(M * K + K * N) * 4 * sizeof(lpk_bf16));
            const lpk_status st = call_gemm(e, LPK_NOTRANS, LPK_NOTRANS, M, N, K, 1.0f, a, K, b,
                                            N, cs[x], N, pb);
            if (st != LPK_EINVAL)
                fail_msg("%s, %s: status %d, want LPK_EINVAL", entry_names[e], names[x], st);
            assert_non_null(strstr(lpk_last_error(), "overlaps"));
            assert_int_equal(memcmp(before, ab, (size_t)(M * K + K * N) * 4 * sizeof(lpk_bf16)),
                             0);
            free(before);
            lpk_gemm_packed_b_free(pb);
        }
    /* C right after B (touching, not overlapping) is fine */
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 2, 3, 4, 1.0f, a, 4, b, 3, 0.0f,
                                      (float *)(void *)(b + 12), 3),
                     LPK_OK);
    /* cblas: the same refusal, status through lpk_last_status */
    lpk_cblas_sbgemm(101, 111, 111, M, N, K, 1.0f, a, K, b, N, 0.0f, (float *)(void *)a, N);
    assert_int_equal(lpk_last_status(), LPK_EINVAL);
    free(ab);
    free(c);
}

/* ---- cblas names, status, version ---------------------------------------- */
static void expect_msg(const char *want, const char *not_want)
{
    assert_int_equal(lpk_last_status(), LPK_EINVAL);
    if (!strstr(lpk_last_error(), want) || (not_want && strstr(lpk_last_error(), not_want)))
        fail_msg("message \"%s\": want \"%s\"%s%s", lpk_last_error(), want,
                 not_want ? ", not " : "", not_want ? not_want : "");
}

static void test_cblas_names_and_status(void **state)
{
    (void)state;
    lpk_bf16 a[64] = {0}, b[64] = {0};
    float c[64];
    /* m = 3, n = 4, k = 5 */
    for (int order = 101; order <= 102; order++) {
        const int col = order == 102;
        /* A needs lda >= k (row-major, no trans) or >= m (column-major) */
        lpk_cblas_sbgemm(order, 111, 111, 3, 4, 5, 1.0f, a, col ? 2 : 4, b, 8, 0.0f, c, 8);
        expect_msg("ldA", "ldB");
        lpk_cblas_sbgemm(order, 111, 111, 3, 4, 5, 1.0f, a, 8, b, col ? 4 : 3, 0.0f, c, 8);
        expect_msg("ldB", "ldA");
        lpk_cblas_sbgemm(order, 111, 111, 3, 4, 5, 1.0f, NULL, 8, b, 8, 0.0f, c, 8);
        expect_msg("A is NULL", NULL);
        lpk_cblas_sbgemm(order, 111, 111, 3, 4, 5, 1.0f, a, 8, NULL, 8, 0.0f, c, 8);
        expect_msg("B is NULL", NULL);
        lpk_cblas_sbgemm(order, 111, 111, 3, 4, 5, 1.0f, a, 8, b, 8, 0.0f, c, col ? 2 : 3);
        expect_msg(col ? "smaller than M = 3" : "smaller than N = 4", NULL);
        lpk_cblas_sbgemm(order, 111, 112, 3, 4, 5, 1.0f, a, 8, b, 8, 0.0f, c, 8);
        assert_int_equal(lpk_last_status(), LPK_OK);
    }
    /* a success clears the status but not the last message */
    assert_int_equal(lpk_f32_to_bf16(NULL, (lpk_bf16 *)c, 4, LPK_ROUND_NEAREST, 0, 0),
                     LPK_EINVAL);
    assert_int_equal(lpk_last_status(), LPK_EINVAL);
    char msg[512];
    snprintf(msg, sizeof msg, "%s", lpk_last_error());
    assert_int_equal(lpk_f32_to_bf16((float *)c, a, 4, LPK_ROUND_NEAREST, 0, 0), LPK_OK);
    assert_int_equal(lpk_last_status(), LPK_OK);
    assert_string_equal(lpk_last_error(), msg);
    /* queries leave the status alone */
    lpk_set_num_threads(-1);
    (void)lpk_isa();
    (void)lpk_kernel_variant("round.rne_f32_bf16");
    (void)lpk_last_error();
    assert_int_equal(lpk_last_status(), LPK_EINVAL);
    /* the status is per thread */
#ifdef _OPENMP
    int other = -1;
#pragma omp parallel num_threads(2)
    if (omp_get_thread_num() == 1)
        other = (int)lpk_last_status();
    assert_true(other == LPK_OK || other == -1);
#endif
    assert_non_null(strstr(lpk_status_str(LPK_OK), "LPK_OK"));
    assert_non_null(strstr(lpk_status_str(LPK_EINVAL), "LPK_EINVAL"));
    assert_non_null(strstr(lpk_status_str(LPK_ENOMEM), "LPK_ENOMEM"));
    assert_non_null(strstr(lpk_status_str(LPK_ENOTSUP), "LPK_ENOTSUP"));
    assert_non_null(lpk_status_str((lpk_status)99));
    char ver[64];
    snprintf(ver, sizeof ver, "%d.%d.%d", LPK_VERSION_MAJOR, LPK_VERSION_MINOR, LPK_VERSION_PATCH);
    assert_string_equal(lpk_version(), ver);
    /* a known kernel name always names something; an unknown one is NULL */
    assert_non_null(lpk_kernel_variant("gemm.bf16f32"));
    assert_null(lpk_kernel_variant("no.such.kernel"));
}

/* ---- fork ---------------------------------------------------------------- */
enum { FM = 256, FN = 1 << 21 };

static void threaded_work(float *c, lpk_bf16 *r, const lpk_bf16 *a, const float *src)
{
    assert_int_equal(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_TRANS, FM, FM, FM, 1.0f, a, FM, a, FM, 0.0f,
                                      c, FM),
                     LPK_OK);
    assert_int_equal(lpk_f32_to_bf16(src, r, FN, LPK_ROUND_STOCHASTIC, 3, 0), LPK_OK);
}

/* After threaded calls in the parent, a forked child's calls complete (on
   one thread) with the same results; a hang is caught by alarm(). */
static void test_fork(void **state)
{
    (void)state;
    lpk_bf16 *a = malloc(FM * FM * sizeof(lpk_bf16));
    float *src = malloc(FN * sizeof(float));
    float *c0 = malloc(FM * FM * sizeof(float)), *c1 = malloc(FM * FM * sizeof(float));
    lpk_bf16 *r0 = malloc(FN * sizeof(lpk_bf16)), *r1 = malloc(FN * sizeof(lpk_bf16));
    uint64_t s = 5;
    for (size_t i = 0; i < FM * FM; i++)
        a[i] = (lpk_bf16)(0x3F00 + (tu_rand(&s) & 0xFF));
    tu_fill_f32(src, FN, 8);
    lpk_set_num_threads(2);
    threaded_work(c0, r0, a, src); /* the parent's thread pool now exists */
    fflush(stdout);
    const pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(120);
        int ok = lpk_get_num_threads() == 1;
        for (int rep = 0; rep < 2; rep++) {
            memset(c1, 0, FM * FM * sizeof(float));
            ok &= lpk_gemm_bf16f32(LPK_NOTRANS, LPK_TRANS, FM, FM, FM, 1.0f, a, FM, a, FM, 0.0f,
                                   c1, FM) == LPK_OK;
            ok &= lpk_f32_to_bf16(src, r1, FN, LPK_ROUND_STOCHASTIC, 3, 0) == LPK_OK;
            ok &= memcmp(c0, c1, FM * FM * sizeof(float)) == 0;
            ok &= memcmp(r0, r1, FN * sizeof(lpk_bf16)) == 0;
        }
        _exit(ok ? 0 : 3);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status))
        fail_msg("forked child died of signal %d (SIGALRM = %d: it hung)", WTERMSIG(status),
                 SIGALRM);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* the parent keeps its threads */
    assert_int_equal(lpk_get_num_threads(), 2);
    threaded_work(c1, r1, a, src);
    assert_int_equal(memcmp(c0, c1, FM * FM * sizeof(float)), 0);
    lpk_set_num_threads(0);
    free(a); free(src); free(c0); free(c1); free(r0); free(r1);
}

int main(void)
{
    for (size_t i = 0; i < sizeof in_buf; i++)
        in_buf[i] = (unsigned char)(0x3F + (i & 7));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_streaming),
        cmocka_unit_test(test_bounds_gemm),
        cmocka_unit_test(test_unread_operands),
        cmocka_unit_test(test_bounds_halp),
        cmocka_unit_test(test_gemm_aliasing),
        cmocka_unit_test(test_cblas_names_and_status),
        cmocka_unit_test(test_fork),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
