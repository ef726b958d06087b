/* SPDX-License-Identifier: Apache-2.0 */
/* ARS-7, the AES-round counter-based generator of Salmon, Moraes, Dror and
   Shaw ("Parallel random numbers: as easy as 1, 2, 3", SC'11; Random123's
   ars1xm128i_R / ars4x32_R), scalar, with a portable software AES round.
   Every vector version (ars_x86.h, ars_neon.h) produces the same words;
   tests/test_ars.c checks them all against Random123's own header.

   Block function on a 128-bit counter c and key k (both read as two
   little-endian 64-bit lanes, byte i of the AES state = byte i of the
   little-endian 16-byte value):
     v = c ^ k0
     for r = 1 .. R-1:  v = AESENC(v, k_r)       (ShiftRows, SubBytes,
                                                  MixColumns, xor k_r)
     v = AESENCLAST(v, k_R)                      (no MixColumns)
   with k_r = k + r * W lane by lane (mod 2^64), W = {0x9E3779B97F4A7C15
   (golden ratio), 0xBB67AE8584CAA73B (sqrt(3) - 1)}: a Weyl key schedule
   instead of AES's.

   Why R = 7.  SC'11 (Table 2 and its discussion) reports ARS passing all of
   TestU01's SmallCrush, Crush and BigCrush ("Crush-resistant") from 5
   rounds on, and recommends 7, i.e. two rounds of safety margin, as
   Random123's default (ARS1xm128i_DEFAULT_ROUNDS = 7; its header: "no
   statistical flaws with ROUNDS=5 or more").  lpk's other generator is the
   authors' margin choice too (Philox4x32-10, where 7 rounds already pass),
   so both of lpk's generators keep the published safety margin; oneMKL's
   ARS-5 is the bare minimum.  The cost of the two rounds is small where it
   matters: with VAES the generator is not the bottleneck of stochastic
   rounding (perf/RESULTS.md, "ARS"). */
#ifndef LPK_ARS_H
#define LPK_ARS_H

#include <stdint.h>
#include <string.h>

#define LPK_ARS_ROUNDS 7
#define LPK_ARS_W0 0x9E3779B97F4A7C15ull
#define LPK_ARS_W1 0xBB67AE8584CAA73Bull
/* Element indices wrap modulo 2^64, so block indices (j >> 3) modulo 2^61:
   vector code computing q + b masks with this. */
#define LPK_ARS_QMASK ((1ull << 61) - 1)

/* The round keys k_0 .. k_R of key {lo, hi}, each 16 bytes little-endian. */
typedef struct {
    uint8_t k[LPK_ARS_ROUNDS + 1][16];
} lpk_ars_keys;

static inline void lpk_ars_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void lpk_ars_keys_init(lpk_ars_keys *ks, uint64_t lo, uint64_t hi)
{
    for (int r = 0; r <= LPK_ARS_ROUNDS; r++) {
        lpk_ars_put64(ks->k[r], lo + (uint64_t)r * LPK_ARS_W0);
        lpk_ars_put64(ks->k[r] + 8, hi + (uint64_t)r * LPK_ARS_W1);
    }
}

/* The AES S-box (FIPS-197 Figure 7): the multiplicative inverse in
   GF(2^8) mod x^8+x^4+x^3+x+1 followed by the affine map. */
static const uint8_t lpk_aes_sbox[256] = {
    0x63, 0x7C, 0x77, 0x7B, 0xF2, 0x6B, 0x6F, 0xC5, 0x30, 0x01, 0x67, 0x2B,
    0xFE, 0xD7, 0xAB, 0x76, 0xCA, 0x82, 0xC9, 0x7D, 0xFA, 0x59, 0x47, 0xF0,
    0xAD, 0xD4, 0xA2, 0xAF, 0x9C, 0xA4, 0x72, 0xC0, 0xB7, 0xFD, 0x93, 0x26,
    0x36, 0x3F, 0xF7, 0xCC, 0x34, 0xA5, 0xE5, 0xF1, 0x71, 0xD8, 0x31, 0x15,
    0x04, 0xC7, 0x23, 0xC3, 0x18, 0x96, 0x05, 0x9A, 0x07, 0x12, 0x80, 0xE2,
    0xEB, 0x27, 0xB2, 0x75, 0x09, 0x83, 0x2C, 0x1A, 0x1B, 0x6E, 0x5A, 0xA0,
    0x52, 0x3B, 0xD6, 0xB3, 0x29, 0xE3, 0x2F, 0x84, 0x53, 0xD1, 0x00, 0xED,
    0x20, 0xFC, 0xB1, 0x5B, 0x6A, 0xCB, 0xBE, 0x39, 0x4A, 0x4C, 0x58, 0xCF,
    0xD0, 0xEF, 0xAA, 0xFB, 0x43, 0x4D, 0x33, 0x85, 0x45, 0xF9, 0x02, 0x7F,
    0x50, 0x3C, 0x9F, 0xA8, 0x51, 0xA3, 0x40, 0x8F, 0x92, 0x9D, 0x38, 0xF5,
    0xBC, 0xB6, 0xDA, 0x21, 0x10, 0xFF, 0xF3, 0xD2, 0xCD, 0x0C, 0x13, 0xEC,
    0x5F, 0x97, 0x44, 0x17, 0xC4, 0xA7, 0x7E, 0x3D, 0x64, 0x5D, 0x19, 0x73,
    0x60, 0x81, 0x4F, 0xDC, 0x22, 0x2A, 0x90, 0x88, 0x46, 0xEE, 0xB8, 0x14,
    0xDE, 0x5E, 0x0B, 0xDB, 0xE0, 0x32, 0x3A, 0x0A, 0x49, 0x06, 0x24, 0x5C,
    0xC2, 0xD3, 0xAC, 0x62, 0x91, 0x95, 0xE4, 0x79, 0xE7, 0xC8, 0x37, 0x6D,
    0x8D, 0xD5, 0x4E, 0xA9, 0x6C, 0x56, 0xF4, 0xEA, 0x65, 0x7A, 0xAE, 0x08,
    0xBA, 0x78, 0x25, 0x2E, 0x1C, 0xA6, 0xB4, 0xC6, 0xE8, 0xDD, 0x74, 0x1F,
    0x4B, 0xBD, 0x8B, 0x8A, 0x70, 0x3E, 0xB5, 0x66, 0x48, 0x03, 0xF6, 0x0E,
    0x61, 0x35, 0x57, 0xB9, 0x86, 0xC1, 0x1D, 0x9E, 0xE1, 0xF8, 0x98, 0x11,
    0x69, 0xD9, 0x8E, 0x94, 0x9B, 0x1E, 0x87, 0xE9, 0xCE, 0x55, 0x28, 0xDF,
    0x8C, 0xA1, 0x89, 0x0D, 0xBF, 0xE6, 0x42, 0x68, 0x41, 0x99, 0x2D, 0x0F,
    0xB0, 0x54, 0xBB, 0x16,
};

/* Multiplication by x in GF(2^8). */
static inline uint8_t lpk_aes_xtime(uint8_t b)
{
    return (uint8_t)((b << 1) ^ ((b >> 7) * 0x1B));
}

/* One AES encryption round on the state s (column-major: byte 4c + r is
   row r of column c), in the order of x86 AESENC / AESENCLAST:
   ShiftRows, SubBytes, MixColumns (unless last), AddRoundKey. */
static inline void lpk_aes_round(uint8_t s[16], const uint8_t key[16], int last)
{
    uint8_t t[16];
    for (int c = 0; c < 4; c++)         /* ShiftRows: row r rotates left by r */
        for (int r = 0; r < 4; r++)
            t[4 * c + r] = lpk_aes_sbox[s[4 * ((c + r) & 3) + r]]; /* and SubBytes */
    for (int c = 0; c < 4; c++) {
        uint8_t *col = t + 4 * c;
        if (!last) {                    /* MixColumns: (2 3 1 1) circulant */
            const uint8_t a0 = col[0], a1 = col[1], a2 = col[2], a3 = col[3];
            const uint8_t all = (uint8_t)(a0 ^ a1 ^ a2 ^ a3);
            col[0] = (uint8_t)(a0 ^ all ^ lpk_aes_xtime((uint8_t)(a0 ^ a1)));
            col[1] = (uint8_t)(a1 ^ all ^ lpk_aes_xtime((uint8_t)(a1 ^ a2)));
            col[2] = (uint8_t)(a2 ^ all ^ lpk_aes_xtime((uint8_t)(a2 ^ a3)));
            col[3] = (uint8_t)(a3 ^ all ^ lpk_aes_xtime((uint8_t)(a3 ^ a0)));
        }
    }
    for (int i = 0; i < 16; i++)
        s[i] = (uint8_t)(t[i] ^ key[i]);
}

/* ARS on a 16-byte state with precomputed round keys. */
static inline void lpk_ars_bytes(uint8_t s[16], const lpk_ars_keys *ks)
{
    for (int i = 0; i < 16; i++)
        s[i] ^= ks->k[0][i];
    for (int r = 1; r < LPK_ARS_ROUNDS; r++)
        lpk_aes_round(s, ks->k[r], 0);
    lpk_aes_round(s, ks->k[LPK_ARS_ROUNDS], 1);
}

/* out = ARS(ctr, key), words as Random123's ars4x32 (word w = bytes 4w..4w+3,
   little-endian). */
static inline void lpk_ars_block(const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4])
{
    lpk_ars_keys ks;
    lpk_ars_keys_init(&ks, key[0] | (uint64_t)key[1] << 32, key[2] | (uint64_t)key[3] << 32);
    uint8_t s[16];
    for (int w = 0; w < 4; w++)
        for (int b = 0; b < 4; b++)
            s[4 * w + b] = (uint8_t)(ctr[w] >> (8 * b));
    lpk_ars_bytes(s, &ks);
    for (int w = 0; w < 4; w++)
        out[w] = s[4 * w] | (uint32_t)s[4 * w + 1] << 8 | (uint32_t)s[4 * w + 2] << 16 |
                 (uint32_t)s[4 * w + 3] << 24;
}

/* The stochastic-rounding stream of `seed`: key {lo64 = seed, hi64 = 0}. */
static inline void lpk_ars_sr_keys(lpk_ars_keys *ks, uint64_t seed)
{
    lpk_ars_keys_init(ks, seed, 0);
}

/* The 16 bytes (eight little-endian uint16) serving elements 8q .. 8q+7:
   counter {lo64 = q, hi64 = 0}. */
static inline void lpk_ars_sr_block(const lpk_ars_keys *ks, uint64_t q, uint8_t out[16])
{
    lpk_ars_put64(out, q);
    memset(out + 8, 0, 8);
    lpk_ars_bytes(out, ks);
}

/* The 16 random bits of element j: the (j & 7)-th uint16 of block j >> 3. */
static inline uint32_t lpk_ars_bits16(const lpk_ars_keys *ks, uint64_t j)
{
    uint8_t b[16];
    lpk_ars_sr_block(ks, j >> 3, b);
    return b[2 * (j & 7)] | (uint32_t)b[2 * (j & 7) + 1] << 8;
}

#endif
