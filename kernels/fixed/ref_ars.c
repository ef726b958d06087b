/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar reference of the fixed-point update with per-element ARS-7 bits
   (fixed.h, "update_ars"): the specification.  Per element, the reference
   step of ref.c (lpk_fixed_round1 / lpk_fixed_sat1) with r16 = the 16 bits
   of element offset + i of the ARS stream of seed (common/ars.h, software
   AES), one block computed per 8 elements. */
#include "fixed.h"
#include "../common/ars.h"

/* r16 of element j, the block of j >> 3 kept while consecutive elements
   share it. */
typedef struct {
    lpk_ars_keys ks;
    uint64_t q;
    int have;
    uint8_t b[16];
} ars_cursor;

static uint32_t cursor_bits16(ars_cursor *c, uint64_t j)
{
    const uint64_t q = (j >> 3) & LPK_ARS_QMASK;
    if (!c->have || c->q != q) {
        lpk_ars_sr_block(&c->ks, q, c->b);
        c->q = q;
        c->have = 1;
    }
    return c->b[2 * (j & 7)] | (uint32_t)c->b[2 * (j & 7) + 1] << 8;
}

static void update_ars(void *z, const void *x, const float *h, size_t n, float a, float b,
                       lpk_round mode, uint64_t seed, uint64_t offset, int bits)
{
    const lpk_round m = mode == LPK_ROUND_NEAREST ? LPK_ROUND_NEAREST : LPK_ROUND_STOCHASTIC;
    ars_cursor c;
    c.have = 0;
    c.q = 0;
    if (m == LPK_ROUND_STOCHASTIC)
        lpk_ars_sr_keys(&c.ks, seed);
    for (size_t i = 0; i < n; i++) {
        const float zi = bits == 8 ? (float)((const int8_t *)z)[i] : (float)((const int16_t *)z)[i];
        const float xi = bits == 8 ? (float)((const int8_t *)x)[i] : (float)((const int16_t *)x)[i];
        const float v = fmaf(a, zi, fmaf(b, xi, h[i]));
        const uint32_t r16 = m == LPK_ROUND_STOCHASTIC ? cursor_bits16(&c, offset + i) : 0;
        const int32_t q = lpk_fixed_sat1(lpk_fixed_round1(v, m, r16), bits);
        if (bits == 8)
            ((int8_t *)z)[i] = (int8_t)q;
        else
            ((int16_t *)z)[i] = (int16_t)q;
    }
}

void lpk_fixed_update8_ars__ref(int8_t *z, const int8_t *x, const float *h, size_t n, float a,
                                float b, lpk_round mode, uint64_t seed, uint64_t offset)
{
    update_ars(z, x, h, n, a, b, mode, seed, offset, 8);
}

void lpk_fixed_update16_ars__ref(int16_t *z, const int16_t *x, const float *h, size_t n, float a,
                                 float b, lpk_round mode, uint64_t seed, uint64_t offset)
{
    update_ars(z, x, h, n, a, b, mode, seed, offset, 16);
}
