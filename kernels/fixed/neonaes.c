/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family, the HALP update with per-element ARS-7 bits
   (fixed.h, "update_ars") on Advanced SIMD + the AES extension,
   bit-identical to ref_ars.c.  The arithmetic and rounding are neon.c's
   (neon-inl.h) and the loop is update-inl.h; only the bits differ: per
   chunk of 64 elements, 8 ARS blocks (9 when offset is not a multiple of
   8) from independent AESE/AESMC chains (common/ars_neon.h), stored as
   uint16 in element order; each vector of 4 elements widens its uint16 and
   converts them to r16 / 2^16 where the step uses them.  The scalar tail
   reads the same buffer.  Only aarch64 compiles a body. */
#if defined(__aarch64__)
#include <arm_neon.h>

#include "fixed.h"
#include "neon-inl.h"
#include "../common/ars_neon.h"

#define FIX_CHUNK 64

typedef struct {
    lpk_ars_keys_neon k;
    uint64_t offset;
    size_t sh;                     /* offset & 7 */
    uint16_t r16[FIX_CHUNK + 8];   /* blocks from (offset + i) >> 3 */
} fix_bits;

INLINE void fix_bits_make(fix_bits *rb, uint64_t seed, uint64_t offset)
{
    lpk_ars_keys_neon_init(&rb->k, seed, 0);
    rb->offset = offset;
    rb->sh = (size_t)(offset & 7);
}

/* Block q (mod 2^61) as a 16-byte counter {lo64 = q, hi64 = 0}. */
INLINE uint8x16_t ars_ctr(uint64_t q)
{
    return vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(q & LPK_ARS_QMASK), vcreate_u64(0)));
}

INLINE void fix_bits_chunk(fix_bits *rb, size_t i, size_t n)
{
    (void)n;
    const uint64_t q = (rb->offset + i) >> 3;
    uint8x16_t v[9];
    const int nb = rb->sh ? 9 : 8;
    for (int c = 0; c < 8; c++)
        v[c] = ars_ctr(q + (uint64_t)c);
    lpk_ars_neon_n(v, 8, &rb->k);
    if (nb == 9) {
        v[8] = ars_ctr(q + 8);
        lpk_ars_neon_n(v + 8, 1, &rb->k);
    }
    for (int c = 0; c < nb; c++)
        vst1q_u8((uint8_t *)(rb->r16 + 8 * c), v[c]);
}

INLINE float32x4_t fix_bits_vec(const fix_bits *rb, size_t i, int j)
{
    const uint16x4_t r = vld1_u16(rb->r16 + rb->sh + i % FIX_CHUNK + 4 * j);
    return vmulq_f32(vcvtq_f32_u32(vmovl_u16(r)), vdupq_n_f32(1.0f / 65536.0f));
}

INLINE uint32_t fix_bits16(const fix_bits *rb, size_t i)
{
    return rb->r16[rb->sh + i % FIX_CHUNK];
}

#include "update-inl.h"

#define FIX_SUFFIX neonaes
#define FIX_ENTRY_ARS 1
#include "entry-inl.h"
#endif
