/* SPDX-License-Identifier: Apache-2.0 */
/* When to write with non-temporal (streaming) stores.  An output this large
   will not be re-read from cache, and streaming stores skip the
   read-for-ownership of every destination line: 4/3 less traffic for
   f32 -> bf16 (6n instead of 8n bytes).  Smaller outputs keep regular stores
   so that a consumer finds them in cache.  Measured: perf/RESULTS.md. */
#ifndef LPK_STREAM_H
#define LPK_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define LPK_STREAM_MIN_BYTES ((size_t)8 << 20)

static inline int lpk_use_stream(size_t out_bytes) { return out_bytes >= LPK_STREAM_MIN_BYTES; }

/* On the same large arrays the read stream alone does not keep enough
   misses in flight from one core: a software prefetch into L2 4 KiB ahead of
   the loads (the hint and distance measured best: perf/RESULTS-archive.md).
   One call per 64-byte line of input. */
#ifndef LPK_STREAM_PREFETCH_BYTES
#define LPK_STREAM_PREFETCH_BYTES 4096
#endif
#ifndef LPK_STREAM_PREFETCH_HINT
#define LPK_STREAM_PREFETCH_HINT 2
#endif
static inline void lpk_stream_prefetch(const void *p)
{
    __builtin_prefetch((const char *)p + LPK_STREAM_PREFETCH_BYTES, 0, LPK_STREAM_PREFETCH_HINT);
}

/* Several streams at once.  One core's sequential stream is also limited by
   how many misses the L2 streamer keeps in flight for one page sequence:
   walking LPK_STREAM_WAYS equal parts of the array in turn (a chunk of each
   part, then the next chunk of each) keeps that many sequences going, as
   large-copy routines do (measured: perf/RESULTS-archive.md, "four ways").
   lpk_stream_ways calls run(ctx, e, m) for each `chunk`-element piece
   [e, e + m) of the largest multiple of LPK_STREAM_WAYS * chunk elements
   from i, the parts in turn, then once for the rest of [i, n) rounded down
   to a multiple of q (chunk a multiple of q), and returns the first element
   it did not visit.  Each element is visited once, so results never depend
   on the order.  Always inlined: with a constant run, the call is direct
   and inlined too (GCC/Clang indirect inlining). */
#define LPK_STREAM_WAYS 4
typedef void lpk_stream_run_fn(void *ctx, size_t e, size_t m);
static inline __attribute__((always_inline)) size_t
lpk_stream_ways(size_t i, size_t n, size_t chunk, size_t q, lpk_stream_run_fn *run, void *ctx)
{
    const size_t part = (n - i) / (LPK_STREAM_WAYS * chunk) * chunk;
    for (size_t s = 0; s < part; s += chunk)
        for (size_t w = 0; w < LPK_STREAM_WAYS; w++)
            run(ctx, i + w * part + s, chunk);
    i += LPK_STREAM_WAYS * part;
    const size_t m = (n - i) / q * q;
    run(ctx, i, m);
    return i + m;
}

/* Elements of size `esize` to skip until p is `align`-byte aligned, or
   SIZE_MAX if it never will be. */
static inline size_t lpk_align_head(const void *p, size_t esize, size_t align)
{
    const uintptr_t a = (uintptr_t)p;
    if (a % esize)
        return SIZE_MAX;
    return ((align - a % align) % align) / esize;
}

#endif
