/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7 (ars.h) with the AArch64 cryptographic extension (AESE / AESMC),
   bit-identical to the scalar lpk_ars_block.  AESE xors its key *before*
   ShiftRows and SubBytes, x86's AESENC after MixColumns, so
     AESENC(v, k) = AESMC(AESE(v, 0)) ^ k
   and the whole chain v = c ^ k_0, v = AESENC(v, k_r) (r < R),
   v = AESENCLAST(v, k_R) is, folding each xor into the next AESE:
     v = AESMC(AESE(c, k_0)); ... v = AESMC(AESE(v, k_{R-2}));
     v = AESE(v, k_{R-1}) ^ k_R
   (R - 1 AESE+AESMC pairs, which cores fuse, one AESE and one EOR).
   Include from a file compiled with the AES extension (-march=armv8-a+crypto). */
#ifndef LPK_ARS_NEON_H
#define LPK_ARS_NEON_H

#include <arm_neon.h>
#include <stdint.h>

#include "ars.h"

#if !defined(__ARM_FEATURE_AES) && !defined(__ARM_FEATURE_CRYPTO)
#error "ars_neon.h needs the AES extension (-march=armv8-a+crypto)"
#endif

typedef struct {
    uint8x16_t k[LPK_ARS_ROUNDS + 1];
} lpk_ars_keys_neon;

static inline void lpk_ars_keys_neon_init(lpk_ars_keys_neon *v, uint64_t lo, uint64_t hi)
{
    lpk_ars_keys ks;
    lpk_ars_keys_init(&ks, lo, hi);
    for (int r = 0; r <= LPK_ARS_ROUNDS; r++)
        v->k[r] = vld1q_u8(ks.k[r]);
}

/* n independent blocks (byte order of the 16-byte little-endian value), round
   by round so that the AESE latency of one hides behind the others. */
static inline void lpk_ars_neon_n(uint8x16_t *v, int n, const lpk_ars_keys_neon *k)
{
    for (int r = 0; r < LPK_ARS_ROUNDS - 1; r++)
        for (int c = 0; c < n; c++)
            v[c] = vaesmcq_u8(vaeseq_u8(v[c], k->k[r]));
    for (int c = 0; c < n; c++)
        v[c] = veorq_u8(vaeseq_u8(v[c], k->k[LPK_ARS_ROUNDS - 1]), k->k[LPK_ARS_ROUNDS]);
}

#endif
