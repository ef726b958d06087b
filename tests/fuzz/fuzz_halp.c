/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: lpk_halp_train's options and tiny problems.

   From the input: every field of lpk_halp_options (solver and loss in and
   out of range, bits any int, step / lambda / mu / lp_delta ordinary, edge
   or raw bit patterns, T small or huge, epochs small, negative or huge,
   fp32_full_pass, seed, rng Philox, ARS or neither), n and d (0..8), X, y
   and w (tame values, values that are exactly 8-bit data, or raw patterns:
   NaN / Inf must be refused), logistic labels mostly +-1, w or the trace
   overlapping X, a NULL argument, trace or no trace.

   Per tier: never a crash (ASan/UBSan); the status equals the scalar
   tier's; on failure w and the trace are untouched; on success the trace's
   full_pass_bits and delta are what the header allows (0, 8, 16, 32; delta
   0 for the fp32 solvers and in trace[0]).  For LPK_SOLVER_LP_SGD, which the
   header promises bit-identical across tiers, w and the trace's
   objective, grad_norm and delta equal the scalar tier's bit for bit; the
   other solvers' results may differ in their last bits from tier to tier
   (their fp32 dot products sum in the variant's own order), so only the
   above is checked for them. */
#include <limits.h>
#include <math.h>

#include "fuzz_common.h"

/* the families whose variants differ between the tiers compared (rng.ars
   serves the ARS kernels of tiers without AES) */
static const char *const halp_families[] = {"fixed.", "rng.", NULL};

#define NMAX 8
#define EMAX 3

typedef struct {
    lpk_status st;
    float w[NMAX];
    lpk_halp_trace tr[EMAX + 2];
} result;

typedef struct {
    lpk_halp_options o;
    size_t n, d;
    float X[NMAX * NMAX + NMAX + 1]; /* X, then y: w may be placed over them */
    float w0[NMAX];
    int use_trace, null_o, null_x, null_y, null_w;
    int w_over; /* 0: w separate; 1: w inside X; 2: trace inside X */
} problem;

static size_t trace_len(const problem *p)
{
    return p->o.epochs >= 0 && p->o.epochs <= EMAX ? (size_t)p->o.epochs + 1 : 0;
}

static void run(const problem *p, result *r)
{
    /* X and y in one exact-size block (ASan sees reads past y) */
    const size_t xybytes = (p->n * p->d + p->n) * sizeof(float);
    float *xy = malloc(xybytes + sizeof(double));
    memcpy(xy, p->X, xybytes);
    float *X = xy, *y = xy + p->n * p->d;
    float *wbuf = malloc(NMAX * sizeof(float) + 1);
    memcpy(wbuf, p->w0, sizeof p->w0);
    float *w = p->w_over == 1 ? X : wbuf;
    lpk_halp_trace *tbuf = malloc((EMAX + 2) * sizeof(lpk_halp_trace));
    memset(tbuf, 0xA5, (EMAX + 2) * sizeof(lpk_halp_trace));
    lpk_halp_trace *tr = p->use_trace && trace_len(p) ? tbuf : NULL;
    if (p->w_over == 2 && tr)
        tr = (lpk_halp_trace *)(void *)xy; /* overlaps X: must be refused */
    r->st = lpk_halp_train(p->null_o ? NULL : &p->o, p->null_x ? NULL : X, p->null_y ? NULL : y,
                           p->n, p->d, p->null_w ? NULL : w, tr);
    FUZZ_CHECK(r->st == LPK_OK || r->st == LPK_EINVAL || r->st == LPK_ENOMEM, "status %d",
               (int)r->st);
    if (r->st != LPK_OK) {
        FUZZ_CHECK(fuzz_diff(xy, p->X, xybytes) < 0, "failed call (%s) wrote X, y or w",
                   lpk_last_error());
        FUZZ_CHECK(fuzz_diff(wbuf, p->w0, sizeof p->w0) < 0, "failed call (%s) wrote w",
                   lpk_last_error());
        for (size_t i = 0; i < (EMAX + 2) * sizeof(lpk_halp_trace); i++)
            FUZZ_CHECK(((uint8_t *)tbuf)[i] == 0xA5, "failed call (%s) wrote the trace",
                       lpk_last_error());
    } else {
        FUZZ_CHECK(fuzz_diff(xy, p->X, xybytes) < 0, "lpk_halp_train wrote X or y");
        if (tr)
            for (size_t e = 0; e < trace_len(p); e++) {
                const int b = tr[e].full_pass_bits;
                FUZZ_CHECK(b == 0 || b == 8 || b == 16 || b == 32, "trace[%zu].full_pass_bits %d",
                           e, b);
                const int fp32 = p->o.solver <= LPK_SOLVER_SVRG;
                FUZZ_CHECK(!(fp32 || e == 0) || tr[e].delta == 0.0, "trace[%zu].delta %g", e,
                           tr[e].delta);
            }
        for (size_t i = trace_len(p) * sizeof(lpk_halp_trace);
             tr && i < (EMAX + 2) * sizeof(lpk_halp_trace); i++)
            FUZZ_CHECK(((uint8_t *)tbuf)[i] == 0xA5, "wrote past the trace's epochs + 1 entries");
    }
    memcpy(r->w, wbuf, sizeof r->w);
    if (tr == tbuf)
        memcpy(r->tr, tr, trace_len(p) * sizeof(lpk_halp_trace));
    free(xy);
    free(wbuf);
    free(tbuf);
}

static const float step_t[] = {0.1f, 0.01f, 0.5f, 1e-3f, 2.0f, 0.0f, -0.1f};
static const float lambda_t[] = {0.0f, 1e-3f, 0.1f, 1.0f, -1e-3f};
static const float mu_t[] = {0.1f, 1.0f, 1e-3f, 10.0f, 0.0f, -1.0f, 1e-30f};
static const float delta_t[] = {0.0f, 0.0f, 1e-2f, 1e-4f, 1.0f, -1e-3f, 1e-30f};
#define T(x) x, sizeof x / sizeof x[0]

static float value(fuzz_in *in, int vmode)
{
    const uint32_t r = fuzz_u32(in);
    if (vmode == 3)
        return lpk_bits_f32(r);
    if (vmode == 1) /* 8-bit data: k * 2^-6, |k| <= 127, the row maximum hit below */
        return (float)((int)(r % 255) - 127) * 0x1p-6f;
    return lpk_bits_f32((r & 0x80000000u) | (120u + ((r >> 23) & 7)) << 23 | (r & 0x7FFFFF));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *tiers[LPK_TIER_COUNT];
    static size_t ntiers;
    if (!ntiers)
        ntiers = fuzz_tiers(halp_families, tiers);

    fuzz_in in;
    fuzz_in_init(&in, data, size);
    problem p;
    memset(&p, 0, sizeof p);
    const uint8_t f0 = fuzz_u8(&in), f1 = fuzz_u8(&in), f2 = fuzz_u8(&in);
    const uint8_t s = fuzz_u8(&in);
    p.o.solver = (lpk_solver)(s < 240 ? s % 6 : (int)(int8_t)fuzz_u8(&in));
    p.o.loss = (lpk_loss)((f0 & 1) ? LPK_LOSS_LOGISTIC : LPK_LOSS_LSQ);
    if ((f0 & 0x0E) == 0x0E)
        p.o.loss = (lpk_loss)(2 + (f1 & 7));
    const uint8_t bs = fuzz_u8(&in);
    p.o.bits = bs < 224 ? ((bs & 1) ? 16 : 8) : (int)(int8_t)fuzz_u8(&in);
    p.o.step = fuzz_param(&in, T(step_t));
    p.o.lambda = fuzz_param(&in, T(lambda_t));
    p.o.mu = fuzz_param(&in, T(mu_t));
    p.o.lp_delta = fuzz_param(&in, T(delta_t));
    const uint8_t ts = fuzz_u8(&in);
    p.o.T = ts < 240 ? ts % 33 : (size_t)fuzz_u64(&in) | ((size_t)1 << 62);
    const uint8_t es = fuzz_u8(&in);
    if (es < 220)
        p.o.epochs = es % (EMAX + 1);
    else if (es < 235)
        p.o.epochs = -(int)(es & 7) - 1;
    else if (es < 245)
        p.o.epochs = INT_MIN;
    else if (p.o.T >= ((size_t)1 << 62))
        p.o.epochs = INT_MAX; /* T * epochs too large: refused */
    else
        p.o.epochs = EMAX;
    p.o.fp32_full_pass = (f0 >> 4) & 1;
    p.o.seed = fuzz_u64(&in);
    p.n = fuzz_u8(&in) % (NMAX + 1);
    p.d = fuzz_u8(&in) % (NMAX + 1);
    if (p.n == 0 && (f2 & 3)) /* mostly valid sizes */
        p.n = 1 + f2 % NMAX;
    if (p.d == 0 && (f2 & 12))
        p.d = 1 + (f2 >> 2) % NMAX;
    p.use_trace = !(f1 & 0x10);
    p.null_o = f2 == 0xF0;
    p.null_x = f2 == 0xF1;
    p.null_y = f2 == 0xF2;
    p.null_w = f2 == 0xF3;
    p.w_over = (f1 >> 5) == 7 ? 1 : (f1 >> 5) == 6 ? 2 : 0;
    const int vmode = (f0 >> 5) & 3;
    for (size_t i = 0; i < p.n * p.d; i++)
        p.X[i] = value(&in, vmode);
    if (vmode == 1) /* every row reaches +-127: 8-bit data exactly */
        for (size_t i = 0; i < p.n; i++)
            p.X[i * p.d] = (i & 1 ? -127.0f : 127.0f) * 0x1p-6f;
    for (size_t i = 0; i < p.n; i++) {
        const uint8_t lb = fuzz_u8(&in);
        float yv = value(&in, vmode == 1 ? 0 : vmode);
        if (p.o.loss == LPK_LOSS_LOGISTIC && lb < 250)
            yv = lb & 1 ? 1.0f : -1.0f;
        p.X[p.n * p.d + i] = yv;
    }
    for (size_t j = 0; j < p.d; j++)
        p.w0[j] = (f0 & 0x80) ? 0.0f : value(&in, vmode == 1 ? 0 : vmode);
    /* the generator: Philox or ARS, sometimes a value that is neither
       (refused); read last, so that the older seed inputs keep their
       meaning */
    const uint8_t rs = fuzz_u8(&in);
    p.o.rng = (lpk_rng)(rs < 240 ? rs & 1 : (int)(int8_t)fuzz_u8(&in));

    result ref, got;
    fuzz_set_tier("scalar");
    run(&p, &ref);
    if (getenv("LPK_FUZZ_VERBOSE")) /* what an input describes (seed corpus upkeep) */
        fprintf(stderr, "solver %d bits %d rng %d n %zu d %zu epochs %d T %zu: status %d %s\n",
                (int)p.o.solver, p.o.bits, (int)p.o.rng, p.n, p.d, p.o.epochs, p.o.T,
                (int)ref.st, ref.st ? lpk_last_error() : "");
    if (p.w_over && !p.null_o && !p.null_x && !p.null_y && !p.null_w && p.n && p.d)
        FUZZ_CHECK(ref.st == LPK_EINVAL || (p.w_over == 2 && !(p.use_trace && trace_len(&p))),
                   "w or trace overlapping X accepted");
    for (size_t t = 1; t < ntiers; t++) {
        fuzz_set_tier(tiers[t]);
        run(&p, &got);
        FUZZ_CHECK(got.st == ref.st, "%s: solver %d rng %d: status %d, scalar %d (%s)",
                   tiers[t], (int)p.o.solver, (int)p.o.rng, (int)got.st, (int)ref.st,
                   lpk_last_error());
        if (ref.st != LPK_OK || p.o.solver != LPK_SOLVER_LP_SGD)
            continue;
        for (size_t j = 0; j < p.d; j++)
            FUZZ_CHECK(lpk_f32_bits(got.w[j]) == lpk_f32_bits(ref.w[j]),
                       "%s: LP_SGD (bits %d, rng %d, n %zu, d %zu, epochs %d, T %zu): "
                       "w[%zu] = %a, scalar %a",
                       tiers[t], p.o.bits, (int)p.o.rng, p.n, p.d, p.o.epochs, p.o.T, j,
                       (double)got.w[j],
                       (double)ref.w[j]);
        if (p.use_trace)
            for (size_t e = 0; e < trace_len(&p); e++) {
                const lpk_halp_trace *a = &got.tr[e], *b = &ref.tr[e];
                FUZZ_CHECK(memcmp(&a->objective, &b->objective, sizeof(double)) == 0 &&
                               memcmp(&a->grad_norm, &b->grad_norm, sizeof(double)) == 0 &&
                               memcmp(&a->delta, &b->delta, sizeof(double)) == 0 &&
                               a->full_pass_bits == b->full_pass_bits,
                           "%s: LP_SGD trace[%zu] differs: objective %a / %a, grad_norm %a / %a, "
                           "delta %a / %a",
                           tiers[t], e, a->objective, b->objective, a->grad_norm, b->grad_norm,
                           a->delta, b->delta);
            }
    }
    fuzz_set_tier("auto");
    return 0;
}
