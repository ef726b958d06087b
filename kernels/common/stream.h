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
