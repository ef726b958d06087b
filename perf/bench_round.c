/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding benchmark: every runnable variant of every rounding op (walked
   from the kernel tables), the dispatched public call, oneDNN's reorder
   (when built with it) and memcpy of the same traffic, side by side in one
   run, at L1-, L2- and DRAM-sized arrays.  One JSON line per measurement.

   Traffic: f32 -> bf16 reads 4 and writes 2 bytes per element, bf16 -> f32
   the reverse: 6n bytes.  The memcpy row copies 3n bytes (3n read + 3n
   written), the same traffic, so ratio_memcpy = t_memcpy / t_kernel is also
   the ratio of bandwidths.  A read-only row reads the 4n input bytes with
   the same prefetching and order and writes nothing: one thread's read ceiling, which
   bounds any f32 -> bf16 kernel at read_gb_s / 4 Gelem/s.

   "gen" rows time the generators alone (rng.ars, rng.philox: the n random
   uint16 that SR of n elements consumes), in G 16-bit values per second;
   ratio_memcpy_elems = t_memcpy / t_gen compares with the memcpy row of the
   same n (elements per second, not bytes).

   --pairs REPS: instead of the tables, the dispatched calls (public API,
   under the tier cap LPK_ISA gives) of nearest, SR ARS and SR Philox in
   REPS alternating rounds on the same arrays, each call timed alone (one
   sample of >= 20 ms); per size the medians and the median, min and max
   of the per-round ratios t(nearest) / t(SR), so that a change of machine
   load (DRAM rate taken by other tenants) hits both sides of a ratio alike.

   usage: bench_round [--threads N] [--sizes n1,n2,...] [--quick] [--pairs REPS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "dnnl_cmp.h"
#include "lpk_internal.h"
#include "round/round.h"
#include "rng/rng.h"

typedef struct {
    const lpk_variant *v; /* of the row's op; unused by the public API rows */
    const float *x;
    lpk_bf16 *h;
    float *w;
    size_t n;
} job;

/* One function per op for a variant and one for the public call. */
static void run_rne(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_round_rne, j->v)(j->x, j->h, j->n);
    __asm__ volatile("" ::: "memory");
}

static void api_rne(void *p)
{
    job *j = p;
    lpk_f32_to_bf16(j->x, j->h, j->n, LPK_ROUND_NEAREST, 0, 0);
    __asm__ volatile("" ::: "memory");
}

static void run_sr(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_round_sr, j->v)(j->x, j->h, j->n, 42, 0);
    __asm__ volatile("" ::: "memory");
}

static void api_sr(void *p)
{
    job *j = p;
    lpk_f32_to_bf16(j->x, j->h, j->n, LPK_ROUND_STOCHASTIC, 42, 0);
    __asm__ volatile("" ::: "memory");
}

static void run_sr_ars(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_round_sr_ars, j->v)(j->x, j->h, j->n, 42, 0);
    __asm__ volatile("" ::: "memory");
}

static void api_sr_ars(void *p)
{
    job *j = p;
    lpk_f32_to_bf16(j->x, j->h, j->n, LPK_ROUND_STOCHASTIC_ARS, 42, 0);
    __asm__ volatile("" ::: "memory");
}

/* The generators alone: the n random uint16 that SR of n elements uses,
   written to h (2n bytes). */
static void run_gen_ars(void *p)
{
    job *j = p;
    static const uint32_t key[4] = {42, 0, 0, 0}, ctr[4] = {0, 0, 0, 0};
    LPK_FN(lpk_op_rng_ars, j->v)(key, ctr, j->n / 8, (uint32_t *)(void *)j->h);
    __asm__ volatile("" ::: "memory");
}

static void run_gen_philox(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_rng_philox, j->v)(42, 0, j->n / 8, (uint32_t *)(void *)j->h);
    __asm__ volatile("" ::: "memory");
}

static void run_widen(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_round_widen, j->v)(j->h, j->w, j->n);
    __asm__ volatile("" ::: "memory");
}

static void api_widen(void *p)
{
    job *j = p;
    lpk_bf16_to_f32(j->h, j->w, j->n);
    __asm__ volatile("" ::: "memory");
}

typedef struct {
    const lpk_op *op;
    void (*variant)(void *), (*api)(void *);
} row;

static const row rows[] = {
    {&lpk_op_round_rne.op, run_rne, api_rne},
    {&lpk_op_round_sr.op, run_sr, api_sr},
    {&lpk_op_round_sr_ars.op, run_sr_ars, api_sr_ars},
    {&lpk_op_round_widen.op, run_widen, api_widen},
};

/* --pairs: SR against nearest, alternating rounds of the dispatched calls. */
static void pairs(const size_t *sizes, int nsizes, int threads, int reps)
{
    enum { MAXREPS = 1000 };
    if (reps > MAXREPS)
        reps = MAXREPS;
    static double tn[MAXREPS], ta[MAXREPS], tp[MAXREPS], ra[MAXREPS], rp[MAXREPS];
    for (int si = 0; si < nsizes; si++) {
        const size_t n = sizes[si];
        float *x = bu_alloc(n * 4);
        lpk_bf16 *h = bu_alloc(n * 2);
        for (size_t i = 0; i < n; i++)
            x[i] = (float)(i % 1000) * 0.001f - 0.5f;
        job j = {NULL, x, h, NULL, n};
        api_rne(&j);
        api_sr_ars(&j);
        api_sr(&j);
        for (int r = 0; r < reps; r++) {
            tn[r] = bu_time(api_rne, &j, 1, 0.02);
            ta[r] = bu_time(api_sr_ars, &j, 1, 0.02);
            tp[r] = bu_time(api_sr, &j, 1, 0.02);
            ra[r] = tn[r] / ta[r];
            rp[r] = tn[r] / tp[r];
        }
        const double mn = bu_median(tn, reps), ma = bu_median(ta, reps), mp = bu_median(tp, reps);
        double lo_a = ra[0], hi_a = ra[0];
        for (int r = 1; r < reps; r++) {
            lo_a = ra[r] < lo_a ? ra[r] : lo_a;
            hi_a = ra[r] > hi_a ? ra[r] : hi_a;
        }
        printf("{\"bench\":\"round_pairs\",\"n\":%zu,\"level\":\"%s\",\"threads\":%d,"
               "\"pairs\":%d,\"nearest\":\"%s\",\"sr_ars\":\"%s\",\"sr_philox\":\"%s\","
               "\"gelem_s_nearest\":%.3f,\"gelem_s_sr_ars\":%.3f,\"gelem_s_sr_philox\":%.3f,"
               "\"median_pair_ars_over_nearest\":%.3f,\"min_pair_ars\":%.3f,"
               "\"max_pair_ars\":%.3f,\"median_pair_philox_over_nearest\":%.3f}\n",
               n, bu_level(n * 6), threads, reps, lpk_kernel_variant("round.rne_f32_bf16"),
               lpk_kernel_variant("round.sr_ars_f32_bf16"), lpk_kernel_variant("round.sr_f32_bf16"),
               (double)n / mn * 1e-9, (double)n / ma * 1e-9, (double)n / mp * 1e-9,
               bu_median(ra, reps), lo_a, hi_a, bu_median(rp, reps));
        fflush(stdout);
        free(x);
        free(h);
    }
}

static void emit(const char *op, const char *variant, const char *tier, size_t n, int threads,
                 double t, double t_memcpy)
{
    const double bytes = 6.0 * (double)n;
    printf("{\"bench\":\"round\",\"op\":\"%s\",\"variant\":\"%s\",\"tier\":\"%s\",\"n\":%zu,"
           "\"level\":\"%s\",\"threads\":%d,\"median_s\":%.6e,\"gelem_s\":%.3f,\"gb_s\":%.2f,"
           "\"memcpy_gb_s\":%.2f,\"ratio_memcpy\":%.3f}\n",
           op, variant, tier, n, bu_level((size_t)bytes), threads, t, (double)n / t * 1e-9,
           bytes / t * 1e-9, bytes / t_memcpy * 1e-9, t_memcpy / t);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: %s [--threads N] [--sizes n1,n2,...] [--quick] [--pairs REPS]\n",
                   argv[0]);
            return 0;
        }
    int threads = 1, quick = 0, reps = 0;
    size_t sizes[8] = {4096, 131072, (size_t)64 << 20};
    int nsizes = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[i], "--pairs") && i + 1 < argc) {
            reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
            nsizes = 0;
            for (char *s = strtok(argv[++i], ","); s && nsizes < 8; s = strtok(NULL, ","))
                sizes[nsizes++] = (size_t)strtoull(s, NULL, 0);
        } else {
            fprintf(stderr, "usage: %s [--threads N] [--sizes n1,n2,...] [--quick] [--pairs REPS]\n",
                    argv[0]);
            return 2;
        }
    }
    if (lpk_set_num_threads(threads) != LPK_OK) {
        fprintf(stderr, "bench_round: %s\n", lpk_last_error());
        return 2;
    }
    if (reps > 0) {
        pairs(sizes, nsizes, threads, reps);
        return 0;
    }
    const double min_s = quick ? 0.002 : 0.02;
    const int samples = quick ? 3 : 7;
    for (int si = 0; si < nsizes; si++) {
        const size_t n = sizes[si];
        float *x = bu_alloc(n * 4), *w = bu_alloc(n * 4);
        lpk_bf16 *h = bu_alloc(n * 2);
        unsigned char *ma = bu_alloc(n * 3), *mb = bu_alloc(n * 3);
        uint64_t s = 1;
        for (size_t i = 0; i < n; i++) { /* normal values, random low bits */
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            x[i] = (float)((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
        }
        lpk_f32_to_bf16(x, h, n, LPK_ROUND_NEAREST, 0, 0);
        const double t_mc = bu_memcpy_time(mb, ma, n * 3, samples, min_s);
        emit("memcpy", "memcpy(3n bytes)", "-", n, 1, t_mc, t_mc);
        const double t_rd = bu_read_time(x, n * 4, samples, min_s);
        printf("{\"bench\":\"read\",\"variant\":\"read-only stream of the f32 input (4n bytes)\","
               "\"n\":%zu,\"level\":\"%s\",\"threads\":1,\"median_s\":%.6e,\"read_gb_s\":%.2f,"
               "\"f32_input_bound_gelem_s\":%.3f}\n", n, bu_level(n * 6), t_rd,
               4.0 * (double)n / t_rd * 1e-9, (double)n / t_rd * 1e-9);
        for (size_t o = 0; o < sizeof rows / sizeof rows[0]; o++) {
            const lpk_op *op = rows[o].op;
            for (size_t k = 0; k < op->count; k++) {
                const lpk_variant *v = &op->variants[k];
                if (!lpk_variant_runnable(v)) {
                    printf("{\"bench\":\"round\",\"op\":\"%s\",\"variant\":\"%s\",\"skipped\":\"tier %s not available here\"}\n",
                           op->name, v->name, lpk_tiers[v->tier].name);
                    continue;
                }
                job j = {v, x, h, w, n};
                emit(op->name, v->name, lpk_tiers[v->tier].name, n, 1,
                     bu_time(rows[o].variant, &j, samples, min_s), t_mc);
            }
            job j = {NULL, x, h, w, n};
            char name[128];
            snprintf(name, sizeof name, "public API -> %s", lpk_kernel_variant(op->name));
            emit(op->name, name, lpk_isa(), n, threads, bu_time(rows[o].api, &j, samples, min_s),
                 t_mc);
        }
        /* generator alone: G 16-bit values per second, 2n bytes written */
        const struct {
            const lpk_op *op;
            void (*fn)(void *);
        } gens[] = {{&lpk_op_rng_ars.op, run_gen_ars}, {&lpk_op_rng_philox.op, run_gen_philox}};
        for (size_t g = 0; g < sizeof gens / sizeof gens[0]; g++)
            for (size_t k = 0; k < gens[g].op->count; k++) {
                const lpk_variant *v = &gens[g].op->variants[k];
                if (!lpk_variant_runnable(v)) {
                    printf("{\"bench\":\"gen\",\"op\":\"%s\",\"variant\":\"%s\",\"skipped\":\"tier %s not available here\"}\n",
                           gens[g].op->name, v->name, lpk_tiers[v->tier].name);
                    continue;
                }
                job j = {v, x, h, w, n};
                const double tg = bu_time(gens[g].fn, &j, samples, min_s);
                printf("{\"bench\":\"gen\",\"op\":\"%s\",\"variant\":\"%s\",\"tier\":\"%s\","
                       "\"n\":%zu,\"threads\":1,\"median_s\":%.6e,\"gvalues_s\":%.3f,"
                       "\"ratio_memcpy_elems\":%.3f}\n",
                       gens[g].op->name, v->name, lpk_tiers[v->tier].name, n, tg,
                       (double)(n / 8 * 8) / tg * 1e-9, t_mc / tg);
                fflush(stdout);
            }
        double t;
        if (lpk_dnnl_reorder_time(1, x, h, n, threads, samples, min_s, &t))
            emit("round.rne_f32_bf16", "oneDNN reorder f32->bf16", "onednn", n, threads, t, t_mc);
        if (lpk_dnnl_reorder_time(0, w, h, n, threads, samples, min_s, &t))
            emit("round.bf16_f32", "oneDNN reorder bf16->f32", "onednn", n, threads, t, t_mc);
        free(x); free(w); free(h); free(ma); free(mb);
    }
    return 0;
}
