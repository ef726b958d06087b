/* SPDX-License-Identifier: Apache-2.0 */
#include "fixedutil.h"

#include <string.h>

#include "common/ars.h"
#include "common/bf16.h"
#include "common/philox.h"

const uint64_t fx_offsets[FX_NOFF] = {0, 1, 5, 7, 8, 63, 64, 1000003, (1ull << 35) - 13,
                                      0xFFFFFFFFFFFFFFC5ull};

/* ---- inputs -------------------------------------------------------------- */

int8_t fx_rand_i8(uint64_t *s)
{
    static const int8_t edge[] = {-128, -127, -1, 0, 1, 126, 127};
    const uint64_t r = tu_rand(s);
    return (r & 3) == 0 ? edge[(r >> 8) % 7] : (int8_t)(r >> 16);
}

int16_t fx_rand_i16(uint64_t *s)
{
    static const int16_t edge[] = {-32768, -32767, -1, 0, 1, 32766, 32767};
    const uint64_t r = tu_rand(s);
    return (r & 3) == 0 ? edge[(r >> 8) % 7] : (int16_t)(r >> 16);
}

int fx_rand_int(uint64_t *s, size_t es) { return es == 1 ? fx_rand_i8(s) : fx_rand_i16(s); }

void fx_put_int(void *p, size_t es, size_t i, int v)
{
    if (es == 1)
        ((int8_t *)p)[i] = (int8_t)v;
    else
        ((int16_t *)p)[i] = (int16_t)v;
}

int fx_get_int(const void *p, size_t es, size_t i)
{
    return es == 1 ? ((const int8_t *)p)[i] : ((const int16_t *)p)[i];
}

void fx_fill_quant_input(float *x, size_t n, uint64_t seed, float inv, int bits)
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

void fx_fill_h(float *h, size_t n, uint64_t seed, int bits)
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

/* ---- typed cases ------------------------------------------------------------ */

static void run_quant8(const lpk_variant *v, const float *x, void *q, size_t n, float inv,
                       lpk_round mode, uint64_t seed, uint64_t offset)
{
    LPK_FN(lpk_op_fixed_quant8, v)(x, q, n, inv, mode, seed, offset);
}

static void run_quant16(const lpk_variant *v, const float *x, void *q, size_t n, float inv,
                        lpk_round mode, uint64_t seed, uint64_t offset)
{
    LPK_FN(lpk_op_fixed_quant16, v)(x, q, n, inv, mode, seed, offset);
}

static void run_dequant8(const lpk_variant *v, const void *q, float *x, size_t n, float delta)
{
    LPK_FN(lpk_op_fixed_dequant8, v)(q, x, n, delta);
}

static void run_dequant16(const lpk_variant *v, const void *q, float *x, size_t n, float delta)
{
    LPK_FN(lpk_op_fixed_dequant16, v)(q, x, n, delta);
}

static int64_t run_dot8(const lpk_variant *v, const void *a, const void *b, size_t n)
{
    return LPK_FN(lpk_op_fixed_dot8, v)(a, b, n);
}

static int64_t run_dot16(const lpk_variant *v, const void *a, const void *b, size_t n)
{
    return LPK_FN(lpk_op_fixed_dot16, v)(a, b, n);
}

static void run_update8(const lpk_variant *v, void *z, const void *x, const float *h, size_t n,
                        float a, float b, lpk_round mode, uint64_t seed, uint64_t offset)
{
    LPK_FN(lpk_op_fixed_update8, v)(z, x, h, n, a, b, mode, seed, offset);
}

static void run_update16(const lpk_variant *v, void *z, const void *x, const float *h, size_t n,
                         float a, float b, lpk_round mode, uint64_t seed, uint64_t offset)
{
    LPK_FN(lpk_op_fixed_update16, v)(z, x, h, n, a, b, mode, seed, offset);
}

static void run_update8_ars(const lpk_variant *v, void *z, const void *x, const float *h,
                            size_t n, float a, float b, lpk_round mode, uint64_t seed,
                            uint64_t offset)
{
    LPK_FN(lpk_op_fixed_update8_ars, v)(z, x, h, n, a, b, mode, seed, offset);
}

static void run_update16_ars(const lpk_variant *v, void *z, const void *x, const float *h,
                             size_t n, float a, float b, lpk_round mode, uint64_t seed,
                             uint64_t offset)
{
    LPK_FN(lpk_op_fixed_update16_ars, v)(z, x, h, n, a, b, mode, seed, offset);
}

const fx_case fx_quant8 = {.op = &lpk_op_fixed_quant8.op, .quant = run_quant8};
const fx_case fx_quant16 = {.op = &lpk_op_fixed_quant16.op, .quant = run_quant16};
const fx_case fx_dequant8 = {.op = &lpk_op_fixed_dequant8.op, .dequant = run_dequant8};
const fx_case fx_dequant16 = {.op = &lpk_op_fixed_dequant16.op, .dequant = run_dequant16};
const fx_case fx_dot8 = {.op = &lpk_op_fixed_dot8.op, .dot = run_dot8};
const fx_case fx_dot16 = {.op = &lpk_op_fixed_dot16.op, .dot = run_dot16};
const fx_case fx_update8 = {.op = &lpk_op_fixed_update8.op, .update = run_update8};
const fx_case fx_update16 = {.op = &lpk_op_fixed_update16.op, .update = run_update16};
const fx_case fx_update8_ars = {.op = &lpk_op_fixed_update8_ars.op, .update = run_update8_ars,
                                .ars = 1};
const fx_case fx_update16_ars = {.op = &lpk_op_fixed_update16_ars.op, .update = run_update16_ars,
                                 .ars = 1};

uint32_t fx_r16(const fx_case *c, uint64_t seed, uint64_t offset, size_t i)
{
    if (c->ars) {
        lpk_ars_keys ks;
        lpk_ars_sr_keys(&ks, seed);
        return lpk_ars_bits16(&ks, offset + i);
    }
    return lpk_sr_bits16(seed, offset + (c->update ? i % LPK_FIXED_SR_PERIOD : i));
}

/* Quantize writes the grid (its output), the others read it (their input). */
size_t fx_es(const fx_case *c)
{
    const size_t es = c->quant ? c->op->out_bytes : c->op->in_bytes;
    assert_true(es == 1 || es == 2);
    return es;
}

void fx_update_once(const fx_case *c, const lpk_variant *v, const lpk_variant *r, const void *z0,
                    const void *x, const float *h, size_t n, size_t mis, float a, float b,
                    int mode, uint64_t seed, uint64_t offset)
{
    const size_t es = fx_es(c);
    tu_guarded ga, gb;
    void *za = tu_guard_alloc(&ga, n * es, mis * es), *zr = tu_guard_alloc(&gb, n * es, 0);
    memcpy(za, z0, n * es);
    memcpy(zr, z0, n * es);
    c->update(v, za, x, h, n, a, b, (lpk_round)mode, seed, offset);
    c->update(r, zr, x, h, n, a, b, (lpk_round)mode, seed, offset);
    const long d = tu_first_diff(za, zr, n * es);
    if (d >= 0)
        fail_msg("%s differs from ref at %ld (n=%zu mode=%d a=%g b=%g offset=%llu h=%a)", v->name,
                 d / (long)es, n, mode, a, b, (unsigned long long)offset, h[d / (long)es]);
    tu_guard_check(&ga, v->name, n);
    tu_guard_check(&gb, r->name, n);
    tu_guard_free(&ga);
    tu_guard_free(&gb);
}
