/* Optimizer-update family: the reference against hand-computed values, every
   runnable variant bit-exact against the reference (every mode, both
   gradient types, SGD momentum / dampening / nesterov / weight decay / first
   step, AdamW with and without decay, n = 0..130, misaligned pointers, guard
   zones on every buffer, dense special values, 1e5 elements), determinism
   across thread counts and split calls, the numerical effects the modes
   exist for (SR tracks the fp32 result in the mean where nearest stalls;
   Kahan tracks the exact sum), the split/merge round trip, and bad input. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "common/bf16.h"
#include "update/update.h"

#define GUARD 64 /* elements of sentinel on each side of every buffer */

static float wid(lpk_bf16 h) { return lpk_bits_f32((uint32_t)h << 16); }
static lpk_bf16 to_bf(float x) { return lpk_bf16_rne(lpk_f32_bits(x)); }

/* ---- a set of the nine buffers, each with guard zones ------------------- */

enum { W, COMP, MASTER, G16, G32, M, V, M32, V32, NB };
static const size_t esz[NB] = {2, 2, 4, 2, 4, 2, 2, 4, 4};
static const char *const bname[NB] = {"w", "comp", "master", "grad", "grad32",
                                      "m", "v", "m32", "v32"};

typedef struct {
    size_t n, mis;
    unsigned char *base[NB];
    void *p[NB]; /* data: base + (GUARD + mis) elements */
} arena;

static size_t arena_bytes(const arena *a, int b) { return (a->n + 2 * GUARD + 8) * esz[b]; }

static void arena_alloc(arena *a, size_t n, size_t mis)
{
    a->n = n;
    a->mis = mis;
    for (int b = 0; b < NB; b++) {
        a->base[b] = malloc(arena_bytes(a, b));
        assert_non_null(a->base[b]);
        memset(a->base[b], 0xA5, arena_bytes(a, b));
        a->p[b] = a->base[b] + (GUARD + mis) * esz[b];
    }
}

static void arena_clone(arena *dst, const arena *src)
{
    arena_alloc(dst, src->n, src->mis);
    for (int b = 0; b < NB; b++)
        memcpy(dst->base[b], src->base[b], arena_bytes(src, b));
}

static void arena_free(arena *a)
{
    for (int b = 0; b < NB; b++)
        free(a->base[b]);
}

/* A random float: sign (0, 1, or -1 for random), exponent in [emin, emax],
   random 23-bit mantissa. */
static float rand_val(uint64_t *s, int emin, int emax, int sign)
{
    const uint64_t r = tu_rand(s);
    const int e = emin + (int)((r >> 24) % (uint64_t)(emax - emin + 1));
    const uint32_t sb = sign < 0 ? (uint32_t)(r >> 63) : (uint32_t)sign;
    return lpk_bits_f32(sb << 31 | (uint32_t)(e + 127) << 23 | (uint32_t)(r & 0x7FFFFF));
}

static uint32_t sp_bits[128];
static size_t n_sp;

/* Fills every buffer: realistic magnitudes per role, and with probability
   1/special (0: never) a special pattern instead. */
static void arena_fill(arena *a, uint64_t seed, unsigned special)
{
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
                const uint32_t u = sp_bits[(r >> 16) % n_sp];
                if (esz[b] == 2)
                    ((lpk_bf16 *)a->p[b])[i] = (lpk_bf16)(u >> 16);
                else
                    ((float *)a->p[b])[i] = lpk_bits_f32(u);
            }
        }
    }
}

/* Dense specials: buffer b at element i takes special (i * stride_b + b) so
   that every pair of classes meets across the buffers. */
static void arena_fill_specials(arena *a)
{
    static const size_t stride[NB] = {1, 3, 5, 7, 11, 13, 17, 19, 23};
    for (int b = 0; b < NB; b++)
        for (size_t i = 0; i < a->n; i++) {
            const uint32_t u = sp_bits[(i * stride[b] + (size_t)b * 7) % n_sp];
            if (esz[b] == 2)
                ((lpk_bf16 *)a->p[b])[i] = (lpk_bf16)(u >> 16 | (i & 1)); /* odd payloads too */
            else
                ((float *)a->p[b])[i] = lpk_bits_f32(u);
        }
}

/* The chunk a kernel sees: the buffers the mode uses (NULL otherwise). */
static lpk_upd_bufs bufs_of(const arena *a, int adamw, int mode, int grad32, int momentum_on,
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
    if (mode == LPK_UPDATE_KAHAN)
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

/* First byte where two arenas differ: fails naming buffer and element, or
   a write into a guard zone. */
static void arena_compare(const arena *x, const arena *ref, const char *what)
{
    for (int b = 0; b < NB; b++) {
        const long d = tu_first_diff(x->base[b], ref->base[b], arena_bytes(x, b));
        if (d < 0)
            continue;
        const long e = d / (long)esz[b] - (long)(GUARD + x->mis);
        if (e < 0 || e >= (long)x->n)
            fail_msg("%s: wrote outside buffer %s (element %ld, n=%zu)", what, bname[b], e, x->n);
        if (esz[b] == 2)
            fail_msg("%s: %s[%ld] = 0x%04x, ref 0x%04x (n=%zu mis=%zu)", what, bname[b], e,
                     ((lpk_bf16 *)x->p[b])[e], ((lpk_bf16 *)ref->p[b])[e], x->n, x->mis);
        fail_msg("%s: %s[%ld] = 0x%08x, ref 0x%08x (n=%zu mis=%zu)", what, bname[b], e,
                 lpk_f32_bits(((float *)x->p[b])[e]), lpk_f32_bits(((float *)ref->p[b])[e]),
                 x->n, x->mis);
    }
}

/* ---- configurations ------------------------------------------------------- */

typedef struct {
    int adamw;
    lpk_upd_sgd_k sgd;
    lpk_upd_adamw_k adam;
    char name[96];
} config;

static const char *const mode_names[4] = {"nearest", "stochastic", "kahan", "fp32"};

/* SGD constants as lpk_sgd_step computes them. */
static lpk_upd_sgd_k sgd_k(int mode, float lr, float mom, float damp, float wd, int nesterov,
                           uint64_t step)
{
    lpk_upd_sgd_k k = {mode, wd != 0.0f, mom != 0.0f, step == 1, nesterov, wd, mom,
                       (float)(1.0 - (double)damp), -lr};
    return k;
}

/* AdamW constants as lpk_adamw_step computes them (and lpk.h documents). */
static lpk_upd_adamw_k adamw_k(int mode, float lr, float b1, float b2, float eps, float wd,
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

/* All configurations of one mode: SGD momentum off / momentum + dampening /
   nesterov, weight decay 0 or not, first step or later; AdamW decay 0 or
   not, step 1 or 7.  lr alternates between a small and a large value so
   that both tiny and large increments occur. */
static size_t make_configs(int mode, config *out)
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
                snprintf(out[k].name, sizeof out[k].name, "sgd %s mom=%g damp=%g nest=%d wd=%d first=%d",
                         mode_names[mode], (double)mom, (double)damp, mc == 2, wd, first);
                k++;
            }
    for (int wd = 0; wd < 2; wd++)
        for (int st = 0; st < 2; st++) {
            out[k].adamw = 1;
            out[k].adam = adamw_k(mode, st ? 0.5f : 1e-3f, 0.9f, 0.999f, 1e-8f, wd ? 0.01f : 0.0f,
                                  st ? 7 : 1);
            snprintf(out[k].name, sizeof out[k].name, "adamw %s wd=%d step=%d", mode_names[mode],
                     wd, st ? 7 : 1);
            k++;
        }
    return k;
}

static void run_kernel(const lpk_variant *v, const config *c, const lpk_upd_bufs *b)
{
    if (c->adamw)
        LPK_FN(lpk_op_update_adamw, v)(b, &c->adam);
    else
        LPK_FN(lpk_op_update_sgd, v)(b, &c->sgd);
}

static const lpk_variant *ref_of(const lpk_op *op)
{
    const lpk_variant *r = &op->variants[op->count - 1];
    assert_int_equal(r->tier, LPK_TIER_SCALAR);
    return r;
}

/* Runs variant v and the reference on identical copies of `a` and compares
   every buffer, guards included. */
static void compare_on(const lpk_variant *v, const lpk_variant *ref, const config *c,
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

static const uint64_t offsets[] = {0, 1, 3, 5, 7, 8, 9, 63, 64, 1000003,
                                   (1ull << 35) - 13, 0xFFFFFFFFFFFFFFC5ull};
#define NOFF (sizeof offsets / sizeof offsets[0])

static void check_step_variant(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const int adamw = op == &lpk_op_update_adamw.op;
    const lpk_variant *ref = ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    size_t runs = 0;
    for (int mode = 0; mode < 4; mode++) {
        config cfg[16];
        const size_t nc = make_configs(mode, cfg);
        for (size_t ci = 0; ci < nc; ci++) {
            if (cfg[ci].adamw != adamw)
                continue;
            for (int g32 = 0; g32 < 2; g32++) {
                for (size_t n = 0; n <= 130; n++) {
                    arena a;
                    arena_alloc(&a, n, (n + ci + (size_t)g32) % 4);
                    arena_fill(&a, 1000 * n + 17 * ci + (uint64_t)g32, 16);
                    compare_on(v, ref, &cfg[ci], &a, g32, 0x5EED0000ull + n,
                               offsets[(n + ci) % NOFF]);
                    arena_free(&a);
                    runs++;
                }
                /* dense specials in every buffer at every vector position */
                arena a;
                arena_alloc(&a, 4 * n_sp + 3, (size_t)g32 + 1);
                arena_fill_specials(&a);
                compare_on(v, ref, &cfg[ci], &a, g32, 77, offsets[ci % NOFF]);
                arena_free(&a);
                runs++;
            }
        }
        /* 1e5 elements, one rich configuration per mode and gradient type */
        for (int g32 = 0; g32 < 2; g32++) {
            const size_t ci = adamw ? nc - 1 : 8; /* adamw wd step 7 / nesterov wd later */
            arena a;
            arena_alloc(&a, 100000, 1 + (size_t)g32);
            arena_fill(&a, 99 + (uint64_t)g32, 64);
            compare_on(v, ref, &cfg[ci], &a, g32, 0xC0FFEE, 12345 + (uint64_t)g32);
            arena_free(&a);
            runs++;
        }
        /* long runs across the counter's carries: the block index crossing
           2^32 inside a vector loop step, the element index wrapping */
        static const uint64_t far[] = {(1ull << 35) - 1501, 0xFFFFFFFFFFFFFFFFull - 1000};
        for (size_t f = 0; f < 2; f++) {
            const size_t ci = adamw ? nc - 1 : 0;
            arena a;
            arena_alloc(&a, 3001, f + 1);
            arena_fill(&a, 7 + f, 64);
            compare_on(v, ref, &cfg[ci], &a, (int)f, 0xFACE, far[f]);
            arena_free(&a);
            runs++;
        }
    }
    printf("        %zu comparisons\n", runs);
}

/* Kahan split / merge variants: tails, misalignment, specials, 1e5. */
static void kahan_once(const lpk_variant *v, const lpk_variant *ref, int split, const arena *a)
{
    arena x, r;
    arena_clone(&x, a);
    arena_clone(&r, a);
    if (split) {
        LPK_FN(lpk_op_update_kahan_split, v)(x.p[MASTER], x.p[W], x.p[COMP], a->n);
        LPK_FN(lpk_op_update_kahan_split, ref)(r.p[MASTER], r.p[W], r.p[COMP], a->n);
    } else {
        LPK_FN(lpk_op_update_kahan_merge, v)(x.p[W], x.p[COMP], x.p[MASTER], a->n);
        LPK_FN(lpk_op_update_kahan_merge, ref)(r.p[W], r.p[COMP], r.p[MASTER], a->n);
    }
    arena_compare(&x, &r, v->name);
    arena_free(&x);
    arena_free(&r);
}

static void check_kahan_variant(const lpk_variant *v, void *ctx)
{
    const lpk_op *op = ctx;
    const int split = op == &lpk_op_update_kahan_split.op;
    const lpk_variant *ref = ref_of(op);
    printf("RUN     %s [%s]\n", v->name, op->name);
    arena a;
    for (size_t n = 0; n <= 130; n++) {
        arena_alloc(&a, n, n % 4);
        arena_fill(&a, 31 * n, 16);
        kahan_once(v, ref, split, &a);
        arena_free(&a);
    }
    arena_alloc(&a, 4 * n_sp + 3, 1);
    arena_fill_specials(&a);
    kahan_once(v, ref, split, &a);
    arena_free(&a);
    arena_alloc(&a, 100000, 3);
    arena_fill(&a, 5, 64);
    kahan_once(v, ref, split, &a);
    arena_free(&a);
}

static void each_variant(const lpk_op *op, tu_variant_fn fn)
{
    const int ran = tu_each_variant(op, fn, (void *)op);
    printf("%s: %d variant(s) checked against %s\n", op->name, ran, ref_of(op)->name);
    assert_true(ran >= 1);
}

static void test_variants_sgd(void **state) { each_variant(&lpk_op_update_sgd.op, check_step_variant); }
static void test_variants_adamw(void **state) { each_variant(&lpk_op_update_adamw.op, check_step_variant); }
static void test_variants_split(void **state)
{
    each_variant(&lpk_op_update_kahan_split.op, check_kahan_variant);
}
static void test_variants_merge(void **state)
{
    each_variant(&lpk_op_update_kahan_merge.op, check_kahan_variant);
}

/* ---- the reference against values computed by hand ------------------------ */

static void test_ref_known_values(void **state)
{
    /* SGD nearest, no momentum: w = 1, g = 0.5, lr = 0.25 -> u = -0.125,
       w = 0.875 (exact). */
    {
        lpk_bf16 w = to_bf(1.0f), g = to_bf(0.5f);
        lpk_sgd_params p = {0.25f, 0, 0, 0, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .grad = &g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 0.875f);
    }
    /* An increment below half an ulp is lost in nearest mode (1 + 2^-9 ->
       1) but kept by Kahan in the compensation: c = -2^-9 exactly. */
    {
        lpk_bf16 w = to_bf(1.0f), c = 0, g = to_bf(-0x1p-9f);
        lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .comp = &c, .grad = &g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 1.0f);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_KAHAN, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 1.0f);
        assert_true(wid(c) == -0x1p-9f);
        /* after 4 such steps y = 2^-9 - c = 2^-7 (one ulp): w moves, c is 0 */
        for (int i = 0; i < 3; i++)
            assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_KAHAN, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == 1.0f + 0x1p-7f);
        assert_true(wid(c) == 0.0f);
    }
    /* Momentum: step 1 stores b = g; step 2 b = 0.5*b + 0.75*g (dampening
       0.25), w -= lr*b.  w = 4, g = 1, lr = 0.5, momentum 0.5:
       step 1: b = 1, w = 3.5; step 2: b = 0.5 + 0.75 = 1.25, w = 2.875. */
    {
        lpk_bf16 w = to_bf(4.0f), m = 0xFFFF, g = to_bf(1.0f);
        lpk_sgd_params p = {0.5f, 0.5f, 0.25f, 0, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .grad = &g, .m = &m};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(m) == 1.0f && wid(w) == 3.5f);
        p.step = 2;
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(m) == 1.25f && wid(w) == 2.875f);
        /* nesterov, weight decay 0.25 on w = 2: g' = 1 + 0.5 = 1.5,
           b = 0.5*1.25 + 1.5 = 2.125, d = 1.5 + 0.5*2.125 = 2.5625,
           u = -0.5*2.5625 = -1.28125, w = 0.71875 */
        w = to_bf(2.0f);
        lpk_sgd_params q = {0.5f, 0.5f, 0.0f, 0.25f, 1, 3};
        assert_int_equal(lpk_sgd_step(&q, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(m) == 2.125f);
        assert_true(wid(w) == 0.71875f);
    }
    /* bf16 rounding of intermediate ops: 1 + 2^-8 + 2^-9 is not a bf16, so
       the gradient with weight decay rounds: g = [1 + [2^-8... ]].
       g = 1, wd = 3*2^-9, w = 1 -> [wd*w] = 3*2^-9, [1 + 3*2^-9] = 1 + 2^-7
       (above the halfway point 1 + 2^-8) with lr = 1: w = 1 - (1 + 2^-7)
       = -2^-7. */
    {
        lpk_bf16 w = to_bf(1.0f), g = to_bf(1.0f);
        lpk_sgd_params p = {1.0f, 0, 0, 3 * 0x1p-9f, 0, 1};
        lpk_opt_tensor t = {.n = 1, .w = &w, .grad = &g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        assert_true(wid(w) == -0x1p-7f);
    }
    /* AdamW step 1 from zero state: m = (1-b1) g, v = (1-b2) g^2, the
       bias-corrected step is lr * g / (|g| + eps) ~ lr * sign(g).
       FP32 mode against double; nearest within the bf16 rounding of ~8 ops. */
    {
        const float gs[4] = {0.3f, -2.0f, 1e-3f, -7.5f};
        for (int k = 0; k < 4; k++) {
            float master = 1.5f, m32 = 0, v32 = 0, g32 = gs[k];
            lpk_bf16 w = 0, m = 0, v = 0;
            lpk_adamw_params p = {0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 1};
            lpk_opt_tensor t = {.n = 1, .w = &w, .master = &master, .grad32 = &g32,
                                .m32 = &m32, .v32 = &v32};
            assert_int_equal(lpk_adamw_step(&p, LPK_UPDATE_FP32, &t, 0, 0), LPK_OK);
            const double g = gs[k];
            const double want = 1.5 - 0.01 * 0.1 * 1.5 - 0.01 * g / (fabs(g) + 1e-8);
            assert_true(fabs(master - want) < 1e-6);
            assert_int_equal(w, to_bf(master));
            assert_true(fabs(m32 - 0.1 * g) < 1e-6 * fabs(g));
            assert_true(fabs(v32 - 0.001 * g * g) < 1e-5 * g * g);
            t = (lpk_opt_tensor){.n = 1, .w = &w, .grad32 = &g32, .m = &m, .v = &v};
            w = to_bf(1.5f);
            assert_int_equal(lpk_adamw_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
            assert_true(fabs(wid(w) - want) <= 0x1p-7 * 1.5); /* w moves by less than an ulp */
            assert_true(fabs(wid(m) - 0.1 * g) <= 0x1p-7 * fabs(0.1 * g));
        }
    }
    /* NaN results are the canonical quiet NaN whatever the operands' NaNs;
       Inf - Inf too. */
    {
        lpk_bf16 w[3] = {0xFFC5, to_bf(1.0f), 0x7F80};
        lpk_bf16 g[3] = {0x7F81, 0xFFC3, 0x7F80};
        lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1}; /* Inf + (-Inf) in the last */
        lpk_opt_tensor t = {.n = 3, .w = w, .grad = g};
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &t, 0, 0), LPK_OK);
        for (int i = 0; i < 3; i++)
            assert_int_equal(w[i], LPK_UPD_QNAN16);
    }
}

/* ---- through the public API: threads, splits, constants ------------------- */

/* A public call on tensor `a` equals the reference kernel run with the
   constants lpk.h documents; 1 and 2 threads and two split calls agree. */
static void test_threads_and_splits(void **state)
{
    /* large enough for two threads (lpk_threads_for: >= 2 MiB moved) and
       for the prefetching path of the SIMD loops */
    const size_t n = (1u << 20) + 37;
    arena a;
    arena_alloc(&a, n, 1);
    arena_fill(&a, 4242, 32);
    for (int mode = 0; mode < 4; mode++)
        for (int adamw = 0; adamw < 2; adamw++) {
            const int g32 = (mode + adamw) & 1;
            arena r, x;
            arena_clone(&r, &a);
            lpk_sgd_params sp = {0.125f, 0.9f, 0.0f, 1e-2f, 1, 3};
            lpk_adamw_params ap = {1e-2f, 0.9f, 0.95f, 1e-6f, 0.05f, 4};
            config c;
            c.adamw = adamw;
            c.sgd = sgd_k(mode, sp.lr, sp.momentum, sp.dampening, sp.weight_decay, sp.nesterov,
                          sp.step);
            c.adam = adamw_k(mode, ap.lr, ap.beta1, ap.beta2, ap.eps, ap.weight_decay, ap.step);
            snprintf(c.name, sizeof c.name, "public %s %s", adamw ? "adamw" : "sgd",
                     mode_names[mode]);
            const lpk_upd_bufs br = bufs_of(&r, adamw, mode, g32, 1, 99, 7);
            run_kernel(ref_of(adamw ? &lpk_op_update_adamw.op : &lpk_op_update_sgd.op), &c, &br);
            for (int way = 0; way < 3; way++) {
                arena_clone(&x, &a);
                const lpk_upd_bufs b = bufs_of(&x, adamw, mode, g32, 1, 99, 7);
                lpk_opt_tensor t = {b.n, b.w, b.comp, b.master, b.g16, b.g32,
                                    b.m, b.v, b.m32, b.v32};
                assert_int_equal(lpk_set_num_threads(way == 1 ? 2 : 1), LPK_OK);
                if (way < 2) {
                    const lpk_status st = adamw ? lpk_adamw_step(&ap, mode, &t, 99, 7)
                                                : lpk_sgd_step(&sp, mode, &t, 99, 7);
                    assert_int_equal(st, LPK_OK);
                } else { /* two calls on uneven pieces, each with its offset */
                    const size_t h = n / 2 + 5;
                    for (int piece = 0; piece < 2; piece++) {
                        const size_t lo = piece ? h : 0;
                        lpk_opt_tensor u = t;
                        u.n = piece ? n - h : h;
#define ADV(f) u.f = t.f ? t.f + lo : NULL
                        ADV(w); ADV(comp); ADV(master); ADV(grad); ADV(grad32);
                        ADV(m); ADV(v); ADV(m32); ADV(v32);
#undef ADV
                        const lpk_status st = adamw ? lpk_adamw_step(&ap, mode, &u, 99, 7 + lo)
                                                    : lpk_sgd_step(&sp, mode, &u, 99, 7 + lo);
                        assert_int_equal(st, LPK_OK);
                    }
                }
                char what[160];
                snprintf(what, sizeof what, "%s, %s", c.name,
                         way == 0 ? "1 thread" : way == 1 ? "2 threads" : "split calls");
                arena_compare(&x, &r, what);
                arena_free(&x);
            }
            arena_free(&r);
        }
    /* split / merge: threads agree with the reference */
    for (int th = 1; th <= 2; th++) {
        arena x, r;
        arena_clone(&x, &a);
        arena_clone(&r, &a);
        assert_int_equal(lpk_set_num_threads(th), LPK_OK);
        assert_int_equal(lpk_kahan_split(x.p[MASTER], x.p[W], x.p[COMP], n), LPK_OK);
        lpk_update_kahan_split__ref(r.p[MASTER], r.p[W], r.p[COMP], n);
        assert_int_equal(lpk_kahan_merge(x.p[W], x.p[COMP], x.p[M32], n), LPK_OK);
        lpk_update_kahan_merge__ref(r.p[W], r.p[COMP], r.p[M32], n);
        arena_compare(&x, &r, th == 1 ? "split/merge 1 thread" : "split/merge 2 threads");
        arena_free(&x);
        arena_free(&r);
    }
    assert_int_equal(lpk_set_num_threads(0), LPK_OK);
    arena_free(&a);
}

/* ---- the effects the modes exist for --------------------------------------- */

static double bfv(lpk_bf16 h) { return (double)wid(h); }

/* SGD with lr = 1 and a constant bf16 gradient -2^-13 on weights 1.0:
   u = 2^-13 = 1/64 of an ulp (2^-7).  After K = 1024 steps fp32 gives
   exactly 1.125; nearest stalls at 1 (every sum rounds back); stochastic
   rounding is unbiased, so the mean over N elements is 1.125 within 6
   standard errors (per element the count of up-steps is Binomial(K, 1/64),
   sd = 2^-7 sqrt(K p (1-p))). */
static void test_sr_tracks_fp32(void **state)
{
    const size_t n = 4096;
    const int K = 1024;
    lpk_bf16 *w = malloc(n * 2), *wn = malloc(n * 2), *g = malloc(n * 2);
    float *master = malloc(n * 4);
    for (size_t i = 0; i < n; i++) {
        w[i] = wn[i] = to_bf(1.0f);
        g[i] = to_bf(-0x1p-13f);
        master[i] = 1.0f;
    }
    lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1};
    lpk_opt_tensor ts = {.n = n, .w = w, .grad = g};
    lpk_opt_tensor tn = {.n = n, .w = wn, .grad = g};
    lpk_bf16 *wf = malloc(n * 2);
    lpk_opt_tensor tf = {.n = n, .w = wf, .master = master, .grad = g};
    for (int s = 1; s <= K; s++) {
        p.step = (uint64_t)s;
        /* a fresh stream per step: offset advances by n */
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_STOCHASTIC, &ts, 2024, (uint64_t)s * n), LPK_OK);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &tn, 0, 0), LPK_OK);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_FP32, &tf, 0, 0), LPK_OK);
    }
    double sum = 0;
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        sum += bfv(w[i]);
        distinct += w[i] != w[0];
        assert_true(bfv(wn[i]) == 1.0);     /* nearest stalled */
        assert_true(master[i] == 1.125f);   /* fp32 exact */
    }
    const double mean = sum / (double)n, pp = 1.0 / 64;
    const double se = 0x1p-7 * sqrt(K * pp * (1 - pp)) / sqrt((double)n);
    printf("SR mean after %d steps: %.6f (fp32 1.125, nearest 1.0, 6 s.e. = %.2g)\n", K, mean,
           6 * se);
    assert_true(fabs(mean - 1.125) < 6 * se);
    assert_true(distinct > n / 4); /* elements took different paths */
    free(w); free(wn); free(g); free(master); free(wf);
}

/* Many tiny random increments (|u| < 2^-12, i.e. below a quarter ulp of
   weights in [1, 2)) summed K = 2000 times.  Exact sum S in double.
   Kahan mode: the weight w stays within one bf16 ulp of S (measured 0.56)
   and the pair's value w - comp within 2^-10 |S| (measured 4.3e-4: the
   rounding of y = [u - c] each step, a random walk); nearest stalls, so its
   error is the whole drift, 2000 * 2^-14 = 0.12, at least 4 ulps for every
   element (measured 6.9). */
static void test_kahan_tracks_sum(void **state)
{
    const size_t n = 1024;
    const int K = 2000;
    lpk_bf16 *w = malloc(n * 2), *c = malloc(n * 2), *wn = malloc(n * 2), *g = malloc(n * 2);
    double *S = malloc(n * sizeof(double));
    uint64_t s = 5;
    for (size_t i = 0; i < n; i++) {
        w[i] = wn[i] = to_bf(rand_val(&s, 0, 0, 0));
        c[i] = 0;
        S[i] = bfv(w[i]);
    }
    lpk_sgd_params p = {1.0f, 0, 0, 0, 0, 1};
    lpk_opt_tensor tk = {.n = n, .w = w, .comp = c, .grad = g};
    lpk_opt_tensor tn = {.n = n, .w = wn, .grad = g};
    for (int k = 0; k < K; k++) {
        for (size_t i = 0; i < n; i++) {
            /* a bias so the sum drifts: mean +2^-14 per step, u = -g */
            g[i] = to_bf(-(0x1p-14f + rand_val(&s, -16, -13, -1)));
            S[i] += -(double)wid(g[i]);
        }
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_KAHAN, &tk, 0, 0), LPK_OK);
        assert_int_equal(lpk_sgd_step(&p, LPK_UPDATE_NEAREST, &tn, 0, 0), LPK_OK);
    }
    double worst_w = 0, worst_pair = 0, best_nearest = INFINITY;
    for (size_t i = 0; i < n; i++) {
        const double ulp = ldexp(1.0, ilogb(S[i]) - 7);
        worst_w = fmax(worst_w, fabs(bfv(w[i]) - S[i]) / ulp);
        worst_pair = fmax(worst_pair, fabs(bfv(w[i]) - bfv(c[i]) - S[i]) / fabs(S[i]));
        best_nearest = fmin(best_nearest, fabs(bfv(wn[i]) - S[i]) / ulp);
    }
    printf("Kahan after %d tiny steps: |w - S| <= %.3f ulp, |w - c - S| <= %.3g |S|; "
           "nearest >= %.1f ulp off\n", K, worst_w, worst_pair, best_nearest);
    assert_true(worst_w <= 1.0);
    assert_true(worst_pair <= 0x1p-10);
    assert_true(best_nearest >= 4.0);
    free(w); free(c); free(wn); free(g); free(S);
}

/* split then merge returns w32 within 2^-17 |w32| for normal values whose
   compensation stays normal; bf16-representable values come back exactly
   with comp = 0.  Kahan steps after a split continue from w32. */
static void test_split_merge_roundtrip(void **state)
{
    const size_t n = 100000;
    float *x = malloc(n * 4), *y = malloc(n * 4);
    lpk_bf16 *w = malloc(n * 2), *c = malloc(n * 2);
    uint64_t s = 17;
    for (size_t i = 0; i < n; i++)
        x[i] = rand_val(&s, -100, 100, -1);
    assert_int_equal(lpk_kahan_split(x, w, c, n), LPK_OK);
    assert_int_equal(lpk_kahan_merge(w, c, y, n), LPK_OK);
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(w[i], to_bf(x[i]));
        worst = fmax(worst, fabs((double)y[i] - (double)x[i]) / fabs((double)x[i]));
    }
    printf("split/merge round trip: worst relative error %.3g (bound 2^-17 = %.3g)\n", worst,
           0x1p-17);
    assert_true(worst <= 0x1p-17);
    for (size_t i = 0; i < n; i++)
        x[i] = wid(to_bf(x[i]));
    assert_int_equal(lpk_kahan_split(x, w, c, n), LPK_OK);
    assert_int_equal(lpk_kahan_merge(w, c, y, n), LPK_OK);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(c[i] & 0x7FFF, 0);
        assert_true(y[i] == x[i]);
    }
    free(x); free(y); free(w); free(c);
}

/* ---- bad input ---------------------------------------------------------------- */

/* Every bad call returns LPK_EINVAL with a message containing `msg` and
   leaves every buffer of the arena untouched. */
static void expect_bad(const arena *a, lpk_status st, const char *fn, const char *msg)
{
    assert_int_equal(st, LPK_EINVAL);
    const char *e = lpk_last_error();
    if (!strstr(e, fn) || !strstr(e, msg))
        fail_msg("message \"%s\" lacks \"%s\" / \"%s\"", e, fn, msg);
    for (int b = 0; b < NB; b++)
        for (size_t i = 0; i < arena_bytes(a, b); i++)
            if (a->base[b][i] != 0xA5)
                fail_msg("%s wrote into %s after \"%s\"", fn, bname[b], e);
}

static void test_bad_input(void **state)
{
    const size_t n = 40;
    arena a;
    arena_alloc(&a, n, 0); /* all 0xA5 sentinels: none may change */
    lpk_bf16 *w = a.p[W], *comp = a.p[COMP], *g16 = a.p[G16], *m = a.p[M], *v = a.p[V];
    float *master = a.p[MASTER], *g32 = a.p[G32], *m32 = a.p[M32], *v32 = a.p[V32];
    const lpk_sgd_params sp = {0.1f, 0.9f, 0, 0, 0, 2};
    const lpk_adamw_params ap = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 2};
    const lpk_opt_tensor full = {n, w, comp, master, g16, NULL, m, v, m32, v32};
    lpk_opt_tensor t;
    static const char S[] = "lpk_sgd_step", A[] = "lpk_adamw_step";

    expect_bad(&a, lpk_sgd_step(NULL, LPK_UPDATE_NEAREST, &full, 0, 0), S, "params is NULL");
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, NULL, 0, 0), S, "tensor is NULL");
    expect_bad(&a, lpk_adamw_step(NULL, LPK_UPDATE_NEAREST, &full, 0, 0), A, "params is NULL");
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_NEAREST, NULL, 0, 0), A, "tensor is NULL");
    expect_bad(&a, lpk_sgd_step(&sp, (lpk_update_mode)4, &full, 0, 0), S, "unknown update mode");
    expect_bad(&a, lpk_adamw_step(&ap, (lpk_update_mode)-1, &full, 0, 0), A, "unknown update mode");
    {
        lpk_sgd_params q = sp;
        q.step = 0;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "step is 0");
        q = sp;
        q.lr = NAN;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "finite");
        q = sp;
        q.nesterov = 1;
        q.dampening = 0.5f;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "nesterov");
        q.dampening = 0;
        q.momentum = 0;
        expect_bad(&a, lpk_sgd_step(&q, LPK_UPDATE_KAHAN, &full, 0, 0), S, "nesterov");
        lpk_adamw_params r = ap;
        r.step = 0;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_KAHAN, &full, 0, 0), A, "step is 0");
        r = ap;
        r.beta2 = 1.0f;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_KAHAN, &full, 0, 0), A, "beta");
        r = ap;
        r.eps = INFINITY;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_KAHAN, &full, 0, 0), A, "finite");
    }
    /* gradients: both, neither */
    t = full;
    t.grad32 = g32;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, &t, 0, 0), S, "both grad and grad32");
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_FP32, &t, 0, 0), A, "both grad and grad32");
    t = full;
    t.grad = NULL;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, &t, 0, 0), S, "neither grad nor grad32");
    /* a buffer the mode needs */
    static const struct { int adamw, mode, buf; } need[] = {
        {0, LPK_UPDATE_NEAREST, W},      {0, LPK_UPDATE_KAHAN, COMP},
        {0, LPK_UPDATE_FP32, MASTER},    {0, LPK_UPDATE_STOCHASTIC, M},
        {0, LPK_UPDATE_FP32, M32},       {1, LPK_UPDATE_NEAREST, M},
        {1, LPK_UPDATE_KAHAN, V},        {1, LPK_UPDATE_FP32, M32},
        {1, LPK_UPDATE_FP32, V32},       {1, LPK_UPDATE_FP32, MASTER},
        {1, LPK_UPDATE_STOCHASTIC, W},   {1, LPK_UPDATE_KAHAN, COMP},
    };
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        t = full;
        switch (need[k].buf) {
        case W: t.w = NULL; break;
        case COMP: t.comp = NULL; break;
        case MASTER: t.master = NULL; break;
        case M: t.m = NULL; break;
        case V: t.v = NULL; break;
        case M32: t.m32 = NULL; break;
        case V32: t.v32 = NULL; break;
        }
        char msg[64];
        snprintf(msg, sizeof msg, "buffer %s is NULL", bname[need[k].buf]);
        const lpk_status st = need[k].adamw ? lpk_adamw_step(&ap, need[k].mode, &t, 0, 0)
                                            : lpk_sgd_step(&sp, need[k].mode, &t, 0, 0);
        expect_bad(&a, st, need[k].adamw ? A : S, msg);
    }
    /* n overflow */
    t = full;
    t.n = SIZE_MAX / 4;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_KAHAN, &t, 0, 0), S, "overflow");
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_FP32, &t, 0, 0), A, "overflow");
    /* overlapping buffers: w with comp, grad with w, m with v, master with
       m32, grad32 with master (in bytes: a float buffer over a bf16 one) */
    t = full;
    t.comp = w + n - 1;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_KAHAN, &t, 0, 0), S, "w and comp overlap");
    t = full;
    t.grad = w + 3;
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_NEAREST, &t, 0, 0), S, "w and grad overlap");
    t = full;
    t.v = m + 1;
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_STOCHASTIC, &t, 0, 0), A, "m and v overlap");
    t = full;
    t.m32 = master + n / 2;
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_FP32, &t, 0, 0), A, "master and m32 overlap");
    t = full;
    t.grad = NULL;
    t.grad32 = (const float *)(master + n - 1);
    expect_bad(&a, lpk_sgd_step(&sp, LPK_UPDATE_FP32, &t, 0, 0), S, "master and grad32 overlap");
    t = full;
    t.m = (lpk_bf16 *)(void *)(m32 + 1);
    t.m32 = NULL;
    t.v = (lpk_bf16 *)(void *)m32;
    expect_bad(&a, lpk_adamw_step(&ap, LPK_UPDATE_NEAREST, &t, 0, 0), A, "m and v overlap");
    /* unused buffers are ignored, even overlapping or NULL ones; n == 0
       checks only params, mode and step */
    {
        arena b;
        arena_alloc(&b, n, 0);
        arena_fill(&b, 3, 0);
        lpk_opt_tensor u = {n, b.p[W], (lpk_bf16 *)b.p[W], NULL, b.p[G16], NULL, NULL, NULL,
                            NULL, NULL};
        const lpk_sgd_params p0 = {0.1f, 0, 0, 0, 0, 1};
        assert_int_equal(lpk_sgd_step(&p0, LPK_UPDATE_NEAREST, &u, 0, 0), LPK_OK);
        arena_free(&b);
        const lpk_opt_tensor empty = {0};
        assert_int_equal(lpk_sgd_step(&sp, LPK_UPDATE_KAHAN, &empty, 0, 0), LPK_OK);
        assert_int_equal(lpk_adamw_step(&ap, LPK_UPDATE_FP32, &empty, 0, 0), LPK_OK);
        lpk_adamw_params r = ap;
        r.step = 0;
        expect_bad(&a, lpk_adamw_step(&r, LPK_UPDATE_FP32, &empty, 0, 0), A, "step is 0");
    }
    /* split / merge */
    static const char SP[] = "lpk_kahan_split", MG[] = "lpk_kahan_merge";
    expect_bad(&a, lpk_kahan_split(NULL, w, comp, n), SP, "w32 is NULL");
    expect_bad(&a, lpk_kahan_split(master, NULL, comp, n), SP, "w is NULL");
    expect_bad(&a, lpk_kahan_split(master, w, NULL, n), SP, "comp is NULL");
    expect_bad(&a, lpk_kahan_merge(NULL, comp, master, n), MG, "w is NULL");
    expect_bad(&a, lpk_kahan_merge(w, NULL, master, n), MG, "comp is NULL");
    expect_bad(&a, lpk_kahan_merge(w, comp, NULL, n), MG, "w32 is NULL");
    expect_bad(&a, lpk_kahan_split(master, w, comp, SIZE_MAX / 4), SP, "overflow");
    expect_bad(&a, lpk_kahan_merge(w, comp, master, SIZE_MAX / 4), MG, "overflow");
    expect_bad(&a, lpk_kahan_split(master, w, w + 5, n), SP, "w and comp overlap");
    expect_bad(&a, lpk_kahan_split(master, (lpk_bf16 *)(void *)(master + 3), comp, n), SP,
               "w32 and w overlap");
    expect_bad(&a, lpk_kahan_merge(w, comp, (float *)(void *)(comp + 8), n), MG,
               "w32 and comp overlap");
    assert_int_equal(lpk_kahan_split(NULL, NULL, NULL, 0), LPK_OK);
    assert_int_equal(lpk_kahan_merge(NULL, NULL, NULL, 0), LPK_OK);
    arena_free(&a);
}

int main(void)
{
    n_sp = tu_special_f32_bits(sp_bits, 128);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_known_values),
        cmocka_unit_test(test_variants_sgd),
        cmocka_unit_test(test_variants_adamw),
        cmocka_unit_test(test_variants_split),
        cmocka_unit_test(test_variants_merge),
        cmocka_unit_test(test_threads_and_splits),
        cmocka_unit_test(test_sr_tracks_fp32),
        cmocka_unit_test(test_kahan_tracks_sum),
        cmocka_unit_test(test_split_merge_roundtrip),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
