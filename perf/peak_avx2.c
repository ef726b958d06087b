/* SPDX-License-Identifier: Apache-2.0 */
#include <immintrin.h>

#include "benchutil.h"
#include "peak.h"

/* 12 independent accumulator chains hide the FMA latency. */
double lpk_peak_fma_avx2(void)
{
    __m256 acc[12];
    const __m256 x = _mm256_set1_ps(1.0000001f), y = _mm256_set1_ps(0.9999999f);
    for (int i = 0; i < 12; i++)
        acc[i] = _mm256_set1_ps((float)i);
    const long iters = 20000000;
    const double t0 = lpk_peak_clock();
    for (long it = 0; it < iters; it++) {
        for (int i = 0; i < 12; i++)
            acc[i] = _mm256_fmadd_ps(acc[i], x, y);
        __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]), "+x"(acc[4]),
                         "+x"(acc[5]), "+x"(acc[6]), "+x"(acc[7]), "+x"(acc[8]), "+x"(acc[9]),
                         "+x"(acc[10]), "+x"(acc[11]));
    }
    const double t = lpk_peak_clock() - t0;
    return (double)iters * 12 * 16 / t * 1e-9;
}
