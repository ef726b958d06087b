/* SPDX-License-Identifier: Apache-2.0 */
/* The stochastic-rounding loop of the rounding family (f32 -> bf16 with the
   bits of element offset + i), written once for the x86 files.  An ISA file
   defines
     SR_NAME            the kernel's name
     SR_KEYS, SR_KEYS_INIT(&k, seed)   its Philox key schedule
     SR_ALIGN           bytes: dst alignment of the streaming stores
     SR_CHUNK           elements per piece of the streaming ways
     SR_STEP            elements per block (divides SR_CHUNK, a multiple of 8)
     SR_RUN(s, d, m, j, &k, stream)    m (a multiple of SR_STEP) elements
                        from element index j (a multiple of 8), regular or
                        non-temporal stores (then prefetching, d aligned)
     SR_PART(s, d, m, seed, j, &k)     any m < SR_STEP elements from j (a
                        multiple of 8)
   (static inline functions with explicit arguments), includes this file,
   and gets
     void SR_NAME(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed,
                  uint64_t offset).
   The scalar definition (common/bf16.h) up to the first Philox block
   boundary of offset + i; for outputs of lpk_use_stream size with dst
   16-byte aligned there, SR_PART in 8-element blocks up to SR_ALIGN, then
   SR_CHUNK pieces of LPK_STREAM_WAYS parts in turn and the rest in whole
   blocks with streaming stores (common/stream.h) and an SFENCE; then whole
   blocks with regular stores, then SR_PART.  Each element's bits depend on
   offset + i only, so the path never changes the result. */
#if !defined(SR_NAME) || !defined(SR_PART)
#error "define SR_NAME and its parameters before including sr-inl.h"
#endif
#include <immintrin.h>

#include "../common/bf16.h"
#include "../common/stream.h"

#define SR_CAT_(a, b) a##_##b
#define SR_CAT(a, b) SR_CAT_(a, b)

typedef struct {
    const float *src;
    lpk_bf16 *dst;
    uint64_t offset;
    const SR_KEYS *keys;
} SR_CAT(SR_NAME, ctx);

static inline void SR_CAT(SR_NAME, stream)(void *ctx, size_t e, size_t m)
{
    const SR_CAT(SR_NAME, ctx) *c = ctx;
    SR_RUN(c->src + e, c->dst + e, m, c->offset + e, c->keys, 1);
}

void SR_NAME(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed, uint64_t offset)
{
    size_t i = 0;
    for (; i < n && ((offset + i) & 7); i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, offset + i));
    SR_KEYS keys;
    SR_KEYS_INIT(&keys, seed);
    if (lpk_use_stream(n * 2) && lpk_align_head(dst + i, 2, 16) == 0) {
        for (; i + 8 <= n && lpk_align_head(dst + i, 2, SR_ALIGN) != 0; i += 8)
            SR_PART(src + i, dst + i, 8, seed, offset + i, &keys);
        SR_CAT(SR_NAME, ctx) c = {src, dst, offset, &keys};
        i = lpk_stream_ways(i, n, SR_CHUNK, SR_STEP, SR_CAT(SR_NAME, stream), &c);
        _mm_sfence();
    }
    const size_t m = (n - i) / SR_STEP * SR_STEP;
    SR_RUN(src + i, dst + i, m, offset + i, &keys, 0);
    i += m;
    if (i < n)
        SR_PART(src + i, dst + i, n - i, seed, offset + i, &keys);
}

#undef SR_CAT_
#undef SR_CAT
#undef SR_NAME
#undef SR_KEYS
#undef SR_KEYS_INIT
#undef SR_ALIGN
#undef SR_CHUNK
#undef SR_STEP
#undef SR_RUN
#undef SR_PART
