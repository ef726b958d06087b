/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, stochastic rounding with ARS-7 bits on AVX-512 + VAES,
   bit-identical to ref_ars.c.
   Bits: eight independent ZMM states of four ARS blocks each per 256
   elements (VAESENC / VAESENCLAST); a block's 16 bytes are the random
   uint16 of its 8 elements in order, so a ZMM holds the bits of 32
   consecutive elements as they come.  Software-pipelined: the rounds of the
   next 256 elements' bits are issued among the roundings of the current
   256 (run() below says why).
   Rounding: t = u + r16, the bits widened by zero-masking VPERMW, and the
   high halves of two vectors of t in order with one VPERMT2W.  NaN lanes
   (which must give u | quiet bit instead) are found per 256 elements from
   max(u << 1) > 0xFF000000 and, when there are any, rewritten by the scalar
   definition: per-lane masks (VFPCLASSPS or any compare into a k register)
   would run on the two pipes VAESENC needs on Zen 4.  Streaming, head and
   tail: sr_ars-inl.h.  Measurements: perf/RESULTS.md, "ARS SR".
   Relies on AVX-512 F+BW+DQ+VL, VAES and AES-NI. */
#if !defined(__AVX512F__) || !defined(__AVX512BW__) || !defined(__AVX512DQ__) || \
    !defined(__AVX512VL__) || !defined(__VAES__) || !defined(__AES__)
#error "avx512vaes.c needs -mavx512f -mavx512bw -mavx512dq -mavx512vl -mvaes -maes"
#endif
#include <immintrin.h>

#include "round.h"
#include "../common/ars_x86.h"
#include "../common/bf16.h"
#include "../common/stream.h"

typedef struct {
    lpk_ars_keys512 v;
    lpk_ars_keys128 x;
} keys_t;

static inline void keys_init(keys_t *k, uint64_t seed)
{
    lpk_ars_keys512_init(&k->v, seed, 0);
    lpk_ars_keys128_init(&k->x, seed, 0);
}

static inline void bits(uint64_t q, size_t nb, const keys_t *k, uint16_t *r)
{
    for (size_t b = 0; b < nb; b++)
        _mm_storeu_si128((__m128i *)(r + 8 * b),
                         lpk_ars_x1(_mm_set_epi64x(0, (long long)((q + b) & LPK_ARS_QMASK)), &k->x));
}

/* 32 elements: u + r (r the 32 uint16 in order), the high halves; *nan
   gets the running unsigned max of u << 1 (> 0xFF000000 iff a NaN was
   seen).  No NaN handling here: see fix_nan.  VPERMW and shifts, unlike
   VPMOVZXWD and VEXTRACTI64X4, leave the AES pipes alone on Zen 4. */
static inline __attribute__((always_inline)) __m512i sr32(const float *src, __m512i r,
                                                         __m512i *nan)
{
    const __m512i u0 = _mm512_loadu_si512((const void *)src);
    const __m512i u1 = _mm512_loadu_si512((const void *)(src + 16));
    const __m512i lo = _mm512_set_epi16(0, 15, 0, 14, 0, 13, 0, 12, 0, 11, 0, 10, 0, 9, 0, 8, 0, 7,
                                        0, 6, 0, 5, 0, 4, 0, 3, 0, 2, 0, 1, 0, 0);
    const __m512i hi = _mm512_set_epi16(0, 31, 0, 30, 0, 29, 0, 28, 0, 27, 0, 26, 0, 25, 0, 24, 0,
                                        23, 0, 22, 0, 21, 0, 20, 0, 19, 0, 18, 0, 17, 0, 16);
    const __m512i r0 = _mm512_maskz_permutexvar_epi16(0x55555555, lo, r);
    const __m512i r1 = _mm512_maskz_permutexvar_epi16(0x55555555, hi, r);
    *nan = _mm512_max_epu32(*nan, _mm512_max_epu32(_mm512_slli_epi32(u0, 1),
                                                   _mm512_slli_epi32(u1, 1)));
    const __m512i t0 = _mm512_add_epi32(u0, r0);
    const __m512i t1 = _mm512_add_epi32(u1, r1);
    const __m512i idx = _mm512_set_epi16(63, 61, 59, 57, 55, 53, 51, 49, 47, 45, 43, 41, 39, 37,
                                         35, 33, 31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9,
                                         7, 5, 3, 1);
    return _mm512_permutex2var_epi16(t0, idx, t1);
}

static inline __attribute__((always_inline)) void put32(const float *src, lpk_bf16 *dst,
                                                        __m512i r, __m512i *nan, int stream)
{
    const __m512i out = sr32(src, r, nan);
    if (stream) {
        lpk_stream_prefetch(src);
        lpk_stream_prefetch(src + 16);
        _mm512_stream_si512((void *)dst, out);
    } else {
        _mm512_storeu_si512((void *)dst, out);
    }
}

/* The m elements just written hold u + r for NaN inputs too: when nan says
   there is one, give those elements the NaN result (which does not depend
   on the bits). */
static inline void fix_nan(const float *src, lpk_bf16 *dst, size_t m, __m512i nan)
{
    if (__builtin_expect(_mm512_cmpgt_epu32_mask(nan, _mm512_set1_epi32((int)0xFF000000u)) != 0,
                         0)) {
        lpk_bf16_redo_nans(src, dst, m);
    }
}

/* The states of blocks q .. q + 4n - 1 (mod 2^61) after the first key:
   block q + 4i + l in lane l of v[i]. */
static inline __attribute__((always_inline)) void start(uint64_t q, const keys_t *k, __m512i *v,
                                                        int n)
{
    const __m512i qmask = _mm512_set1_epi64((long long)LPK_ARS_QMASK);
    const __m512i base = _mm512_add_epi64(_mm512_maskz_set1_epi64(0x55, (long long)q),
                                          _mm512_set_epi64(0, 3, 0, 2, 0, 1, 0, 0));
    for (int i = 0; i < n; i++)
        v[i] = _mm512_xor_si512(
            _mm512_and_si512(_mm512_add_epi64(base, _mm512_set_epi64(0, 4 * i, 0, 4 * i, 0,
                                                                     4 * i, 0, 4 * i)),
                             qmask),
            k->v.k[0]);
}

static inline __attribute__((always_inline)) void enc(__m512i *v, int n, __m512i key)
{
    for (int i = 0; i < n; i++)
        v[i] = _mm512_aesenc_epi128(v[i], key);
}

static inline __attribute__((always_inline)) void last(__m512i *v, int n, __m512i key)
{
    for (int i = 0; i < n; i++)
        v[i] = _mm512_aesenclast_epi128(v[i], key);
}

/* The bits of 32n elements from block q, not pipelined. */
static inline __attribute__((always_inline)) void gen(uint64_t q, const keys_t *k, __m512i *v,
                                                      int n)
{
    start(q, k, v, n);
    for (int r = 1; r < LPK_ARS_ROUNDS; r++)
        enc(v, n, k->v.k[r]);
    last(v, n, k->v.k[LPK_ARS_ROUNDS]);
}

_Static_assert(LPK_ARS_ROUNDS == 7, "run() issues the rounds of ARS-7 by hand");

/* m (a multiple of 128) elements from element 8q.  Software-pipelined: the
   AES rounds of the next 256 elements are issued between the roundings of
   the current 256, whose bits were made one iteration earlier.  Issued
   block after block instead, each rounding waits for the 29-cycle AES chain
   of its own bits, the waiting uops fill the scheduler, and the next
   block's independent rounds start late: SR then cost about generator time
   + rounding time instead of the larger of the two.  Eight chains rather
   than four give the AES pipes slack when a rounding uop takes their turn. */
static inline __attribute__((always_inline)) void run(const float *src, lpk_bf16 *dst, size_t m,
                                                      uint64_t q, const keys_t *k, int stream)
{
    size_t i = 0;
    if (m >= 256) {
        __m512i cur[8];
        gen(q, k, cur, 8);
        for (; i + 512 <= m; i += 256) {
            __m512i nx[8], nan = _mm512_setzero_si512();
            start(q + (i + 256) / 8, k, nx, 8);
            for (int r = 1; r < LPK_ARS_ROUNDS; r++) {
                enc(nx, 8, k->v.k[r]);
                put32(src + i + 32 * (r - 1), dst + i + 32 * (r - 1), cur[r - 1], &nan, stream);
            }
            last(nx, 8, k->v.k[LPK_ARS_ROUNDS]);
            put32(src + i + 192, dst + i + 192, cur[6], &nan, stream);
            put32(src + i + 224, dst + i + 224, cur[7], &nan, stream);
            fix_nan(src + i, dst + i, 256, nan);
            for (int c = 0; c < 8; c++)
                cur[c] = nx[c];
        }
        __m512i nan = _mm512_setzero_si512();
        for (int c = 0; c < 8; c++)
            put32(src + i + 32 * c, dst + i + 32 * c, cur[c], &nan, stream);
        fix_nan(src + i, dst + i, 256, nan);
        i += 256;
    }
    if (i < m) { /* 128 elements left */
        __m512i cur[4], nan = _mm512_setzero_si512();
        gen(q + i / 8, k, cur, 4);
        for (int c = 0; c < 4; c++)
            put32(src + i + 32 * c, dst + i + 32 * c, cur[c], &nan, stream);
        fix_nan(src + i, dst + i, 128, nan);
    }
}

#define ARS_NAME lpk_round_sr_ars_f32_bf16__avx512vaes
#define ARS_KEYS keys_t
#define ARS_KEYS_INIT keys_init
#define ARS_STEP 128
#define ARS_RUN run
#define ARS_BITS bits
#define ARS_STREAM 1
#include "sr_ars-inl.h"
