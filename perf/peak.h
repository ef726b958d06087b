/* Measured instruction peaks of this core (GFLOP/s, 1 thread): the roofline
   the GEMM benchmark reports against.  Each returns 0 when not built. */
#ifndef LPK_PEAK_H
#define LPK_PEAK_H
double lpk_peak_fma_avx2(void);     /* VFMADD231PS ymm: 16 flops per instruction */
double lpk_peak_fma_avx512(void);   /* VFMADD231PS zmm: 32 flops */
double lpk_peak_dpbf16_avx512(void);/* VDPBF16PS zmm: 64 flops */
double lpk_peak_tdpbf16_amx(void);  /* TDPBF16PS 16x16x32: 16384 flops */
#endif
