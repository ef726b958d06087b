/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AVX-512 + VAES: the kernels of avx512.c (same
   primitives, avx512-inl.h; same Philox bits) whose ARS-7 bits
   (LPK_UPDATE_RNG_ARS) come from VAESENC / VAESENCLAST on 512 bits: eight
   independent ZMM states of four blocks each per four 64-element steps
   (common/ars_x86.h), each ZMM the random uint16 of one pair's 32 elements
   in order.  Bit-identical to ref.c.  Relies on AVX-512 F+BW+DQ+VL, VAES
   and AES-NI (CMake sets them for this file). */
#if !defined(__AVX512F__) || !defined(__VAES__) || !defined(__AES__)
#error "avx512vaes.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl -mvaes -maes"
#endif
#include "avx512-inl.h"
#include "../common/ars_x86.h"

_Static_assert(UPD_RB * UPD_STEP == 256, "one upd_arbits call is 32 ARS blocks");

typedef lpk_ars_keys512 upd_akeys;
static inline void upd_akeys_init(upd_akeys *k, uint64_t seed) { lpk_ars_keys512_init(k, seed, 0); }

/* Blocks q .. q+31 (indices mod 2^61): pair p is blocks q + 4p .. q + 4p + 3. */
static inline void upd_arbits(const upd_akeys *k, uint64_t q, __m512 r[16])
{
    const __m512i qmask = _mm512_set1_epi64((long long)LPK_ARS_QMASK);
    const __m512i base = _mm512_add_epi64(_mm512_set1_epi64((long long)q),
                                          _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
    const __m512i lo = _mm512_set_epi64(0, -1, 0, -1, 0, -1, 0, -1);
    __m512i v[8];
    for (int i = 0; i < 8; i++)
        v[i] = _mm512_and_si512(_mm512_add_epi64(base, _mm512_set1_epi64(4 * i)),
                                _mm512_and_si512(qmask, lo));
    lpk_ars_x4n(v, 8, k);
    for (int i = 0; i < 8; i++)
        upd_r16(v[i], r + 2 * i);
}

#define UPD_ARS_NATIVE 1
#define UPD_SUFFIX avx512vaes
#include "step-inl.h"
