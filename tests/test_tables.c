/* SPDX-License-Identifier: Apache-2.0 */
/* Every kernel table is well formed, and every entry runs here or is
   reported as SKIPPED with the reason.  For each op of lpk_ops[]:
   - the op is registered once, its name "<family>.<op>" unique;
   - count >= 1 and the last entry is the scalar reference, named
     "..__ref"; no entry follows it and no other entry is SCALAR;
   - portable entries (tiers of no architecture: hwy, the reference) come
     after every architecture's entries, so that none is unreachable under
     the dispatcher's "first runnable" rule;
   - every name is "lpk_<family>_<what>__<tier name>" (GEMM:
     "lpk_gemm_ukr_<M>x<N>[c<K>]__<tier>", M x N the descriptor's tile, c<K>
     exactly when B is packed as bf16), unique over all tables;
   - an entry has a function exactly when its tier is built;
   - every runnable entry passes a smoke call on a tiny input (bit-identical
     to the reference's result); the others are printed as SKIPPED with the
     reason and counted apart, never as passed.
   Adding an op means adding its smoke call below: the test fails until
   then. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "common/bf16.h"
#include "round/round.h"
#include "gemm/gemm.h"
#include "update/update.h"
#include "fixed/fixed.h"
#include "rng/rng.h"

/* Elements of a smoke call: a full vector of every width here and a tail. */
#define SN 37

static void expect_same(const lpk_variant *v, const lpk_variant *r, const void *a, const void *b,
                        size_t bytes)
{
    const long d = tu_first_diff(a, b, bytes);
    if (d >= 0)
        fail_msg("%s: smoke call differs from %s at byte %ld", v->name, r->name, d);
}

static void fill_bf16(lpk_bf16 *h, size_t n, uint64_t seed)
{
    float x[SN];
    assert_true(n <= SN);
    tu_fill_f32(x, n, seed);
    for (size_t i = 0; i < n; i++)
        h[i] = lpk_bf16_rne(lpk_f32_bits(x[i]));
}

/* Moderate values, no specials: what every update formula accepts. */
static void fill_moderate(float *x, size_t n, uint64_t seed, float scale)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((double)(int32_t)(tu_rand(&s) >> 32) / 2147483648.0) * scale;
}

/* ---- one smoke call per op ------------------------------------------------------ */

static void smoke_round_rne(const lpk_variant *v, const lpk_variant *r)
{
    float x[SN];
    lpk_bf16 a[SN], b[SN];
    tu_fill_f32(x, SN, 1);
    LPK_FN(lpk_op_round_rne, v)(x, a, SN);
    LPK_FN(lpk_op_round_rne, r)(x, b, SN);
    expect_same(v, r, a, b, sizeof a);
}

static void smoke_round_sr(const lpk_variant *v, const lpk_variant *r)
{
    float x[SN];
    lpk_bf16 a[SN], b[SN];
    tu_fill_f32(x, SN, 2);
    LPK_FN(lpk_op_round_sr, v)(x, a, SN, 42, 5);
    LPK_FN(lpk_op_round_sr, r)(x, b, SN, 42, 5);
    expect_same(v, r, a, b, sizeof a);
}

static void smoke_round_sr_ars(const lpk_variant *v, const lpk_variant *r)
{
    float x[SN];
    lpk_bf16 a[SN], b[SN];
    tu_fill_f32(x, SN, 4);
    LPK_FN(lpk_op_round_sr_ars, v)(x, a, SN, 42, 5);
    LPK_FN(lpk_op_round_sr_ars, r)(x, b, SN, 42, 5);
    expect_same(v, r, a, b, sizeof a);
}

static void smoke_round_widen(const lpk_variant *v, const lpk_variant *r)
{
    lpk_bf16 h[SN];
    float a[SN], b[SN];
    fill_bf16(h, SN, 3);
    LPK_FN(lpk_op_round_widen, v)(h, a, SN);
    LPK_FN(lpk_op_round_widen, r)(h, b, SN);
    expect_same(v, r, a, b, sizeof a);
}

/* Parses "lpk_gemm_ukr_<M>x<N>[c<K>]__..." (gemm.h's naming); *ci = K, or
   0 without the suffix.  0 when the name does not match. */
static int gemm_name_tile(const char *name, unsigned *mr, unsigned *nr, unsigned *ci)
{
    static const char prefix[] = "lpk_gemm_ukr_";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *p = name + sizeof prefix - 1;
    unsigned *dst[3] = {mr, nr, ci};
    *ci = 0;
    for (int f = 0; f < 3; f++) {
        if (f == 2) {
            if (*p != 'c')
                break;
            p++;
        }
        if (*p < '1' || *p > '9')
            return 0;
        unsigned x = 0;
        while (*p >= '0' && *p <= '9' && x < 100000)
            x = x * 10 + (unsigned)(*p++ - '0');
        *dst[f] = x;
        if (f == 0 && *p++ != 'x')
            return 0;
    }
    return strncmp(p, "__", 2) == 0;
}

/* A small GEMM (more than one tile each way, k past the depth granularity)
   on small integers: every variant's result is exact, so bit-identical. */
static void smoke_gemm(const lpk_variant *v, const lpk_variant *r)
{
    const lpk_gemm_ukr *u = LPK_FN(lpk_op_gemm, v)(), *ur = LPK_FN(lpk_op_gemm, r)();
    assert_non_null(u);
    unsigned mr = 0, nr = 0, ci = 0;
    assert_true(gemm_name_tile(v->name, &mr, &nr, &ci));
    if (mr != u->mr || nr != u->nr)
        fail_msg("%s: the name's tile is not the descriptor's %ux%u", v->name, u->mr, u->nr);
    assert_true(u->kr >= 1 && (u->esize == 2 || u->esize == 4));
    /* c<n> exactly when B is packed as bf16 (gemm.h) */
    if ((ci != 0) != (u->esize == 2))
        fail_msg("%s: packed element size %u, so the name %s a c<n> suffix", v->name, u->esize,
                 u->esize == 2 ? "needs" : "must not have");
    assert_true(u->pack_a && u->pack_b && u->kernel);
    const size_t m = u->mr + 3, n = u->nr + 5, k = 2 * u->kr + 3;
    lpk_bf16 *a = tu_xmalloc(m * k * 2), *b = tu_xmalloc(k * n * 2);
    float *c = tu_xmalloc(m * n * 4), *cr = tu_xmalloc(m * n * 4);
    uint64_t s = 7;
    for (size_t i = 0; i < m * k; i++)
        a[i] = lpk_bf16_rne(lpk_f32_bits((float)((int)(tu_rand(&s) % 9) - 4)));
    for (size_t i = 0; i < k * n; i++)
        b[i] = lpk_bf16_rne(lpk_f32_bits((float)((int)(tu_rand(&s) % 9) - 4)));
    assert_int_equal(lpk_gemm_run(u, LPK_NOTRANS, LPK_NOTRANS, m, n, k, 1.0f, a, k, b, n, 0.0f,
                                  c, n),
                     LPK_OK);
    assert_int_equal(lpk_gemm_run(ur, LPK_NOTRANS, LPK_NOTRANS, m, n, k, 1.0f, a, k, b, n, 0.0f,
                                  cr, n),
                     LPK_OK);
    expect_same(v, r, c, cr, m * n * 4);
    free(a);
    free(b);
    free(c);
    free(cr);
}

/* The buffers of an update smoke call: bf16 weights, gradients and state. */
typedef struct {
    lpk_bf16 w[SN], comp[SN], g[SN], m[SN], v[SN];
} upd_smoke;

static void upd_fill(upd_smoke *u)
{
    float x[SN];
    fill_moderate(x, SN, 11, 4.0f);
    for (size_t i = 0; i < SN; i++)
        u->w[i] = lpk_bf16_rne(lpk_f32_bits(x[i]));
    fill_moderate(x, SN, 12, 1.0f);
    for (size_t i = 0; i < SN; i++)
        u->g[i] = lpk_bf16_rne(lpk_f32_bits(x[i]));
    fill_moderate(x, SN, 13, 0.5f);
    for (size_t i = 0; i < SN; i++) {
        u->m[i] = lpk_bf16_rne(lpk_f32_bits(x[i]));
        u->v[i] = lpk_bf16_rne(lpk_f32_bits(x[i] * x[i]));
        u->comp[i] = lpk_bf16_rne(lpk_f32_bits(x[i] * 0x1p-10f));
    }
}

static lpk_upd_bufs upd_bufs(upd_smoke *u)
{
    lpk_upd_bufs b;
    memset(&b, 0, sizeof b);
    b.n = SN;
    b.w = u->w;
    b.comp = u->comp;
    b.g16 = u->g;
    b.m = u->m;
    b.seed = 42;
    b.offset = 5;
    return b;
}

static void smoke_update_sgd(const lpk_variant *v, const lpk_variant *r)
{
    /* Kahan, momentum (not the first step), nesterov, weight decay */
    const lpk_upd_sgd_k k = {LPK_UPDATE_KAHAN, 1, 1, 0, 1, 0.01f, 0.9f, 1.0f, -0.1f};
    upd_smoke x, y;
    upd_fill(&x);
    y = x;
    const lpk_upd_bufs bx = upd_bufs(&x), by = upd_bufs(&y);
    LPK_FN(lpk_op_update_sgd, v)(&bx, &k);
    LPK_FN(lpk_op_update_sgd, r)(&by, &k);
    expect_same(v, r, &x, &y, sizeof x);
}

static void smoke_update_adamw(const lpk_variant *v, const lpk_variant *r)
{
    /* stochastic, weight decay, step 3 of lr 1e-3, betas 0.9 / 0.999 */
    const lpk_upd_adamw_k k = {LPK_UPDATE_STOCHASTIC, 1, 0.9f, 0.999f, 0.1f, 0.001f, 1e-8f,
                               (float)(1.0 / sqrt(1.0 - pow(0.999, 3))),
                               (float)(-1e-3 / (1.0 - pow(0.9, 3))), 1e-5f};
    upd_smoke x, y;
    upd_fill(&x);
    y = x;
    lpk_upd_bufs bx = upd_bufs(&x), by = upd_bufs(&y);
    bx.comp = by.comp = NULL;
    bx.v = x.v;
    by.v = y.v;
    LPK_FN(lpk_op_update_adamw, v)(&bx, &k);
    LPK_FN(lpk_op_update_adamw, r)(&by, &k);
    expect_same(v, r, &x, &y, sizeof x);
}

static void smoke_update_kahan_split(const lpk_variant *v, const lpk_variant *r)
{
    float w32[SN];
    lpk_bf16 wa[SN], ca[SN], wb[SN], cb[SN];
    tu_fill_f32(w32, SN, 14);
    LPK_FN(lpk_op_update_kahan_split, v)(w32, wa, ca, SN);
    LPK_FN(lpk_op_update_kahan_split, r)(w32, wb, cb, SN);
    expect_same(v, r, wa, wb, sizeof wa);
    expect_same(v, r, ca, cb, sizeof ca);
}

static void smoke_update_kahan_merge(const lpk_variant *v, const lpk_variant *r)
{
    lpk_bf16 w[SN], c[SN];
    float a[SN], b[SN];
    fill_bf16(w, SN, 15);
    fill_bf16(c, SN, 16);
    LPK_FN(lpk_op_update_kahan_merge, v)(w, c, a, SN);
    LPK_FN(lpk_op_update_kahan_merge, r)(w, c, b, SN);
    expect_same(v, r, a, b, sizeof a);
}

static void smoke_fixed_quant8(const lpk_variant *v, const lpk_variant *r)
{
    float x[SN];
    int8_t a[SN], b[SN];
    fill_moderate(x, SN, 21, 200.0f);
    LPK_FN(lpk_op_fixed_quant8, v)(x, a, SN, 0.75f, LPK_ROUND_STOCHASTIC, 42, 5);
    LPK_FN(lpk_op_fixed_quant8, r)(x, b, SN, 0.75f, LPK_ROUND_STOCHASTIC, 42, 5);
    expect_same(v, r, a, b, sizeof a);
}

static void smoke_fixed_quant16(const lpk_variant *v, const lpk_variant *r)
{
    float x[SN];
    int16_t a[SN], b[SN];
    fill_moderate(x, SN, 22, 50000.0f);
    LPK_FN(lpk_op_fixed_quant16, v)(x, a, SN, 0.75f, LPK_ROUND_STOCHASTIC, 42, 5);
    LPK_FN(lpk_op_fixed_quant16, r)(x, b, SN, 0.75f, LPK_ROUND_STOCHASTIC, 42, 5);
    expect_same(v, r, a, b, sizeof a);
}

static void fill_i8(int8_t *q, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        q[i] = (int8_t)tu_rand(&s);
}

static void fill_i16(int16_t *q, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++)
        q[i] = (int16_t)tu_rand(&s);
}

static void smoke_fixed_dequant8(const lpk_variant *v, const lpk_variant *r)
{
    int8_t q[SN];
    float a[SN], b[SN];
    fill_i8(q, SN, 23);
    LPK_FN(lpk_op_fixed_dequant8, v)(q, a, SN, 0.37f);
    LPK_FN(lpk_op_fixed_dequant8, r)(q, b, SN, 0.37f);
    expect_same(v, r, a, b, sizeof a);
}

static void smoke_fixed_dequant16(const lpk_variant *v, const lpk_variant *r)
{
    int16_t q[SN];
    float a[SN], b[SN];
    fill_i16(q, SN, 24);
    LPK_FN(lpk_op_fixed_dequant16, v)(q, a, SN, 0.37f);
    LPK_FN(lpk_op_fixed_dequant16, r)(q, b, SN, 0.37f);
    expect_same(v, r, a, b, sizeof a);
}

static void smoke_fixed_dot8(const lpk_variant *v, const lpk_variant *r)
{
    int8_t a[SN], b[SN];
    fill_i8(a, SN, 25);
    fill_i8(b, SN, 26);
    const int64_t x = LPK_FN(lpk_op_fixed_dot8, v)(a, b, SN), y = LPK_FN(lpk_op_fixed_dot8, r)(a, b, SN);
    if (x != y)
        fail_msg("%s: smoke dot %lld, %s %lld", v->name, (long long)x, r->name, (long long)y);
}

static void smoke_fixed_dot16(const lpk_variant *v, const lpk_variant *r)
{
    int16_t a[SN], b[SN];
    fill_i16(a, SN, 27);
    fill_i16(b, SN, 28);
    const int64_t x = LPK_FN(lpk_op_fixed_dot16, v)(a, b, SN),
                  y = LPK_FN(lpk_op_fixed_dot16, r)(a, b, SN);
    if (x != y)
        fail_msg("%s: smoke dot %lld, %s %lld", v->name, (long long)x, r->name, (long long)y);
}

static void smoke_fixed_update8(const lpk_variant *v, const lpk_variant *r)
{
    int8_t za[SN], zb[SN], x[SN];
    float h[SN];
    fill_i8(za, SN, 29);
    memcpy(zb, za, sizeof za);
    fill_i8(x, SN, 30);
    fill_moderate(h, SN, 31, 100.0f);
    LPK_FN(lpk_op_fixed_update8, v)(za, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 64);
    LPK_FN(lpk_op_fixed_update8, r)(zb, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 64);
    expect_same(v, r, za, zb, sizeof za);
}

static void smoke_fixed_update16(const lpk_variant *v, const lpk_variant *r)
{
    int16_t za[SN], zb[SN], x[SN];
    float h[SN];
    fill_i16(za, SN, 32);
    memcpy(zb, za, sizeof za);
    fill_i16(x, SN, 33);
    fill_moderate(h, SN, 34, 30000.0f);
    LPK_FN(lpk_op_fixed_update16, v)(za, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 64);
    LPK_FN(lpk_op_fixed_update16, r)(zb, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 64);
    expect_same(v, r, za, zb, sizeof za);
}

static void smoke_fixed_update8_ars(const lpk_variant *v, const lpk_variant *r)
{
    int8_t za[SN], zb[SN], x[SN];
    float h[SN];
    fill_i8(za, SN, 35);
    memcpy(zb, za, sizeof za);
    fill_i8(x, SN, 36);
    fill_moderate(h, SN, 37, 100.0f);
    LPK_FN(lpk_op_fixed_update8_ars, v)(za, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 5);
    LPK_FN(lpk_op_fixed_update8_ars, r)(zb, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 5);
    expect_same(v, r, za, zb, sizeof za);
}

static void smoke_fixed_update16_ars(const lpk_variant *v, const lpk_variant *r)
{
    int16_t za[SN], zb[SN], x[SN];
    float h[SN];
    fill_i16(za, SN, 38);
    memcpy(zb, za, sizeof za);
    fill_i16(x, SN, 39);
    fill_moderate(h, SN, 40, 30000.0f);
    LPK_FN(lpk_op_fixed_update16_ars, v)(za, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 5);
    LPK_FN(lpk_op_fixed_update16_ars, r)(zb, x, h, SN, 0.9f, 0.1f, LPK_ROUND_STOCHASTIC, 42, 5);
    expect_same(v, r, za, zb, sizeof za);
}

/* dotf on small integers: every partial sum is exact, so is the result. */
static void smoke_fixed_dotf(const lpk_variant *v, const lpk_variant *r)
{
    float a[SN], b[SN];
    for (int i = 0; i < SN; i++) {
        a[i] = (float)(i % 17 - 8);
        b[i] = (float)(i % 13 - 6);
    }
    const float x = LPK_FN(lpk_op_fixed_dotf, v)(a, b, SN), y = LPK_FN(lpk_op_fixed_dotf, r)(a, b, SN);
    if (x != y)
        fail_msg("%s: smoke dotf %g, %s %g", v->name, x, r->name, y);
}

static void smoke_fixed_updatef(const lpk_variant *v, const lpk_variant *r)
{
    float za[SN], zb[SN], x[SN], h[SN];
    fill_moderate(za, SN, 35, 3.0f);
    memcpy(zb, za, sizeof za);
    fill_moderate(x, SN, 36, 3.0f);
    fill_moderate(h, SN, 37, 1.0f);
    LPK_FN(lpk_op_fixed_updatef, v)(za, x, h, SN, 0.9f, 0.1f);
    LPK_FN(lpk_op_fixed_updatef, r)(zb, x, h, SN, 0.9f, 0.1f);
    expect_same(v, r, za, zb, sizeof za);
}

static void smoke_rng_ars(const lpk_variant *v, const lpk_variant *r)
{
    const uint32_t key[4] = {42, 7, 0, 0}, ctr[4] = {0xFFFFFFF0u, 0xFFFFFFFFu, 3, 0};
    uint32_t a[4 * SN], b[4 * SN];
    LPK_FN(lpk_op_rng_ars, v)(key, ctr, SN, a); /* the low 64 counter bits wrap */
    LPK_FN(lpk_op_rng_ars, r)(key, ctr, SN, b);
    expect_same(v, r, a, b, sizeof a);
}

/* ---- the ops known to this test ------------------------------------------------ */

typedef void smoke_fn(const lpk_variant *v, const lpk_variant *ref);
typedef int has_fn_fn(const lpk_variant *v);
typedef struct {
    const lpk_op *op;
    smoke_fn *smoke;
    has_fn_fn *has_fn; /* does the typed table hold a function for v? */
} op_entry;

#define HAS_FN(var) \
    static int has_fn_##var(const lpk_variant *v) { return LPK_FN(lpk_op_##var, v) != NULL; }
#define OP(var) {&lpk_op_##var.op, smoke_##var, has_fn_##var}
HAS_FN(round_rne)
HAS_FN(round_sr)
HAS_FN(round_sr_ars)
HAS_FN(round_widen)
HAS_FN(gemm)
HAS_FN(update_sgd)
HAS_FN(update_adamw)
HAS_FN(update_kahan_split)
HAS_FN(update_kahan_merge)
HAS_FN(fixed_quant8)
HAS_FN(fixed_quant16)
HAS_FN(fixed_dequant8)
HAS_FN(fixed_dequant16)
HAS_FN(fixed_dot8)
HAS_FN(fixed_dot16)
HAS_FN(fixed_update8)
HAS_FN(fixed_update16)
HAS_FN(fixed_update8_ars)
HAS_FN(fixed_update16_ars)
HAS_FN(fixed_dotf)
HAS_FN(fixed_updatef)
HAS_FN(rng_ars)

static const op_entry known[] = {
    OP(round_rne),          OP(round_sr),           OP(round_sr_ars),
    OP(round_widen),
    OP(gemm),               OP(update_sgd),         OP(update_adamw),
    OP(update_kahan_split), OP(update_kahan_merge), OP(fixed_quant8),
    OP(fixed_quant16),      OP(fixed_dequant8),     OP(fixed_dequant16),
    OP(fixed_dot8),         OP(fixed_dot16),        OP(fixed_update8),
    OP(fixed_update16),     OP(fixed_dotf),         OP(fixed_updatef),
    OP(fixed_update8_ars),  OP(fixed_update16_ars), OP(rng_ars),
};
#define NKNOWN (sizeof known / sizeof known[0])

static const op_entry *entry_of(const lpk_op *op)
{
    for (size_t k = 0; k < NKNOWN; k++)
        if (known[k].op == op)
            return &known[k];
    fail_msg("op %s has no smoke call: add one to tests/test_tables.c", op->name);
    return NULL;
}

/* ---- structure ------------------------------------------------------------------ */

static int is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

/* The family of op (the part of its name before '.') into fam. */
static void family_of(const lpk_op *op, char *fam, size_t cap)
{
    const char *dot = strchr(op->name, '.');
    if (!dot || dot == op->name || !dot[1] || strchr(dot + 1, '.'))
        fail_msg("op name \"%s\" is not <family>.<op>", op->name);
    for (const char *p = op->name; *p; p++)
        if (p != dot && !is_name_char(*p))
            fail_msg("op name \"%s\": character '%c' outside [a-z0-9_]", op->name, *p);
    const size_t len = (size_t)(dot - op->name);
    assert_true(len < cap);
    memcpy(fam, op->name, len);
    fam[len] = 0;
}

static const char *tier_suffix(lpk_tier t) { return t == LPK_TIER_SCALAR ? "ref" : lpk_tiers[t].name; }

/* "lpk_<family>_<what>__<tier>", <what> of [a-z0-9_] without "__";
   GEMM: <what> = "ukr_<M>x<N>". */
static void check_name(const lpk_op *op, const char *fam, const lpk_variant *v)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "lpk_%s_", fam);
    const char *name = v->name;
    if (strncmp(name, prefix, strlen(prefix)) != 0)
        fail_msg("%s [%s]: name does not start with %s", name, op->name, prefix);
    const char *sep = strstr(name, "__");
    if (!sep || sep == name + strlen(prefix))
        fail_msg("%s [%s]: no \"<what>__<tier>\" after %s", name, op->name, prefix);
    for (const char *p = name; p < sep; p++)
        if (!is_name_char(*p))
            fail_msg("%s [%s]: character '%c' outside [a-z0-9_]", name, op->name, *p);
    if (strcmp(sep + 2, tier_suffix(v->tier)) != 0)
        fail_msg("%s [%s]: name ends in __%s but its tier is %s (want __%s)", name, op->name,
                 sep + 2, lpk_tiers[v->tier].name, tier_suffix(v->tier));
    unsigned mr, nr, ci;
    if (strcmp(fam, "gemm") == 0 && !gemm_name_tile(name, &mr, &nr, &ci))
        fail_msg("%s [%s]: GEMM names are lpk_gemm_ukr_<M>x<N>[c<K>]__<tier>", name, op->name);
}

static void check_op_structure(const lpk_op *op, const op_entry *e)
{
    char fam[32];
    family_of(op, fam, sizeof fam);
    if (op->count < 1 || !op->variants)
        fail_msg("%s: empty table", op->name);
    if (!strcmp(fam, "rng")) { /* a generator reads nothing, writes 16-byte blocks */
        assert_int_equal(op->in_bytes, 0);
        assert_int_equal(op->out_bytes, 16);
    } else {
        assert_true(op->in_bytes == 1 || op->in_bytes == 2 || op->in_bytes == 4);
        assert_true(op->out_bytes <= 4 && op->out_bytes != 3);
    }
    const lpk_variant *ref = &op->variants[op->count - 1];
    if (ref->tier != LPK_TIER_SCALAR)
        fail_msg("%s: last entry %s is not the SCALAR reference", op->name, ref->name);
    int portable_seen = 0;
    for (size_t k = 0; k < op->count; k++) {
        const lpk_variant *v = &op->variants[k];
        if ((unsigned)v->tier >= LPK_TIER_COUNT)
            fail_msg("%s [%s]: tier %d out of range", v->name, op->name, (int)v->tier);
        if (v->tier == LPK_TIER_SCALAR && k + 1 != op->count)
            fail_msg("%s [%s]: reference at position %zu of %zu: entries after it are never "
                     "selected", v->name, op->name, k + 1, op->count);
        check_name(op, fam, v);
        for (size_t j = 0; j < k; j++)
            if (strcmp(op->variants[j].name, v->name) == 0)
                fail_msg("%s [%s]: listed twice", v->name, op->name);
        /* a portable tier runs wherever it is built: entries of an
           architecture after it would never be selected */
        const int portable = lpk_tiers[v->tier].arch == LPK_ARCH_ANY;
        if (portable_seen && !portable)
            fail_msg("%s [%s]: follows a portable entry, so it is never selected", v->name,
                     op->name);
        portable_seen |= portable;
        if (v->built != lpk_tier_built(v->tier))
            fail_msg("%s [%s]: built = %d but tier %s is %sbuilt", v->name, op->name, v->built,
                     lpk_tiers[v->tier].name, lpk_tier_built(v->tier) ? "" : "not ");
        if (e->has_fn(v) != v->built)
            fail_msg("%s [%s]: %s function although %sbuilt", v->name, op->name,
                     v->built ? "no" : "a", v->built ? "" : "not ");
        /* informational: an earlier entry whose tier this one implies takes
           its place in the dispatcher (kept for tests and benchmarks) */
        for (size_t j = 0; j < k; j++) {
            const lpk_tier_info *a = &lpk_tiers[op->variants[j].tier], *b = &lpk_tiers[v->tier];
            if (a->arch == b->arch && a->arch != LPK_ARCH_ANY &&
                (a->required & b->required) == a->required) {
                printf("NOTE    %s [%s]: never dispatched where %s is runnable (listed first)\n",
                       v->name, op->name, op->variants[j].name);
                break;
            }
        }
    }
}

static void test_ops_registered_once(void **state)
{
    assert_true(lpk_nops >= 1);
    for (size_t i = 0; i < lpk_nops; i++) {
        assert_non_null(lpk_ops[i]);
        for (size_t j = 0; j < i; j++) {
            if (lpk_ops[i] == lpk_ops[j])
                fail_msg("op %s registered twice in lpk_ops[]", lpk_ops[i]->name);
            if (strcmp(lpk_ops[i]->name, lpk_ops[j]->name) == 0)
                fail_msg("two ops named %s", lpk_ops[i]->name);
        }
    }
    /* and every op this test knows is registered */
    for (size_t k = 0; k < NKNOWN; k++) {
        size_t found = 0;
        for (size_t i = 0; i < lpk_nops; i++)
            found += lpk_ops[i] == known[k].op;
        if (found != 1)
            fail_msg("op %s is not in lpk_ops[] (dispatch/ops.c)", known[k].op->name);
    }
}

static void test_structure(void **state)
{
    size_t entries = 0;
    for (size_t i = 0; i < lpk_nops; i++) {
        check_op_structure(lpk_ops[i], entry_of(lpk_ops[i]));
        entries += lpk_ops[i]->count;
    }
    /* a function belongs to one table */
    for (size_t i = 0; i < lpk_nops; i++)
        for (size_t k = 0; k < lpk_ops[i]->count; k++)
            for (size_t j = 0; j <= i; j++)
                for (size_t l = 0; l < (j == i ? k : lpk_ops[j]->count); l++)
                    if (strcmp(lpk_ops[i]->variants[k].name, lpk_ops[j]->variants[l].name) == 0)
                        fail_msg("%s is listed in %s and %s", lpk_ops[i]->variants[k].name,
                                 lpk_ops[j]->name, lpk_ops[i]->name);
    printf("%zu ops, %zu table entries well formed\n", lpk_nops, entries);
}

/* ---- every entry runs or is reported ------------------------------------------ */

typedef struct {
    const op_entry *e;
    const lpk_variant *ref;
} smoke_ctx;

static void smoke_one(const lpk_variant *v, void *ctx)
{
    const smoke_ctx *c = ctx;
    c->e->smoke(v, c->ref);
    printf("RAN     %s [%s]\n", v->name, c->e->op->name);
}

static void test_every_entry_runs_or_is_skipped(void **state)
{
    int ran = 0, skipped = 0;
    for (size_t i = 0; i < lpk_nops; i++) {
        const lpk_op *op = lpk_ops[i];
        smoke_ctx c = {entry_of(op), tu_ref_of(op)};
        const int r = tu_each_variant(op, smoke_one, &c);
        ran += r;
        skipped += (int)op->count - r;
    }
    printf("%d variants ran, %d skipped\n", ran, skipped);
    assert_true(ran >= (int)lpk_nops); /* at least every reference */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_registered_once),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_every_entry_runs_or_is_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
