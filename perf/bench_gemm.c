/* GEMM benchmark: every runnable variant (walked from the kernel table) and
   oneDNN's matmul (bf16 x bf16 -> f32, same process, same threads), on square
   shapes and on the three forms a layer uses (A*B, A*B^T, A^T*B) of training
   shapes, next to the measured peak of the instruction each variant uses.
   One JSON line per measurement; times are medians.

   usage: bench_gemm [--threads 1,2] [--quick] [--shapes square|train|all]
                     [--only <variant substring>] [--sizes 512,2048 (square sizes)]
                     [--scaling REPS]
   --scaling: thread scaling of the public API on the square sizes, measured
   as pairs of calls with 1 thread and with the largest --threads count
   alternating in one process (REPS pairs after a warm-up call each), so
   that the load other tenants put on a shared machine hits both sides of
   each pair alike; prints the medians and the median of the per-pair
   ratios t(1 thread) / t(N threads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "dnnl_cmp.h"
#include "peak.h"
#include "gemm/gemm.h"

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

static int cmp_double(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
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
        const double m1 = median(t1, reps), mn = median(tn, reps), mr = median(ratio, reps);
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
    int threads[4] = {1, 2}, nthreads = 2, quick = 0, scale_reps = 0;
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
        } else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
            for (char *t = strtok(argv[++i], ","); t && nsq_user < 8; t = strtok(NULL, ","))
                if (atol(t) > 0)
                    sq_user[nsq_user++] = (size_t)atol(t);
        } else {
            fprintf(stderr, "usage: %s [--threads 1,2] [--quick] [--shapes square|train|all] "
                            "[--only substring] [--sizes 512,2048] [--scaling REPS]\n", argv[0]);
            return 2;
        }
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
            double best = 0;
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
                const double t = bu_time(run, &j, samples, 0.05);
                const double gf = flops / t * 1e-9, pk = peaks[v->tier] * nt;
                if (gf > best)
                    best = gf;
                printf("{\"bench\":\"gemm\",\"variant\":\"%s\",\"tier\":\"%s\",\"chosen\":%s,"
                       "\"form\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%d,"
                       "\"median_s\":%.4e,\"gflops\":%.1f,\"peak_gflops\":%.0f,\"pct_peak\":%.1f}\n",
                       v->name, lpk_tiers[v->tier].name, !strcmp(v->name, chosen) ? "true" : "false",
                       s->form, s->m, s->n, s->k, nt, t, gf, pk, pk > 0 ? 100 * gf / pk : 0);
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
            double t;
            char impl[128];
            if (!only && lpk_dnnl_matmul_time(s->ta == LPK_TRANS, s->tb == LPK_TRANS, s->m, s->n,
                                              s->k, a, b, c, nt, samples, 0.05, &t, impl,
                                              sizeof impl)) {
                const double gf = flops / t * 1e-9;
                printf("{\"bench\":\"gemm\",\"variant\":\"oneDNN matmul (%s)\",\"tier\":\"onednn\","
                       "\"form\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%d,"
                       "\"median_s\":%.4e,\"gflops\":%.1f,\"lpk_best_over_onednn\":%.2f}\n",
                       impl, s->form, s->m, s->n, s->k, nt, t, gf, best / gf);
            }
            free(a);
            free(b);
            free(c);
        }
    }
    lpk_set_num_threads(0);
    return 0;
}
