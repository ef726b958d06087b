/* SPDX-License-Identifier: Apache-2.0 */
/* Rounding family, AVX512_BF16: VCVTNE2PS2BF16 converts 32 floats per
   instruction with round-to-nearest-even and quiets NaNs exactly like ref.c,
   but flushes denormal inputs to signed zero (it ignores MXCSR and always
   behaves as DAZ).  The contract keeps denormals, so a 32-element chunk that
   holds any denormal (VFPCLASSPS) is done by the integer path of avx512.c
   instead.  Bit-identical to ref.c. */
#if !defined(__AVX512BF16__) || !defined(__AVX512BW__)
#error "avx512bf16.c needs -mavx512bf16 -mavx512bw"
#endif
#include <immintrin.h>

#include "round.h"

/* Denormal lanes: VFPCLASSPS category 0x20. */
static inline __mmask16 denormals(__m512 x) { return _mm512_fpclass_ps_mask(x, 0x20); }

/* 32 elements: the integer path of avx512.c when any is denormal (its
   regular stores), else VCVTNE2PS2BF16 with non-temporal (dst 64-byte
   aligned) or regular stores. */
static inline void cvt32(const float *src, lpk_bf16 *dst, int stream)
{
    const __m512 a = _mm512_loadu_ps(src), b = _mm512_loadu_ps(src + 16);
    if (__builtin_expect((denormals(a) | denormals(b)) != 0, 0)) {
        lpk_round_rne_f32_bf16__avx512(src, dst, 32);
        return;
    }
    const __m512i r = (__m512i)_mm512_cvtne2ps_pbh(b, a);
    if (stream)
        _mm512_stream_si512((void *)dst, r);
    else
        _mm512_storeu_si512((void *)dst, r);
}
static inline void cvt_stream(const float *src, lpk_bf16 *dst) { cvt32(src, dst, 1); }
static inline void cvt_regular(const float *src, lpk_bf16 *dst) { cvt32(src, dst, 0); }

/* Large outputs: dst aligned to a cache line, then streaming stores
   (stream-inl.h); the ends by the integer kernel. */
#define CVT_NAME lpk_round_rne_f32_bf16__avx512bf16
#define CVT_IN float
#define CVT_OUT lpk_bf16
#define CVT_ALIGN 64
#define CVT_QSTEP 32
#define CVT_STEP 32
#define CVT_STREAM cvt_stream
#define CVT_BLOCK cvt_regular
#define CVT_PART lpk_round_rne_f32_bf16__avx512
#include "stream-inl.h"
