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
   the loads measured f32 -> bf16 nearest at 64M elements 2.0 -> 2.4-2.9
   Gelem/s here (L1 hint 2.2, L3 hint 2.4, non-temporal 1.6).  One call per
   64-byte line of input. */
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
   large-copy routines do.  Measured (64M elements, 1 thread, interleaved
   runs): f32 -> bf16 SR 2.23 -> 2.51 Gelem/s (+16%), nearest +7-9% with 4
   ways; 2 ways +2-9%, 8 ways no better than 4.
   LPK_STREAM_WAYS_RUN runs its statement with `e` (first element) and `m`
   (element count) for each `chunk`-element piece of the largest multiple of
   LPK_STREAM_WAYS * chunk elements from i, the parts in turn, then once for
   the rest of [i, n) rounded down to a multiple of q (chunk a multiple of
   q), and advances i past all of them.  Each element is visited once, so
   results never depend on the order. */
#define LPK_STREAM_WAYS 4
#define LPK_STREAM_WAYS_RUN(i, n, chunk, q, e, m, ...)                             \
    do {                                                                         \
        const size_t part_ = ((n) - (i)) / (LPK_STREAM_WAYS * (chunk)) * (chunk); \
        for (size_t s_ = 0; s_ < part_; s_ += (chunk))                           \
            for (size_t w_ = 0; w_ < LPK_STREAM_WAYS; w_++) {                    \
                const size_t e = (i) + w_ * part_ + s_, m = (chunk);             \
                __VA_ARGS__;                                                     \
            }                                                                    \
        (i) += LPK_STREAM_WAYS * part_;                                          \
        {                                                                        \
            const size_t e = (i), m = ((n) - (i)) / (q) * (q);                   \
            __VA_ARGS__;                                                         \
            (i) += m;                                                            \
        }                                                                        \
    } while (0)

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
