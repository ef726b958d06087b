/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, stochastic rounding with ARS-7 bits on AVX2 + VAES,
   bit-identical to ref_ars.c.
   Bits: eight independent YMM states of two ARS blocks each per 128
   elements (VAESENC / VAESENCLAST on 256 bits); a YMM holds the random
   uint16 of 16 consecutive elements in order.  Software-pipelined as in
   avx512vaes.c: the rounds of the next 128 elements' bits are issued among
   the roundings of the current 128, whose bits wait in a stack buffer
   (16 YMM registers cannot hold both sets and the keys).
   Rounding, chosen to stay off the two pipes VAESENC needs on Zen 4 (no
   VPMOVZXWD, VEXTRACTI128, VPBLENDVB or VPERMQ): the 16 elements are read
   as X = [0..3 | 8..11] and Y = [4..7 | 12..15] (VBROADCASTI128 loads and
   VPBLENDD), which puts them in the lanes where VPUNPCKLWD / VPUNPCKHWD
   with zero leave their bits, and where VPACKUSDW of (X + r) >> 16 and
   (Y + r) >> 16 leaves the results in order.  NaN lanes (which must give
   u | quiet bit instead) are found per 128 elements from
   max(u << 1) > 0xFF000000 and, when there are any, rewritten by the scalar
   definition.  Streaming, head and tail: sr_ars-inl.h.
   Relies on AVX2, VAES and AES-NI.  avx2aes.c builds this file again with
   LPK_AESNI_ONLY for the avx2aes tier: the same rounding, 128 elements at a
   time without the pipelining, the eight states run as sixteen 128-bit
   AESENC chains (common/ars_x86.h, lpk_ars_x2n). */
#if !defined(__AVX2__) || !defined(__AES__) || (!defined(__VAES__) && !defined(LPK_AESNI_ONLY))
#error "avx2vaes.c needs -mavx2 -mvaes -maes (CMake sets them for this file)"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/ars_x86.h"
#include "../common/bf16.h"
#include "../common/stream.h"

typedef struct {
    lpk_ars_keys256 v;
    lpk_ars_keys128 x;
} keys_t;

static inline void keys_init(keys_t *k, uint64_t seed)
{
    lpk_ars_keys256_init(&k->v, seed, 0);
    lpk_ars_keys128_init(&k->x, seed, 0);
}

static inline void bits(uint64_t q, size_t nb, const keys_t *k, uint16_t *r)
{
    for (size_t b = 0; b < nb; b++)
        _mm_storeu_si128((__m128i *)(r + 8 * b),
                         lpk_ars_x1(_mm_set_epi64x(0, (long long)((q + b) & LPK_ARS_QMASK)), &k->x));
}

/* Elements 0..3 and 8..11 of p in the two 128-bit lanes. */
static inline __m256i split_lanes(const float *p)
{
    const __m256i a = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));
    const __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(p + 8)));
    return _mm256_blend_epi32(a, b, 0xF0);
}

/* 16 elements with the 16 uint16 of r in order, no NaN handling (fix_nan);
   *nan gets the running unsigned max of u << 1. */
static inline __attribute__((always_inline)) __m256i sr16(const float *src, __m256i r,
                                                         __m256i *nan)
{
    const __m256i x = split_lanes(src), y = split_lanes(src + 4);
    const __m256i zero = _mm256_setzero_si256();
    *nan = _mm256_max_epu32(*nan, _mm256_max_epu32(_mm256_slli_epi32(x, 1),
                                                   _mm256_slli_epi32(y, 1)));
    const __m256i tx = _mm256_add_epi32(x, _mm256_unpacklo_epi16(r, zero));
    const __m256i ty = _mm256_add_epi32(y, _mm256_unpackhi_epi16(r, zero));
    return _mm256_packus_epi32(_mm256_srli_epi32(tx, 16), _mm256_srli_epi32(ty, 16));
}

static inline __attribute__((always_inline)) void put16(const float *src, lpk_bf16 *dst,
                                                        __m256i r, __m256i *nan, int stream)
{
    const __m256i out = sr16(src, r, nan);
    if (stream) {
        lpk_stream_prefetch(src);
        _mm256_stream_si256((__m256i *)dst, out);
    } else {
        _mm256_storeu_si256((__m256i *)dst, out);
    }
}

/* The m elements just written hold u + r for NaN inputs too: when nan says
   there is one, give those elements the NaN result (which does not depend
   on the bits). */
static inline void fix_nan(const float *src, lpk_bf16 *dst, size_t m, __m256i nan)
{
    const __m256i big = _mm256_max_epu32(nan, _mm256_set1_epi32((int)0xFF000001u));
    if (__builtin_expect(!_mm256_testc_si256(_mm256_cmpeq_epi32(big, _mm256_set1_epi32(
                                                 (int)0xFF000001u)),
                                             _mm256_set1_epi32(-1)),
                         0)) {
        lpk_bf16_redo_nans(src, dst, m);
    }
}

/* The counters of blocks q .. q+15 (mod 2^61): blocks q + 2i and q + 2i + 1
   in v[i]. */
static inline __attribute__((always_inline)) void counters(uint64_t q, __m256i v[8])
{
    const __m256i qmask = _mm256_set1_epi64x((long long)LPK_ARS_QMASK);
    const __m256i base = _mm256_set_epi64x(0, (long long)(q + 1), 0, (long long)q);
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_and_si256(_mm256_add_epi64(base, _mm256_set_epi64x(0, 2 * i, 0, 2 * i)),
                                qmask);
}

#ifdef LPK_AESNI_ONLY
/* 128 elements from element 8q, bits made first (no VAES to pipeline). */
static inline __attribute__((always_inline)) void block(const float *src, lpk_bf16 *dst,
                                                        uint64_t q, const keys_t *k, int stream)
{
    __m256i v[8], nan = _mm256_setzero_si256();
    counters(q, v);
    lpk_ars_x2n(v, 8, &k->v);
    for (int c = 0; c < 8; c++)
        put16(src + 16 * c, dst + 16 * c, v[c], &nan, stream);
    fix_nan(src, dst, 128, nan);
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__avx2aes
#define ARS_BLOCK block
#else
/* The states of blocks q .. q+15 (mod 2^61) after the first key. */
static inline __attribute__((always_inline)) void start(uint64_t q, const keys_t *k, __m256i v[8])
{
    counters(q, v);
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_xor_si256(v[i], k->v.k[0]);
}

static inline __attribute__((always_inline)) void enc(__m256i v[8], __m256i key)
{
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_aesenc_epi128(v[i], key);
}

static inline __attribute__((always_inline)) void last(__m256i v[8], __m256i key)
{
    for (int i = 0; i < 8; i++)
        v[i] = _mm256_aesenclast_epi128(v[i], key);
}

_Static_assert(LPK_ARS_ROUNDS == 7, "run() issues the rounds of ARS-7 by hand");

/* m (a multiple of 128) elements from element 8q, pipelined (avx512vaes.c,
   run(), says why). */
static inline __attribute__((always_inline)) void run(const float *src, lpk_bf16 *dst, size_t m,
                                                      uint64_t q, const keys_t *k, int stream)
{
    __m256i cur[8], nx[8];
    start(q, k, nx);
    for (int r = 1; r < LPK_ARS_ROUNDS; r++)
        enc(nx, k->v.k[r]);
    last(nx, k->v.k[LPK_ARS_ROUNDS]);
    size_t i = 0;
    for (;; i += 128) {
        for (int c = 0; c < 8; c++)
            _mm256_store_si256(&cur[c], nx[c]);
        __asm__("" : : "r"(cur) : "memory"); /* keep cur in memory, not in registers */
        __m256i nan = _mm256_setzero_si256();
        if (i + 128 == m) {
            for (int c = 0; c < 8; c++)
                put16(src + i + 16 * c, dst + i + 16 * c, cur[c], &nan, stream);
            fix_nan(src + i, dst + i, 128, nan);
            return;
        }
        start(q + (i + 128) / 8, k, nx);
        for (int r = 1; r < LPK_ARS_ROUNDS; r++) {
            enc(nx, k->v.k[r]);
            put16(src + i + 16 * (r - 1), dst + i + 16 * (r - 1), cur[r - 1], &nan, stream);
        }
        last(nx, k->v.k[LPK_ARS_ROUNDS]);
        put16(src + i + 96, dst + i + 96, cur[6], &nan, stream);
        put16(src + i + 112, dst + i + 112, cur[7], &nan, stream);
        fix_nan(src + i, dst + i, 128, nan);
    }
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__avx2vaes
#define ARS_RUN run
#endif
#define ARS_KEYS keys_t
#define ARS_KEYS_INIT keys_init
#define ARS_STEP 128
#define ARS_BITS bits
#define ARS_STREAM 1
#include "sr_ars-inl.h"
