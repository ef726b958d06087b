/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, the HALP update with per-element ARS-7 bits
   (fixed.h, "update_ars") on AVX2 + FMA + VAES, bit-identical to
   ref_ars.c.  The arithmetic and rounding are avx2.c's (avx2-inl.h) and
   the loop is update-inl.h; only the bits differ: per chunk of 128
   elements, 16 ARS blocks (18 when offset is not a multiple of 8) from
   eight (nine) independent VAES256 states of two blocks each
   (common/ars_x86.h), stored as 128 uint16 in element order; a vector of 8
   elements widens its 8 uint16 (VPMOVZXWD) and converts them to r16 / 2^16
   where the step uses them.  The scalar tail reads the same buffer.
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

#define FIX_CHUNK 128

typedef struct {
    lpk_ars_keys256 k;
    uint64_t offset;
    size_t sh;                                 /* offset & 7 */
    _Alignas(32) uint16_t r16[FIX_CHUNK + 16]; /* blocks from (offset + i) >> 3 */
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

INLINE void fix_bits_chunk(fix_bits *rb, size_t i)
{
    const uint64_t q = (rb->offset + i) >> 3;
    if (rb->sh == 0) {
        ars_blocks(rb, q, rb->r16, 8);
    } else {
        ars_blocks(rb, q, rb->r16, 8);
        ars_blocks(rb, q + 16, rb->r16 + FIX_CHUNK, 1);
    }
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
