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

#endif
