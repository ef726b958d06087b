/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM benchmark: every runnable variant (walked from the kernel table),
   oneDNN's matmul (bf16 x bf16 -> f32) and OpenBLAS and BLIS sgemm on the
   operands widened to fp32 (what a user holding bf16 would otherwise call;
   the widening timed apart), all in the same process with the same thread
   count, on square shapes and on the three forms a layer uses (A*B, A*B^T,
   A^T*B) of training shapes, next to the measured peak of the instruction
   each variant uses.  One JSON line per measurement (times are medians), a
   "gemm_vs_sgemm" line per shape (the dispatched variant over the best
   sgemm), and a readable table of those at the end.  The first lines
   record what ran: the per-CPU entry, the peers' configurations and the
   environment variables that steer them (OPENBLAS_CORETYPE, ...).

   usage: bench_gemm [--threads 1,2] [--quick] [--shapes square|train|all]
                     [--only <variant substring>] [--sizes 512,2048 (square sizes)]
                     [--scaling REPS] [--epilogue REPS]
   --scaling: thread scaling of the public API on the square sizes, measured
   as pairs of calls with 1 thread and with the largest --threads count
   alternating in one process (REPS pairs after a warm-up call each), so
   that the load other tenants put on a shared machine hits both sides of
   each pair alike; prints the medians and the median of the per-pair
   ratios t(1 thread) / t(N threads).
   --epilogue: the bf16-output GEMM (lpk_gemm_bf16: fp32 accumulation, then
   alpha/beta and the rounding of C to bf16 with nearest, SR Philox or SR
   ARS) against the fp32-output call (lpk_gemm_bf16f32) on the same
   operands, square sizes, each thread count: pairs of calls alternating in
   one process (REPS pairs), median of the per-pair ratios
   t(fp32 output) / t(bf16 output). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "blas_cmp.h"
#include "dnnl_cmp.h"
#include "peak.h"
#include "gemm/gemm.h"
#include "cpu_prefs.h"

typedef struct {
    const lpk_gemm_ukr *u;
    lpk_trans ta, tb;
    size_t m, n, k;
    const lpk_bf16 *a, *b;
    float *c;
} job;

static void run(void *p)
{
    job *j = p;
    const size_t lda = j->ta == LPK_NOTRANS ? j->k : j->m, ldb = j->tb == LPK_NOTRANS ? j->n : j->k;
    lpk_gemm_run(j->u, j->ta, j->tb, j->m, j->n, j->k, 1.0f, j->a, lda, j->b, ldb, 0.0f, j->c, j->n);
}

typedef struct {
    lpk_trans ta;
    size_t m, n, k;
    const lpk_bf16 *a;
    const lpk_gemm_packed_b *b;
    float *c;
} packed_job;

static void run_packed(void *p)
{
    packed_job *j = p;
    lpk_gemm_bf16f32_packed(j->ta, j->m, j->n, j->k, 1.0f, j->a, j->ta == LPK_NOTRANS ? j->k : j->m,
                            j->b, 0.0f, j->c, j->n);
}

typedef struct {
    size_t m, n, k;
    lpk_trans ta, tb;
    const char *form;
} shape;

static double peaks[LPK_TIER_COUNT];

/* One shape's comparison, kept for the table at the end. */
typedef struct {
    const char *form;
    size_t m, n, k;
    int threads;
    double lpk, sgemm[LPK_BLAS_COUNT], onednn, widen_s, pct_peak;
} vs_row;
static vs_row vs_rows[256];
static size_t nvs;

typedef struct {
    const lpk_bf16 *a, *b;
    float *af, *bf;
    size_t na, nb;
} widen_job;

static void run_widen(void *p)
{
    widen_job *w = p;
    lpk_bf16_to_f32(w->a, w->af, w->na);
    lpk_bf16_to_f32(w->b, w->bf, w->nb);
}

/* What ran and what steers the peers. */
static void print_setup(void)
{
    lpk_cpu_id id;
    lpk_cpu_id_current(&id);
    printf("{\"bench\":\"gemm_setup\",\"cpu_vendor\":\"%s\",\"cpu_family\":%u,"
           "\"cpu_model\":%u,\"cpu_entry\":\"%s\",\"isa\":\"%s\",\"chosen\":\"%s\"",
           id.vendor, id.family, id.model, lpk_cpu_pref_current()->name, lpk_isa(),
           lpk_kernel_variant("gemm.bf16f32"));
    for (int l = 0; l < LPK_BLAS_COUNT; l++) {
        const char *cfg = lpk_blas_config(l);
        printf(",\"%s\":\"%s\"", lpk_blas_name(l), cfg ? cfg : "not loaded");
    }
    static const char *const env[] = {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                      "OPENBLAS_NUM_THREADS", "BLIS_ARCH_TYPE",
                                      "BLIS_NUM_THREADS", "OMP_NUM_THREADS", "LPK_ISA",
                                      "LPK_GEMM_PREFER"};
    for (size_t i = 0; i < sizeof env / sizeof env[0]; i++) {
        const char *v = getenv(env[i]);
        printf(",\"env_%s\":%s%s%s", env[i], v ? "\"" : "", v ? v : "null", v ? "\"" : "");
    }
    printf("}\n");
}

static void print_table(void)
{
    if (!nvs)
        return;
    printf("\nlpk (%s) vs sgemm on widened operands (GFLOP/s, same process; "
           "ratio = lpk / best sgemm)\n", lpk_kernel_variant("gemm.bf16f32"));
    printf("| form | m | n | k | thr | lpk | %%peak | OpenBLAS | BLIS | oneDNN bf16 | widen ms "
           "| lpk/best sgemm |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t i = 0; i < nvs; i++) {
        const vs_row *r = &vs_rows[i];
        const double best = r->sgemm[0] > r->sgemm[1] ? r->sgemm[0] : r->sgemm[1];
        printf("| %s | %zu | %zu | %zu | %d | %.1f | %.0f | %.1f | %.1f | %.1f | %.2f | %.2f |\n",
               r->form, r->m, r->n, r->k, r->threads, r->lpk, r->pct_peak, r->sgemm[0],
               r->sgemm[1], r->onednn, r->widen_s * 1e3, best > 0 ? r->lpk / best : 0);
    }
}

static void scaling(const size_t *sizes, size_t nsizes, int nt, int reps)
{
    enum { MAXREPS = 1000 };
    if (reps > MAXREPS)
        reps = MAXREPS;
    static double t1[MAXREPS], tn[MAXREPS], ratio[MAXREPS];
    for (size_t si = 0; si < nsizes; si++) {
        const size_t n = sizes[si];
        lpk_bf16 *a = bu_alloc(n * n * 2), *b = bu_alloc(n * n * 2);
        float *c = bu_alloc(n * n * 4);
        for (size_t x = 0; x < n * n; x++) {
            a[x] = (lpk_bf16)(0x3E00 + x * 7 % 64);
            b[x] = (lpk_bf16)(0xBE00 + x * 13 % 64);
        }
        for (int r = 0; r < reps; r++)
            for (int side = 0; side < 2; side++) {
                lpk_set_num_threads(side ? nt : 1);
                lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
                const double t0 = bu_now();
                lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
                (side ? tn : t1)[r] = bu_now() - t0;
            }
        for (int r = 0; r < reps; r++)
            ratio[r] = t1[r] / tn[r];
        const double f = 2.0 * (double)n * (double)n * (double)n * 1e-9;
        const double m1 = bu_median(t1, reps), mn = bu_median(tn, reps), mr = bu_median(ratio, reps);
        printf("{\"bench\":\"gemm_scaling\",\"variant\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,"
               "\"threads\":%d,\"pairs\":%d,\"gflops_1\":%.1f,\"gflops_n\":%.1f,"
               "\"median_pair_speedup\":%.3f}\n", lpk_kernel_variant("gemm.bf16f32"), n, n, n, nt,
               reps, f / m1, f / mn, mr);
        fflush(stdout);
        free(a);
        free(b);
        free(c);
    }
    lpk_set_num_threads(0);
}

typedef struct {
    size_t n;
    const lpk_bf16 *a, *b;
    float *cf;
    lpk_bf16 *cb;
    int mode; /* -1: fp32 output, else the lpk_round mode of the bf16 output */
} epi_job;

static void run_epi(const epi_job *j)
{
    const size_t n = j->n;
    if (j->mode < 0)
        lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, n, n, n, 1.0f, j->a, n, j->b, n, 0.0f, j->cf, n);
    else
        lpk_gemm_bf16(LPK_NOTRANS, LPK_NOTRANS, n, n, n, 1.0f, j->a, n, j->b, n, 0.0f, j->cb, n,
                      (lpk_round)j->mode, 42);
}

/* The SR epilogue's cost: bf16 output vs fp32 output, alternating pairs. */
static void epilogue(const size_t *sizes, size_t nsizes, const int *threads, int nthreads,
                     int reps)
{
    enum { MAXREPS = 1000 };
    if (reps > MAXREPS)
        reps = MAXREPS;
    static double tf[MAXREPS], tb[MAXREPS], ratio[MAXREPS];
    static const struct { int mode; const char *name; } modes[] = {
        {LPK_ROUND_NEAREST, "nearest"},
        {LPK_ROUND_STOCHASTIC, "sr_philox"},
        {LPK_ROUND_STOCHASTIC_ARS, "sr_ars"},
    };
    for (int ti = 0; ti < nthreads; ti++) {
        lpk_set_num_threads(threads[ti]);
        for (size_t si = 0; si < nsizes; si++) {
            const size_t n = sizes[si];
            lpk_bf16 *a = bu_alloc(n * n * 2), *b = bu_alloc(n * n * 2), *cb = bu_alloc(n * n * 2);
            float *cf = bu_alloc(n * n * 4);
            for (size_t x = 0; x < n * n; x++) {
                a[x] = (lpk_bf16)(0x3E00 + x * 7 % 64);
                b[x] = (lpk_bf16)(0xBE00 + x * 13 % 64);
            }
            const double f = 2.0 * (double)n * (double)n * (double)n * 1e-9;
            for (size_t mi = 0; mi < sizeof modes / sizeof modes[0]; mi++) {
                epi_job jf = {n, a, b, cf, cb, -1}, jb = {n, a, b, cf, cb, modes[mi].mode};
                run_epi(&jf);
                run_epi(&jb);
                for (int r = 0; r < reps; r++) {
                    double t0 = bu_now();
                    run_epi(&jf);
                    tf[r] = bu_now() - t0;
                    t0 = bu_now();
                    run_epi(&jb);
                    tb[r] = bu_now() - t0;
                    ratio[r] = tf[r] / tb[r];
                }
                const double mf = bu_median(tf, reps), mb = bu_median(tb, reps);
                const double mr = bu_median(ratio, reps);
                printf("{\"bench\":\"gemm_epilogue\",\"variant\":\"%s\",\"m\":%zu,\"n\":%zu,"
                       "\"k\":%zu,\"threads\":%d,\"output\":\"bf16 %s\",\"pairs\":%d,"
                       "\"gflops_f32_out\":%.1f,\"gflops_bf16_out\":%.1f,"
                       "\"median_pair_bf16_over_f32\":%.3f}\n",
                       lpk_kernel_variant("gemm.bf16f32"), n, n, n, threads[ti], modes[mi].name,
                       reps, f / mf, f / mb, mr);
                fflush(stdout);
            }
            free(a);
            free(b);
            free(cb);
            free(cf);
        }
    }
    lpk_set_num_threads(0);
}

static void measure_peaks(void)
{
    struct { lpk_tier t; double (*f)(void); const char *instr; } p[] = {
        {LPK_TIER_AVX2, lpk_peak_fma_avx2, "VFMADD231PS ymm"},
        {LPK_TIER_AVX512, lpk_peak_fma_avx512, "VFMADD231PS zmm"},
        {LPK_TIER_AVX512BF16, lpk_peak_dpbf16_avx512, "VDPBF16PS zmm"},
        {LPK_TIER_AMX, lpk_peak_tdpbf16_amx, "TDPBF16PS"},
    };
    for (size_t i = 0; i < sizeof p / sizeof p[0]; i++) {
        if (!lpk_tier_supported(p[i].t))
            continue;
        peaks[p[i].t] = p[i].f();
        printf("{\"bench\":\"peak\",\"tier\":\"%s\",\"instruction\":\"%s\",\"threads\":1,"
               "\"gflops\":%.1f}\n", lpk_tiers[p[i].t].name, p[i].instr, peaks[p[i].t]);
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: %s [--threads 1,2] [--quick] [--shapes square|train|all] "
                   "[--only substring] [--sizes 512,2048] [--scaling REPS] "
                   "[--epilogue REPS]\n", argv[0]);
            return 0;
        }
    int threads[4] = {1, 2}, nthreads = 2, quick = 0, scale_reps = 0, epi_reps = 0;
    const char *which = "all", *only = NULL;
    size_t sq_user[8], nsq_user = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            nthreads = 0;
            for (char *s = strtok(argv[++i], ","); s && nthreads < 4; s = strtok(NULL, ","))
                threads[nthreads++] = atoi(s);
        } else if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[i], "--shapes") && i + 1 < argc) {
            which = argv[++i];
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--scaling") && i + 1 < argc) {
            scale_reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--epilogue") && i + 1 < argc) {
            epi_reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
            for (char *t = strtok(argv[++i], ","); t && nsq_user < 8; t = strtok(NULL, ","))
                if (atol(t) > 0)
                    sq_user[nsq_user++] = (size_t)atol(t);
        } else {
            fprintf(stderr, "usage: %s [--threads 1,2] [--quick] [--shapes square|train|all] "
                            "[--only substring] [--sizes 512,2048] [--scaling REPS] "
                            "[--epilogue REPS]\n", argv[0]);
            return 2;
        }
    }
    if (epi_reps > 0) {
        static const size_t epi_default[] = {1024};
        epilogue(nsq_user ? sq_user : epi_default, nsq_user ? nsq_user : 1, threads, nthreads,
                 epi_reps);
        return 0;
    }
    if (scale_reps > 0) {
        int nt = 1;
        for (int i = 0; i < nthreads; i++)
            nt = threads[i] > nt ? threads[i] : nt;
        static const size_t sc_default[] = {1024, 2048};
        scaling(nsq_user ? sq_user : sc_default, nsq_user ? nsq_user : 2, nt, scale_reps);
        return 0;
    }
    shape shapes[64];
    size_t ns = 0;
    static const size_t sq_full[] = {256, 512, 1024, 2048, 4096}, sq_quick[] = {512, 1024};
    const size_t *sq = nsq_user ? sq_user : quick ? sq_quick : sq_full;
    const size_t nsq = nsq_user ? nsq_user : quick ? 2 : 5;
    if (strcmp(which, "train") != 0)
        for (size_t i = 0; i < nsq; i++)
            shapes[ns++] = (shape){sq[i], sq[i], sq[i], LPK_NOTRANS, LPK_NOTRANS, "square"};
    if (strcmp(which, "square") != 0) {
        static const size_t ms_full[] = {32, 256, 2048}, nk_full[] = {1024, 4096};
        static const size_t ms_quick[] = {256}, nk_quick[] = {1024};
        const size_t *ms = quick ? ms_quick : ms_full, *nk = quick ? nk_quick : nk_full;
        for (size_t a = 0; a < (quick ? 1u : 3u); a++)
            for (size_t b = 0; b < (quick ? 1u : 2u); b++)
                for (size_t c = 0; c < (quick ? 1u : 2u); c++) {
                    shapes[ns++] = (shape){ms[a], nk[b], nk[c], LPK_NOTRANS, LPK_NOTRANS, "A*B"};
                    shapes[ns++] = (shape){ms[a], nk[b], nk[c], LPK_NOTRANS, LPK_TRANS, "A*B^T"};
                    shapes[ns++] = (shape){ms[a], nk[b], nk[c], LPK_TRANS, LPK_NOTRANS, "A^T*B"};
                }
    }
    print_setup();
    measure_peaks();
    const int samples = quick ? 3 : 5;
    for (int ti = 0; ti < nthreads; ti++) {
        const int nt = threads[ti];
        lpk_set_num_threads(nt);
        for (size_t si = 0; si < ns; si++) {
            const shape *s = &shapes[si];
            const double flops = 2.0 * (double)s->m * (double)s->n * (double)s->k;
            lpk_bf16 *a = bu_alloc(s->m * s->k * 2), *b = bu_alloc(s->k * s->n * 2);
            float *c = bu_alloc(s->m * s->n * 4);
            uint64_t st = 1;
            for (size_t x = 0; x < s->m * s->k; x++) {
                st = st * 6364136223846793005ull + 1442695040888963407ull;
                a[x] = (lpk_bf16)(0x3E00 + (st >> 57));
            }
            for (size_t x = 0; x < s->k * s->n; x++) {
                st = st * 6364136223846793005ull + 1442695040888963407ull;
                b[x] = (lpk_bf16)(0xBE00 + (st >> 57));
            }
            const char *chosen = lpk_kernel_variant("gemm.bf16f32");
            double best = 0, chosen_gf = 0, chosen_pct = 0;
            for (size_t vi = 0; vi < lpk_op_gemm.op.count; vi++) {
                const lpk_variant *v = &lpk_op_gemm.op.variants[vi];
                if (only && !strstr(v->name, only))
                    continue;
                if (!lpk_variant_runnable(v) || (v->tier == LPK_TIER_SCALAR && flops > 3e8)) {
                    printf("{\"bench\":\"gemm\",\"variant\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,"
                           "\"skipped\":\"%s\"}\n", v->name, s->m, s->n, s->k,
                           lpk_variant_runnable(v) ? "scalar reference: too slow for this size"
                                                   : "tier not available here");
                    continue;
                }
                job j = {LPK_FN(lpk_op_gemm, v)(), s->ta, s->tb, s->m, s->n, s->k, a, b, c};
                double tc;
                const double t = bu_time_cpu(run, &j, samples, 0.05, &tc);
                const double gf = flops / t * 1e-9, pk = peaks[v->tier] * nt;
                if (gf > best)
                    best = gf;
                if (!strcmp(v->name, chosen)) {
                    chosen_gf = gf;
                    chosen_pct = pk > 0 ? 100 * gf / pk : 0;
                }
                printf("{\"bench\":\"gemm\",\"variant\":\"%s\",\"tier\":\"%s\",\"chosen\":%s,"
                       "\"form\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%d,"
                       "\"median_s\":%.4e,\"gflops\":%.1f,\"peak_gflops\":%.0f,\"pct_peak\":%.1f",
                       v->name, lpk_tiers[v->tier].name, !strcmp(v->name, chosen) ? "true" : "false",
                       s->form, s->m, s->n, s->k, nt, t, gf, pk, pk > 0 ? 100 * gf / pk : 0);
                if (nt == 1) /* the time it ran: robust to other tenants on 1 thread */
                    printf(",\"gflops_cputime\":%.1f", flops / tc * 1e-9);
                printf("}\n");
                fflush(stdout);
            }
            /* B pre-packed once (weights reused across calls), chosen variant */
            lpk_gemm_packed_b *pb = NULL;
            if (!only && lpk_gemm_pack_b(s->tb, s->k, s->n, b, s->tb == LPK_NOTRANS ? s->n : s->k,
                                         &pb) == LPK_OK) {
                packed_job pj = {s->ta, s->m, s->n, s->k, a, pb, c};
                const double tp = bu_time(run_packed, &pj, samples, 0.05);
                printf("{\"bench\":\"gemm\",\"variant\":\"B pre-packed -> %s\",\"tier\":\"%s\","
                       "\"form\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%d,"
                       "\"median_s\":%.4e,\"gflops\":%.1f}\n", chosen, lpk_isa(), s->form, s->m,
                       s->n, s->k, nt, tp, flops / tp * 1e-9);
                lpk_gemm_packed_b_free(pb);
            }
            double t, tc, dnnl_gf = 0;
            char impl[128];
            if (!only && lpk_dnnl_matmul_time(s->ta == LPK_TRANS, s->tb == LPK_TRANS, s->m, s->n,
                                              s->k, a, b, c, nt, samples, 0.05, &t, impl,
                                              sizeof impl)) {
                const double gf = flops / t * 1e-9;
                printf("{\"bench\":\"gemm\",\"variant\":\"oneDNN matmul (%s)\",\"tier\":\"onednn\","
                       "\"form\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%d,"
                       "\"median_s\":%.4e,\"gflops\":%.1f,\"lpk_best_over_onednn\":%.2f}\n",
                       impl, s->form, s->m, s->n, s->k, nt, t, gf, best / gf);
                dnnl_gf = gf;
            }
            /* OpenBLAS and BLIS sgemm on the widened operands */
            float *af = bu_alloc(s->m * s->k * 4), *bf = bu_alloc(s->k * s->n * 4);
            widen_job wj = {a, b, af, bf, s->m * s->k, s->k * s->n};
            const double tw = bu_time(run_widen, &wj, samples, 0.02);
            vs_row row = {s->form, s->m, s->n, s->k, nt, chosen_gf, {0, 0}, dnnl_gf, tw,
                          chosen_pct};
            double best_sg = 0;
            int best_l = -1;
            for (int l = 0; l < LPK_BLAS_COUNT && !only; l++) {
                if (!lpk_blas_sgemm_time(l, s->ta == LPK_TRANS, s->tb == LPK_TRANS, s->m, s->n,
                                         s->k, af, bf, c, nt, samples, 0.05, &t, &tc))
                    continue;
                const double gf = flops / t * 1e-9;
                row.sgemm[l] = gf;
                if (gf > best_sg) {
                    best_sg = gf;
                    best_l = l;
                }
                printf("{\"bench\":\"gemm\",\"variant\":\"%s sgemm (fp32, widened)\","
                       "\"tier\":\"%s\",\"form\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,"
                       "\"threads\":%d,\"median_s\":%.4e,\"gflops\":%.1f,\"widen_s\":%.3e,"
                       "\"gflops_incl_widen\":%.1f", lpk_blas_name(l), lpk_blas_name(l),
                       s->form, s->m, s->n, s->k, nt, t, gf, tw, flops / (t + tw) * 1e-9);
                if (nt == 1)
                    printf(",\"gflops_cputime\":%.1f", flops / tc * 1e-9);
                printf("}\n");
            }
            if (best_l >= 0 && chosen_gf > 0) {
                printf("{\"bench\":\"gemm_vs_sgemm\",\"variant\":\"%s\",\"form\":\"%s\","
                       "\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%d,\"gflops\":%.1f,"
                       "\"pct_peak\":%.1f,\"best_sgemm\":\"%s\",\"best_sgemm_gflops\":%.1f,"
                       "\"over_best_sgemm\":%.3f}\n", chosen, s->form, s->m, s->n, s->k, nt,
                       chosen_gf, chosen_pct, lpk_blas_name(best_l), best_sg, chosen_gf / best_sg);
                if (nvs < sizeof vs_rows / sizeof vs_rows[0])
                    vs_rows[nvs++] = row;
            }
            fflush(stdout);
            free(af);
            free(bf);
            free(a);
            free(b);
            free(c);
        }
    }
    lpk_set_num_threads(0);
    print_table();
    return 0;
}
