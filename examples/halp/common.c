/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the HALP reproductions (see common.h). */
#include "common.h"
#include "fmnist.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#include <time.h>

double hc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int hc_mkdirs(const char *path)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return -1;
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

FILE *hc_open(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, mode);
    if (!f)
        fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    return f;
}

void *hc_alloc(size_t bytes)
{
    size_t want = (bytes + 63) / 64 * 64;
    void *p = NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* Large arrays (the data matrix) on transparent huge pages, as the
       library puts its quantized copy: the fp32 and low-precision solvers
       then read their rows with equally few page walks. */
    const size_t huge = (size_t)2 << 20;
    if (want >= ((size_t)4 << 20) && want <= SIZE_MAX - huge) {
        want = (want + huge - 1) / huge * huge;
        p = aligned_alloc(huge, want);
        if (p)
            (void)madvise(p, want, MADV_HUGEPAGE);
    }
#endif
    if (!p)
        p = aligned_alloc(64, want ? want : 64);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    memset(p, 0, want ? want : 64);
    return p;
}

uint64_t hc_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double hc_uniform(uint64_t *s) { return ((double)(hc_rand(s) >> 11) + 0.5) * 0x1p-53; }

double hc_normal(uint64_t *s)
{
    const double u = hc_uniform(s), v = hc_uniform(s);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

/* ---- Fashion-MNIST (examples/common/fmnist.h) ----------------------------- */

int hc_fmnist_load(const char *dir, const char *split, float **images, uint8_t **labels,
                   size_t *n, char *err, size_t errlen)
{
    fmnist_set s;
    if (fmnist_load(dir, split, &s, err, errlen))
        return -1;
    if (s.rows * s.cols != 784) {
        snprintf(err, errlen, "%s/%s-*: images are %zux%zu, not 28x28", dir, split, s.rows, s.cols);
        fmnist_free(&s);
        return -1;
    }
    *n = s.n;
    *images = hc_alloc(s.n * 784 * sizeof(float));
    *labels = s.labels;
    for (size_t k = 0; k < s.n * 784; k++)
        (*images)[k] = (float)s.pixels[k] / 255.0f;
    free(s.pixels);
    return 0;
}

int hc_gnuplot(const char *gp)
{
    if (system("command -v gnuplot > /dev/null 2>&1") != 0) {
        fprintf(stderr, "note: gnuplot not found; no plot (script %s)\n", gp);
        return -1;
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "gnuplot '%s'", gp);
    if (system(cmd) != 0) {
        fprintf(stderr, "note: gnuplot failed on %s\n", gp);
        return -1;
    }
    return 0;
}

const char *hc_solver_name(lpk_solver s, int bits)
{
    switch (s) {
    case LPK_SOLVER_GD: return "GD";
    case LPK_SOLVER_SGD: return "SGD";
    case LPK_SOLVER_SVRG: return "SVRG";
    case LPK_SOLVER_LP_SGD: return bits == 8 ? "LP-SGD-8" : "LP-SGD-16";
    case LPK_SOLVER_LP_SVRG: return bits == 8 ? "LP-SVRG-8" : "LP-SVRG-16";
    case LPK_SOLVER_HALP: return bits == 8 ? "HALP-8" : "HALP-16";
    }
    return "?";
}

const char *hc_color(size_t k)
{
    static const char *const c[] = {"#000000", "#999999", "#0072b2", "#e69f00", "#d55e00",
                                    "#8b4513", "#cc0000", "#009e73", "#f0c000", "#56b4e9",
                                    "#cc79a7", "#00cc00"};
    return c[k % (sizeof c / sizeof c[0])];
}

void hc_plot_epochs(const char *dir, const char *stem, const char *title, const char *ylabel,
                    const char *const *names, const double *v, size_t nseries, int epochs,
                    double floor, int plot)
{
    char name[512];
    snprintf(name, sizeof name, "%s.dat", stem);
    FILE *dat = hc_open(dir, name, "w");
    if (!dat)
        return;
    fprintf(dat, "# epoch");
    for (size_t m = 0; m < nseries; m++)
        fprintf(dat, " %s", names[m]);
    fprintf(dat, "\n");
    for (int k = 0; k <= epochs; k++) {
        fprintf(dat, "%d", k);
        for (size_t m = 0; m < nseries; m++) {
            const double x = v[m * (size_t)(epochs + 1) + (size_t)k];
            fprintf(dat, " %.6e", floor > 0 && !(x > floor) ? floor : x);
        }
        fprintf(dat, "\n");
    }
    fclose(dat);
    snprintf(name, sizeof name, "%s.gp", stem);
    FILE *gp = hc_open(dir, name, "w");
    if (!gp)
        return;
    fprintf(gp, "set terminal pngcairo size 900,600 noenhanced\n"
                "set output '%s/%s.png'\n"
                "set logscale y\nset format y '1e%%T'\nset grid\n"
                "set xlabel 'epoch'\nset ylabel '%s'\n"
                "set title '%s'\n"
                "set key outside right\nplot ",
            dir, stem, ylabel, title);
    for (size_t m = 0; m < nseries; m++)
        fprintf(gp,
                "%s'%s/%s.dat' using 1:%zu with linespoints lw 1.5 pt %zu lc rgb '%s' title '%s'",
                m ? ", \\\n     " : "", dir, stem, m + 2, m % 13 + 1, hc_color(m), names[m]);
    fprintf(gp, "\n");
    fclose(gp);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.gp", dir, stem);
    if (plot && hc_gnuplot(path) == 0)
        printf("plot: %s/%s.png\n", dir, stem);
}
