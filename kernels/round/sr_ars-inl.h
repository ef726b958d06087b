/* SPDX-License-Identifier: Apache-2.0 */
/* The stochastic-rounding loop with ARS bits (f32 -> bf16 with the bits of
   element offset + i, lpk.h LPK_ROUND_STOCHASTIC_ARS), written once for the
   ARS variants.  A variant file defines
     ARS_NAME                 the kernel's name
     ARS_KEYS, ARS_KEYS_INIT(&k, seed)   its round keys (key {seed, 0})
     ARS_STEP                 elements per block call (a multiple of 8)
     ARS_BLOCK(s, d, q, &k, stream)      ARS_STEP elements from element 8q,
                              regular or (stream = 1, d 64-byte aligned)
                              non-temporal stores
     ARS_BITS(q, nb, &k, r)   the random uint16 of blocks q .. q+nb-1
                              (nb <= ARS_STEP / 8, indices mod 2^61) into r
     ARS_STREAM               1 where non-temporal stores exist (x86)
   and optionally
     ARS_RUN(s, d, m, q, &k, stream)     m elements (a multiple of ARS_STEP)
                              from element 8q, as ARS_BLOCK calls would,
                              prefetching when stream: a variant that makes
                              the bits of one block while it rounds the
                              previous one (software pipelining) needs the
                              whole run in one function
   (static inline functions), includes this file, and gets
     void ARS_NAME(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed,
                   uint64_t offset).
   Head elements up to the first block boundary of offset + i and the tail
   use the scalar definition (common/bf16.h) on bits from ARS_BITS; outputs
   of lpk_use_stream size whose dst reaches 64-byte alignment at a block
   boundary go in LPK_STREAM_WAYS parts in turn with prefetching and
   non-temporal stores (common/stream.h, as the nearest-rounding loops do),
   then whole blocks with regular stores.  Each element's bits depend on
   offset + i only, so the path never changes the result. */
#if !defined(ARS_NAME) || !(defined(ARS_BLOCK) || defined(ARS_RUN)) || !defined(ARS_BITS)
#error "define ARS_NAME and its parameters before including sr_ars-inl.h"
#endif
#include "../common/ars.h"
#include "../common/bf16.h"
#include "../common/stream.h"

#define ARS_CAT_(a, b) a##_##b
#define ARS_CAT(a, b) ARS_CAT_(a, b)

/* m < ARS_STEP elements from element j (a multiple of 8, or the head: then
   m stays inside j's block). */
static inline void ARS_CAT(ARS_NAME, part)(const float *src, lpk_bf16 *dst, size_t m,
                                          uint64_t j, const ARS_KEYS *k)
{
    uint16_t r[ARS_STEP];
    const size_t first = (size_t)(j & 7);
    ARS_BITS((j >> 3) & LPK_ARS_QMASK, (first + m + 7) / 8, k, r);
    for (size_t i = 0; i < m; i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), r[first + i]);
}

#if ARS_STREAM
/* ARS_STEP-multiple m elements from e, non-temporal, after a prefetch per
   64 input bytes. */
static inline void ARS_CAT(ARS_NAME, stream)(const float *src, lpk_bf16 *dst, size_t e, size_t m,
                                            uint64_t offset, const ARS_KEYS *k)
{
#ifdef ARS_RUN
    if (m)
        ARS_RUN(src + e, dst + e, m, ((offset + e) >> 3) & LPK_ARS_QMASK, k, 1);
#else
    for (size_t t = e; t < e + m; t += ARS_STEP) {
        for (size_t b = 0; b < ARS_STEP * sizeof(float); b += 64)
            lpk_stream_prefetch((const char *)(src + t) + b);
        ARS_BLOCK(src + t, dst + t, ((offset + t) >> 3) & LPK_ARS_QMASK, k, 1);
    }
#endif
}
#endif

void ARS_NAME(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed, uint64_t offset)
{
    ARS_KEYS k;
    ARS_KEYS_INIT(&k, seed);
    size_t i = 0;
    if (n && (offset & 7)) {
        i = 8 - (size_t)(offset & 7);
        if (i > n)
            i = n;
        ARS_CAT(ARS_NAME, part)(src, dst, i, offset, &k);
    }
#if ARS_STREAM
    if (lpk_use_stream(n * sizeof(lpk_bf16)) && lpk_align_head(dst + i, 2, 16) == 0) {
        for (; i + 8 <= n && lpk_align_head(dst + i, 2, 64) != 0; i += 8)
            ARS_CAT(ARS_NAME, part)(src + i, dst + i, 8, offset + i, &k);
        const size_t chunk = 4 * ARS_STEP;
        const size_t part = (n - i) / (LPK_STREAM_WAYS * chunk) * chunk;
        for (size_t s = 0; s < part; s += chunk)
            for (size_t w = 0; w < LPK_STREAM_WAYS; w++)
                ARS_CAT(ARS_NAME, stream)(src, dst, i + w * part + s, chunk, offset, &k);
        i += LPK_STREAM_WAYS * part;
        const size_t m = (n - i) / ARS_STEP * ARS_STEP;
        ARS_CAT(ARS_NAME, stream)(src, dst, i, m, offset, &k);
        i += m;
        _mm_sfence();
    }
#endif
#ifdef ARS_RUN
    const size_t m = (n - i) / ARS_STEP * ARS_STEP;
    if (m)
        ARS_RUN(src + i, dst + i, m, ((offset + i) >> 3) & LPK_ARS_QMASK, &k, 0);
    i += m;
#else
    for (; i + ARS_STEP <= n; i += ARS_STEP)
        ARS_BLOCK(src + i, dst + i, ((offset + i) >> 3) & LPK_ARS_QMASK, &k, 0);
#endif
    if (i < n)
        ARS_CAT(ARS_NAME, part)(src + i, dst + i, n - i, offset + i, &k);
}

#undef ARS_CAT_
#undef ARS_CAT
#undef ARS_NAME
#undef ARS_KEYS
#undef ARS_KEYS_INIT
#undef ARS_STEP
#undef ARS_BLOCK
#undef ARS_RUN
#undef ARS_BITS
#undef ARS_STREAM
