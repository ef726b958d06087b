/* SPDX-License-Identifier: Apache-2.0 */
/* Philox4x32-10 on AVX2 / AVX-512, bit-identical to philox.h.
   Layout: one Philox block per 64-bit lane, kept as two vectors
     a = [c0 | c1]  (c0 in the low 32 bits)   b = [c2 | c3]
   so the initial a is the 64-bit block index q itself and b is 0, and after
   the rounds a lane = [x0 | x1], b lane = [x2 | x3]: read as uint16 in memory
   order, a gives elements 0..3 and b elements 4..7 of the block.
   One round: p0 = M0*c0, p1 = M1*c2 (VPMULUDQ gives hi:lo in one lane);
     new a = swap32(p1 ^ ([c1|k0] placed in the high half))
     new b = swap32(p0 ^ ([c3|k1] placed in the high half))
   i.e. [hi1^c1^k0 | lo1] and [hi0^c3^k1 | lo0], the Philox round. */
#ifndef LPK_PHILOX_X86_H
#define LPK_PHILOX_X86_H

#include <immintrin.h>
#include <stdint.h>

#include "philox.h"

/* Round keys placed in the high half of each 64-bit lane. */
typedef struct {
    uint64_t k0hi[10], k1hi[10];
} lpk_philox_keys;

static inline void lpk_philox_keys_init(lpk_philox_keys *k, uint64_t seed)
{
    uint32_t k0[10], k1[10];
    lpk_philox_round_keys(seed, k0, k1);
    for (int r = 0; r < 10; r++) {
        k->k0hi[r] = (uint64_t)k0[r] << 32;
        k->k1hi[r] = (uint64_t)k1[r] << 32;
    }
}

#if defined(__AVX512F__)
/* One Philox round on one 8-block state; the xor of the high half is one
   masked VPTERNLOGD, the swap one VPSHUFD. */
#define LPK_PHILOX_ROUND_AVX512(a, b, k0, k1)                                     \
    do {                                                                        \
        const __m512i p0_ = _mm512_mul_epu32(a, m0), p1_ = _mm512_mul_epu32(b, m1); \
        a = _mm512_shuffle_epi32(_mm512_mask_ternarylogic_epi32(p1_, 0xAAAA, a, k0, 0x96), \
                                 _MM_PERM_CDAB);                                \
        b = _mm512_shuffle_epi32(_mm512_mask_ternarylogic_epi32(p0_, 0xAAAA, b, k1, 0x96), \
                                 _MM_PERM_CDAB);                                \
    } while (0)

/* Blocks q..q+15 as two independent 8-block states (lanes = blocks), run
   interleaved so the 5-cycle multiplies of one hide behind the other. */
/* Round keys as vectors, built once per call: broadcasting them inside the
   loop would cost 20 port-5 uops per 16 blocks. */
typedef struct {
    __m512i k0[10], k1[10];
    uint64_t k0hi0; /* round 1's k0 in the high half, as a scalar */
} lpk_philox_keys512;

static inline void lpk_philox_keys512_init(lpk_philox_keys512 *v, uint64_t seed)
{
    lpk_philox_keys k;
    lpk_philox_keys_init(&k, seed);
    for (int r = 0; r < 10; r++) {
        v->k0[r] = _mm512_set1_epi64((long long)k.k0hi[r]);
        v->k1[r] = _mm512_set1_epi64((long long)k.k1hi[r]);
    }
    v->k0hi0 = k.k0hi[0];
}

static inline void lpk_philox8_avx512(uint64_t q, const lpk_philox_keys512 *k, __m512i *pa,
                                      __m512i *pb)
{
    const __m512i m0 = _mm512_set1_epi64(LPK_PHILOX_M0);
    const __m512i m1 = _mm512_set1_epi64(LPK_PHILOX_M1);
    /* j = offset + i wraps modulo 2^64, so block indices wrap modulo 2^61 */
    __m512i a = _mm512_and_si512(_mm512_add_epi64(_mm512_set1_epi64((long long)q),
                                                  _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0)),
                                 _mm512_set1_epi64((long long)LPK_PHILOX_QMASK));
    __m512i b = _mm512_setzero_si512();
    for (int r = 0; r < 10; r++)
        LPK_PHILOX_ROUND_AVX512(a, b, k->k0[r], k->k1[r]);
    *pa = a;
    *pb = b;
}

/* Blocks q .. q + 8*NCHAIN - 1 as NCHAIN independent 8-block states run
   interleaved: one chain is 10 rounds of multiply (5 cycles) -> ternlog ->
   shuffle, 70 cycles deep, and the scheduler cannot reach the next loop
   iteration's chain, so throughput needs several chains in flight.
   ab[2c], ab[2c+1] = state c after the rounds *before the last round's
   swap* (each 64-bit lane [x1 | x0] and [x3 | x2]): lpk_philox_order_raw_avx512
   puts them in element order, the swap folded into its permute.
   The first two rounds are cheaper than the general round because the
   counter words c2, c3 are 0 and c1 (the block index' high word) is
   usually the same in every lane:
     round 1: M1 * c2 = 0, so a = [c1 ^ k0 | 0] without a multiply;
     round 2: M0 * (c1 ^ k0) is one value for all lanes (when no lane's
              block index crosses a multiple of 2^32 in this call), made
              once with a scalar multiply.
   Same bits as the plain rounds (philox.h); 4 of ~62 vector uops per chain
   saved, two of them multiplies, and the final swaps folded into the
   order permutes: the bits of 32 blocks measured 1-4% faster (4.64-4.85
   -> 4.82-4.95 Gelem/s worth of bits, one thread, best of 15). */
#define LPK_PHILOX_CHAINS 4
static inline void lpk_philox_chains_avx512(uint64_t q, const lpk_philox_keys512 *k,
                                            __m512i ab[2 * LPK_PHILOX_CHAINS])
{
    const __m512i m0 = _mm512_set1_epi64(LPK_PHILOX_M0);
    const __m512i m1 = _mm512_set1_epi64(LPK_PHILOX_M1);
    const __m512i qmask = _mm512_set1_epi64((long long)LPK_PHILOX_QMASK);
    const __m512i base = _mm512_add_epi64(_mm512_set1_epi64((long long)q),
                                          _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
    __m512i a[LPK_PHILOX_CHAINS], b[LPK_PHILOX_CHAINS];
    /* round 1: p0 = M0 * c0; a = [c1 ^ k0 | 0], b = [hi0 ^ k1 | lo0] */
#pragma GCC unroll 4
    for (int c = 0; c < LPK_PHILOX_CHAINS; c++) {
        /* j = offset + i wraps modulo 2^64, so block indices wrap modulo 2^61 */
        const __m512i ctr = _mm512_and_si512(_mm512_add_epi64(base, _mm512_set1_epi64(8 * c)), qmask);
        const __m512i p0 = _mm512_mul_epu32(ctr, m0);
        a[c] = _mm512_srli_epi64(_mm512_xor_si512(ctr, k->k0[0]), 32);
        b[c] = _mm512_shuffle_epi32(_mm512_xor_si512(p0, k->k1[0]), _MM_PERM_CDAB);
    }
    /* round 2: p0 = M0 * (c1 ^ k0), one value when every lane has the same c1 */
    const uint64_t q0 = q & LPK_PHILOX_QMASK;
    const int same_hi = (q0 >> 32) == ((q0 + 8 * LPK_PHILOX_CHAINS - 1) >> 32) &&
                        q0 + 8 * LPK_PHILOX_CHAINS - 1 <= LPK_PHILOX_QMASK;
    if (same_hi) {
        const uint64_t x0 = (uint32_t)(q0 >> 32) ^ (uint32_t)((uint64_t)k->k0hi0 >> 32);
        const __m512i p0 = _mm512_set1_epi64((long long)(x0 * (uint64_t)LPK_PHILOX_M0));
#pragma GCC unroll 4
        for (int c = 0; c < LPK_PHILOX_CHAINS; c++) {
            const __m512i p1 = _mm512_mul_epu32(b[c], m1);
            const __m512i na = _mm512_shuffle_epi32(
                _mm512_mask_ternarylogic_epi32(p1, 0xAAAA, a[c], k->k0[1], 0x96), _MM_PERM_CDAB);
            b[c] = _mm512_shuffle_epi32(
                _mm512_mask_ternarylogic_epi32(p0, 0xAAAA, b[c], k->k1[1], 0x96), _MM_PERM_CDAB);
            a[c] = na;
        }
    } else {
#pragma GCC unroll 4
        for (int c = 0; c < LPK_PHILOX_CHAINS; c++)
            LPK_PHILOX_ROUND_AVX512(a[c], b[c], k->k0[1], k->k1[1]);
    }
    for (int r = 2; r < 9; r++) {
#pragma GCC unroll 4
        for (int c = 0; c < LPK_PHILOX_CHAINS; c++)
            LPK_PHILOX_ROUND_AVX512(a[c], b[c], k->k0[r], k->k1[r]);
    }
    /* round 10 without its swap */
#pragma GCC unroll 4
    for (int c = 0; c < LPK_PHILOX_CHAINS; c++) {
        const __m512i p0 = _mm512_mul_epu32(a[c], m0), p1 = _mm512_mul_epu32(b[c], m1);
        ab[2 * c] = _mm512_mask_ternarylogic_epi32(p1, 0xAAAA, a[c], k->k0[9], 0x96);
        ab[2 * c + 1] = _mm512_mask_ternarylogic_epi32(p0, 0xAAAA, b[c], k->k1[9], 0x96);
    }
}

/* Random uint16 of 8 blocks in element order from their pre-swap states
   (lpk_philox_chains_avx512): the same as lpk_philox_order_avx512 on the
   swapped states, each 32-bit half picked from its swapped position. */
static inline void lpk_philox_order_raw_avx512(__m512i ta, __m512i tb, __m512i *lo, __m512i *hi)
{
    /* qword j of the output = qword s of (a, b) in lpk_philox_order_avx512;
       its dwords (2s, 2s+1) come from the raw dwords (2s+1, 2s) */
    *lo = _mm512_permutex2var_epi32(ta, _mm512_set_epi32(22, 23, 6, 7, 20, 21, 4, 5, 18, 19, 2, 3,
                                                          16, 17, 0, 1), tb);
    *hi = _mm512_permutex2var_epi32(ta, _mm512_set_epi32(30, 31, 14, 15, 28, 29, 12, 13, 26, 27, 10,
                                                          11, 24, 25, 8, 9), tb);
}

/* Random uint16 of 8 blocks (a, b) in element order: lo = elements 0..31,
   hi = 32..63 (qwords a0 b0 a1 b1 ... a7 b7). */
static inline void lpk_philox_order_avx512(__m512i a, __m512i b, __m512i *lo, __m512i *hi)
{
    *lo = _mm512_permutex2var_epi64(a, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), b);
    *hi = _mm512_permutex2var_epi64(a, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), b);
}
#endif

#if defined(__AVX2__)
/* Four blocks q..q+3, one block per 64-bit lane, one chain: the original
   AVX2 layout, latency-bound (kept for kernels/fixed/avx2.c; the rounding,
   update and generator kernels use lpk_philox8_avx2 below). */
static inline void lpk_philox4_avx2(uint64_t q, const lpk_philox_keys *k,
                                    __m256i *pa, __m256i *pb)
{
    const __m256i m0 = _mm256_set1_epi64x(LPK_PHILOX_M0);
    const __m256i m1 = _mm256_set1_epi64x(LPK_PHILOX_M1);
    __m256i a = _mm256_and_si256(_mm256_add_epi64(_mm256_set1_epi64x((long long)q),
                                                  _mm256_set_epi64x(3, 2, 1, 0)),
                                 _mm256_set1_epi64x((long long)LPK_PHILOX_QMASK));
    __m256i b = _mm256_setzero_si256();
    for (int r = 0; r < 10; r++) {
        const __m256i p0 = _mm256_mul_epu32(a, m0);
        const __m256i p1 = _mm256_mul_epu32(b, m1);
        const __m256i x0 = _mm256_xor_si256(_mm256_xor_si256(p1, a),
                                            _mm256_set1_epi64x((long long)k->k0hi[r]));
        const __m256i x1 = _mm256_xor_si256(_mm256_xor_si256(p0, b),
                                            _mm256_set1_epi64x((long long)k->k1hi[r]));
        a = _mm256_shuffle_epi32(_mm256_blend_epi32(p1, x0, 0xAA), _MM_SHUFFLE(2, 3, 0, 1));
        b = _mm256_shuffle_epi32(_mm256_blend_epi32(p0, x1, 0xAA), _MM_SHUFFLE(2, 3, 0, 1));
    }
    *pa = a;
    *pb = b;
}

/* Philox4x32-10 eight blocks wide: 32-bit lanes, lane b of the four state
   vectors c0..c3 is block q + b (the scalar words of philox.h).  AVX2 has
   no 32x32->64 multiply on odd lanes, so each Philox product is two
   VPMULUDQ (even lanes, and odd lanes shifted down), whose high and low
   halves are blended back into lanes.  One 8-block chain is ~8 dependent
   ops (~10 cycles) per round; LPK_PHILOX8_CHAINS independent chains run
   interleaved so the multiplies of one hide behind the others (one chain
   per call in the old layout, one block per 64-bit lane, left SR
   latency-bound: perf/RESULTS.md, "AVX2 Philox").  Four chains: a round
   is 18 ops per chain (4 VPMULUDQ and 6 shifts, each kind on two of the
   four pipes), ~4.5 cycles of issue against the chain's ~8-cycle latency,
   so two chains left the pipes idle much of the time (Zen 4, generator
   alone: 2 chains 3.66, 3 chains 4.14, 4 chains 4.21 G values/s; the 16
   state registers fill the file, the round keys come from memory).
   Same words as philox.h. */
#define LPK_PHILOX8_CHAINS 4

/* Round keys as 32-bit broadcasts, built once per call. */
typedef struct {
    __m256i k0[10], k1[10];
} lpk_philox_keys256;

static inline void lpk_philox_keys256_init(lpk_philox_keys256 *v, uint64_t seed)
{
    uint32_t k0[10], k1[10];
    lpk_philox_round_keys(seed, k0, k1);
    for (int r = 0; r < 10; r++) {
        v->k0[r] = _mm256_set1_epi32((int)k0[r]);
        v->k1[r] = _mm256_set1_epi32((int)k1[r]);
    }
}

/* hi and lo halves of the per-lane products x * m (m broadcast). */
static inline void lpk_philox8_mul_avx2(__m256i x, __m256i m, __m256i *hi, __m256i *lo)
{
    const __m256i pe = _mm256_mul_epu32(x, m);
    const __m256i po = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xAA);
    *lo = _mm256_blend_epi32(pe, _mm256_slli_epi64(po, 32), 0xAA);
}

/* Blocks q .. q + 8 * nc - 1 (indices mod 2^61; nc <= LPK_PHILOX8_CHAINS, a
   constant after inlining), in element order: out[4c + v] holds blocks
   q + 8c + 2v and q + 8c + 2v + 1, i.e. the random uint16 of 16
   consecutive elements. */
static inline __attribute__((always_inline)) void lpk_philox8n_avx2(uint64_t q,
                                                                   const lpk_philox_keys256 *k,
                                                                   __m256i *out, const int nc)
{
    enum { NC = LPK_PHILOX8_CHAINS };
    const __m256i m0 = _mm256_set1_epi32((int)LPK_PHILOX_M0);
    const __m256i m1 = _mm256_set1_epi32((int)LPK_PHILOX_M1);
    const __m256i sign = _mm256_set1_epi32((int)0x80000000u);
    __m256i c0[NC], c1[NC], c2[NC], c3[NC];
    /* counters: lo32 = q + b with the carry into hi32, hi32 masked to 61
       bits; round 1 with c2 = c3 = 0 (M1 * c2 = 0) */
#pragma GCC unroll 4
    for (int c = 0; c < nc; c++) {
        const uint64_t qc = q + 8 * (uint64_t)c;
        const __m256i lo0 = _mm256_set1_epi32((int)(uint32_t)qc);
        const __m256i lo = _mm256_add_epi32(lo0, _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        const __m256i carry = _mm256_cmpgt_epi32(_mm256_xor_si256(lo0, sign),
                                                 _mm256_xor_si256(lo, sign));
        const __m256i hi = _mm256_and_si256(
            _mm256_sub_epi32(_mm256_set1_epi32((int)(uint32_t)(qc >> 32)), carry),
            _mm256_set1_epi32((int)(uint32_t)(LPK_PHILOX_QMASK >> 32)));
        __m256i h0, l0;
        lpk_philox8_mul_avx2(lo, m0, &h0, &l0);
        c0[c] = _mm256_xor_si256(hi, k->k0[0]);
        c1[c] = _mm256_setzero_si256();
        c2[c] = _mm256_xor_si256(h0, k->k1[0]);
        c3[c] = l0;
    }
    /* round 2: c1 = 0 */
#pragma GCC unroll 4
    for (int c = 0; c < nc; c++) {
        __m256i h0, l0, h1, l1;
        lpk_philox8_mul_avx2(c0[c], m0, &h0, &l0);
        lpk_philox8_mul_avx2(c2[c], m1, &h1, &l1);
        c0[c] = _mm256_xor_si256(h1, k->k0[1]);
        c2[c] = _mm256_xor_si256(_mm256_xor_si256(h0, c3[c]), k->k1[1]);
        c1[c] = l1;
        c3[c] = l0;
    }
    for (int r = 2; r < 10; r++) {
#pragma GCC unroll 4
        for (int c = 0; c < nc; c++) {
            __m256i h0, l0, h1, l1;
            lpk_philox8_mul_avx2(c0[c], m0, &h0, &l0);
            lpk_philox8_mul_avx2(c2[c], m1, &h1, &l1);
            c0[c] = _mm256_xor_si256(_mm256_xor_si256(h1, c1[c]), k->k0[r]);
            c2[c] = _mm256_xor_si256(_mm256_xor_si256(h0, c3[c]), k->k1[r]);
            c1[c] = l1;
            c3[c] = l0;
        }
    }
    /* 4x8 transpose: each block's four words together, blocks in order */
#pragma GCC unroll 4
    for (int c = 0; c < nc; c++) {
        const __m256i t0 = _mm256_unpacklo_epi32(c0[c], c1[c]); /* b0 b1 | b4 b5, words 0-1 */
        const __m256i t1 = _mm256_unpackhi_epi32(c0[c], c1[c]); /* b2 b3 | b6 b7 */
        const __m256i t2 = _mm256_unpacklo_epi32(c2[c], c3[c]); /* words 2-3 */
        const __m256i t3 = _mm256_unpackhi_epi32(c2[c], c3[c]);
        const __m256i u0 = _mm256_unpacklo_epi64(t0, t2); /* b0 | b4 */
        const __m256i u1 = _mm256_unpackhi_epi64(t0, t2); /* b1 | b5 */
        const __m256i u2 = _mm256_unpacklo_epi64(t1, t3); /* b2 | b6 */
        const __m256i u3 = _mm256_unpackhi_epi64(t1, t3); /* b3 | b7 */
        out[4 * c] = _mm256_permute2x128_si256(u0, u1, 0x20);
        out[4 * c + 1] = _mm256_permute2x128_si256(u2, u3, 0x20);
        out[4 * c + 2] = _mm256_permute2x128_si256(u0, u1, 0x31);
        out[4 * c + 3] = _mm256_permute2x128_si256(u2, u3, 0x31);
    }
}

/* Blocks q .. q + 8 * LPK_PHILOX8_CHAINS - 1, as lpk_philox8n_avx2. */
static inline void lpk_philox8_avx2(uint64_t q, const lpk_philox_keys256 *k,
                                    __m256i out[4 * LPK_PHILOX8_CHAINS])
{
    lpk_philox8n_avx2(q, k, out, LPK_PHILOX8_CHAINS);
}

/* The 32 uint16 of blocks q..q+3 in element order: lo = elements 0..15,
   hi = 16..31. */
static inline void lpk_philox_bits32_avx2(uint64_t q, const lpk_philox_keys *k,
                                          __m256i *lo, __m256i *hi)
{
    __m256i a, b;
    lpk_philox4_avx2(q, k, &a, &b);
    const __m256i ab_lo = _mm256_unpacklo_epi64(a, b); /* a0 b0 | a2 b2 */
    const __m256i ab_hi = _mm256_unpackhi_epi64(a, b); /* a1 b1 | a3 b3 */
    *lo = _mm256_permute2x128_si256(ab_lo, ab_hi, 0x20); /* a0 b0 a1 b1 */
    *hi = _mm256_permute2x128_si256(ab_lo, ab_hi, 0x31); /* a2 b2 a3 b3 */
}
#endif

#endif
