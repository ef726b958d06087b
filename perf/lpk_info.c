/* SPDX-License-Identifier: Apache-2.0 */
/* lpk-info: what lpk sees and chooses on this machine, and how fast the
   chosen kernels run here.  The main job of the quick start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "lpk_internal.h"

typedef struct { const float *x; lpk_bf16 *h; float *w; size_t n; int what; } job;
typedef struct { const lpk_bf16 *a, *b; float *c; size_t n; } gemm_job;

static void run_gemm(void *p)
{
    gemm_job *j = p;
    lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, j->n, j->n, j->n, 1.0f, j->a, j->n, j->b, j->n, 0.0f,
                     j->c, j->n);
}

static void run(void *p)
{
    job *j = p;
    if (j->what == 0)
        lpk_f32_to_bf16(j->x, j->h, j->n, LPK_ROUND_NEAREST, 0, 0);
    else if (j->what == 1)
        lpk_f32_to_bf16(j->x, j->h, j->n, LPK_ROUND_STOCHASTIC, 7, 0);
    else
        lpk_bf16_to_f32(j->h, j->w, j->n);
    __asm__ volatile("" ::: "memory");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: lpk-info [--all] [--no-bench] [--help]\n"
               "  What lpk detects and chooses on this machine, and how fast the chosen\n"
               "  kernels run here (rounding vs memcpy, GEMM).\n"
               "  --all       list every variant of every kernel (default: the chosen one,\n"
               "              the other runnable ones, and one line for the SKIPPED ones)\n"
               "  --no-bench  features and kernels only\n"
               "  Environment: LPK_ISA=<tier> caps the tier, LPK_VERBOSE=1, OMP_NUM_THREADS.\n");
}

/* One line per op: the chosen variant, the other runnable tiers; the
   variants this machine cannot run are counted and named once at the end. */
static void list_kernels(int all)
{
    int tier_skipped[LPK_TIER_COUNT] = {0};
    size_t nskipped = 0;
    printf("\nKernels (op -> chosen variant; also runnable here):\n");
    for (size_t i = 0; i < lpk_nops; i++) {
        const lpk_op *op = lpk_ops[i];
        const lpk_variant *sel = lpk_selected(op);
        printf("  %-20s -> %-40s", op->name, sel ? sel->name : "none");
        const char *sep = " (also:";
        for (size_t k = 0; k < op->count; k++) {
            const lpk_variant *v = &op->variants[k];
            if (v == sel)
                continue;
            if (lpk_variant_runnable(v)) {
                printf("%s %s", sep, lpk_tiers[v->tier].name);
                sep = ",";
            } else {
                nskipped++;
                tier_skipped[v->tier] = 1;
            }
        }
        printf("%s\n", sep[0] == ',' ? ")" : "");
        if (all)
            for (size_t k = 0; k < op->count; k++) {
                const lpk_variant *v = &op->variants[k];
                printf("      %c %-40s %-10s %s\n", v == sel ? '*' : ' ', v->name,
                       lpk_tiers[v->tier].name,
                       lpk_variant_runnable(v) ? "" : v->built ? "SKIPPED (CPU/OS lacks the tier)"
                                                               : "SKIPPED (not built here)");
            }
    }
    if (nskipped) {
        printf("  SKIPPED: %zu variants of tiers this machine cannot run (", nskipped);
        const char *sep = "";
        for (int t = 0; t < LPK_TIER_COUNT; t++)
            if (tier_skipped[t]) {
                printf("%s%s", sep, lpk_tiers[t].name);
                sep = ", ";
            }
        printf("); --all lists them\n");
    }
}

int main(int argc, char **argv)
{
    int all = 0, bench = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--all")) {
            all = 1;
        } else if (!strcmp(argv[i], "--no-bench")) {
            bench = 0;
        } else {
            fprintf(stderr, "lpk-info: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    printf("lpk %s (%s)\n", lpk_version(), lpk_build_config());
    const uint64_t f = lpk_cpu_features();
    printf("\nCPU/OS features:");
    for (int b = 0; b < LPK_FBIT_COUNT; b++)
        if (f & (1ull << b))
            printf(" %s", lpk_feature_names[b]);
    printf("\nTiers available:");
    for (int t = 0; t < LPK_TIER_COUNT; t++)
        if (lpk_tier_supported((lpk_tier)t))
            printf(" %s", lpk_tiers[t].name);
    if (lpk_ready() != LPK_OK) {
        printf("\n\nerror: %s\n", lpk_last_error());
        return 1;
    }
    const char *env = getenv("LPK_ISA");
    printf("\nTier in use: %s%s%s%s\n", lpk_isa(), env ? " (LPK_ISA=" : " (best available)",
           env ? env : "", env ? ")" : "");

    lpk_topology t;
    lpk_get_topology(&t);
    printf("\nTopology (%s): %d cores, %d hardware threads; L1d %zu KiB, L2 %zu KiB, L3 %zu KiB\n",
           t.source, t.cores, t.pus, t.l1d >> 10, t.l2 >> 10, t.l3 >> 10);
    printf("Threads for large calls: %d (OMP_NUM_THREADS or lpk_set_num_threads)\n",
           lpk_get_num_threads());

    list_kernels(all);
    if (!bench)
        return 0;

    const size_t sizes[] = {1u << 16, 1u << 24};
    const char *names[] = {"f32->bf16 nearest", "f32->bf16 stochastic", "bf16->f32"};
    const int nthreads = lpk_get_num_threads();
    printf("\nThroughput (public API, median; GB/s counts bytes read + written;"
           " vs memcpy of the same traffic):\n");
    printf("  %-22s %10s %8s %10s %9s %9s\n", "kernel", "elements", "threads", "Gelem/s", "GB/s",
           "x memcpy");
    for (size_t si = 0; si < 2; si++) {
        const size_t n = sizes[si];
        float *x = bu_alloc(n * 4), *w = bu_alloc(n * 4);
        lpk_bf16 *h = bu_alloc(n * 2);
        unsigned char *a = bu_alloc(n * 3), *b = bu_alloc(n * 3);
        for (size_t i = 0; i < n; i++)
            x[i] = (float)i * 1.000173f - 5.0f;
        const double tm = bu_memcpy_time(b, a, n * 3, 5, 0.02);
        for (int th = 1; th <= nthreads; th += nthreads > 1 ? nthreads - 1 : 1) {
            lpk_set_num_threads(th);
            for (int what = 0; what < 3; what++) {
                job j = {x, h, w, n, what};
                const double s = bu_time(run, &j, 5, 0.02);
                printf("  %-22s %10zu %8d %10.2f %9.1f %9.2f\n", names[what], n, th,
                       (double)n / s * 1e-9, 6.0 * (double)n / s * 1e-9, tm / s);
            }
        }
        lpk_set_num_threads(0);
        free(x); free(w); free(h); free(a); free(b);
    }

    printf("\nGEMM bf16 x bf16 -> fp32 (lpk_gemm_bf16f32, %s, median):\n",
           lpk_kernel_variant("gemm.bf16f32"));
    printf("  %-10s %8s %10s\n", "m=n=k", "threads", "GFLOP/s");
    for (size_t n = 512; n <= 1024; n *= 2) {
        lpk_bf16 *a = bu_alloc(n * n * 2), *b = bu_alloc(n * n * 2);
        float *c = bu_alloc(n * n * 4);
        for (size_t i = 0; i < n * n; i++) {
            a[i] = (lpk_bf16)(0x3E00 + (i * 7919 % 128));
            b[i] = (lpk_bf16)(0xBE00 + (i * 104729 % 128));
        }
        for (int th = 1; th <= nthreads; th += nthreads > 1 ? nthreads - 1 : 1) {
            lpk_set_num_threads(th);
            gemm_job j = {a, b, c, n};
            const double s = bu_time(run_gemm, &j, 5, 0.05);
            printf("  %-10zu %8d %10.0f\n", n, th, 2.0 * (double)n * n * n / s * 1e-9);
        }
        lpk_set_num_threads(0);
        free(a); free(b); free(c);
    }
    return 0;
}
