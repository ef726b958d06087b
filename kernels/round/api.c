/* SPDX-License-Identifier: Apache-2.0 */
/* Public entry points of the rounding family: validation, selection, threads. */
#include <stdint.h>

#include "round.h"
#include "../common/ars.h"
#include "../common/philox.h"

typedef struct {
    const void *src;
    void *dst;
    lpk_round_rne_fn *rne; /* exactly one of the three is set */
    lpk_round_sr_fn *sr;
    lpk_round_widen_fn *widen;
    uint64_t seed, offset;
} round_job;

static void round_chunk(void *ctx, size_t lo, size_t hi)
{
    const round_job *j = ctx;
    const float *src = (const float *)j->src + lo;
    lpk_bf16 *dst = (lpk_bf16 *)j->dst + lo;
    if (j->rne)
        j->rne(src, dst, hi - lo);
    else
        j->sr(src, dst, hi - lo, j->seed, j->offset + lo);
}

static void widen_chunk(void *ctx, size_t lo, size_t hi)
{
    const round_job *j = ctx;
    j->widen((const lpk_bf16 *)j->src + lo, (float *)j->dst + lo, hi - lo);
}

lpk_status lpk_f32_to_bf16(const float *src, lpk_bf16 *dst, size_t n,
                           lpk_round mode, uint64_t seed, uint64_t offset)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (mode != LPK_ROUND_NEAREST && mode != LPK_ROUND_STOCHASTIC &&
        mode != LPK_ROUND_STOCHASTIC_ARS)
        return lpk_fail(LPK_EINVAL,
                        "lpk_f32_to_bf16: unknown rounding mode %d (valid: LPK_ROUND_NEAREST 0, "
                        "LPK_ROUND_STOCHASTIC 1, LPK_ROUND_STOCHASTIC_ARS 2)",
                        (int)mode);
    if (n == 0)
        return LPK_OK;
    if (!src || !dst)
        return lpk_fail(LPK_EINVAL, "lpk_f32_to_bf16: %s is NULL with n = %zu",
                        !src ? "src" : "dst", n);
    size_t bytes;
    if (!lpk_size_mul(n, sizeof(float), &bytes))
        return lpk_fail(LPK_EINVAL, "lpk_f32_to_bf16: n = %zu overflows the byte size", n);
    if (lpk_overlap(src, bytes, dst, n * sizeof(lpk_bf16)))
        return lpk_fail(LPK_EINVAL, "lpk_f32_to_bf16: src and dst overlap");
    round_job job = {src, dst, NULL, NULL, NULL, seed, offset};
    if (mode == LPK_ROUND_NEAREST)
        job.rne = LPK_SELECTED(lpk_op_round_rne);
    else if (mode == LPK_ROUND_STOCHASTIC)
        job.sr = LPK_SELECTED(lpk_op_round_sr);
    else
        job.sr = LPK_SELECTED(lpk_op_round_sr_ars);
    lpk_parallel_for(n, 64, sizeof(float) + sizeof(lpk_bf16), round_chunk, &job);
    return LPK_OK;
}

lpk_status lpk_bf16_to_f32(const lpk_bf16 *src, float *dst, size_t n)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (n == 0)
        return LPK_OK;
    if (!src || !dst)
        return lpk_fail(LPK_EINVAL, "lpk_bf16_to_f32: %s is NULL with n = %zu",
                        !src ? "src" : "dst", n);
    size_t bytes;
    if (!lpk_size_mul(n, sizeof(float), &bytes))
        return lpk_fail(LPK_EINVAL, "lpk_bf16_to_f32: n = %zu overflows the byte size", n);
    if (lpk_overlap(src, n * sizeof(lpk_bf16), dst, bytes))
        return lpk_fail(LPK_EINVAL, "lpk_bf16_to_f32: src and dst overlap");
    round_job job = {src, dst, NULL, NULL, LPK_SELECTED(lpk_op_round_widen), 0, 0};
    lpk_parallel_for(n, 64, sizeof(float) + sizeof(lpk_bf16), widen_chunk, &job);
    return LPK_OK;
}

lpk_status lpk_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    LPK_ENTRY();
    if (!ctr || !key || !out)
        return lpk_fail(LPK_EINVAL, "lpk_philox4x32_10: %s is NULL",
                        !ctr ? "ctr" : !key ? "key" : "out");
    lpk_philox_block(ctr, key, out);
    return LPK_OK;
}

lpk_status lpk_ars(const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4])
{
    LPK_ENTRY();
    if (!ctr || !key || !out)
        return lpk_fail(LPK_EINVAL, "lpk_ars: %s is NULL", !ctr ? "ctr" : !key ? "key" : "out");
    lpk_ars_block(ctr, key, out);
    return LPK_OK;
}
