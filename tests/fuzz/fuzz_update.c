/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the optimizer steps (lpk_sgd_step, lpk_adamw_step and
   their _multi forms) and the Kahan checkpoints (lpk_kahan_split,
   lpk_kahan_merge), every tier bit-exact against the scalar one.

   From the input: the optimizer, the mode (each of lpk_update_mode's seven,
   with LPK_UPDATE_STATE_SR and LPK_UPDATE_RNG_ARS where they apply,
   sometimes where they do not, or an unknown value), n (0..130), bf16 or
   fp32 gradient (or both, or neither), every hyper-parameter (ordinary
   values, edge values, raw bit patterns: NaN, Inf, negative, beta = 1,
   ...), nesterov as any int, step (0, small, huge), seed and offset, a NULL
   params / tensor / buffer, two buffers made to overlap, misaligned
   buffers, and the buffer contents (tame values, specials, or raw bit
   patterns).

   Per tier: the status equals the scalar tier's; every buffer (each one its
   own exact-size allocation, so ASan sees any access past it) ends with the
   same bytes as under the scalar tier; on failure nothing at all is
   written; on success the buffers the mode does not use (lpk.h: "neither
   read, written nor checked") are unchanged.  With n > 0 split in two
   pieces (offset + split for the second), every mode gives the same bits
   as in one call (checked under the best tier).  Sometimes every
   call goes through lpk_sgd_step_multi / lpk_adamw_step_multi instead, the
   range split into two tensors with their offsets: the same checks, against
   the scalar tier's single-tensor call.  One input in eight is a checkpoint
   call instead: lpk_kahan_split(master -> w, comp) or lpk_kahan_merge(w,
   comp -> m32) on the same buffers, with the same checks. */
#include <math.h>

#include "fuzz_common.h"

/* the families whose variants differ between the tiers compared */
static const char *const update_families[] = {"update.", NULL};

#define NMAX 130

enum { B_W, B_COMP, B_MASTER, B_GRAD, B_GRAD32, B_M, B_V, B_M32, B_V32, NBUF };
static const size_t esize[NBUF] = {2, 2, 4, 2, 4, 2, 2, 4, 4};
static const char *const bname[NBUF] = {"w", "comp", "master", "grad", "grad32",
                                        "m", "v",    "m32",    "v32"};

typedef struct {
    int adamw;
    lpk_update_mode mode;
    int multi; /* call the _multi form with two tensors */
    int ckpt;  /* 1: lpk_kahan_split instead of a step, 2: lpk_kahan_merge */
    lpk_sgd_params sgd;
    lpk_adamw_params adam;
    int null_params, null_tensor;
    size_t n;
    int present[NBUF];   /* 0: the pointer is NULL */
    size_t mis[NBUF];    /* leading elements before the pointer */
    int alias_from, alias_to; /* alias_to's pointer = alias_from's (or -1) */
    uint8_t *init[NBUF]; /* initial bytes of each block */
    size_t bytes[NBUF];
    uint64_t seed, offset;
} problem;

typedef struct {
    lpk_status st;
    uint8_t *blk[NBUF];
} result;

static int mode_uses(const problem *p, int b)
{
    if (p->ckpt == 1)
        return b == B_MASTER || b == B_W || b == B_COMP;
    if (p->ckpt == 2)
        return b == B_W || b == B_COMP || b == B_M32;
    const int base = (int)p->mode & ~(LPK_UPDATE_STATE_SR | LPK_UPDATE_RNG_ARS);
    const int fp32 = base == LPK_UPDATE_FP32;
    switch (b) {
    case B_W:
    case B_GRAD:
    case B_GRAD32:
        return 1;
    case B_COMP:
        return base == LPK_UPDATE_KAHAN || base == LPK_UPDATE_F32_KAHAN;
    case B_MASTER:
        return fp32;
    case B_M:
        return !fp32 && (p->adamw || p->sgd.momentum != 0.0f);
    case B_M32:
        return fp32 && (p->adamw || p->sgd.momentum != 0.0f);
    case B_V:
        return !fp32 && p->adamw;
    case B_V32:
        return fp32 && p->adamw;
    }
    return 0;
}

static const char *what(const problem *p)
{
    return p->ckpt == 1 ? "lpk_kahan_split"
           : p->ckpt == 2 ? "lpk_kahan_merge"
           : p->adamw     ? "adamw step"
                          : "sgd step";
}

/* Whether a successful call may write buffer b: what it uses, but its
   inputs. */
static int mode_writes(const problem *p, int b)
{
    if (p->ckpt == 1 && b == B_MASTER)
        return 0;
    if (p->ckpt == 2 && (b == B_W || b == B_COMP))
        return 0;
    return mode_uses(p, b) && b != B_GRAD && b != B_GRAD32;
}

/* Elements [lo, hi) in one call: one tensor, or with p->multi two tensors
   [lo, s) and [s, hi) in one _multi call. */
static lpk_status call(const problem *p, result *r, size_t lo, size_t hi)
{
    const size_t s = p->multi ? lo + (size_t)(p->seed >> 40) % (hi - lo + 1) : hi;
    const size_t cut[3] = {lo, s, hi};
    lpk_opt_tensor t[2];
    uint64_t off[2];
    for (int k = 0; k < 2; k++) {
        void *ptr[NBUF];
        for (int b = 0; b < NBUF; b++)
            ptr[b] = p->present[b] ? r->blk[b] + (p->mis[b] + cut[k]) * esize[b] : NULL;
        if (p->alias_to >= 0)
            ptr[p->alias_to] = ptr[p->alias_from];
        t[k] = (lpk_opt_tensor){cut[k + 1] - cut[k], ptr[B_W],   ptr[B_COMP], ptr[B_MASTER],
                                ptr[B_GRAD],         ptr[B_GRAD32], ptr[B_M], ptr[B_V],
                                ptr[B_M32],          ptr[B_V32]};
        off[k] = p->offset + cut[k];
    }
    if (p->ckpt == 1)
        return lpk_kahan_split(t[0].master, t[0].w, t[0].comp, t[0].n);
    if (p->ckpt == 2)
        return lpk_kahan_merge(t[0].w, t[0].comp, t[0].m32, t[0].n);
    const lpk_opt_tensor *tp = p->null_tensor ? NULL : t;
    if (p->multi && p->adamw)
        return lpk_adamw_step_multi(p->null_params ? NULL : &p->adam, p->mode, tp, 2, p->seed,
                                    off);
    if (p->multi)
        return lpk_sgd_step_multi(p->null_params ? NULL : &p->sgd, p->mode, tp, 2, p->seed, off);
    if (p->adamw)
        return lpk_adamw_step(p->null_params ? NULL : &p->adam, p->mode, tp, p->seed, off[0]);
    return lpk_sgd_step(p->null_params ? NULL : &p->sgd, p->mode, tp, p->seed, off[0]);
}

static void run(const problem *p, result *r)
{
    for (int b = 0; b < NBUF; b++) {
        r->blk[b] = malloc(p->bytes[b] + 1);
        memcpy(r->blk[b], p->init[b], p->bytes[b]);
    }
    r->st = call(p, r, 0, p->n);
    FUZZ_CHECK(r->st == LPK_OK || r->st == LPK_EINVAL, "status %d", (int)r->st);
    for (int b = 0; b < NBUF; b++) {
        const int untouched = r->st != LPK_OK || !mode_writes(p, b);
        if (untouched && p->alias_to < 0)
            FUZZ_CHECK(fuzz_diff(r->blk[b], p->init[b], p->bytes[b]) < 0,
                       "%s, mode %d, n %zu: status %d (%s) but %s was written",
                       what(p), (int)p->mode, p->n, (int)r->st,
                       r->st ? lpk_last_error() : "ok", bname[b]);
        else if (r->st != LPK_OK)
            FUZZ_CHECK(fuzz_diff(r->blk[b], p->init[b], p->bytes[b]) < 0,
                       "failed call wrote %s", bname[b]);
        FUZZ_CHECK(fuzz_diff(r->blk[b], p->init[b], p->mis[b] * esize[b]) < 0,
                   "wrote before %s", bname[b]);
    }
}

static void free_result(result *r)
{
    for (int b = 0; b < NBUF; b++)
        free(r->blk[b]);
}

/* ---- input -> problem -------------------------------------------------- */

static const uint16_t special_bf16[] = {0x0000, 0x8000, 0x0001, 0x807F, 0x0080, 0x7F7F,
                                        0xFF7F, 0x7F80, 0xFF80, 0x7FC0, 0xFFC1, 0x7F81};
static const uint32_t special_f32[] = {0x00000000, 0x80000000, 0x00000001, 0x807FFFFF,
                                       0x00800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000,
                                       0xFF800000, 0x7FC00000, 0xFFC00001, 0x7F800001};

static uint32_t value_f32(fuzz_in *in, int vmode, int positive)
{
    const uint32_t r = fuzz_u32(in);
    if (vmode == 3)
        return r;
    if (vmode == 2 && (r & 0x1F) == 0)
        return special_f32[(r >> 5) % (sizeof special_f32 / sizeof special_f32[0])];
    /* |x| in 2^-12 .. 2^3 */
    const uint32_t sign = positive ? 0 : r & 0x80000000u;
    return sign | (115u + ((r >> 23) & 15)) << 23 | (r & 0x7FFFFF);
}

static void fill(fuzz_in *in, problem *p, int b, int vmode)
{
    const size_t cnt = p->mis[b] + p->n;
    p->bytes[b] = cnt * esize[b];
    p->init[b] = malloc(p->bytes[b] + 1);
    const int positive = b == B_V || b == B_V32; /* second moments */
    for (size_t i = 0; i < cnt; i++) {
        uint32_t u = value_f32(in, vmode, positive);
        if (esize[b] == 2) {
            uint16_t h = (uint16_t)(u >> 16);
            if (vmode == 2 && (u & 0x3F) == 1)
                h = special_bf16[(u >> 6) % (sizeof special_bf16 / sizeof special_bf16[0])];
            memcpy(p->init[b] + 2 * i, &h, 2);
        } else {
            memcpy(p->init[b] + 4 * i, &u, 4);
        }
    }
}

static const float lr_t[] = {0.01f, 0.1f, 1e-3f, 0.0f, -0.01f, 1.0f, 3.5f};
static const float mom_t[] = {0.0f, 0.9f, 0.5f, 0.99f, 1.0f, -0.5f};
static const float damp_t[] = {0.0f, 0.0f, 0.1f, 0.5f, 1.0f};
static const float wd_t[] = {0.0f, 1e-4f, 0.01f, 0.1f, -0.01f};
static const float b1_t[] = {0.9f, 0.0f, 0.5f, 0.99f, 0.999999f, 1.0f, -0.1f};
static const float b2_t[] = {0.999f, 0.99f, 0.0f, 0.5f, 1.0f};
static const float eps_t[] = {1e-8f, 1e-6f, 0.0f, 1e-3f, 1e-30f, -1e-8f};
#define T(x) x, sizeof x / sizeof x[0]

static uint64_t step_of(fuzz_in *in)
{
    const uint8_t s = fuzz_u8(in);
    if (s < 200)
        return 1 + s % 4;
    if (s < 215)
        return 0;
    if (s < 235)
        return 1000 + s;
    return fuzz_u64(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *tiers[LPK_TIER_COUNT];
    static size_t ntiers;
    if (!ntiers)
        ntiers = fuzz_tiers(update_families, tiers);

    fuzz_in in;
    fuzz_in_init(&in, data, size);
    problem p;
    memset(&p, 0, sizeof p);
    const uint8_t f0 = fuzz_u8(&in), f1 = fuzz_u8(&in), f2 = fuzz_u8(&in);
    p.adamw = f0 & 1;
    /* the 16-bit model's modes and FP32, or (f1 bit 3) the F32_* ones */
    static const lpk_update_mode f32_modes[4] = {LPK_UPDATE_F32_NEAREST, LPK_UPDATE_F32_STOCHASTIC,
                                                 LPK_UPDATE_F32_KAHAN, LPK_UPDATE_F32_STOCHASTIC};
    p.mode = (f1 & 8) ? f32_modes[(f0 >> 1) & 3] : (lpk_update_mode)((f0 >> 1) & 3);
    /* fl: the flags where they apply (RNG_ARS with a mode that draws bits,
       STATE_SR with an F32_* one), or one in eight times either flag
       anywhere; the _multi form (bit 4) */
    const uint8_t fl = fuzz_u8(&in);
    if ((fl & 0xE0) == 0xE0) {
        p.mode |= (fl & 4 ? LPK_UPDATE_RNG_ARS : 0) | (fl & 8 ? LPK_UPDATE_STATE_SR : 0);
    } else {
        if ((fl & 2) && (f1 & 8))
            p.mode |= LPK_UPDATE_STATE_SR;
        const int draws = p.mode == LPK_UPDATE_STOCHASTIC || p.mode == LPK_UPDATE_F32_STOCHASTIC ||
                          (p.mode & LPK_UPDATE_STATE_SR);
        if ((fl & 1) && draws)
            p.mode |= LPK_UPDATE_RNG_ARS;
    }
    if ((f0 & 0xF8) == 0xF8) { /* an unknown mode: refused */
        static const int unknown[] = {4, 5, 6, 7, 8, 15, 19, 20, 31, 35, 36, 51, 96, 128, -1};
        p.mode = (lpk_update_mode)unknown[fuzz_u8(&in) % (sizeof unknown / sizeof unknown[0])];
    }
    const int vmode = (f0 >> 3) & 3;
    p.n = fuzz_u8(&in) % (NMAX + 1);
    if (p.adamw) {
        p.adam.lr = fuzz_param(&in, T(lr_t));
        p.adam.beta1 = fuzz_param(&in, T(b1_t));
        p.adam.beta2 = fuzz_param(&in, T(b2_t));
        p.adam.eps = fuzz_param(&in, T(eps_t));
        p.adam.weight_decay = fuzz_param(&in, T(wd_t));
        p.adam.step = step_of(&in);
    } else {
        p.sgd.lr = fuzz_param(&in, T(lr_t));
        p.sgd.momentum = fuzz_param(&in, T(mom_t));
        p.sgd.dampening = fuzz_param(&in, T(damp_t));
        p.sgd.weight_decay = fuzz_param(&in, T(wd_t));
        const uint8_t nv = fuzz_u8(&in);
        p.sgd.nesterov = nv < 240 ? (nv & 1) : (int)fuzz_u32(&in);
        p.sgd.step = step_of(&in);
    }
    p.seed = fuzz_u64(&in);
    p.offset = fuzz_u64(&in);
    if (f1 & 4)
        p.offset = (uint64_t)0 - (p.offset & 0xFF);
    p.null_params = (f2 & 0x7F) == 0x7F;
    p.null_tensor = (f2 & 0x7F) == 0x7E;
    /* gradient: bf16 or fp32, rarely both or neither */
    const int g = (f1 >> 4) & 15;
    const int want_g16 = g < 7 || g == 14, want_g32 = (g >= 7 && g < 14) || g == 14;
    for (int b = 0; b < NBUF; b++)
        p.present[b] = 1;
    p.present[B_GRAD] = want_g16;
    p.present[B_GRAD32] = want_g32;
    /* NULL buffers: one, sometimes (an unused one is fine, a used one not) */
    if (f2 & 0x80)
        p.present[(f2 >> 3) % NBUF] = 0;
    p.alias_to = -1;
    const uint8_t al = fuzz_u8(&in);
    if (al >= 224 && p.n > 0) {
        const int x = al % NBUF, y = (al / NBUF) % NBUF;
        if (x != y && p.present[x] && p.present[y]) {
            p.alias_from = x;
            p.alias_to = y;
        }
    }
    const uint16_t mis = fuzz_u16(&in);
    for (int b = 0; b < NBUF; b++)
        p.mis[b] = (mis >> (b % 8 * 2)) & 1 ? 1 : 0;
    /* an alias pointer must be aligned for its own type */
    if (p.alias_to >= 0 && esize[p.alias_to] > esize[p.alias_from]) {
        p.mis[p.alias_from] = 0;
    }
    for (int b = 0; b < NBUF; b++)
        fill(&in, &p, b, vmode);
    if (p.alias_to >= 0 && esize[p.alias_to] > esize[p.alias_from]) {
        /* the aliased pointer may reach past the smaller block: make room */
        const size_t need = (p.mis[p.alias_from] + p.n) * esize[p.alias_to];
        p.init[p.alias_from] = realloc(p.init[p.alias_from], need + 1);
        memset(p.init[p.alias_from] + p.bytes[p.alias_from], 0, need - p.bytes[p.alias_from]);
        p.bytes[p.alias_from] = need;
    }

    /* the _multi form, but not with a pointer aliased to a buffer of
       another element size: its second tensor would start elsewhere than
       the single call's element s */
    p.multi = (fl >> 4) & 1 && (p.alias_to < 0 || esize[p.alias_to] == esize[p.alias_from]);
    /* or a checkpoint call */
    if ((fl & 0xE0) == 0x20) {
        p.ckpt = 1 + ((fl >> 2) & 1);
        p.multi = 0;
    }

    result ref, got;
    fuzz_set_tier("scalar");
    problem single = p; /* the reference: one tensor */
    single.multi = 0;
    run(&single, &ref);
    if (getenv("LPK_FUZZ_VERBOSE")) /* what an input describes (seed corpus upkeep) */
        fprintf(stderr, "%s mode %d n %zu multi %d alias %d: status %d %s\n",
                what(&p), (int)p.mode, p.n, p.multi, p.alias_to, (int)ref.st,
                ref.st ? lpk_last_error() : "");
    if (p.alias_to >= 0 && mode_uses(&p, p.alias_to) && mode_uses(&p, p.alias_from) &&
        (p.ckpt || (!p.null_params && !p.null_tensor)))
        FUZZ_CHECK(ref.st == LPK_EINVAL, "%s and %s overlap, both used, status %d",
                   bname[p.alias_from], bname[p.alias_to], (int)ref.st);
    for (size_t t = 1; t < ntiers; t++) {
        fuzz_set_tier(tiers[t]);
        run(&p, &got);
        FUZZ_CHECK(got.st == ref.st, "%s: %s, mode %d, n %zu: status %d, scalar %d (%s)",
                   tiers[t], what(&p), (int)p.mode, p.n, (int)got.st,
                   (int)ref.st, lpk_last_error());
        for (int b = 0; b < NBUF; b++) {
            const long d = fuzz_diff(got.blk[b], ref.blk[b], p.bytes[b]);
            if (d >= 0) {
                const size_t i = (size_t)d / esize[b];
                uint32_t gv = 0, rv = 0, iv = 0;
                memcpy(&gv, got.blk[b] + i * esize[b], esize[b]);
                memcpy(&rv, ref.blk[b] + i * esize[b], esize[b]);
                memcpy(&iv, p.init[b] + i * esize[b], esize[b]);
                /* the element's inputs in every buffer, and the call */
                const ptrdiff_t e = (ptrdiff_t)i - (ptrdiff_t)p.mis[b];
                for (int c = 0; c < NBUF && e >= 0; c++) {
                    uint32_t x = 0;
                    if (p.present[c] && (size_t)e < p.n)
                        memcpy(&x, p.init[c] + (p.mis[c] + (size_t)e) * esize[c], esize[c]);
                    fprintf(stderr, "  %s[%td] was 0x%x%s\n", bname[c], e, x,
                            p.present[c] ? "" : " (NULL)");
                }
                if (p.adamw)
                    fprintf(stderr, "  lr %a beta1 %a beta2 %a eps %a wd %a step %llu\n",
                            (double)p.adam.lr, (double)p.adam.beta1, (double)p.adam.beta2,
                            (double)p.adam.eps, (double)p.adam.weight_decay,
                            (unsigned long long)p.adam.step);
                else
                    fprintf(stderr, "  lr %a momentum %a dampening %a wd %a nesterov %d step %llu\n",
                            (double)p.sgd.lr, (double)p.sgd.momentum, (double)p.sgd.dampening,
                            (double)p.sgd.weight_decay, p.sgd.nesterov,
                            (unsigned long long)p.sgd.step);
                fprintf(stderr, "  seed 0x%llx offset 0x%llx multi %d alias %d -> %d\n",
                        (unsigned long long)p.seed, (unsigned long long)p.offset, p.multi,
                        p.alias_from, p.alias_to);
                FUZZ_FAIL("%s: %s, mode %d, n %zu, step %llu: %s[%zd] = 0x%x, scalar 0x%x "
                          "(was 0x%x)",
                          tiers[t], what(&p), (int)p.mode, p.n,
                          (unsigned long long)(p.adamw ? p.adam.step : p.sgd.step), bname[b],
                          (ptrdiff_t)i - (ptrdiff_t)p.mis[b], gv, rv, iv);
            }
        }
        /* the same update in two pieces */
        if (t + 1 == ntiers && ref.st == LPK_OK && p.n > 1 && p.alias_to < 0) {
            result two;
            for (int b = 0; b < NBUF; b++) {
                two.blk[b] = malloc(p.bytes[b] + 1);
                memcpy(two.blk[b], p.init[b], p.bytes[b]);
            }
            const size_t split = (size_t)(p.seed % p.n);
            FUZZ_CHECK(call(&p, &two, 0, split) == LPK_OK && call(&p, &two, split, p.n) == LPK_OK,
                       "split update failed: %s", lpk_last_error());
            for (int b = 0; b < NBUF; b++)
                FUZZ_CHECK(fuzz_diff(two.blk[b], ref.blk[b], p.bytes[b]) < 0,
                           "%s: update split at %zu of %zu differs in %s", tiers[t], split, p.n,
                           bname[b]);
            free_result(&two);
        }
        free_result(&got);
    }
    free_result(&ref);
    for (int b = 0; b < NBUF; b++)
        free(p.init[b]);
    fuzz_set_tier("auto");
    return 0;
}
