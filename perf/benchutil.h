/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark helpers: timing, medians, JSON lines. */
#ifndef LPK_BENCHUTIL_H
#define LPK_BENCHUTIL_H

#include <stddef.h>
#include <stdint.h>

double bu_now(void);
/* Median seconds per call of fn(ctx) over `samples` samples, each sample
   repeating the call enough times to last >= min_sample_s. */
double bu_time(void (*fn)(void *), void *ctx, int samples, double min_sample_s);
/* The same, also giving the median thread-CPU seconds per call (NULL: not
   wanted).  On a shared machine the wall clock also counts the time this
   thread waited for a core; the CPU time does not (it still sees the memory
   bandwidth others take). */
double bu_time_cpu(void (*fn)(void *), void *ctx, int samples, double min_sample_s,
                   double *cpu_median);
/* Median seconds of memcpy(dst, src, bytes), and the CPU-time variant. */
double bu_memcpy_time_cpu(void *dst, const void *src, size_t bytes, int samples,
                          double min_sample_s, double *cpu_median);
double bu_memcpy_time(void *dst, const void *src, size_t bytes, int samples, double min_sample_s);
/* Median seconds of reading `bytes` (a multiple of 8, 8-byte aligned) front
   to back with every line prefetched 4 KiB ahead into L2, writing nothing:
   the read bandwidth one thread gets, the ceiling of any kernel that must
   read those bytes. */
double bu_read_time(const void *src, size_t bytes, int samples, double min_sample_s);
/* Median of v[0 .. n-1] (sorts v in place; n >= 1). */
double bu_median(double *v, int n);
void *bu_alloc(size_t bytes); /* 64-byte aligned, pages touched; exits on failure */
const char *bu_level(size_t bytes); /* "L1", "L2", "L3" or "DRAM" from the topology */

#endif
