/* SPDX-License-Identifier: Apache-2.0 */
/* oneDNN (Debian libdnnl-dev) measured in the same process, for side-by-side
   rows.  Without oneDNN every function returns 0 and the rows are absent. */
#ifndef LPK_DNNL_CMP_H
#define LPK_DNNL_CMP_H

#include <stddef.h>

#include "lpk.h"

/* Median seconds of a oneDNN reorder f32 -> bf16 (to_bf16 = 1) or bf16 -> f32
   over n elements with `threads` OpenMP threads.  1 if measured. */
int lpk_dnnl_reorder_time(int to_bf16, float *f32, lpk_bf16 *bf16, size_t n, int threads,
                          int samples, double min_sample_s, double *seconds);

/* Median seconds of oneDNN's matmul, bf16 x bf16 -> fp32 (alpha 1, beta 0),
   op(A) m x k, op(B) k x n, row-major with the same transposes and tight
   leading dimensions; impl receives oneDNN's implementation name.  1 if
   measured. */
int lpk_dnnl_matmul_time(int ta, int tb, size_t m, size_t n, size_t k, const lpk_bf16 *a,
                         const lpk_bf16 *b, float *c, int threads, int samples,
                         double min_sample_s, double *seconds, char *impl, size_t impl_size);

#endif
