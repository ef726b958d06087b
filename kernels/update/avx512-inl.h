/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AVX-512: the vector primitives and the Philox bits of
   step-inl.h on 16 fp32 lanes, shared by avx512.c and avx512vaes.c (which
   add the ARS bits and the kernel names).  Numerics and layout: avx512.c. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || !defined(__AVX512VL__)
#error "avx512-inl.h needs -mavx512f -mavx512bw -mavx512dq -mavx512vl"
#endif
#include <immintrin.h>
#include <string.h>

#include "update.h"
#include "../common/philox_x86.h"
#include "../common/stream.h"

#define UV __m512
#define UPD_VL 16
#define UPD_STEP 64
#define UPD_RB LPK_PHILOX_CHAINS
/* step-inl.h's groups: all four vectors of a step side by side (32 ZMM
   registers hold them without spilling). */
#define UPD_G 4
/* step-inl.h's loops specialised per call (sgd_steps says what they gain
   here) */
#define UPD_PER_CALL_LOOPS 1

static inline __m512 v_set(float x) { return _mm512_set1_ps(x); }
static inline __m512 v_add(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }
static inline __m512 v_sub(__m512 a, __m512 b) { return _mm512_sub_ps(a, b); }
static inline __m512 v_mul(__m512 a, __m512 b) { return _mm512_mul_ps(a, b); }
static inline __m512 v_div(__m512 a, __m512 b) { return _mm512_div_ps(a, b); }
static inline __m512 v_sqrt(__m512 a) { return _mm512_sqrt_ps(a); }

/* 32 bf16 as 16 pairs in 32-bit lanes: even elements are lane << 16, odd
   ones lane & 0xFFFF0000 (a shift and an AND, each with the load folded in). */
static inline void v_ld16(const lpk_bf16 *p, __m512 *lo, __m512 *hi)
{
    const __m512i x = _mm512_loadu_si512((const void *)p);
    *lo = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
    *hi = _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32((int)0xFFFF0000u)));
}

/* The same even / odd split of 32 fp32 (one VPERMT2PS each). */
static inline void v_ld32(const float *p, __m512 *lo, __m512 *hi)
{
    const __m512 a = _mm512_loadu_ps(p), b = _mm512_loadu_ps(p + 16);
    const __m512i ie = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    const __m512i io = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
    *lo = _mm512_permutex2var_ps(a, ie, b);
    *hi = _mm512_permutex2var_ps(a, io, b);
}

static inline void v_st32(float *p, __m512 lo, __m512 hi)
{
    const __m512i ia = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m512i ib = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
    _mm512_storeu_ps(p, _mm512_permutex2var_ps(lo, ia, hi));
    _mm512_storeu_ps(p + 16, _mm512_permutex2var_ps(lo, ib, hi));
}

static inline __m512i canon16(__m512i h)
{
    const __mmask32 nan = _mm512_cmpgt_epu16_mask(_mm512_and_si512(h, _mm512_set1_epi16(0x7FFF)),
                                                 _mm512_set1_epi16(0x7F80));
    return _mm512_mask_mov_epi16(h, nan, _mm512_set1_epi16((short)LPK_UPD_QNAN16));
}

/* High halves of the even (lo) and odd (hi) results back into pairs:
   (hi & 0xFFFF0000) | (lo >> 16), one VPTERNLOGD. */
static inline void v_st16(lpk_bf16 *p, __m512 lo, __m512 hi)
{
    const __m512i h = _mm512_ternarylogic_epi32(_mm512_castps_si512(hi),
                                                _mm512_srli_epi32(_mm512_castps_si512(lo), 16),
                                                _mm512_set1_epi32((int)0xFFFF0000u), 0xE4);
    _mm512_storeu_si512((void *)p, canon16(h));
}

static inline __m512 v_canon(__m512 x)
{
    return _mm512_mask_mov_ps(x, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q),
                              _mm512_castsi512_ps(_mm512_set1_epi32((int)LPK_UPD_QNAN32)));
}

/* (u | lsb) + 0x7FFF, lsb = bit 16 (the bf16 lsb) moved to bit 0: OR-ing
   it in carries out of the low half exactly when adding it would (the two
   differ only for an odd low half, which cannot sit at the 0x8000 tie), so
   the high half is rne(x).  Shift, VPTERNLOGD, add: 3 cycles deep, where
   VPTESTMD and a masked add took ~6 (the mask write is slow on Zen 4). */
static inline __m512 v_rne_raw(__m512 x)
{
    const __m512i u = _mm512_castps_si512(x);
    const __m512i s = _mm512_ternarylogic_epi32(u, _mm512_srli_epi32(u, 16), _mm512_set1_epi32(1),
                                                0xF8); /* u | (t & 1) */
    return _mm512_castsi512_ps(_mm512_add_epi32(s, _mm512_set1_epi32(0x7FFF)));
}

static inline __m512 v_bf(__m512 x)
{
    return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(v_rne_raw(x)),
                                                _mm512_set1_epi32((int)0xFFFF0000u)));
}

/* Bitwise OR, and whether every lane is a bf16 value (low half zero). */
static inline __m512 v_or(__m512 a, __m512 b) { return _mm512_or_ps(a, b); }
static inline int v_is_bf16(__m512 x)
{
    return _mm512_test_epi32_mask(_mm512_castps_si512(x), _mm512_set1_epi32(0xFFFF)) == 0;
}

static inline __m512 v_sr_raw(__m512 x, __m512 r)
{
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(x), _mm512_castps_si512(r)));
}

typedef lpk_philox_keys512 upd_pkeys;
static inline void upd_pkeys_init(upd_pkeys *k, uint64_t seed) { lpk_philox_keys512_init(k, seed); }

/* The two bit vectors of a pair from the uint16 of its 32 elements in order
   (as 16 dwords x). */
static inline void upd_r16(__m512i x, __m512 r[2])
{
    r[0] = _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32(0xFFFF)));
    r[1] = _mm512_castsi512_ps(_mm512_srli_epi32(x, 16));
}

/* The ARS fallback of step-inl.h reads the bits of a pair from memory. */
static inline void upd_r16_load(const uint16_t *b, UV r[2])
{
    upd_r16(_mm512_loadu_si512((const void *)b), r);
}

/* Bits of elements 8q .. 8q + 64 * UPD_RB - 1 from LPK_PHILOX_CHAINS
   interleaved 8-block Philox chains (one chain is 70 cycles deep: a single
   one per 64-element step left SR latency-bound at ~2.3 Gelem/s in cache).
   r[2p] (even elements), r[2p+1] (odd) serve pair p (32 elements), uint16
   in the low half of each lane. */
static inline void upd_prbits(const upd_pkeys *k, uint64_t q, __m512 r[UPD_RB * UPD_STEP / 16])
{
    __m512i ab[2 * LPK_PHILOX_CHAINS];
    lpk_philox_chains_avx512(q, k, ab);
    for (int c = 0; c < LPK_PHILOX_CHAINS; c++) {
        __m512i e[2];
        lpk_philox_order_raw_avx512(ab[2 * c], ab[2 * c + 1], &e[0], &e[1]);
        for (int h = 0; h < 2; h++)
            upd_r16(e[h], r + 2 * (2 * c + h));
    }
}

