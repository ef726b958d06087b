/* SPDX-License-Identifier: Apache-2.0 */
/* Timer and median of the perf/ab_*.c harnesses, which the perf/ab_*.sh
   scripts build outside CMake without the library (benchutil.c needs it). */
#ifndef LPK_PERF_AB_UTIL_H
#define LPK_PERF_AB_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double ab_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static inline int ab_cmp(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0 .. n-1] (n >= 1, v unchanged); *lo / *hi get the min / max
   when lo is not NULL.  Exits on out of memory. */
static inline double ab_median(const double *v, int n, double *lo, double *hi)
{
    double *t = malloc(sizeof *t * (size_t)n);
    if (!t)
        exit(1);
    memcpy(t, v, sizeof *t * (size_t)n);
    qsort(t, (size_t)n, sizeof *t, ab_cmp);
    const double m = n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
    if (lo)
        *lo = t[0], *hi = t[n - 1];
    free(t);
    return m;
}

/* The order of round p's k sides (k = 2 or 3) in an alternating
   comparison.  Over 2 rounds (k = 2) or 6 (k = 3) every side takes every
   position and follows every other side equally often, so that what a side
   leaves behind (its dirty lines still being written back, the prefetchers'
   state) does not always fall on the same neighbour: with a fixed order the
   side after a memory-bound one measured up to 13% slower at 64M elements. */
static inline void ab_order(int p, int k, int o[3])
{
    static const int p3[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1},
                                 {2, 1, 0}, {1, 0, 2}, {0, 2, 1}};
    for (int s = 0; s < k; s++)
        o[s] = k == 2 ? (s + p) % 2 : p3[p % 6][s];
}

#endif
