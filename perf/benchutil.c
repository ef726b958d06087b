/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lpk.h"
#include "../kernels/common/stream.h"

double bu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double bu_time_cpu(void (*fn)(void *), void *ctx, int samples, double min_sample_s,
                   double *cpu_median)
{
    fn(ctx); /* warm-up: page faults, caches, frequency */
    double t0 = bu_now();
    fn(ctx);
    const double one = bu_now() - t0;
    long reps = one > 0 ? (long)(min_sample_s / one) + 1 : 1;
    double *s = malloc(2 * sizeof(double) * (size_t)samples), *c = s + samples;
    for (int i = 0; i < samples; i++) {
        const double c0 = cpu_now();
        t0 = bu_now();
        for (long r = 0; r < reps; r++)
            fn(ctx);
        s[i] = (bu_now() - t0) / (double)reps;
        c[i] = (cpu_now() - c0) / (double)reps;
    }
    qsort(s, (size_t)samples, sizeof(double), cmp_double);
    qsort(c, (size_t)samples, sizeof(double), cmp_double);
    const double med = s[samples / 2];
    if (cpu_median)
        *cpu_median = c[samples / 2];
    free(s);
    return med;
}

double bu_time(void (*fn)(void *), void *ctx, int samples, double min_sample_s)
{
    return bu_time_cpu(fn, ctx, samples, min_sample_s, NULL);
}

typedef struct { void *dst; const void *src; size_t bytes; } mc_ctx;
static void mc(void *p)
{
    mc_ctx *c = p;
    memcpy(c->dst, c->src, c->bytes);
    __asm__ volatile("" ::: "memory");
}

double bu_memcpy_time_cpu(void *dst, const void *src, size_t bytes, int samples,
                          double min_sample_s, double *cpu_median)
{
    mc_ctx c = {dst, src, bytes};
    return bu_time_cpu(mc, &c, samples, min_sample_s, cpu_median);
}

double bu_memcpy_time(void *dst, const void *src, size_t bytes, int samples, double min_sample_s)
{
    return bu_memcpy_time_cpu(dst, src, bytes, samples, min_sample_s, NULL);
}

typedef struct { const uint64_t *src; size_t words; uint64_t sink; } rd_ctx;
/* Words [0, m) of s, m a multiple of 32: one word per 64-byte line (the
   whole line still crosses the memory bus, and the loop stays far below the
   core's load and uop limits, so that many lines are in flight; a loop
   touching every word measured ~20% less, bound by its instructions rather
   than by memory), with the kernels' prefetch. */
static uint64_t rd_lines(const uint64_t *s, size_t m)
{
    uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    for (size_t i = 0; i < m; i += 32) {
        lpk_stream_prefetch(s + i);
        lpk_stream_prefetch(s + i + 8);
        lpk_stream_prefetch(s + i + 16);
        lpk_stream_prefetch(s + i + 24);
        a0 += s[i];
        a1 += s[i + 8];
        a2 += s[i + 16];
        a3 += s[i + 24];
    }
    return a0 + a1 + a2 + a3;
}
/* In the kernels' order too: LPK_STREAM_WAYS parts walked in turn, 1 KiB
   chunks (the 256 f32 of an SR step). */
typedef struct {
    const uint64_t *src;
    uint64_t sum;
} rd_ways_ctx;

static inline void rd_piece(void *p, size_t e, size_t m)
{
    rd_ways_ctx *w = p;
    w->sum += rd_lines(w->src + e, m);
}

static void rd(void *p)
{
    rd_ctx *c = p;
    const uint64_t *s = c->src;
    rd_ways_ctx w = {s, 0};
    size_t i = lpk_stream_ways(0, c->words, 128, 32, rd_piece, &w);
    uint64_t a = w.sum;
    for (; i < c->words; i += 8)
        a += s[i];
    c->sink += a;
    __asm__ volatile("" ::"r"(c->sink) : "memory");
}

double bu_read_time(const void *src, size_t bytes, int samples, double min_sample_s)
{
    rd_ctx c = {src, bytes / 8, 0};
    return bu_time(rd, &c, samples, min_sample_s);
}

void *bu_alloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes ? bytes : 64) != 0) {
        fprintf(stderr, "bench: cannot allocate %zu bytes\n", bytes);
        exit(1);
    }
    memset(p, 0, bytes);
    return p;
}

const char *bu_level(size_t bytes)
{
    lpk_topology t;
    if (lpk_get_topology(&t) != LPK_OK)
        return "?";
    if (t.l1d && bytes <= t.l1d / 2) return "L1";
    if (t.l2 && bytes <= t.l2 / 2) return "L2";
    if (t.l3 && bytes <= t.l3 / 4) return "L3";
    return "DRAM";
}

double bu_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
