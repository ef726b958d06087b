/* SPDX-License-Identifier: Apache-2.0 */
#include "updateutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const size_t esz[NB] = {2, 2, 4, 2, 4, 2, 2, 4, 4};
const char *const bname[NB] = {"w", "comp", "master", "grad", "grad32",
                                  "m", "v", "m32", "v32"};
const char *const mode_names[4] = {"nearest", "stochastic", "kahan", "fp32"};

float rand_val(uint64_t *s, int emin, int emax, int sign)
{
    const uint64_t r = tu_rand(s);
    const int e = emin + (int)((r >> 24) % (uint64_t)(emax - emin + 1));
    const uint32_t sb = sign < 0 ? (uint32_t)(r >> 63) : (uint32_t)sign;
    return lpk_bits_f32(sb << 31 | (uint32_t)(e + 127) << 23 | (uint32_t)(r & 0x7FFFFF));
}

static uint32_t sp_bits[128];
static size_t n_sp;

size_t up_n_specials(void)
{
    if (!n_sp)
        n_sp = tu_special_f32_bits(sp_bits, 128);
    return n_sp;
}

/* ---- arenas ------------------------------------------------------------------ */

void arena_alloc(arena *a, size_t n, size_t mis)
{
    a->n = n;
    a->mis = mis;
    for (int b = 0; b < NB; b++)
        a->p[b] = tu_guard_alloc(&a->g[b], n * esz[b], mis * esz[b]);
}

void arena_clone(arena *dst, const arena *src)
{
    dst->n = src->n;
    dst->mis = src->mis;
    for (int b = 0; b < NB; b++)
        dst->p[b] = tu_guard_clone(&dst->g[b], &src->g[b]);
}

void arena_free(arena *a)
{
    for (int b = 0; b < NB; b++)
        tu_guard_free(&a->g[b]);
}

void arena_fill(arena *a, uint64_t seed, unsigned special)
{
    const size_t nsp = up_n_specials();
    uint64_t s = seed;
    lpk_bf16 *w = a->p[W], *comp = a->p[COMP], *g16 = a->p[G16], *m = a->p[M], *v = a->p[V];
    float *master = a->p[MASTER], *g32 = a->p[G32], *m32 = a->p[M32], *v32 = a->p[V32];
    for (size_t i = 0; i < a->n; i++) {
        master[i] = rand_val(&s, -4, 3, -1);
        w[i] = to_bf(master[i]);
        comp[i] = to_bf(rand_val(&s, -14, -9, -1));
        g32[i] = rand_val(&s, -8, 2, -1);
        g16[i] = to_bf(rand_val(&s, -8, 2, -1));
        m32[i] = rand_val(&s, -8, 1, -1);
        m[i] = to_bf(m32[i]);
        v32[i] = rand_val(&s, -16, 3, 0);
        v[i] = to_bf(v32[i]);
        if (special) {
            for (int b = 0; b < NB; b++) {
                const uint64_t r = tu_rand(&s);
                if (r % special)
                    continue;
                const uint32_t u = sp_bits[(r >> 16) % nsp];
                if (esz[b] == 2)
                    ((lpk_bf16 *)a->p[b])[i] = (lpk_bf16)(u >> 16);
                else
                    ((float *)a->p[b])[i] = lpk_bits_f32(u);
            }
        }
    }
}

void arena_fill_specials(arena *a)
{
    static const size_t stride[NB] = {1, 3, 5, 7, 11, 13, 17, 19, 23};
    const size_t nsp = up_n_specials();
    for (int b = 0; b < NB; b++)
        for (size_t i = 0; i < a->n; i++) {
            const uint32_t u = sp_bits[(i * stride[b] + (size_t)b * 7) % nsp];
            if (esz[b] == 2)
                ((lpk_bf16 *)a->p[b])[i] = (lpk_bf16)(u >> 16 | (i & 1)); /* odd payloads too */
            else
                ((float *)a->p[b])[i] = lpk_bits_f32(u);
        }
}

void arena_compare(const arena *x, const arena *ref, const char *what)
{
    for (int b = 0; b < NB; b++) {
        char name[300];
        snprintf(name, sizeof name, "%s: buffer %s", what, bname[b]);
        tu_guard_check(&x->g[b], name, x->n);
        tu_guard_check(&ref->g[b], name, x->n);
        const long d = tu_first_diff(x->p[b], ref->p[b], x->n * esz[b]);
        if (d < 0)
            continue;
        const long e = d / (long)esz[b];
        if (esz[b] == 2)
            fail_msg("%s: %s[%ld] = 0x%04x, ref 0x%04x (n=%zu mis=%zu)", what, bname[b], e,
                     ((lpk_bf16 *)x->p[b])[e], ((lpk_bf16 *)ref->p[b])[e], x->n, x->mis);
        fail_msg("%s: %s[%ld] = 0x%08x, ref 0x%08x (n=%zu mis=%zu)", what, bname[b], e,
                 lpk_f32_bits(((float *)x->p[b])[e]), lpk_f32_bits(((float *)ref->p[b])[e]),
                 x->n, x->mis);
    }
}

/* ---- configurations ------------------------------------------------------- */

lpk_upd_sgd_k sgd_k(int mode, float lr, float mom, float damp, float wd, int nesterov,
                    uint64_t step)
{
    lpk_upd_sgd_k k = {mode, wd != 0.0f, mom != 0.0f, step == 1, nesterov, wd, mom,
                       (float)(1.0 - (double)damp), -lr};
    return k;
}

lpk_upd_adamw_k adamw_k(int mode, float lr, float b1, float b2, float eps, float wd,
                        uint64_t step)
{
    const double bc1 = 1.0 - pow((double)b1, (double)step);
    const double bc2 = 1.0 - pow((double)b2, (double)step);
    lpk_upd_adamw_k k = {mode,
                         wd != 0.0f,
                         b1,
                         b2,
                         (float)(1.0 - (double)b1),
                         (float)(1.0 - (double)b2),
                         eps,
                         (float)(1.0 / sqrt(bc2)),
                         (float)(-(double)lr / bc1),
                         (float)((double)lr * (double)wd)};
    return k;
}

size_t up_mode_configs(int mode, int state_sr, const char *label, config *out)
{
    size_t k = 0;
    for (int mc = 0; mc < 3; mc++)
        for (int wd = 0; wd < 2; wd++)
            for (int first = 0; first < (mc ? 2 : 1); first++) {
                const float lr = (k & 1) ? 1.75f : 0.03f;
                const float mom = mc ? 0.9f : 0.0f, damp = mc == 1 ? 0.25f : 0.0f;
                out[k].adamw = 0;
                out[k].sgd = sgd_k(mode, lr, mom, damp, wd ? 0.0125f : 0.0f, mc == 2,
                                   first ? 1 : 5);
                out[k].sgd.state_sr = state_sr;
                snprintf(out[k].name, sizeof out[k].name,
                         "sgd %s mom=%g damp=%g nest=%d wd=%d first=%d", label, (double)mom,
                         (double)damp, mc == 2, wd, first);
                k++;
            }
    for (int wd = 0; wd < 2; wd++)
        for (int st = 0; st < 2; st++) {
            out[k].adamw = 1;
            out[k].adam = adamw_k(mode, st ? 0.5f : 1e-3f, 0.9f, 0.999f, 1e-8f,
                                  wd ? 0.01f : 0.0f, st ? 7 : 1);
            out[k].adam.state_sr = state_sr;
            snprintf(out[k].name, sizeof out[k].name, "adamw %s wd=%d step=%d", label, wd,
                     st ? 7 : 1);
            k++;
        }
    assert_int_equal(k, UP_NCONFIGS);
    return k;
}

lpk_upd_bufs bufs_of(const arena *a, int adamw, int mode, int grad32, int momentum_on,
                     uint64_t seed, uint64_t offset)
{
    lpk_upd_bufs b;
    memset(&b, 0, sizeof b);
    b.n = a->n;
    b.seed = seed;
    b.offset = offset;
    b.w = a->p[W];
    if (grad32)
        b.g32 = a->p[G32];
    else
        b.g16 = a->p[G16];
    if (mode == LPK_UPDATE_KAHAN || mode == LPK_UPDATE_F32_KAHAN)
        b.comp = a->p[COMP];
    const int state = adamw || momentum_on;
    if (mode == LPK_UPDATE_FP32) {
        b.master = a->p[MASTER];
        if (state)
            b.m32 = a->p[M32];
        if (adamw)
            b.v32 = a->p[V32];
    } else {
        if (state)
            b.m = a->p[M];
        if (adamw)
            b.v = a->p[V];
    }
    return b;
}

void run_kernel(const lpk_variant *v, const config *c, const lpk_upd_bufs *b)
{
    if (c->adamw)
        LPK_FN(lpk_op_update_adamw, v)(b, &c->adam);
    else
        LPK_FN(lpk_op_update_sgd, v)(b, &c->sgd);
}

void up_compare_on(const lpk_variant *v, const lpk_variant *ref, const config *c,
                   const arena *a, int grad32, uint64_t seed, uint64_t offset)
{
    arena x, r;
    arena_clone(&x, a);
    arena_clone(&r, a);
    const int mom = !c->adamw && c->sgd.momentum_on;
    const int mode = c->adamw ? c->adam.mode : c->sgd.mode;
    const lpk_upd_bufs bx = bufs_of(&x, c->adamw, mode, grad32, mom, seed, offset);
    const lpk_upd_bufs br = bufs_of(&r, c->adamw, mode, grad32, mom, seed, offset);
    run_kernel(v, c, &bx);
    run_kernel(ref, c, &br);
    char what[256];
    snprintf(what, sizeof what, "%s [%s grad%s seed=%llu offset=%llu]", v->name, c->name,
             grad32 ? "32" : "16", (unsigned long long)seed, (unsigned long long)offset);
    arena_compare(&x, &r, what);
    arena_free(&x);
    arena_free(&r);
}
