/* SPDX-License-Identifier: Apache-2.0 */
/* Measured instruction peaks of this core (GFLOP/s, 1 thread): the roofline
   the GEMM benchmark reports against.  Each returns 0 when not built. */
#ifndef LPK_PEAK_H
#define LPK_PEAK_H
#include <time.h>
/* The probes time the calling thread's CPU time: a compute-bound loop
   that another tenant preempts on a shared machine would otherwise report
   a fraction of the core's peak. */
static inline double lpk_peak_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
double lpk_peak_fma_avx2(void);     /* VFMADD231PS ymm: 16 flops per instruction */
double lpk_peak_fma_avx512(void);   /* VFMADD231PS zmm: 32 flops */
double lpk_peak_dpbf16_avx512(void);/* VDPBF16PS zmm: 64 flops */
double lpk_peak_tdpbf16_amx(void);  /* TDPBF16PS 16x16x32: 16384 flops */
#endif
