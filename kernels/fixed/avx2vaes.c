/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, the HALP update with per-element ARS-7 bits
   (fixed.h, "update_ars") on AVX2 + FMA + VAES, bit-identical to
   ref_ars.c.  The arithmetic and rounding are avx2.c's (avx2-inl.h) and
   the loop is update-inl.h; only the bits differ: per chunk of up to 512
   elements (up to the call's end, in whole batches of 128 elements: one
   more when offset is not a multiple of 8), the ARS blocks from
   independent VAES256 states of two blocks each, eight at a time
   (common/ars_x86.h), stored as uint16 in
   element order; a vector of 8 elements widens its 8 uint16 (VPMOVZXWD)
   and converts them to r16 / 2^16 where the step uses them.  Chunks of
   128 elements ran each batch's seven dependent rounds alone before the
   steps that read its stores; several batches per chunk overlap one
   another (update8_ars, Zen 4, in-process A/B against 128-element chunks:
   1.06-1.08x at n = 100-1024, perf/RESULTS.md "HALP: what bounds the inner
   step").  The scalar tail reads the same buffer.
   Relies on AVX2, FMA, AES-NI and VAES; avx2aes.c builds this file again
   with LPK_AESNI_ONLY for the avx2aes tier (the same states on 128-bit
   AES-NI, common/ars_x86.h). */
#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__AES__) || \
    (!defined(__VAES__) && !defined(LPK_AESNI_ONLY))
#error "avx2vaes.c needs -mavx2 -mfma -maes -mvaes"
#endif
#include <immintrin.h>

#include "fixed.h"
#include "avx2-inl.h"
#include "../common/ars_x86.h"

#define FIX_CHUNK 512

typedef struct {
    lpk_ars_keys256 k;
    uint64_t offset;
    size_t sh;                                 /* offset & 7 */
    _Alignas(32) uint16_t r16[FIX_CHUNK + 128]; /* blocks from (offset + i) >> 3 */
} fix_bits;

INLINE void fix_bits_make(fix_bits *rb, uint64_t seed, uint64_t offset)
{
    lpk_ars_keys256_init(&rb->k, seed, 0);
    rb->offset = offset;
    rb->sh = (size_t)(offset & 7);
}

/* Blocks q .. q + 2 nv - 1 (mod 2^61) into r, nv states at once. */
INLINE void ars_blocks(const fix_bits *rb, uint64_t q, uint16_t *r, int nv)
{
    const __m256i qmask = _mm256_set1_epi64x((long long)LPK_ARS_QMASK);
    const __m256i base = _mm256_add_epi64(_mm256_setr_epi64x((long long)q, 0, (long long)q, 0),
                                          _mm256_setr_epi64x(0, 0, 1, 0));
    __m256i v[9];
    for (int c = 0; c < nv; c++)
        v[c] = _mm256_and_si256(_mm256_add_epi64(base, _mm256_setr_epi64x(2 * c, 0, 2 * c, 0)),
                                qmask);
    lpk_ars_x2n(v, nv, &rb->k);
    for (int c = 0; c < nv; c++)
        _mm256_store_si256((__m256i *)(r + 16 * c), v[c]);
}

INLINE void fix_bits_chunk(fix_bits *rb, size_t i, size_t n)
{
    const uint64_t q = (rb->offset + i) >> 3;
    const size_t m = n - i < FIX_CHUNK ? n - i : FIX_CHUNK;
    /* whole batches of eight states (two blocks, 16 elements each) */
    for (size_t e = 0; e < rb->sh + m; e += 128)
        ars_blocks(rb, q + e / 8, rb->r16 + e, 8);
}

INLINE __m256 fix_bits_vec(const fix_bits *rb, size_t i, int j)
{
    return r16_f32(_mm_loadu_si128((const __m128i *)(rb->r16 + rb->sh + i % FIX_CHUNK + 8 * j)));
}

INLINE uint32_t fix_bits16(const fix_bits *rb, size_t i)
{
    return rb->r16[rb->sh + i % FIX_CHUNK];
}

#include "update-inl.h"

#ifdef LPK_AESNI_ONLY
#define FIX_SUFFIX avx2aes
#else
#define FIX_SUFFIX avx2vaes
#endif
#define FIX_ENTRY_ARS 1
#include "entry-inl.h"
