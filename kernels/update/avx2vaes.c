/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, AVX2 + VAES: the kernels of avx2.c (same primitives,
   avx2-inl.h; same Philox bits) whose ARS-7 bits (LPK_UPDATE_RNG_ARS) come
   from VAESENC / VAESENCLAST on 256 bits: independent YMM states of two
   blocks each, one per 16-element pair of the UPD_RB steps of one call
   (common/ars_x86.h), each YMM the random uint16 of that pair in order.  Bit-identical to
   ref.c.  Relies on AVX2, VAES and AES-NI (CMake sets them for this file);
   avx2aes.c builds this file again with LPK_AESNI_ONLY for the avx2aes tier
   (the same YMM states on 128-bit AESENC, common/ars_x86.h). */
#if !defined(__AVX2__) || !defined(__AES__) || (!defined(__VAES__) && !defined(LPK_AESNI_ONLY))
#error "avx2vaes.c needs -mavx2 -mvaes -maes"
#endif
#include "avx2-inl.h"
#include "../common/ars_x86.h"

/* One upd_arbits call: UPD_RB steps = NV YMM states of two blocks each,
   all in flight at once (lpk_ars_x2n takes at most 9 on AES-NI alone). */
#define NV (UPD_RB * UPD_STEP / 16)
_Static_assert(NV <= 9, "lpk_ars_x2n runs at most 9 states");

typedef lpk_ars_keys256 upd_akeys;
static inline void upd_akeys_init(upd_akeys *k, uint64_t seed) { lpk_ars_keys256_init(k, seed, 0); }

/* Blocks q .. q + 2 NV - 1 (indices mod 2^61): pair p is blocks q + 2p and
   q + 2p + 1. */
static inline void upd_arbits(const upd_akeys *k, uint64_t q, __m256 r[2 * NV])
{
    const __m256i qmask = _mm256_set1_epi64x((long long)LPK_ARS_QMASK);
    const __m256i base = _mm256_set_epi64x(0, (long long)(q + 1), 0, (long long)q);
    __m256i v[NV];
    for (int i = 0; i < NV; i++)
        v[i] = _mm256_and_si256(_mm256_add_epi64(base, _mm256_set_epi64x(0, 2 * i, 0, 2 * i)),
                                qmask);
    lpk_ars_x2n(v, NV, k);
    for (int i = 0; i < NV; i++)
        upd_r16(v[i], r + 2 * i);
}

#define UPD_ARS_NATIVE 1
#ifdef LPK_AESNI_ONLY
#define UPD_SUFFIX avx2aes
#else
#define UPD_SUFFIX avx2vaes
#endif
#include "step-inl.h"
