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
#include "../common/stream.h"

/* Denormal lanes: VFPCLASSPS category 0x20. */
static inline __mmask16 denormals(__m512 x) { return _mm512_fpclass_ps_mask(x, 0x20); }

/* m (a multiple of 32) elements; streaming: prefetch and non-temporal
   stores (dst 64-byte aligned). */
static inline void cvt(const float *src, lpk_bf16 *dst, size_t m, int stream)
{
    for (size_t i = 0; i < m; i += 32) {
        if (stream) {
            lpk_stream_prefetch(src + i);
            lpk_stream_prefetch(src + i + 16);
        }
        const __m512 a = _mm512_loadu_ps(src + i), b = _mm512_loadu_ps(src + i + 16);
        if (__builtin_expect((denormals(a) | denormals(b)) != 0, 0)) {
            lpk_round_rne_f32_bf16__avx512(src + i, dst + i, 32);
            continue;
        }
        const __m512i r = (__m512i)_mm512_cvtne2ps_pbh(b, a);
        if (stream)
            _mm512_stream_si512((void *)(dst + i), r);
        else
            _mm512_storeu_si512((void *)(dst + i), r);
    }
}

void lpk_round_rne_f32_bf16__avx512bf16(const float *src, lpk_bf16 *dst, size_t n)
{
    size_t i = 0;
    /* Large outputs: align dst to a cache line, then streaming stores. */
    const size_t head = lpk_align_head(dst, 2, 64);
    const int stream = lpk_use_stream(n * 2) && head < 32;
    if (stream) {
        lpk_round_rne_f32_bf16__avx512(src, dst, head);
        i = head;
        LPK_STREAM_WAYS_RUN(i, n, 256, 32, e, m, cvt(src + e, dst + e, m, 1));
        _mm_sfence();
    } else {
        cvt(src + i, dst + i, (n - i) / 32 * 32, 0);
        i += (n - i) / 32 * 32;
    }
    if (i < n)
        lpk_round_rne_f32_bf16__avx512(src + i, dst + i, n - i);
}
