/* SPDX-License-Identifier: Apache-2.0 */
/* bf16_mlp: reproduces the claim of "Revisiting BFloat16 Training"
   (Zamirai, Zhang, Aberger, De Sa, 2020) on Fashion-MNIST: pure-bf16
   training whose weight update rounds to nearest loses accuracy because
   small updates (|lr * d| below half an ulp of w) are cancelled, while
   stochastic rounding or Kahan summation in the update recovers fp32
   accuracy.

   The schedule is the ordinary one (SGD, momentum 0.9, batch 128, cosine
   decay of lr from 0.1 to 0 over all steps, no weight decay).  Its second
   half is the regime the paper is about: as lr shrinks, lr * d falls under
   half an ulp of more and more bf16 weights (|w| ~ 0.05 has an ulp of
   2^-12), so nearest rounding freezes them while fp32 keeps descending.
   The JSON field changed_last_step (fraction of stored weights, bf16 w or
   the fp32 master, that the epoch's last step changed) and the train-loss
   panel of the plot show it; SR and Kahan change few bf16 weights per step
   too, but keep the expected (SR) or accumulated (Kahan) increment.
   Each seed gives every mode the same initial draw and the same batch order.

   usage: bf16_mlp [--quick | --check] [options] [OUTDIR]
     OUTDIR               where results go (default build/results)
     --quick              a subset of the data and few epochs (the main job)
     --check              smoke test: a few hundred images, every mode must
                          lower the training loss (exit 1 otherwise)
     --data DIR           Fashion-MNIST .gz files (/usr/share/datasets/fashion-mnist)
     --epochs N --seeds N --batch N
     --train N --test N   images used (the first N of each set)
     --modes a,b,..       fp32,bf16-nearest,bf16-sr,bf16-kahan (default all)
     --lr X --lr-min X    cosine schedule from lr to lr-min, per step
     --momentum X --wd X  SGD momentum and weight decay
     --fp32-terms 1|3|6   bf16 products per fp32-mode GEMM (default 6)
     --threads N          lpk threads (default 1; 0 = OpenMP's default).  The
                          GEMMs of a 128-row batch are small: on a shared
                          machine OpenMP barriers cost more than a second
                          thread gains.  Results do not depend on it.
     --no-plot            skip gnuplot
   Output: OUTDIR/bf16_mlp.jsonl (one line per epoch, then one per mode),
   OUTDIR/bf16_mlp_table.md, OUTDIR/bf16_mlp_acc.png (+ .dat, .gp).
   Exit status 77 when the dataset is missing (a skipped test). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "mlp.h"

typedef struct {
    const char *out, *data;
    int quick, check, plot;
    int epochs, seeds;
    size_t train, test, batch;
    int modes[MLP_NMODES], nmodes;
    double lr, lr_min, momentum, wd;
    int fp32_terms, threads;
} options;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void usage_to(FILE *f, int status)
{
    fprintf(f, "usage: bf16_mlp [--quick | --check] [--data DIR] [--epochs N] [--seeds N]\n"
                    "                [--train N] [--batch N] [--modes list] [--lr X] [--lr-min X]\n"
                    "                [--momentum X] [--wd X] [--fp32-terms 1|3|6] [--threads N]\n"
                    "                [--no-plot] [OUTDIR]\n");
    exit(status);
}
#define usage() usage_to(stderr, 2)

static int parse_modes(const char *s, options *o)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    o->nmodes = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        int found = -1;
        for (int m = 0; m < MLP_NMODES; m++)
            if (!strcmp(tok, mlp_mode_name((mlp_mode)m)))
                found = m;
        if (found < 0 || o->nmodes == MLP_NMODES)
            return -1;
        o->modes[o->nmodes++] = found;
    }
    return o->nmodes ? 0 : -1;
}

static void parse(int argc, char **argv, options *o)
{
    /* Defaults: the full run.  --quick / --check change the defaults that
       the explicit options below then override. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick"))
            o->quick = 1;
        else if (!strcmp(argv[i], "--check"))
            o->check = 1;
    }
    o->out = "build/results";
    o->data = "/usr/share/datasets/fashion-mnist";
    o->plot = !o->check;
    o->epochs = 15;
    o->seeds = 3;
    o->train = 60000;
    o->test = 10000;
    o->batch = 128;
    o->lr = 0.1;
    o->lr_min = 0.0;
    o->momentum = 0.9;
    o->wd = 0.0;
    o->fp32_terms = 6;
    o->threads = 1;
    o->nmodes = MLP_NMODES;
    for (int m = 0; m < MLP_NMODES; m++)
        o->modes[m] = m;
    if (o->quick) {
        o->epochs = 8;
        o->seeds = 1;
        o->train = 10000;
    }
    if (o->check) {
        o->epochs = 1;
        o->seeds = 1;
        o->train = 512;
        o->test = 1000;
        o->batch = 32;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define OPT(name) (!strcmp(a, name) && v && (i++, 1))
        if (!strcmp(a, "--quick") || !strcmp(a, "--check"))
            continue;
        else if (!strcmp(a, "--no-plot"))
            o->plot = 0;
        else if (OPT("--data"))
            o->data = v;
        else if (OPT("--epochs"))
            o->epochs = atoi(v);
        else if (OPT("--seeds"))
            o->seeds = atoi(v);
        else if (OPT("--train"))
            o->train = (size_t)strtoull(v, NULL, 10);
        else if (OPT("--test"))
            o->test = (size_t)strtoull(v, NULL, 10);
        else if (OPT("--batch"))
            o->batch = (size_t)strtoull(v, NULL, 10);
        else if (OPT("--modes")) {
            if (parse_modes(v, o))
                usage();
        } else if (OPT("--lr"))
            o->lr = atof(v);
        else if (OPT("--lr-min"))
            o->lr_min = atof(v);
        else if (OPT("--momentum"))
            o->momentum = atof(v);
        else if (OPT("--wd"))
            o->wd = atof(v);
        else if (OPT("--fp32-terms"))
            o->fp32_terms = atoi(v);
        else if (OPT("--threads"))
            o->threads = atoi(v);
        else if (a[0] != '-')
            o->out = a;
        else
            usage();
#undef OPT
    }
    if (o->epochs < 1 || o->seeds < 1 || o->train < 1 || o->batch < 1 || o->batch > 4096 ||
        o->threads < 0 ||
        (o->fp32_terms != 1 && o->fp32_terms != 3 && o->fp32_terms != 6))
        usage();
}

static int mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buf, 0777) && errno != EEXIST ? -1 : 0;
}

/* Writes to stdout and to the JSON-lines file. */
static void emit(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
    if (f) {
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        fflush(f);
    }
}

/* The epoch's order of the first n images: Fisher-Yates from (seed, epoch),
   the same for every mode of a seed. */
static void shuffle(uint32_t *idx, size_t n, uint64_t seed, int epoch)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = (uint32_t)i;
    for (size_t i = n - 1; i > 0; i--) {
        uint32_t r[4];
        mlp_random4(seed, 1000 + (uint32_t)epoch, i, r);
        const uint64_t x = (uint64_t)r[0] << 32 | r[1];
        const size_t j = (size_t)(x % (i + 1));
        const uint32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
    }
}

static double cosine_lr(const options *o, uint64_t step, uint64_t total)
{
    const double pi = 3.14159265358979323846;
    return o->lr_min + 0.5 * (o->lr - o->lr_min) * (1.0 + cos(pi * (double)step / (double)total));
}

typedef struct {
    double *acc;  /* [seed][epoch] test accuracy */
    double *loss; /* [seed][epoch] train loss */
    double seconds;
} mode_result;

static void mean_std(const double *x, int n, int stride, double *mean, double *sd, double *lo,
                     double *hi)
{
    double s = 0.0, q = 0.0;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < n; i++) {
        const double v = x[(size_t)i * stride];
        s += v;
        *lo = v < *lo ? v : *lo;
        *hi = v > *hi ? v : *hi;
    }
    *mean = s / n;
    for (int i = 0; i < n; i++)
        q += (x[(size_t)i * stride] - *mean) * (x[(size_t)i * stride] - *mean);
    *sd = n > 1 ? sqrt(q / (n - 1)) : 0.0;
}

static void write_plot(const options *o, const mode_result *res)
{
    char dat[4200], gp[4200], png[4200];
    snprintf(dat, sizeof dat, "%s/bf16_mlp_acc.dat", o->out);
    snprintf(gp, sizeof gp, "%s/bf16_mlp_acc.gp", o->out);
    snprintf(png, sizeof png, "%s/bf16_mlp_acc.png", o->out);
    FILE *f = fopen(dat, "w");
    if (!f) {
        fprintf(stderr, "bf16_mlp: cannot write %s\n", dat);
        return;
    }
    fprintf(f, "# epoch, then per mode: test accuracy (%%) mean, min, max and train loss "
               "mean over %d seed(s)\n",
            o->seeds);
    for (int e = 0; e < o->epochs; e++) {
        fprintf(f, "%d", e + 1);
        for (int k = 0; k < o->nmodes; k++) {
            double m, sd, lo, hi, lm;
            mean_std(res[k].acc + e, o->seeds, o->epochs, &m, &sd, &lo, &hi);
            fprintf(f, " %.3f %.3f %.3f", 100 * m, 100 * lo, 100 * hi);
            mean_std(res[k].loss + e, o->seeds, o->epochs, &lm, &sd, &lo, &hi);
            fprintf(f, " %.5f", lm);
        }
        fprintf(f, "\n");
    }
    fclose(f);
    f = fopen(gp, "w");
    if (!f) {
        fprintf(stderr, "bf16_mlp: cannot write %s\n", gp);
        return;
    }
    fprintf(f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
               "  set terminal pngcairo size 1400,600 font ',11'\n"
               "} else {\n"
               "  set terminal png size 1400,600\n"
               "}\n"
               "set output '%s'\n"
               "set multiplot layout 1,2 title 'MLP 784-512-256-10 on Fashion-MNIST: %zu train / "
               "%zu test images, batch %zu, SGD momentum %g, cosine lr %g -> %g, %d seed(s) "
               "(mean, bars min..max)'\n"
               "set xlabel 'epoch'\nset grid\nset xrange [0.5:%d.5]\nset xtics 1\n"
               "set key bottom right\nset ylabel 'test accuracy (%%)'\n",
            png, o->train, o->test, o->batch, o->momentum, o->lr, o->lr_min, o->seeds,
            o->epochs);
    fprintf(f, "plot ");
    for (int k = 0; k < o->nmodes; k++) {
        const int c = 2 + 4 * k;
        fprintf(f, "%s'%s' using 1:%d:%d:%d with yerrorlines lw 2 title '%s'",
                k ? ", \\\n     " : "", dat, c, c + 1, c + 2, mlp_mode_name((mlp_mode)o->modes[k]));
    }
    fprintf(f, "\nset key top right\nset ylabel 'train loss (mean over the epoch)'\n"
               "set logscale y\nplot ");
    for (int k = 0; k < o->nmodes; k++)
        fprintf(f, "%s'%s' using 1:%d with linespoints lw 2 title '%s'",
                k ? ", \\\n     " : "", dat, 5 + 4 * k, mlp_mode_name((mlp_mode)o->modes[k]));
    fprintf(f, "\nunset multiplot\n");
    fclose(f);
    char cmd[8500];
    snprintf(cmd, sizeof cmd, "gnuplot '%s'", gp);
    const int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "bf16_mlp: gnuplot failed or is missing (status %d); data in %s\n", rc,
                dat);
    else
        printf("plot: %s\n", png);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            usage_to(stdout, 0);
    options o = {0};
    parse(argc, argv, &o);
    if (lpk_set_num_threads(o.threads) != LPK_OK) {
        fprintf(stderr, "bf16_mlp: %s\n", lpk_last_error());
        return 2;
    }

    char err[4400];
    mlp_dataset train, test;
    if (fmnist_load(o.data, "train", &train, err, sizeof err) ||
        fmnist_load(o.data, "t10k", &test, err, sizeof err)) {
        fprintf(stderr, "bf16_mlp: dataset not available: %s\n", err);
        return 77;
    }
    if (train.rows * train.cols != 784 || test.rows * test.cols != 784) {
        fprintf(stderr, "bf16_mlp: images are not 28 x 28\n");
        return 1;
    }
    if (o.train > train.n)
        o.train = train.n;
    if (o.test > test.n || o.test == 0)
        o.test = test.n;
    if (o.batch > o.train)
        o.batch = o.train;

    FILE *jl = NULL;
    if (!o.check) {
        if (mkdirs(o.out)) {
            fprintf(stderr, "bf16_mlp: cannot create %s: %s\n", o.out, strerror(errno));
            return 1;
        }
        char path[4200];
        snprintf(path, sizeof path, "%s/bf16_mlp.jsonl", o.out);
        jl = fopen(path, "w");
        if (!jl) {
            fprintf(stderr, "bf16_mlp: cannot write %s\n", path);
            return 1;
        }
    }

    const size_t steps_per_epoch = (o.train + o.batch - 1) / o.batch;
    const uint64_t total_steps = (uint64_t)steps_per_epoch * (uint64_t)o.epochs;
    printf("# bf16_mlp: 784-512-256-10 ReLU MLP, Fashion-MNIST, %zu train / %zu test images, "
           "batch %zu, %d epoch(s), %d seed(s)\n"
           "# SGD momentum %g, weight decay %g, cosine lr %g -> %g over %llu steps; "
           "fp32 GEMMs from %d bf16 product(s); lpk tier %s, %d thread(s), gemm %s; xent %s\n",
           o.train, o.test, o.batch, o.epochs, o.seeds, o.momentum, o.wd, o.lr, o.lr_min,
           (unsigned long long)total_steps, o.fp32_terms, lpk_isa(), lpk_get_num_threads(),
           lpk_kernel_variant("gemm.bf16f32") ? lpk_kernel_variant("gemm.bf16f32") : "?", mlp_xent_impl());
    fflush(stdout);

    mode_result res[MLP_NMODES];
    for (int k = 0; k < o.nmodes; k++) {
        res[k].acc = calloc((size_t)o.seeds * o.epochs, sizeof(double));
        res[k].loss = calloc((size_t)o.seeds * o.epochs, sizeof(double));
        res[k].seconds = 0.0;
        if (!res[k].acc || !res[k].loss)
            return 1;
    }
    uint32_t *idx = malloc(o.train * sizeof(uint32_t));
    if (!idx)
        return 1;
    const double t_all = now();
    int failed = 0;

    for (int s = 0; s < o.seeds; s++) {
        const uint64_t seed = 1 + (uint64_t)s;
        for (int k = 0; k < o.nmodes; k++) {
            const mlp_mode mode = (mlp_mode)o.modes[k];
            const mlp_config cfg = {.nb_max = o.batch > 1000 ? o.batch : 1000,
                                    .fp32_terms = o.fp32_terms,
                                    .seed = seed};
            mlp *net = mlp_create(mode, &cfg);
            double loss0 = 0.0, acc0 = 0.0;
            if (o.check)
                mlp_evaluate(net, &train, o.train, &loss0, &acc0);
            uint64_t step = 0;
            for (int e = 0; e < o.epochs; e++) {
                const double t0 = now();
                shuffle(idx, o.train, seed, e);
                double lsum = 0.0, changed = 0.0, lr = 0.0;
                for (size_t b = 0; b < steps_per_epoch; b++) {
                    const size_t start = b * o.batch;
                    const size_t nb = o.train - start < o.batch ? o.train - start : o.batch;
                    lr = cosine_lr(&o, step, total_steps);
                    const lpk_sgd_params p = {.lr = (float)lr,
                                              .momentum = (float)o.momentum,
                                              .dampening = 0.0f,
                                              .weight_decay = (float)o.wd,
                                              .nesterov = 0,
                                              .step = step + 1};
                    const int last = b + 1 == steps_per_epoch;
                    lsum += mlp_train_step(net, &train, idx + start, nb, &p,
                                           last ? &changed : NULL);
                    step++;
                }
                const double train_s = now() - t0;
                double tl, ta;
                mlp_evaluate(net, &test, o.test, &tl, &ta);
                const double secs = now() - t0;
                res[k].acc[(size_t)s * o.epochs + e] = ta;
                res[k].loss[(size_t)s * o.epochs + e] = lsum / (double)steps_per_epoch;
                res[k].seconds += secs;
                emit(jl,
                     "{\"example\":\"bf16_mlp\",\"mode\":\"%s\",\"seed\":%llu,\"epoch\":%d,"
                     "\"lr_end\":%.6g,\"train_loss\":%.5f,\"test_loss\":%.5f,\"test_acc\":%.4f,"
                     "\"changed_last_step\":%.4f,\"train_s\":%.2f,\"seconds\":%.2f}\n",
                     mlp_mode_name(mode), (unsigned long long)seed, e + 1, lr,
                     lsum / (double)steps_per_epoch, tl, ta, changed, train_s, secs);
            }
            if (o.check) {
                double loss1, acc1;
                mlp_evaluate(net, &train, o.train, &loss1, &acc1);
                const int ok = loss1 < 0.8 * loss0;
                printf("check %-13s train loss %.4f -> %.4f, train acc %.3f -> %.3f: %s\n",
                       mlp_mode_name(mode), loss0, loss1, acc0, acc1, ok ? "ok" : "FAILED");
                failed |= !ok;
            }
            mlp_free(net);
        }
    }
    const double total_s = now() - t_all;

    /* final-epoch test accuracy over seeds, per mode */
    char tpath[4200];
    snprintf(tpath, sizeof tpath, "%s/bf16_mlp_table.md", o.out);
    FILE *tf = o.check ? NULL : fopen(tpath, "w");
    double ref = NAN;
    for (int k = 0; k < o.nmodes; k++)
        if (o.modes[k] == MLP_FP32) {
            double sd, lo, hi;
            mean_std(res[k].acc + o.epochs - 1, o.seeds, o.epochs, &ref, &sd, &lo, &hi);
        }
    char line[512];
    snprintf(line, sizeof line,
             "\n| mode | test acc %% (epoch %d), mean +- sd over %d seed(s) | min .. max | vs fp32 "
             "| final train loss | s / run |\n|---|---|---|---|---|---|\n",
             o.epochs, o.seeds);
    fputs(line, stdout);
    if (tf)
        fputs(line, tf);
    for (int k = 0; k < o.nmodes; k++) {
        double m, sd, lo, hi, lm, lsd, llo, lhi;
        mean_std(res[k].acc + o.epochs - 1, o.seeds, o.epochs, &m, &sd, &lo, &hi);
        mean_std(res[k].loss + o.epochs - 1, o.seeds, o.epochs, &lm, &lsd, &llo, &lhi);
        char diff[32] = "";
        if (!isnan(ref))
            snprintf(diff, sizeof diff, "%+.2f", 100 * (m - ref));
        snprintf(line, sizeof line, "| %s | %.2f +- %.2f | %.2f .. %.2f | %s | %.4f | %.1f |\n",
                 mlp_mode_name((mlp_mode)o.modes[k]), 100 * m, 100 * sd, 100 * lo, 100 * hi,
                 diff, lm, res[k].seconds / o.seeds);
        fputs(line, stdout);
        if (tf)
            fputs(line, tf);
        if (jl)
            fprintf(jl,
                    "{\"example\":\"bf16_mlp\",\"summary\":true,\"mode\":\"%s\",\"seeds\":%d,"
                    "\"epochs\":%d,\"train_images\":%zu,\"test_acc_mean\":%.4f,"
                    "\"test_acc_sd\":%.4f,\"test_acc_min\":%.4f,\"test_acc_max\":%.4f,"
                    "\"seconds_per_run\":%.1f}\n",
                    mlp_mode_name((mlp_mode)o.modes[k]), o.seeds, o.epochs, o.train, m, sd, lo,
                    hi, res[k].seconds / o.seeds);
    }
    snprintf(line, sizeof line, "\ntotal %.1f s (%zu train images, %d epochs, %d seeds)\n",
             total_s, o.train, o.epochs, o.seeds);
    fputs(line, stdout);
    if (tf) {
        fputs(line, tf);
        fclose(tf);
        printf("table: %s\n", tpath);
    }
    if (jl)
        fclose(jl);
    if (o.plot)
        write_plot(&o, res);
    for (int k = 0; k < o.nmodes; k++)
        free(res[k].acc), free(res[k].loss);
    free(idx);
    fmnist_free(&train);
    fmnist_free(&test);
    return failed;
}
