/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, the HALP update with per-element ARS-7 bits
   (fixed.h, "update_ars") on AVX-512 (F+BW+DQ+VL) + VAES, bit-identical
   to ref_ars.c.  The arithmetic, rounding and masked tail are avx512.c's
   (avx512-inl.h) and the loop is update-inl.h; only the bits differ: per
   chunk of up to 512 elements (up to the call's end, in whole batches of
   128 elements: one more when offset is not a multiple of 8), the ARS
   blocks from independent VAES512 states of four blocks each, four at a
   time (common/ars_x86.h;
   several batches per chunk overlap, as in avx2vaes.c), stored as uint16
   in element order; a vector of 16
   elements widens its 16 uint16 (VPMOVZXWD) and converts them to
   r16 / 2^16 where the step uses them.
   Relies on AVX-512 F+BW+DQ+VL, AES-NI and VAES. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || \
    !defined(__AVX512VL__) || !defined(__VAES__) || !defined(__AES__)
#error "avx512vaes.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl -mvaes -maes"
#endif
#include <immintrin.h>

#include "fixed.h"
#include "avx512-inl.h"
#include "../common/ars_x86.h"

#define FIX_CHUNK 512

struct fix_bits {
    lpk_ars_keys512 k;
    uint64_t offset;
    size_t sh;                                 /* offset & 7 */
    _Alignas(64) uint16_t r16[FIX_CHUNK + 128]; /* blocks from (offset + i) >> 3 */
};

INLINE void fix_bits_make(fix_bits *rb, uint64_t seed, uint64_t offset)
{
    lpk_ars_keys512_init(&rb->k, seed, 0);
    rb->offset = offset;
    rb->sh = (size_t)(offset & 7);
}

/* Blocks q .. q + 4 nv - 1 (mod 2^61) into r, nv states at once. */
INLINE void ars_blocks(const fix_bits *rb, uint64_t q, uint16_t *r, int nv)
{
    const __m512i qmask = _mm512_set1_epi64((long long)LPK_ARS_QMASK);
    const __m512i base = _mm512_add_epi64(_mm512_maskz_set1_epi64(0x55, (long long)q),
                                          _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
    __m512i v[5];
    for (int c = 0; c < nv; c++)
        v[c] = _mm512_and_si512(
            _mm512_add_epi64(base, _mm512_maskz_set1_epi64(0x55, (long long)(4 * c))), qmask);
    lpk_ars_x4n(v, nv, &rb->k);
    for (int c = 0; c < nv; c++)
        _mm512_store_si512((void *)(r + 32 * c), v[c]);
}

INLINE void fix_bits_chunk(fix_bits *rb, size_t i, size_t n)
{
    const uint64_t q = (rb->offset + i) >> 3;
    const size_t m = n - i < FIX_CHUNK ? n - i : FIX_CHUNK;
    /* whole batches of four states (four blocks, 32 elements each) */
    for (size_t e = 0; e < rb->sh + m; e += 128)
        ars_blocks(rb, q + e / 8, rb->r16 + e, 4);
}

INLINE __m512 fix_bits_vec(const fix_bits *rb, size_t i, int j)
{
    return r16_f32(
        _mm256_loadu_si256((const __m256i *)(rb->r16 + rb->sh + i % FIX_CHUNK + 16 * j)));
}

#include "update-inl.h"

#define FIX_SUFFIX avx512vaes
#define FIX_ENTRY_ARS 1
#include "entry-inl.h"
