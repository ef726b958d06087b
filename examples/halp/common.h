/* SPDX-License-Identifier: Apache-2.0 */
/* Shared helpers of the HALP reproductions: timing, output files, JSON
   lines, a Gaussian generator, Fashion-MNIST loading and gnuplot. */
#ifndef HALP_COMMON_H
#define HALP_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lpk.h"

double hc_now(void);
/* mkdir -p; 0 on success. */
int hc_mkdirs(const char *path);
/* fopen(dir/name, mode), with a message on failure. */
FILE *hc_open(const char *dir, const char *name, const char *mode);
/* 64-byte aligned (4 MiB and more: 2 MiB aligned, on transparent huge pages
   where the OS offers them), zeroed; exits on failure. */
void *hc_alloc(size_t bytes);

/* splitmix64 and a Box-Muller normal. */
uint64_t hc_rand(uint64_t *s);
double hc_uniform(uint64_t *s); /* (0, 1) */
double hc_normal(uint64_t *s);

/* The double-precision reference (least-squares optimum, objective,
   eigenvalues) is solvers/halp/refsolve.h, shared with the tests. */
#include "refsolve.h"

/* Fashion-MNIST: images (n x 784, pixel / 255) and labels of one split
   ("train" or "t10k") from dir; 0 on success, else a message in err. */
int hc_fmnist_load(const char *dir, const char *split, float **images, uint8_t **labels,
                   size_t *n, char *err, size_t errlen);

/* Runs gnuplot on script `gp` (a file path); 0 on success, -1 if gnuplot is
   missing or failed (a note is printed, nothing else happens). */
int hc_gnuplot(const char *gp);

const char *hc_solver_name(lpk_solver s, int bits);

/* Per-epoch curves: dir/stem.dat (epoch, then one column per series,
   v[m * (epochs + 1) + k]; values not above floor written as floor when
   floor > 0) and dir/stem.gp (log-scale y, one line per series), then
   gnuplot on it when plot != 0 (dir/stem.png). */
void hc_plot_epochs(const char *dir, const char *stem, const char *title, const char *ylabel,
                    const char *const *names, const double *v, size_t nseries, int epochs,
                    double floor, int plot);

/* A distinct plot color for curve k (cycles after 12). */
const char *hc_color(size_t k);

#endif
