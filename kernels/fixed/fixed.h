/* Fixed-point family (HALP): int8/int16 storage on a grid delta * {-2^(b-1),
   ..., 2^(b-1)-1}, integer dot products, and the bit-centered SVRG update.
   The lists below are the kernel table: best first, ending with the scalar
   reference.  Every variant is bit-identical to ref.c.

   Semantics (the scalar reference is the specification):

   quantize  q[i] = sat_b(R(x[i] * inv_delta)), the product in fp32.
             R = nearest: rintf (ties to even);
             R = stochastic: v = x*inv_delta, f = floorf(v), frac = v - f
             (exact), r = r16 / 65536 with r16 the 16 bits of element
             offset + i exactly as lpk_f32_to_bf16 (lpk_sr_bits16), result
             f + (r < frac).  sat_b clamps to [-2^(b-1), 2^(b-1)-1]; +-Inf
             saturate; NaN gives 0.
   dequantize  x[i] = (float)q[i] * delta (fp32 product).
   dot       sum_i a[i] * b[i], exact, as int64 (no overflow for any n the
             API accepts: variants widen their int32 partial sums in time).
   update    the HALP inner step on z (b bits) given a data row x (b bits):
               v = fmaf(a, (float)z[i], fmaf(b, (float)x[i], h[i]))
               z[i] = sat_b(R(v))
             R as in quantize, except that stochastic rounding draws
             *shared* bits: element i uses the 16 bits of element
             offset + (i % LPK_FIXED_SR_PERIOD).  Each element is still
             rounded without bias (its r16 is uniform); elements a period
             apart share their bits.  This keeps the generator off the
             critical path of the inner loop (64 draws per step instead of
             d); the driver gives each step its own offset. */
#ifndef LPK_FIXED_H
#define LPK_FIXED_H

#include "lpk_internal.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LPK_FIXED_SR_PERIOD 64

typedef void lpk_fixed_quant8_fn(const float *x, int8_t *q, size_t n, float inv_delta,
                                 lpk_round mode, uint64_t seed, uint64_t offset);
typedef void lpk_fixed_quant16_fn(const float *x, int16_t *q, size_t n, float inv_delta,
                                  lpk_round mode, uint64_t seed, uint64_t offset);
typedef void lpk_fixed_dequant8_fn(const int8_t *q, float *x, size_t n, float delta);
typedef void lpk_fixed_dequant16_fn(const int16_t *q, float *x, size_t n, float delta);
typedef int64_t lpk_fixed_dot8_fn(const int8_t *a, const int8_t *b, size_t n);
typedef int64_t lpk_fixed_dot16_fn(const int16_t *a, const int16_t *b, size_t n);
typedef void lpk_fixed_update8_fn(int8_t *z, const int8_t *x, const float *h, size_t n,
                                  float a, float b, lpk_round mode, uint64_t seed,
                                  uint64_t offset);
typedef void lpk_fixed_update16_fn(int16_t *z, const int16_t *x, const float *h, size_t n,
                                   float a, float b, lpk_round mode, uint64_t seed,
                                   uint64_t offset);

typedef float lpk_fixed_dotf_fn(const float *a, const float *b, size_t n);
typedef void lpk_fixed_updatef_fn(float *z, const float *x, const float *h, size_t n, float a,
                                  float b);

#ifdef __cplusplus
}
#endif

#endif
