/* SPDX-License-Identifier: Apache-2.0 */
/* Scalar reference of the optimizer-update family: the specification that
   every variant matches bit for bit.  The per-op definitions are documented
   in lpk.h ("Optimizer updates over bf16 weights").

   Notation: every helper below is one step of the "16-bit FPU" model.
     wid(h)  a bf16 widened to fp32 (exact)
     bf(x)   an fp32 result rounded to bf16 nearest-even and widened back
     rne(x)  the same, as the bf16 pattern to store
   An expression like bf(a * b) is one op: the fp32 product of its operands,
   rounded once.  The fp32 modes (FP32 and F32_*) round only at the stores.  NaN results of every rounding are the canonical quiet NaN
   (LPK_UPD_QNAN16 / LPK_UPD_QNAN32).  The library is compiled with
   -ffp-contract=off, so a * b + c below is two roundings, never an FMA. */
#include <math.h>

#include "update.h"
#include "../common/bf16.h"
#include "../common/ars.h"
#include "../common/philox.h"

static inline float wid(lpk_bf16 h) { return lpk_bits_f32((uint32_t)h << 16); }

static inline lpk_bf16 rne(float x)
{
    return isnan(x) ? (lpk_bf16)LPK_UPD_QNAN16 : lpk_bf16_rne(lpk_f32_bits(x));
}

static inline float bf(float x) { return wid(rne(x)); }

/* Stochastic rounding of x with the 16 random bits r16 (as lpk_f32_to_bf16). */
static inline lpk_bf16 sr(float x, uint32_t r16)
{
    return isnan(x) ? (lpk_bf16)LPK_UPD_QNAN16 : lpk_bf16_sr(lpk_f32_bits(x), r16);
}

/* The 16 random bits of element offset + i of the stream seed ^ xor: ARS-7
   (ars != 0, lpk.h LPK_UPDATE_RNG_ARS) or Philox4x32-10, each with the
   layout of lpk_f32_to_bf16. */
static uint32_t rbits(const lpk_upd_bufs *b, int ars, uint64_t xor, size_t i)
{
    if (!ars)
        return lpk_sr_bits16(b->seed ^ xor, b->offset + i);
    lpk_ars_keys ks;
    lpk_ars_sr_keys(&ks, b->seed ^ xor);
    return lpk_ars_bits16(&ks, b->offset + i);
}

/* An fp32 value to store: NaN becomes the canonical quiet NaN. */
static inline float canon(float x) { return isnan(x) ? lpk_bits_f32(LPK_UPD_QNAN32) : x; }

static inline float grad(const lpk_upd_bufs *b, size_t i)
{
    return b->g16 ? wid(b->g16[i]) : b->g32[i];
}

/* The final weight write of the 16-bit modes, with the bf16 increment u. */
static void write_weight(const lpk_upd_bufs *b, int mode, int ars, size_t i, float u)
{
    const float w = wid(b->w[i]);
    switch (mode) {
    case LPK_UPDATE_NEAREST:
        b->w[i] = rne(w + u);
        break;
    case LPK_UPDATE_STOCHASTIC:
        b->w[i] = sr(w + u, rbits(b, ars, 0, i));
        break;
    case LPK_UPDATE_KAHAN: {
        const float c = wid(b->comp[i]);
        const float y = bf(u - c);
        const float s = bf(w + y);
        b->comp[i] = rne(bf(s - w) - y);
        b->w[i] = rne(s);
        break;
    }
    default:
        break;
    }
}

/* ---- the fp32-arithmetic modes (LPK_UPDATE_F32_*) ----------------------- */

/* A state value stored once: rne, or SR with the stream seed ^ xor. */
static lpk_bf16 store_state(const lpk_upd_bufs *b, int state_sr, int ars, uint64_t xor, size_t i,
                            float x)
{
    return state_sr ? sr(x, rbits(b, ars, xor, i)) : rne(x);
}

/* The weight write of the fp32-arithmetic modes: W = wid(w), u the fp32
   increment; one rounding per stored value. */
static void write_weight_f32(const lpk_upd_bufs *b, int mode, int ars, size_t i, float W,
                             float u)
{
    switch (mode) {
    case LPK_UPDATE_F32_NEAREST:
        b->w[i] = rne(W + u);
        break;
    case LPK_UPDATE_F32_STOCHASTIC:
        b->w[i] = sr(W + u, rbits(b, ars, 0, i));
        break;
    case LPK_UPDATE_F32_KAHAN: {
        const float y = u - wid(b->comp[i]);
        const float s = W + y;
        const lpk_bf16 nw = rne(s);
        b->comp[i] = rne((wid(nw) - W) - y);
        b->w[i] = nw;
        break;
    }
    default:
        break;
    }
}

/* The fp32 expressions of LPK_UPDATE_FP32, shared by the F32_* modes: from
   the weight w, the gradient g and the old state (read only where the step
   reads it), the new state and the increment u (the new weight is w + u). */
static float sgd_fp32(const lpk_upd_sgd_k *k, float w, float g, float m_old, float *buf)
{
    if (k->decay)
        g = g + k->wd * w;
    float d = g;
    if (k->momentum_on) {
        *buf = k->first ? g : k->mom * m_old + k->one_minus_damp * g;
        d = k->nesterov ? g + k->mom * *buf : *buf;
    }
    return k->neg_lr * d;
}

static float adamw_fp32(const lpk_upd_adamw_k *k, float w, float g, float m_old, float v_old,
                        float *m, float *v)
{
    const float dec = k->lr_weight_decay * w;
    *m = k->b1 * m_old + k->one_minus_beta1 * g;
    *v = k->b2 * v_old + k->one_minus_beta2 * (g * g);
    const float dn = sqrtf(*v) * k->inv_sqrt_bc2 + k->eps;
    const float st = k->neg_step_size * (*m / dn);
    return k->decay ? st - dec : st;
}

/* ---- the kernels ----------------------------------------------------------- */

void lpk_update_sgd__ref(const lpk_upd_bufs *b, const lpk_upd_sgd_k *k)
{
    const int reads_m = k->momentum_on && !k->first;
    for (size_t i = 0; i < b->n; i++) {
        float buf = 0;
        if (LPK_UPD_IS_F32(k->mode)) {
            const float w = wid(b->w[i]);
            const float u = sgd_fp32(k, w, grad(b, i), reads_m ? wid(b->m[i]) : 0, &buf);
            if (k->momentum_on)
                b->m[i] = store_state(b, k->state_sr, k->rng_ars, LPK_UPD_SEED_M, i, buf);
            write_weight_f32(b, k->mode, k->rng_ars, i, w, u);
            continue;
        }
        if (k->mode == LPK_UPDATE_FP32) {
            const float w = b->master[i];
            const float nw = w + sgd_fp32(k, w, grad(b, i), reads_m ? b->m32[i] : 0, &buf);
            if (k->momentum_on)
                b->m32[i] = canon(buf);
            b->master[i] = canon(nw);
            b->w[i] = rne(nw);
            continue;
        }
        const float w = wid(b->w[i]);
        float g = grad(b, i);
        if (k->decay)
            g = bf(g + bf(k->wd * w));
        float d = g;
        if (k->momentum_on) {
            const float buf =
                k->first ? bf(g) : bf(bf(k->mom * wid(b->m[i])) + bf(k->one_minus_damp * g));
            b->m[i] = rne(buf);
            d = k->nesterov ? bf(g + bf(k->mom * buf)) : buf;
        }
        write_weight(b, k->mode, k->rng_ars, i, bf(k->neg_lr * d));
    }
}

void lpk_update_adamw__ref(const lpk_upd_bufs *b, const lpk_upd_adamw_k *k)
{
    for (size_t i = 0; i < b->n; i++) {
        const float g = grad(b, i);
        if (LPK_UPD_IS_F32(k->mode)) {
            float m, v;
            const float w = wid(b->w[i]);
            const float u = adamw_fp32(k, w, g, wid(b->m[i]), wid(b->v[i]), &m, &v);
            b->m[i] = store_state(b, k->state_sr, k->rng_ars, LPK_UPD_SEED_M, i, m);
            b->v[i] = store_state(b, k->state_sr, k->rng_ars, LPK_UPD_SEED_V, i, v);
            write_weight_f32(b, k->mode, k->rng_ars, i, w, u);
            continue;
        }
        if (k->mode == LPK_UPDATE_FP32) {
            float m, v;
            const float w = b->master[i];
            const float nw = w + adamw_fp32(k, w, g, b->m32[i], b->v32[i], &m, &v);
            b->m32[i] = canon(m);
            b->v32[i] = canon(v);
            b->master[i] = canon(nw);
            b->w[i] = rne(nw);
            continue;
        }
        const float w = wid(b->w[i]);
        const float dec = bf(k->lr_weight_decay * w);
        const float m = bf(bf(k->b1 * wid(b->m[i])) + bf(k->one_minus_beta1 * g));
        const float v = bf(bf(k->b2 * wid(b->v[i])) + bf(k->one_minus_beta2 * bf(g * g)));
        const float dn = bf(bf(bf(sqrtf(v)) * k->inv_sqrt_bc2) + k->eps);
        const float st = bf(k->neg_step_size * bf(m / dn));
        const float u = k->decay ? bf(st - dec) : st;
        b->m[i] = rne(m);
        b->v[i] = rne(v);
        write_weight(b, k->mode, k->rng_ars, i, u);
    }
}

void lpk_update_kahan_split__ref(const float *w32, lpk_bf16 *w, lpk_bf16 *comp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const lpk_bf16 h = rne(w32[i]);
        w[i] = h;
        comp[i] = rne(wid(h) - w32[i]);
    }
}

void lpk_update_kahan_merge__ref(const lpk_bf16 *w, const lpk_bf16 *comp, float *w32, size_t n)
{
    for (size_t i = 0; i < n; i++)
        w32[i] = canon(wid(w[i]) - wid(comp[i]));
}
