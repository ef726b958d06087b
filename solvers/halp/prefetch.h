/* SPDX-License-Identifier: Apache-2.0 */
/* Prefetching of the inner loops.  A step reads one random row (d fp32 or
   b-bit values), its 16-byte row record and (LP_SVRG) c_i, besides z and h,
   which stay in L1.  Two distances, because every line of the row into L1
   at one distance holds a line-fill buffer per line for a whole DRAM
   latency and was slower for both row sizes (perf/RESULTS-archive.md,
   "halp.c: inner-loop prefetching"):
     far  (HALP_PF_FAR steps ahead): the row's first three lines, the first
          line of each further 4 KiB page, the row record and c_i, into L1:
          starts the page walks and trains the page-local stream prefetcher;
     near (HALP_PF_NEAR steps ahead): every line of the row (up to
          HALP_PF_MAX_BYTES), PREFETCHT2-class, mostly L2/L3 hits by then.
   The fp32 and the low-precision loops share this code, so that SVRG and
   HALP are compared with prefetching of equal care. */
#ifndef LPK_SOLVERS_HALP_PREFETCH_H
#define LPK_SOLVERS_HALP_PREFETCH_H

#include "halp.h"

static inline void halp_prefetch_far(const void *row, size_t bytes)
{
    if (bytes > HALP_PF_MAX_BYTES)
        bytes = HALP_PF_MAX_BYTES;
    const char *p = row;
    const uintptr_t a = (uintptr_t)p, end = a + bytes;
    for (size_t o = 0; o < 3 * 64 && o < bytes; o += 64)
        __builtin_prefetch(p + o, 0, 3);
    for (uintptr_t pg = (a + 4095) & ~(uintptr_t)4095; pg < end; pg += 4096)
        __builtin_prefetch((const void *)pg, 0, 3);
}

static inline void halp_prefetch_near(const void *row, size_t bytes)
{
    const char *p = row;
    if (bytes > HALP_PF_MAX_BYTES)
        bytes = HALP_PF_MAX_BYTES;
    for (size_t o = 0; o < bytes; o += 64)
        __builtin_prefetch(p + o, 0, 1);
}

/* Prefetches for step k of a batch whose sample indices are idx[0 ..
   k + HALP_PF_FAR]: rows start at base + i * stride and are `bytes` long;
   c (LP_SVRG's per-row dots) may be NULL. */
static inline void halp_prefetch_step(const halp_run *R, const size_t *idx, size_t k,
                                      const void *base, size_t stride, size_t bytes,
                                      const int64_t *c)
{
    const size_t f = idx[k + HALP_PF_FAR], m = idx[k + HALP_PF_NEAR];
    halp_prefetch_far((const char *)base + f * stride, bytes);
    __builtin_prefetch(R->info + f, 0, 3);
    if (c)
        __builtin_prefetch(c + f, 0, 3);
    halp_prefetch_near((const char *)base + m * stride, bytes);
}

#endif
