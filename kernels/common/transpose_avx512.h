/* SPDX-License-Identifier: Apache-2.0 */
/* In-register transpose of 16 rows of 16 32-bit elements (AVX-512F):
   r[c] becomes column c.  Shared by the x86 GEMM packing routines. */
#ifndef LPK_TRANSPOSE_AVX512_H
#define LPK_TRANSPOSE_AVX512_H

#include <immintrin.h>

static inline void lpk_transpose16x16_epi32(__m512i r[16])
{
    __m512i t[16];
    for (int g = 0; g < 16; g += 4) {
        const __m512i l0 = _mm512_unpacklo_epi32(r[g], r[g + 1]);
        const __m512i h0 = _mm512_unpackhi_epi32(r[g], r[g + 1]);
        const __m512i l1 = _mm512_unpacklo_epi32(r[g + 2], r[g + 3]);
        const __m512i h1 = _mm512_unpackhi_epi32(r[g + 2], r[g + 3]);
        /* t[g + c]: rows g..g+3 of column 4L + c in 128-bit lane L */
        t[g + 0] = _mm512_unpacklo_epi64(l0, l1);
        t[g + 1] = _mm512_unpackhi_epi64(l0, l1);
        t[g + 2] = _mm512_unpacklo_epi64(h0, h1);
        t[g + 3] = _mm512_unpackhi_epi64(h0, h1);
    }
    for (int c = 0; c < 4; c++) {
        const __m512i a0 = _mm512_shuffle_i32x4(t[c], t[4 + c], 0x88);
        const __m512i a1 = _mm512_shuffle_i32x4(t[c], t[4 + c], 0xDD);
        const __m512i b0 = _mm512_shuffle_i32x4(t[8 + c], t[12 + c], 0x88);
        const __m512i b1 = _mm512_shuffle_i32x4(t[8 + c], t[12 + c], 0xDD);
        r[c] = _mm512_shuffle_i32x4(a0, b0, 0x88);
        r[8 + c] = _mm512_shuffle_i32x4(a0, b0, 0xDD);
        r[4 + c] = _mm512_shuffle_i32x4(a1, b1, 0x88);
        r[12 + c] = _mm512_shuffle_i32x4(a1, b1, 0xDD);
    }
}

#endif
