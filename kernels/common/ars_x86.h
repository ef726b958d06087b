/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7 (ars.h) with AES-NI on 128-bit registers, and with VAES on 256- and
   512-bit registers (two / four independent blocks per instruction), all
   bit-identical to the scalar lpk_ars_block.  A block's 16 bytes are one
   128-bit lane: counter {lo64, hi64} = the lane's two 64-bit halves, and
   AESENC / AESENCLAST are exactly the rounds of the definition (x86 xors the
   round key after the round, so the first key is xored explicitly).
   Include from a file compiled with -maes (and -mvaes plus -mavx2 or
   -mavx512f for the wide versions; with -mavx2 alone the 256-bit interface
   runs on 128-bit AES-NI, for the avx2aes tier). */
#ifndef LPK_ARS_X86_H
#define LPK_ARS_X86_H

#include <immintrin.h>
#include <stdint.h>

#include "ars.h"

#if !defined(__AES__)
#error "ars_x86.h needs -maes"
#endif

/* Round keys k_0 .. k_R as 128-bit values (the Weyl schedule, ars.h). */
typedef struct {
    __m128i k[LPK_ARS_ROUNDS + 1];
} lpk_ars_keys128;

static inline void lpk_ars_keys128_init(lpk_ars_keys128 *v, uint64_t lo, uint64_t hi)
{
    const __m128i w = _mm_set_epi64x((long long)LPK_ARS_W1, (long long)LPK_ARS_W0);
    __m128i k = _mm_set_epi64x((long long)hi, (long long)lo);
    for (int r = 0; r <= LPK_ARS_ROUNDS; r++, k = _mm_add_epi64(k, w))
        v->k[r] = k;
}

static inline __m128i lpk_ars_x1(__m128i c, const lpk_ars_keys128 *k)
{
    __m128i v = _mm_xor_si128(c, k->k[0]);
    for (int r = 1; r < LPK_ARS_ROUNDS; r++)
        v = _mm_aesenc_si128(v, k->k[r]);
    return _mm_aesenclast_si128(v, k->k[LPK_ARS_ROUNDS]);
}

/* N independent states (2 or 4 blocks each), round by round so that the 4-cycle AES
   latency of one hides behind the others. */
#define LPK_ARS_ROUNDS_N(N, v, keys, XOR, ENC, LAST)               \
    do {                                                           \
        for (int c_ = 0; c_ < (N); c_++)                           \
            (v)[c_] = XOR((v)[c_], (keys)->k[0]);                  \
        for (int r_ = 1; r_ < LPK_ARS_ROUNDS; r_++)                \
            for (int c_ = 0; c_ < (N); c_++)                       \
                (v)[c_] = ENC((v)[c_], (keys)->k[r_]);             \
        for (int c_ = 0; c_ < (N); c_++)                           \
            (v)[c_] = LAST((v)[c_], (keys)->k[LPK_ARS_ROUNDS]);    \
    } while (0)

#if defined(__AVX2__)
typedef struct {
    __m256i k[LPK_ARS_ROUNDS + 1];
} lpk_ars_keys256;

static inline void lpk_ars_keys256_init(lpk_ars_keys256 *v, uint64_t lo, uint64_t hi)
{
    lpk_ars_keys128 k;
    lpk_ars_keys128_init(&k, lo, hi);
    for (int r = 0; r <= LPK_ARS_ROUNDS; r++)
        v->k[r] = _mm256_broadcastsi128_si256(k.k[r]);
}

#if defined(__VAES__)
/* n YMM states of two blocks each, VAESENC on 256 bits. */
static inline void lpk_ars_x2n(__m256i *v, int n, const lpk_ars_keys256 *k)
{
    LPK_ARS_ROUNDS_N(n, v, k, _mm256_xor_si256, _mm256_aesenc_epi128, _mm256_aesenclast_epi128);
}
#else
/* The same n YMM states on AES-NI alone (the avx2aes tier: AVX2 CPUs
   without VAES): each state's two blocks are split into 128-bit halves once
   and run as 2n independent AESENC chains, then joined again, so a kernel
   written for VAES256 states (the avx2vaes files) builds unchanged on it,
   bit for bit.  n <= 9 (the callers' most). */
static inline void lpk_ars_x2n(__m256i *v, int n, const lpk_ars_keys256 *k)
{
    enum { MAXN = 9 };
    __m128i h[2 * MAXN];
    lpk_ars_keys128 kl;
    for (int r = 0; r <= LPK_ARS_ROUNDS; r++)
        kl.k[r] = _mm256_castsi256_si128(k->k[r]);
    for (int c = 0; c < n; c++) {
        h[2 * c] = _mm256_castsi256_si128(v[c]);
        h[2 * c + 1] = _mm256_extracti128_si256(v[c], 1);
    }
    LPK_ARS_ROUNDS_N(2 * n, h, &kl, _mm_xor_si128, _mm_aesenc_si128, _mm_aesenclast_si128);
    for (int c = 0; c < n; c++)
        v[c] = _mm256_inserti128_si256(_mm256_castsi128_si256(h[2 * c]), h[2 * c + 1], 1);
}
#endif
#endif

#if defined(__VAES__) && defined(__AVX512F__)
typedef struct {
    __m512i k[LPK_ARS_ROUNDS + 1];
} lpk_ars_keys512;

static inline void lpk_ars_keys512_init(lpk_ars_keys512 *v, uint64_t lo, uint64_t hi)
{
    lpk_ars_keys128 k;
    lpk_ars_keys128_init(&k, lo, hi);
    for (int r = 0; r <= LPK_ARS_ROUNDS; r++)
        v->k[r] = _mm512_broadcast_i32x4(k.k[r]);
}

static inline void lpk_ars_x4n(__m512i *v, int n, const lpk_ars_keys512 *k)
{
    LPK_ARS_ROUNDS_N(n, v, k, _mm512_xor_si512, _mm512_aesenc_epi128, _mm512_aesenclast_epi128);
}
#endif

#endif
