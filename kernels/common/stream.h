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
