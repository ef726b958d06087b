/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar reference of the fixed-point family: the specification (see
   fixed.h).  Per element, lpk_fixed_round1 / lpk_fixed_sat1; stochastic bits
   from Philox4x32-10 exactly as lpk_f32_to_bf16 draws them. */
#include "fixed.h"
#include "../common/philox.h"

void lpk_fixed_quant8__ref(const float *x, int8_t *q, size_t n, float inv_delta, lpk_round mode,
                           uint64_t seed, uint64_t offset)
{
    for (size_t i = 0; i < n; i++) {
        const uint32_t r16 = mode == LPK_ROUND_STOCHASTIC ? lpk_sr_bits16(seed, offset + i) : 0;
        q[i] = (int8_t)lpk_fixed_sat1(lpk_fixed_round1(x[i] * inv_delta, mode, r16), 8);
    }
}

void lpk_fixed_quant16__ref(const float *x, int16_t *q, size_t n, float inv_delta, lpk_round mode,
                            uint64_t seed, uint64_t offset)
{
    for (size_t i = 0; i < n; i++) {
        const uint32_t r16 = mode == LPK_ROUND_STOCHASTIC ? lpk_sr_bits16(seed, offset + i) : 0;
        q[i] = (int16_t)lpk_fixed_sat1(lpk_fixed_round1(x[i] * inv_delta, mode, r16), 16);
    }
}

void lpk_fixed_dequant8__ref(const int8_t *q, float *x, size_t n, float delta)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)q[i] * delta;
}

void lpk_fixed_dequant16__ref(const int16_t *q, float *x, size_t n, float delta)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)q[i] * delta;
}

int64_t lpk_fixed_dot8__ref(const int8_t *a, const int8_t *b, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}

int64_t lpk_fixed_dot16__ref(const int16_t *a, const int16_t *b, size_t n)
{
    int64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += (int64_t)a[i] * b[i];
    return s;
}

/* The shared bits of one update call: r[k] serves every i with i % P == k. */
static void period_bits(uint32_t r[LPK_FIXED_SR_PERIOD], size_t n, lpk_round mode, uint64_t seed,
                        uint64_t offset)
{
    for (size_t k = 0; k < LPK_FIXED_SR_PERIOD; k++)
        r[k] = (mode == LPK_ROUND_STOCHASTIC && k < n) ? lpk_sr_bits16(seed, offset + k) : 0;
}

void lpk_fixed_update8__ref(int8_t *z, const int8_t *x, const float *h, size_t n, float a, float b,
                            lpk_round mode, uint64_t seed, uint64_t offset)
{
    uint32_t r[LPK_FIXED_SR_PERIOD];
    period_bits(r, n, mode, seed, offset);
    for (size_t i = 0; i < n; i++) {
        const float v = fmaf(a, (float)z[i], fmaf(b, (float)x[i], h[i]));
        z[i] = (int8_t)lpk_fixed_sat1(lpk_fixed_round1(v, mode, r[i % LPK_FIXED_SR_PERIOD]), 8);
    }
}

void lpk_fixed_update16__ref(int16_t *z, const int16_t *x, const float *h, size_t n, float a,
                             float b, lpk_round mode, uint64_t seed, uint64_t offset)
{
    uint32_t r[LPK_FIXED_SR_PERIOD];
    period_bits(r, n, mode, seed, offset);
    for (size_t i = 0; i < n; i++) {
        const float v = fmaf(a, (float)z[i], fmaf(b, (float)x[i], h[i]));
        z[i] = (int16_t)lpk_fixed_sat1(lpk_fixed_round1(v, mode, r[i % LPK_FIXED_SR_PERIOD]), 16);
    }
}

float lpk_fixed_dotf__ref(const float *a, const float *b, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++)
        s = fmaf(a[i], b[i], s);
    return s;
}

void lpk_fixed_updatef__ref(float *z, const float *x, const float *h, size_t n, float a, float b)
{
    for (size_t i = 0; i < n; i++)
        z[i] = fmaf(a, z[i], fmaf(b, x[i], h[i]));
}
