/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar reference GEMM micro-kernel: 4x4 tile, bf16 widened to fp32 while
   packing, fp32 multiply-add in k order.  The specification the tests hold
   every variant to is the exact product (see tests/test_gemm.c); this is the
   portable variant that serves CPUs without SIMD tiers. */
#include "gemm.h"

#define LPK_PACK_NAME pack4_f32
#define LPK_PACK_R 4
#define LPK_PACK_KR 1
#define LPK_PACK_WIDEN 1
#include "pack-inl.h"

static void kernel_4x4(size_t kc, const void *a, const void *b, float *c, size_t ldc,
                       float alpha, float beta)
{
    const float *A = a, *B = b;
    float acc[4][4] = {{0}};
    for (size_t p = 0; p < kc; p++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                acc[i][j] += A[p * 4 + i] * B[p * 4 + j];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            c[i * ldc + j] = beta == 0.0f ? alpha * acc[i][j]
                                          : alpha * acc[i][j] + beta * c[i * ldc + j];
}

static const lpk_gemm_ukr ukr = {
    .mr = 4, .nr = 4, .kr = 1, .esize = 4,
    .pack_a = pack4_f32, .pack_b = pack4_f32, .kernel = kernel_4x4,
    .blocks = LPK_GEMM_BLOCKING_DEFAULT,
};

const lpk_gemm_ukr *lpk_gemm_ukr_4x4__ref(void) { return &ukr; }
