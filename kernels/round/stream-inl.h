/* SPDX-License-Identifier: Apache-2.0 */
/* The conversion loop of the rounding family (f32 -> bf16 nearest, bf16 ->
   f32), written once for the x86 files.  An ISA file defines
     CVT_NAME           the kernel's name
     CVT_IN, CVT_OUT    element types of src and dst
     CVT_ALIGN          bytes: dst alignment of the streaming stores
     CVT_QSTEP          elements per streaming block (divides 256)
     CVT_STEP           elements per regular block
     CVT_STREAM(s, d)   CVT_QSTEP elements, non-temporal stores (d aligned)
     CVT_BLOCK(s, d)    CVT_STEP elements, regular stores
     CVT_PART(s, d, m)  any m elements below max(CVT_STEP, CVT_ALIGN /
                        sizeof(CVT_OUT)), m = 0 included
   (static inline functions with explicit arguments), includes this file,
   and gets
     void CVT_NAME(const CVT_IN *src, CVT_OUT *dst, size_t n).
   Outputs of lpk_use_stream size whose dst can reach CVT_ALIGN: CVT_PART up
   to the alignment, then 256-element chunks of LPK_STREAM_WAYS parts in turn
   and the rest in whole streaming blocks (common/stream.h), each block after
   one prefetch per 64 input bytes, and an SFENCE.  Then whole regular
   blocks, then CVT_PART.  Every element is converted by exactly one of the
   three, each bit-identical to ref.c, so the path never changes the bits. */
#if !defined(CVT_NAME) || !defined(CVT_PART)
#error "define CVT_NAME and its parameters before including stream-inl.h"
#endif
#include <immintrin.h>

#include "../common/stream.h"

#define CVT_CAT_(a, b) a##_##b
#define CVT_CAT(a, b) CVT_CAT_(a, b)

typedef struct {
    const CVT_IN *src;
    CVT_OUT *dst;
} CVT_CAT(CVT_NAME, ctx);

/* m (a multiple of CVT_QSTEP) elements from e with streaming stores. */
static inline void CVT_CAT(CVT_NAME, stream)(void *ctx, size_t e, size_t m)
{
    const CVT_CAT(CVT_NAME, ctx) *c = ctx;
    const CVT_IN *src = c->src + e;
    CVT_OUT *dst = c->dst + e;
    for (size_t k = 0; k < m; k += CVT_QSTEP) {
        for (size_t b = 0; b < CVT_QSTEP * sizeof *src; b += 64)
            lpk_stream_prefetch((const char *)(src + k) + b);
        CVT_STREAM(src + k, dst + k);
    }
}

void CVT_NAME(const CVT_IN *src, CVT_OUT *dst, size_t n)
{
    size_t i = 0;
    const size_t head = lpk_align_head(dst, sizeof *dst, CVT_ALIGN);
    if (lpk_use_stream(n * sizeof *dst) && head < CVT_ALIGN / sizeof *dst) {
        CVT_PART(src, dst, head);
        CVT_CAT(CVT_NAME, ctx) c = {src, dst};
        i = lpk_stream_ways(head, n, 256, CVT_QSTEP, CVT_CAT(CVT_NAME, stream), &c);
        _mm_sfence();
    }
    const size_t m = (n - i) / CVT_STEP * CVT_STEP;
    for (size_t k = 0; k < m; k += CVT_STEP)
        CVT_BLOCK(src + i + k, dst + i + k);
    i += m;
    if (i < n)
        CVT_PART(src + i, dst + i, n - i);
}

#undef CVT_CAT_
#undef CVT_CAT
#undef CVT_NAME
#undef CVT_IN
#undef CVT_OUT
#undef CVT_ALIGN
#undef CVT_QSTEP
#undef CVT_STEP
#undef CVT_STREAM
#undef CVT_BLOCK
#undef CVT_PART
