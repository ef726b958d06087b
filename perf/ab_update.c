/* SPDX-License-Identifier: Apache-2.0 */
/* A/B of the update kernels (update.sgd / update.adamw) of one tier between
   an older revision and the working tree, in one process: perf/ab_update.sh
   compiles both kernel files with their exported names changed to sgd_old /
   adamw_old and sgd_new / adamw_new and links them here.  Per mode: both
   sides first step copies of the same buffers (n = 300000, above the size
   where the kernels prefetch) and must write the same bytes; then PAIRS
   rounds of memcpy of the mode's traffic, the old kernel and the new one,
   one call each, over n elements, in the order ab_order gives.  Printed
   are the median rates, the median per-round ratios against that memcpy,
   and the median, min and max of the per-round speed-ups t_old / t_new.
   One JSON line per mode.

   --layout: where the arrays lie relative to each other (separate
   allocations, which glibc maps one below the other, 128 MiB + 4 KiB apart
   at 64M elements): "adjacent" allocates w, comp, grad, m, v in that order
   (as bench_update does), "apart" w, grad, m, v, comp.  The DRAM rate of a
   multi-stream kernel depends on it (perf/RESULTS.md, "Update kernels at
   64M: prefetch in bursts").

   --tiny P: P per mille of the weights (at random) are tiny (~1e-6, below
   the increments), so that their lanes take the rounding the 16-bit Kahan
   mode otherwise skips (step-inl.h, write_weight): 0 to 1000.  With it the
   weights and compensations are restored before every call (untimed), as
   the steps would otherwise move the tiny weights up to the increments'
   size.

   usage: ab_update [--n N] [--pairs P] [--layout adjacent|apart] [--only TEXT]
                    [--tiny P] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ab_util.h"
#include "update_cases.h"
#include "update/update.h"

void sgd_old(const lpk_upd_bufs *b, const lpk_upd_sgd_k *k);
void sgd_new(const lpk_upd_bufs *b, const lpk_upd_sgd_k *k);
void adamw_old(const lpk_upd_bufs *b, const lpk_upd_adamw_k *k);
void adamw_new(const lpk_upd_bufs *b, const lpk_upd_adamw_k *k);


enum { W, COMP, G, M, V, NBUF };

static void *xalloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes)) {
        fprintf(stderr, "ab_update: out of memory\n");
        exit(1);
    }
    memset(p, 0, bytes);
    return p;
}

/* Weights in [-1, 1) split into w + comp, gradients ~1e-2, m ~1e-3, v ~1e-6;
   tiny_permille of the weights ~1e-6 instead (-1: --tiny not given). */
static int tiny_permille = -1;
static void fill(lpk_bf16 *const buf[NBUF], size_t n)
{
    uint64_t s = 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        const float x = (float)((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
        uint32_t u;
        memcpy(&u, &x, 4);
        buf[W][i] = (lpk_bf16)(u >> 16);
        if ((int)((s >> 33) % 1000) < tiny_permille)
            buf[W][i] = (lpk_bf16)(0x3586u | (s >> 20 & 0x8001u));
        buf[COMP][i] = (lpk_bf16)(0x3000u | (s >> 20 & 0x807Fu));
        buf[G][i] = (lpk_bf16)(0x3C23u ^ (s >> 40 & 0x807Fu));
        buf[M][i] = (lpk_bf16)(0x3A83u ^ (s >> 30 & 0x807Fu));
        buf[V][i] = (lpk_bf16)(0x3586u | (s >> 50 & 0x7Fu));
    }
}

typedef struct {
    lpk_upd_bufs b;
    lpk_upd_sgd_k sk;
    lpk_upd_adamw_k ak;
    int adamw;
} call;

static call make_call(const update_case *c, lpk_bf16 *const buf[NBUF], size_t n)
{
    call x;
    memset(&x, 0, sizeof x);
    const int base = c->mode & ~(LPK_UPDATE_RNG_ARS | LPK_UPDATE_STATE_SR);
    const int ars = (c->mode & LPK_UPDATE_RNG_ARS) != 0;
    const int ssr = (c->mode & LPK_UPDATE_STATE_SR) != 0;
    const int kahan = base == LPK_UPDATE_KAHAN || base == LPK_UPDATE_F32_KAHAN;
    x.adamw = c->adamw;
    x.b.n = n;
    x.b.w = buf[W];
    x.b.comp = kahan ? buf[COMP] : NULL;
    x.b.g16 = buf[G];
    x.b.m = c->momentum || c->adamw ? buf[M] : NULL;
    x.b.v = c->adamw ? buf[V] : NULL;
    x.b.seed = 42;
    x.sk = (lpk_upd_sgd_k){.mode = base, .momentum_on = c->momentum, .mom = 0.9f,
                           .one_minus_damp = 1.0f, .neg_lr = -1e-3f, .state_sr = ssr,
                           .rng_ars = ars};
    x.ak = (lpk_upd_adamw_k){.mode = base, .decay = 1, .b1 = 0.9f, .b2 = 0.999f,
                             .one_minus_beta1 = 0.1f, .one_minus_beta2 = 1e-3f, .eps = 1e-8f,
                             .inv_sqrt_bc2 = 1.0f / 0.0998f, .neg_step_size = -1e-3f / 0.6513f,
                             .lr_weight_decay = 1e-5f, .state_sr = ssr, .rng_ars = ars};
    return x;
}

static void step(const call *x, int side_new)
{
    if (x->adamw)
        (side_new ? adamw_new : adamw_old)(&x->b, &x->ak);
    else
        (side_new ? sgd_new : sgd_old)(&x->b, &x->sk);
    __asm__ volatile("" ::: "memory");
}

/* Both sides on copies of the same buffers must write the same bytes. */
static int check(const update_case *c)
{
    const size_t n = 300000;
    lpk_bf16 *a[NBUF], *b[NBUF];
    for (int k = 0; k < NBUF; k++)
        a[k] = xalloc(n * 2), b[k] = xalloc(n * 2);
    fill(a, n);
    fill(b, n);
    const call xa = make_call(c, a, n), xb = make_call(c, b, n);
    step(&xa, 0);
    step(&xb, 1);
    int bad = 0;
    for (int k = 0; k < NBUF; k++) {
        bad |= memcmp(a[k], b[k], n * 2) != 0;
        free(a[k]);
        free(b[k]);
    }
    if (bad)
        fprintf(stderr, "ab_update: %s: the old and new kernels disagree\n", c->name);
    return bad;
}

int main(int argc, char **argv)
{
    size_t n = (size_t)64 << 20;
    int pairs = 7, apart = 0;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--n") && i + 1 < argc) {
            n = (size_t)strtoull(argv[++i], NULL, 0);
        } else if (!strcmp(argv[i], "--pairs") && i + 1 < argc) {
            pairs = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--layout") && i + 1 < argc &&
                   (!strcmp(argv[i + 1], "adjacent") || !strcmp(argv[i + 1], "apart"))) {
            apart = !strcmp(argv[++i], "apart");
        } else if (!strcmp(argv[i], "--tiny") && i + 1 < argc && atoi(argv[i + 1]) >= 0 &&
                   atoi(argv[i + 1]) <= 1000) {
            tiny_permille = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--n N] [--pairs P] [--layout adjacent|apart] "
                            "[--only TEXT] [--tiny P]\n", argv[0]);
            return 2;
        }
    }
    if (pairs < 1 || pairs > 1000)
        pairs = 7;
    n -= n % 64;
    if (n == 0)
        n = 64;
    static const int order[2][NBUF] = {{W, COMP, G, M, V}, {W, G, M, V, COMP}};
    lpk_bf16 *buf[NBUF];
    for (int k = 0; k < NBUF; k++)
        buf[order[apart][k]] = xalloc(n * 2);
    unsigned char *src = xalloc(n * 9), *dst = xalloc(n * 9);
    fill(buf, n);
    lpk_bf16 *w0 = NULL, *c0 = NULL;
    if (tiny_permille >= 0) {
        w0 = xalloc(n * 2), c0 = xalloc(n * 2);
        memcpy(w0, buf[W], n * 2);
        memcpy(c0, buf[COMP], n * 2);
    }
    double *t = malloc(sizeof(double) * 6 * (size_t)pairs);
    double *tm = t, *to = t + pairs, *tn = t + 2 * pairs, *ro = t + 3 * pairs;
    double *rn = t + 4 * pairs, *sp = t + 5 * pairs;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const update_case *mc = &cases[c];
        if (mc->mode == LPK_UPDATE_FP32 || (only && !strstr(mc->name, only)))
            continue; /* the harness has no fp32 master buffers */
        if (check(mc))
            return 1;
        const call x = make_call(mc, buf, n);
        const size_t copy = n * (size_t)mc->bytes / 2;
        step(&x, 0);
        step(&x, 1);
        for (int p = 0; p < pairs; p++) {
            int o[3];
            ab_order(p, 3, o);
            for (int s = 0; s < 3; s++) {
                if (w0 && o[s] != 0) {
                    memcpy(buf[W], w0, n * 2);
                    memcpy(buf[COMP], c0, n * 2);
                }
                const double t0 = ab_now();
                if (o[s] == 0) {
                    memcpy(dst, src, copy);
                    __asm__ volatile("" ::: "memory");
                } else {
                    step(&x, o[s] == 2);
                }
                t[o[s] * pairs + p] = ab_now() - t0;
            }
            ro[p] = tm[p] / to[p], rn[p] = tm[p] / tn[p];
            sp[p] = to[p] / tn[p];
        }
        double lo, hi;
        const double ms = ab_median(sp, pairs, &lo, &hi);
        printf("{\"bench\":\"ab_update\",\"op\":\"%s\",\"n\":%zu,\"layout\":\"%s\",\"pairs\":%d,"
               "\"gelem_s_old\":%.3f,\"gelem_s_new\":%.3f,\"ratio_memcpy_old\":%.3f,"
               "\"ratio_memcpy_new\":%.3f,\"median_pair_speedup\":%.3f,\"min\":%.3f,"
               "\"max\":%.3f}\n",
               mc->name, n, apart ? "apart" : "adjacent", pairs,
               (double)n / ab_median(to, pairs, NULL, NULL) * 1e-9,
               (double)n / ab_median(tn, pairs, NULL, NULL) * 1e-9, ab_median(ro, pairs, NULL, NULL),
               ab_median(rn, pairs, NULL, NULL),
               ms, lo, hi);
        fflush(stdout);
    }
    for (int k = 0; k < NBUF; k++)
        free(buf[k]);
    free(src);
    free(dst);
    free(w0);
    free(c0);
    free(t);
    return 0;
}
