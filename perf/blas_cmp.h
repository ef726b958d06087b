/* SPDX-License-Identifier: Apache-2.0 */
/* OpenBLAS and BLIS sgemm, what a user holding bf16 data would otherwise
   call after widening to fp32, measured in the same process.  Both are
   loaded with dlopen (RTLD_LOCAL) so that their two cblas_sgemm symbols
   never clash with each other or with anything linked in; a library that is
   absent is reported as such and its rows are missing. */
#ifndef LPK_BLAS_CMP_H
#define LPK_BLAS_CMP_H

#include <stddef.h>

enum { LPK_BLAS_OPENBLAS, LPK_BLAS_BLIS, LPK_BLAS_COUNT };

/* Name of library `which` ("OpenBLAS", "BLIS"); its configuration as the
   library reports it (OpenBLAS: openblas_get_config + core name; BLIS:
   version + architecture), or NULL when it could not be loaded. */
const char *lpk_blas_name(int which);
const char *lpk_blas_config(int which);

/* Median seconds of cblas_sgemm(RowMajor, ta, tb, m, n, k, 1, a, lda, b,
   ldb, 0, c, n) with tight leading dimensions, on `threads` threads of the
   library, and the calling thread's median CPU seconds (*cpu_seconds,
   optional: with 1 thread, the time it actually ran on a shared machine).
   1 if measured. */
int lpk_blas_sgemm_time(int which, int ta, int tb, size_t m, size_t n, size_t k,
                        const float *a, const float *b, float *c, int threads, int samples,
                        double min_sample_s, double *seconds, double *cpu_seconds);

#endif
