/* SPDX-License-Identifier: Apache-2.0 */
/* A program outside lpk, built against an installed lpk by the install test
   (tests/install/run-install-test.sh).  It checks known bf16 bit patterns,
   a small GEMM with an exact result and the version, and exits non-zero on
   any mismatch.  LPK_EXPECT_VERSION ("0.2.0") comes from the command line. */
#include <float.h>
#include <stdio.h>
#include <string.h>

#include <lpk.h>

#define STR2(x) #x
#define STR(x) STR2(x)

static int fails;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAIL: %s (%s)\n", what, lpk_last_error());
        fails++;
    }
}

int main(void)
{
    /* Round to nearest, ties to even, on the bit pattern. */
    static const float x[] = {1.0f, 1.00390625f, 1.01171875f, -2.5f, 3.14159265f,
                              0.1f, 1e-40f,      -0.0f,       FLT_MAX};
    static const lpk_bf16 want[] = {0x3f80, 0x3f80, 0x3f82, 0xc020, 0x4049,
                                    0x3dcd, 0x0001, 0x8000, 0x7f80};
    enum { N = sizeof x / sizeof x[0] };
    lpk_bf16 h[N];
    float back[N];
    check(lpk_f32_to_bf16(x, h, N, LPK_ROUND_NEAREST, 0, 0) == LPK_OK, "lpk_f32_to_bf16 nearest");
    for (int i = 0; i < N; i++)
        if (h[i] != want[i]) {
            fprintf(stderr, "consumer: FAIL: bf16(%a) = 0x%04x, want 0x%04x\n", (double)x[i],
                    h[i], want[i]);
            fails++;
        }
    check(lpk_bf16_to_f32(h, back, N) == LPK_OK, "lpk_bf16_to_f32");
    check(back[0] == 1.0f && back[2] == 1.015625f && back[3] == -2.5f, "bf16 -> f32 values");

    /* Stochastic rounding: a representable value stays, others land on a
       neighbour. */
    check(lpk_f32_to_bf16(x, h, N, LPK_ROUND_STOCHASTIC, 42, 0) == LPK_OK, "lpk_f32_to_bf16 SR");
    check(h[0] == 0x3f80 && h[3] == 0xc020 && h[7] == 0x8000, "SR keeps representable values");
    check(h[4] == 0x4049 || h[4] == 0x404a, "SR lands on a neighbour");

    /* Bad arguments are refused. */
    check(lpk_f32_to_bf16(NULL, h, 1, LPK_ROUND_NEAREST, 0, 0) == LPK_EINVAL, "NULL refused");

    /* GEMM (threads, blocking): small integers, so the fp32 result is exact. */
    enum { M = 3, K = 4, NN = 5 };
    float af[M * K], bf[K * NN], c[M * NN];
    lpk_bf16 a[M * K], b[K * NN];
    for (int i = 0; i < M * K; i++)
        af[i] = (float)(i % 7 - 3);
    for (int i = 0; i < K * NN; i++)
        bf[i] = (float)(i % 5 - 2);
    check(lpk_f32_to_bf16(af, a, M * K, LPK_ROUND_NEAREST, 0, 0) == LPK_OK, "A to bf16");
    check(lpk_f32_to_bf16(bf, b, K * NN, LPK_ROUND_NEAREST, 0, 0) == LPK_OK, "B to bf16");
    check(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, M, NN, K, 1.0f, a, K, b, NN, 0.0f, c, NN) ==
              LPK_OK,
          "lpk_gemm_bf16f32");
    for (int i = 0; i < M; i++)
        for (int j = 0; j < NN; j++) {
            float s = 0;
            for (int p = 0; p < K; p++)
                s += af[i * K + p] * bf[p * NN + j];
            if (c[i * NN + j] != s) {
                fprintf(stderr, "consumer: FAIL: C[%d][%d] = %g, want %g\n", i, j,
                        (double)c[i * NN + j], (double)s);
                fails++;
            }
        }

    /* The header and the library agree on the version. */
    char hdr[32];
    snprintf(hdr, sizeof hdr, "%d.%d.%d", LPK_VERSION_MAJOR, LPK_VERSION_MINOR, LPK_VERSION_PATCH);
    check(strcmp(lpk_version(), hdr) == 0, "lpk_version() == LPK_VERSION_*");
#ifdef LPK_EXPECT_VERSION
    check(strcmp(lpk_version(), STR(LPK_EXPECT_VERSION)) == 0, "lpk_version() == project version");
#endif

    if (fails) {
        fprintf(stderr, "consumer (C): %d check(s) failed\n", fails);
        return 1;
    }
    printf("consumer (C): ok, lpk %s, tier %s\n", lpk_version(), lpk_isa());
    return 0;
}
