/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer updates, Advanced SIMD + AES: the kernels of neon.c (same
   primitives, neon-inl.h; same Philox bits) whose ARS-7 bits
   (LPK_UPDATE_RNG_ARS) come from AESE / AESMC: eight independent blocks
   per 64-element step (common/ars_neon.h), block p the random uint16 of
   pair p's 8 elements in order.  Bit-identical to ref.c.  Relies on the
   AArch64 AES extension (HWCAP_AES; CMake sets -march=armv8-a+crypto). */
#if !defined(__ARM_FEATURE_AES) && !defined(__ARM_FEATURE_CRYPTO)
#error "neonaes.c needs -march=armv8-a+crypto"
#endif
#include "neon-inl.h"
#include "../common/ars_neon.h"

_Static_assert(UPD_RB * UPD_STEP == 64, "one upd_arbits call is 8 ARS blocks");

typedef lpk_ars_keys_neon upd_akeys;
static inline void upd_akeys_init(upd_akeys *k, uint64_t seed) { lpk_ars_keys_neon_init(k, seed, 0); }

/* Blocks q .. q+7 (indices mod 2^61). */
static inline void upd_arbits(const upd_akeys *k, uint64_t q, float32x4_t r[16])
{
    uint8x16_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = vreinterpretq_u8_u64(
            vcombine_u64(vcreate_u64((q + (uint64_t)i) & LPK_ARS_QMASK), vcreate_u64(0)));
    lpk_ars_neon_n(v, 8, k);
    for (int i = 0; i < 8; i++)
        upd_r16(vreinterpretq_u16_u8(v[i]), r + 2 * i);
}

#define UPD_ARS_NATIVE 1
#define UPD_SUFFIX neonaes
#include "step-inl.h"
