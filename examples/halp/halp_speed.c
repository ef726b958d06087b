/* SPDX-License-Identifier: Apache-2.0 */
/* halp_speed: epoch time of 8-bit HALP against fp32 SVRG (the paper's
   "up to 4x faster than full-precision SVRG" on a CPU), least squares,
   same n, d, T, data and seed, one process.

   Both solvers run the same loop structure in lpk_halp_train: a
   full-gradient pass over the rows (fp32 dot + fp32 axpy per row), then T
   inner steps of (dot, update) on one sampled row, the rows of the next
   steps prefetched alike (solvers/halp/prefetch.h; the bounds of both
   loops: perf/RESULTS-archive.md, "halp.c: what bounds the inner loops").
   X (hc_alloc) and the library's int8 copy of it both sit on transparent
   huge pages where Linux offers them, so neither pays page walks the
   other does not.  SVRG reads fp32 rows (4 d bytes per step); HALP reads
   int8 rows (d bytes) and updates an int8 z.  Two data sets:
     gaussian  x_ij ~ N(0, 1): the int8 rows are an approximation, so the
               full-gradient pass of both solvers reads the fp32 X;
     grid      x_ij = k_ij / 128 with integer k_ij in [-127, 127] (data that
               is 8-bit to begin with): the int8 rows are X exactly, and
               HALP's full pass reads them (the same gradient bit for bit, a
               quarter of the bytes).  A third HALP run on it forces the
               fp32 full pass (fp32_full_pass = 1) to separate the effects.
   The solvers run in interleaved rounds (all of them, then again), so that
   a change of machine load hits them alike; every epoch of every round is
   a sample.  Reported: median (and minimum) seconds per epoch and per inner
   loop, and the ratios SVRG / HALP of the medians for the whole epoch and
   for the inner loop alone.  HALP runs with both stochastic-rounding
   generators side by side: Philox (shared bits, period 64) and ARS
   (every element its own bits; "HALP-8 ARS").

   usage: halp_speed [--quick] [--n N] [--d D] [--epochs E] [--rounds R]
                     [--T T] [--threads N] [OUTDIR]
     defaults n = 50000, d = 1024, T = n, 5 epochs x 3 rounds, 1 thread
     --quick  n = 20000, 4 epochs x 1 round (the main job's run)
   Output: OUTDIR/halp_speed.jsonl, OUTDIR/halp_speed_table.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

typedef struct {
    const char *data, *name;
    lpk_solver solver;
    int bits, fp32_full;
    lpk_rng rng; /* HALP's stochastic-rounding generator */
    double epoch_s, inner_s, epoch_min, inner_min, objective, grad0, grad, setup_s;
    int full_bits;
} run;

static int cmp_d(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double minimum(const double *v, int n)
{
    double m = v[0];
    for (int i = 1; i < n; i++)
        m = v[i] < m ? v[i] : m;
    return m;
}

static void usage_to(FILE *f, int status)
{
    fprintf(f, "usage: halp_speed [--quick] [--n N] [--d D] [--epochs E] [--T T] "
                    "[--rounds R] [--threads N] [OUTDIR]\n");
    exit(status);
}
#define usage() usage_to(stderr, 2)

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            usage_to(stdout, 0);
    size_t n = 50000, d = 1024, T = 0;
    int epochs = 5, rounds = 3, threads = 1, quick = 0, n_set = 0, e_set = 0, r_set = 0;
    const char *out = "build/results";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const int more = i + 1 < argc;
        if (!strcmp(a, "--quick"))
            quick = 1;
        else if (!strcmp(a, "--n") && more)
            n = strtoull(argv[++i], NULL, 10), n_set = 1;
        else if (!strcmp(a, "--d") && more)
            d = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--epochs") && more)
            epochs = atoi(argv[++i]), e_set = 1;
        else if (!strcmp(a, "--rounds") && more)
            rounds = atoi(argv[++i]), r_set = 1;
        else if (!strcmp(a, "--T") && more)
            T = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(a, "--threads") && more)
            threads = atoi(argv[++i]);
        else if (a[0] == '-')
            usage();
        else
            out = a;
    }
    if (quick) {
        if (!n_set)
            n = 20000;
        if (!e_set)
            epochs = 4;
        if (!r_set)
            rounds = 1;
    }
    if (n == 0 || d == 0 || epochs < 1 || rounds < 1)
        usage();
    if (lpk_set_num_threads(threads) != LPK_OK) {
        fprintf(stderr, "halp_speed: %s\n", lpk_last_error());
        return 2;
    }
    if (hc_mkdirs(out) != 0) {
        fprintf(stderr, "halp_speed: cannot create %s\n", out);
        return 1;
    }
    printf("halp_speed: n = %zu, d = %zu, T = %zu, %d epochs x %d rounds, %d thread(s); tier %s\n"
           "  kernels: dot8 %s, update8 %s (Philox), update8_ars %s (ARS), dotf %s, updatef %s, "
           "dequant8 %s\n",
           n, d, T ? T : n, epochs, rounds, lpk_get_num_threads(), lpk_isa(),
           lpk_kernel_variant("fixed.dot8"), lpk_kernel_variant("fixed.update8"),
           lpk_kernel_variant("fixed.update8_ars"),
           lpk_kernel_variant("fixed.dotf"), lpk_kernel_variant("fixed.updatef"),
           lpk_kernel_variant("fixed.dequant8"));

    run runs[] = {
        {.data = "gaussian", .name = "SVRG", .solver = LPK_SOLVER_SVRG},
        {.data = "gaussian", .name = "HALP-8", .solver = LPK_SOLVER_HALP, .bits = 8},
        {.data = "gaussian", .name = "HALP-8 ARS", .solver = LPK_SOLVER_HALP, .bits = 8,
         .rng = LPK_RNG_ARS},
        {.data = "grid", .name = "SVRG", .solver = LPK_SOLVER_SVRG},
        {.data = "grid", .name = "HALP-8", .solver = LPK_SOLVER_HALP, .bits = 8},
        {.data = "grid", .name = "HALP-8 ARS", .solver = LPK_SOLVER_HALP, .bits = 8,
         .rng = LPK_RNG_ARS},
        {.data = "grid", .name = "HALP-8 fp32 full pass", .solver = LPK_SOLVER_HALP, .bits = 8,
         .fp32_full = 1},
    };
    const int nr = (int)(sizeof runs / sizeof runs[0]);
    static const char *const datasets[] = {"gaussian", "grid"};

    float *X = hc_alloc(n * d * sizeof(float)), *y = hc_alloc(n * sizeof(float));
    float *wtrue = hc_alloc(d * sizeof(float)), *w = hc_alloc(d * sizeof(float));
    lpk_halp_trace *tr = calloc((size_t)epochs + 1, sizeof *tr);
    const size_t ns = (size_t)epochs * (size_t)rounds;
    double *ep = calloc((size_t)nr * ns, sizeof(double)), *in = calloc((size_t)nr * ns, sizeof(double));
    for (int ds = 0; ds < 2; ds++) {
        /* Same seed for both: w_true ~ N(0, 1/d), y = X w_true + 0.1 noise. */
        uint64_t rs = 0xDA7A;
        const int grid = ds == 1;
        const double t0 = hc_now();
        for (size_t j = 0; j < d; j++)
            wtrue[j] = (float)(hc_normal(&rs) / sqrt((double)d));
        for (size_t i = 0; i < n; i++) {
            float *x = X + i * d;
            for (size_t j = 0; j < d; j++)
                x[j] = grid ? (float)((int)(hc_rand(&rs) % 255) - 127) / 128.0f
                            : (float)hc_normal(&rs);
            if (grid) /* every row reaches +-127, so its int8 scale is exactly 1/128 */
                x[i % d] = (i & 1) ? 127.0f / 128.0f : -127.0f / 128.0f;
            double s = 0.0;
            for (size_t j = 0; j < d; j++)
                s += (double)x[j] * wtrue[j];
            y[i] = (float)(s + 0.1 * hc_normal(&rs));
        }
        printf("  data %-8s generated in %.2f s (X: %.1f MB fp32, %.1f MB int8)\n", datasets[ds],
               hc_now() - t0, n * d * 4 / 1e6, n * d / 1e6);
        /* Step 1/(4 max ||x_i||^2); lambda = d sigma^2 / 100 (sigma^2: the
           mean x_ij^2), which keeps kappa sqrt(d) ~ 3e3, where 8-bit HALP
           converges (with lambda -> 0, kappa sqrt(d) ~ 6e4 and 8 bits
           diverge: lpk.h, "Choosing mu"); mu from the Marchenko-Pastur
           edge of i.i.d. data, sigma^2 (1 - sqrt(d/n))^2 + lambda, times 0.9. */
        double l2max = 0.0, l2sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (size_t j = 0; j < d; j++)
                s += (double)X[i * d + j] * X[i * d + j];
            l2max = s > l2max ? s : l2max;
            l2sum += s;
        }
        const double sigma2 = l2sum / ((double)n * (double)d);
        const double edge = 1.0 - sqrt((double)d / (double)n);
        const float lambda = (float)(0.01 * (double)d * sigma2);
        /* Rounds interleave the solvers so that a change of machine load
           hits them alike; every epoch of every round is one sample. */
        for (int round = 0; round < rounds; round++)
            for (int r = 0; r < nr; r++) {
                if (strcmp(runs[r].data, datasets[ds]) != 0)
                    continue;
                lpk_halp_options o;
                memset(&o, 0, sizeof o);
                o.solver = runs[r].solver;
                o.loss = LPK_LOSS_LSQ;
                o.bits = runs[r].bits;
                o.lambda = lambda;
                o.mu = (float)(0.9 * sigma2 * edge * edge + lambda);
                o.step = (float)(1.0 / (4.0 * l2max));
                o.T = T;
                o.epochs = epochs;
                o.fp32_full_pass = runs[r].fp32_full;
                o.seed = 7;
                o.rng = runs[r].rng;
                memset(w, 0, d * sizeof(float));
                if (lpk_halp_train(&o, X, y, n, d, w, tr) != LPK_OK) {
                    fprintf(stderr, "halp_speed: %s\n", lpk_last_error());
                    return 1;
                }
                for (int k = 0; k < epochs; k++) {
                    const size_t at = (size_t)r * ns + (size_t)round * (size_t)epochs + (size_t)k;
                    ep[at] = tr[k + 1].seconds - tr[k].seconds;
                    in[at] = tr[k + 1].inner_seconds - tr[k].inner_seconds;
                }
                runs[r].objective = tr[epochs].objective;
                runs[r].setup_s = tr[0].seconds;
                runs[r].grad0 = tr[0].grad_norm;
                runs[r].grad = tr[epochs].grad_norm;
                runs[r].full_bits = tr[epochs].full_pass_bits;
            }
    }
    for (int r = 0; r < nr; r++) {
        runs[r].epoch_min = minimum(ep + (size_t)r * ns, (int)ns);
        runs[r].inner_min = minimum(in + (size_t)r * ns, (int)ns);
        runs[r].epoch_s = median(ep + (size_t)r * ns, (int)ns);
        runs[r].inner_s = median(in + (size_t)r * ns, (int)ns);
    }

    FILE *js = hc_open(out, "halp_speed.jsonl", "w");
    FILE *md = hc_open(out, "halp_speed_table.md", "w");
    FILE *outs[2] = {stdout, md};
    for (int f = 0; f < 2; f++) {
        FILE *o = outs[f];
        if (!o)
            continue;
        fprintf(o, "\nEpoch time, least squares n = %zu, d = %zu, T = %zu, %d thread(s), tier %s; "
                   "medians (min) over %d epochs x %d rounds\n\n"
                   "| data | solver | full pass reads | epoch (ms) | inner loop (ms) | "
                   "rest of epoch (ms) | ns / inner step | ||grad|| / ||grad0|| after %d epochs |\n"
                   "|---|---|---|---:|---:|---:|---:|---:|\n",
                n, d, T ? T : n, lpk_get_num_threads(), lpk_isa(), epochs, rounds, epochs);
        for (int r = 0; r < nr; r++)
            fprintf(o, "| %s | %s | %s | %.2f (%.2f) | %.2f (%.2f) | %.2f | %.1f | %.2e |\n",
                    runs[r].data, runs[r].name, runs[r].full_bits == 8 ? "int8 rows" : "fp32 rows",
                    1e3 * runs[r].epoch_s, 1e3 * runs[r].epoch_min, 1e3 * runs[r].inner_s,
                    1e3 * runs[r].inner_min, 1e3 * (runs[r].epoch_s - runs[r].inner_s),
                    1e9 * runs[r].inner_s / (double)(T ? T : n), runs[r].grad / runs[r].grad0);
        fprintf(o, "\n| data | HALP run | SVRG / HALP, whole epoch | SVRG / HALP, inner loop |\n"
                   "|---|---|---:|---:|\n");
        for (int r = 0; r < nr; r++) {
            if (runs[r].solver != LPK_SOLVER_HALP)
                continue;
            const run *s = NULL;
            for (int q = 0; q < nr; q++)
                if (runs[q].solver == LPK_SOLVER_SVRG && !strcmp(runs[q].data, runs[r].data))
                    s = &runs[q];
            fprintf(o, "| %s | %s | %.2fx | %.2fx |\n", runs[r].data, runs[r].name,
                    s->epoch_s / runs[r].epoch_s, s->inner_s / runs[r].inner_s);
        }
    }
    if (js) {
        printf("\n");
        for (int r = 0; r < nr; r++) {
            const run *s = NULL;
            for (int q = 0; q < nr; q++)
                if (runs[q].solver == LPK_SOLVER_SVRG && !strcmp(runs[q].data, runs[r].data))
                    s = &runs[q];
            char line[1024];
            snprintf(line, sizeof line,
                    "{\"example\":\"halp_speed\",\"data\":\"%s\",\"solver\":\"%s\",\"n\":%zu,"
                    "\"d\":%zu,\"T\":%zu,\"threads\":%d,\"tier\":\"%s\",\"epochs\":%d,"
                    "\"rounds\":%d,\"full_pass_bits\":%d,\"epoch_s\":%.6e,\"inner_s\":%.6e,"
                    "\"epoch_min_s\":%.6e,\"inner_min_s\":%.6e,\"setup_s\":%.6e,"
                    "\"objective\":%.9e,\"grad_ratio\":%.3e,"
                    "\"speedup_epoch\":%.4f,\"speedup_inner\":%.4f}\n",
                    runs[r].data, runs[r].name, n, d, T ? T : n, lpk_get_num_threads(), lpk_isa(),
                    epochs, rounds, runs[r].full_bits, runs[r].epoch_s, runs[r].inner_s,
                    runs[r].epoch_min, runs[r].inner_min, runs[r].setup_s,
                    runs[r].objective, runs[r].grad / runs[r].grad0,
                    s->epoch_s / runs[r].epoch_s, s->inner_s / runs[r].inner_s);
            fputs(line, js);
            fputs(line, stdout);
        }
        fclose(js);
    }
    if (md)
        fclose(md);
    free(X);
    free(y);
    free(wtrue);
    free(w);
    free(tr);
    free(ep);
    free(in);
    return 0;
}
