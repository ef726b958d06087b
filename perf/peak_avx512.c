/* SPDX-License-Identifier: Apache-2.0 */
#include <immintrin.h>

#include "benchutil.h"
#include "peak.h"

#define CHAINS 12
#define PIN(a) __asm__ volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]), "+v"(a[4]), \
                                "+v"(a[5]), "+v"(a[6]), "+v"(a[7]), "+v"(a[8]), "+v"(a[9]),      \
                                "+v"(a[10]), "+v"(a[11]))

double lpk_peak_fma_avx512(void)
{
    __m512 acc[CHAINS];
    const __m512 x = _mm512_set1_ps(1.0000001f), y = _mm512_set1_ps(0.9999999f);
    for (int i = 0; i < CHAINS; i++)
        acc[i] = _mm512_set1_ps((float)i);
    const long iters = 20000000;
    const double t0 = lpk_peak_clock();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < CHAINS; i++)
            acc[i] = _mm512_fmadd_ps(acc[i], x, y);
        PIN(acc);
    }
    return (double)iters * CHAINS * 32 / (lpk_peak_clock() - t0) * 1e-9;
}

double lpk_peak_dpbf16_avx512(void)
{
    __m512 acc[CHAINS];
    const __m512bh x = (__m512bh)_mm512_set1_epi16(0x3F80), y = (__m512bh)_mm512_set1_epi16(0x3F80);
    for (int i = 0; i < CHAINS; i++)
        acc[i] = _mm512_set1_ps((float)i);
    const long iters = 10000000;
    const double t0 = lpk_peak_clock();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < CHAINS; i++)
            acc[i] = _mm512_dpbf16_ps(acc[i], x, y);
        PIN(acc);
    }
    return (double)iters * CHAINS * 64 / (lpk_peak_clock() - t0) * 1e-9;
}
