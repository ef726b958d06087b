/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point family (HALP): int8/int16 storage on a grid delta * {-2^(b-1),
   ..., 2^(b-1)-1}, integer dot products, and the bit-centered SVRG update.
   The lists below are the kernel table: best first, ending with the scalar
   reference.  Every variant is bit-identical to ref.c (dotf excepted: see
   its bound below).

   Semantics (the scalar reference is the specification; all of it in the
   default floating-point environment, round to nearest even: some variants
   round with fixed instruction modes, others with MXCSR/FPCR):

   quantize  q[i] = sat_b(R(x[i] * inv_delta)), the product in fp32.
             R = nearest: rintf (ties to even);
             R = stochastic: v = x*inv_delta, f = floorf(v), frac = v - f
             (the fp32 difference: exact except for v in (-1, 0), where
             v + 1 may round, by at most 2^-25), r = r16 / 65536 with r16
             the 16 bits of element offset + i exactly as lpk_f32_to_bf16
             (lpk_sr_bits16), result f + (r < frac).  P(round up) =
             ceil(65536 frac) / 65536, so E[R(v)] - v lies in [0, 2^-16):
             unbiased to the 16 bits drawn, not exactly (frac has up to 23
             significant bits).  sat_b clamps to [-2^(b-1), 2^(b-1)-1]; +-Inf
             saturate; NaN gives 0.
   dequantize  x[i] = (float)q[i] * delta (fp32 product).
   dot       sum_i a[i] * b[i], exact, as int64 (no overflow for any n the
             API accepts: variants widen their int32 partial sums in time).
             |a[i] b[i]| <= 2^14 (int8) and 2^30 (int16), so the int64 sum
             is exact for n < 2^49 (int8) and n < 2^33 (int16): the caller
             keeps n below those.
   update    the HALP inner step on z (b bits) given a data row x (b bits):
               v = fmaf(a, (float)z[i], fmaf(b, (float)x[i], h[i]))
               z[i] = sat_b(R(v))
             R as in quantize, except that stochastic rounding draws
             *shared* bits: element i uses the 16 bits of element
             offset + (i % LPK_FIXED_SR_PERIOD).  Each element is still
             rounded without bias, to 16 bits as above (its r16 is
             uniform); elements a period apart share their bits.  This
             keeps the generator off the critical path of the inner loop
             (64 draws per step instead of d); the driver gives each step
             its own offset.  A call split at multiples of the period with
             the same offset gives the same result as one call.
   update_ars  (ops fixed.update8_ars, fixed.update16_ars) the same step
             with every element's own bits: element i uses the 16 bits of
             element j = offset + i of the ARS-7 stream of `seed`, exactly
             as LPK_ROUND_STOCHASTIC_ARS draws them (lpk.h; common/ars.h
             lpk_ars_bits16): block j >> 3 (counter {lo64 = j >> 3, hi64 =
             0}, key {seed, 0}), its (j & 7)-th little-endian uint16.  R as
             in quantize with that r16; mode LPK_ROUND_NEAREST rounds to
             nearest, any other mode stochastically (the generator is the
             op's).  A call split anywhere, each piece with offset + its
             start, gives the result of one call.  HALP gives inner step t
             offset t * ceil(d / 8) * 8 (lpk.h), so steps never share bits
             and each step starts on a block.
   The int8 variants' stochastic rounding rests on "One subtraction"
   (below, above lpk_fixed_round1). */
#ifndef LPK_FIXED_H
#define LPK_FIXED_H

#include <math.h>

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

/* The fp32 baseline of the same inner loop (what HALP is compared with).
   dotf      sum_i a[i] * b[i] in fp32, each product fused into its
             accumulator (fmaf); the order of the sums is the variant's own
             (lane accumulators, then a tree), so dotf is the one kernel of
             the family that is NOT bit-identical across variants.  Every
             variant is within |dotf - sum_exact| <= gamma_n * sum |a[i] b[i]|,
             gamma_n = n u / (1 - n u), u = 2^-24, for n u < 1 (each term
             passes through at most n roundings, Higham, Accuracy and
             Stability, 3.1).  NaN/Inf propagate as in IEEE arithmetic.
   updatef   z[i] = fmaf(a, z[i], fmaf(b, x[i], h[i])): bit-identical,
             except the payload of a NaN result: when several operands are
             NaN, which one propagates depends on the ISA and on the operand
             order the compiler gives the FMA instruction (IEEE 754 leaves
             it open), so a NaN result is only specified to be a NaN. */
typedef float lpk_fixed_dotf_fn(const float *a, const float *b, size_t n);
typedef void lpk_fixed_updatef_fn(float *z, const float *x, const float *h, size_t n, float a,
                                  float b);

/* ---- scalar definitions (ref.c, and the heads/tails of the variants) ---- */

/* One subtraction (what the int8 variants of stochastic rounding use): for
   every fp32 c <= 2^7 (NaN excluded) and r = r16 / 65536,
       sat_8(floorf(c) + (r < frac)) == sat_8(ceil(c - r)),
   frac as above and c - r the fp32 difference (round to nearest even).
   Why: in exact arithmetic ceil(c - r) = floor(c) + (frac > r), since frac
   and r lie in [0, 1).  Rounding x = c - r changes its ceiling only if x
   rounds down onto the integer n just below it (x - n <= half an ulp).  For
   c in [0, 2^7] x is exact (it lies on c's ulp grid, which is at least as
   fine as r's 2^-16, within c's binade) or in (-1, 0) at least 2^-16 above
   -1.  For c in (-2^8, -1] x is exact unless it spills into the next
   binade, where it is still more than an ulp of c, i.e. half an ulp of x,
   above the integer below.  For c in (-1, 0), where the reference's frac =
   fl(c + 1) itself rounds, both sides round alike: frac > r and fl(c - r) >
   -1 both mean c + 1 - r > 2^-25, the tie going to r resp. -1, both even.
   For c <= -2^8 both sides are below -2^7 (ceil(fl(x)) <= ceil(x)).
   Checked exhaustively: all 2^32 fp32 values of c, each with r16 = 0, 1,
   32767, 32768, 65534, 65535 and the five values around 65536 frac where
   the decision flips.  It does not hold for int16 (at c = -256, r16 =
   65535 the difference -257 + 2^-16 rounds to -257), so int16 keeps
   floor / frac / compare. */

/* R(v): nearest (ties to even) or stochastic with the 16 bits r16. */
static inline float lpk_fixed_round1(float v, lpk_round mode, uint32_t r16)
{
    if (mode != LPK_ROUND_STOCHASTIC)
        return rintf(v);
    const float f = floorf(v);
    const float frac = v - f;
    return (float)r16 * (1.0f / 65536.0f) < frac ? f + 1.0f : f;
}

/* sat_b on an integral (or infinite, or NaN) float: NaN -> 0. */
static inline int32_t lpk_fixed_sat1(float v, int bits)
{
    const float hi = (float)((1 << (bits - 1)) - 1), lo = -(float)(1 << (bits - 1));
    if (v != v)
        return 0;
    if (v <= lo)
        return (int32_t)lo;
    if (v >= hi)
        return (int32_t)hi;
    return (int32_t)v;
}

/* The variant lists (function names say op__isa). */
#define LPK_FIXED_QUANT8_VARIANTS(V)                   \
    V(AVX512, lpk_fixed_quant8__avx512)                \
    V(AVX2, lpk_fixed_quant8__avx2)                    \
    V(NEON, lpk_fixed_quant8__neon)                    \
    V(SCALAR, lpk_fixed_quant8__ref)
#define LPK_FIXED_QUANT16_VARIANTS(V)                  \
    V(AVX512, lpk_fixed_quant16__avx512)               \
    V(AVX2, lpk_fixed_quant16__avx2)                   \
    V(NEON, lpk_fixed_quant16__neon)                   \
    V(SCALAR, lpk_fixed_quant16__ref)
#define LPK_FIXED_DEQUANT8_VARIANTS(V)                 \
    V(AVX512, lpk_fixed_dequant8__avx512)              \
    V(AVX2, lpk_fixed_dequant8__avx2)                  \
    V(NEON, lpk_fixed_dequant8__neon)                  \
    V(SCALAR, lpk_fixed_dequant8__ref)
#define LPK_FIXED_DEQUANT16_VARIANTS(V)                \
    V(AVX512, lpk_fixed_dequant16__avx512)             \
    V(AVX2, lpk_fixed_dequant16__avx2)                 \
    V(NEON, lpk_fixed_dequant16__neon)                 \
    V(SCALAR, lpk_fixed_dequant16__ref)
#define LPK_FIXED_DOT8_VARIANTS(V)                     \
    V(AVX512VNNI, lpk_fixed_dot8__avx512vnni)          \
    V(AVX512, lpk_fixed_dot8__avx512)                  \
    V(AVX2, lpk_fixed_dot8__avx2)                      \
    V(NEONDOT, lpk_fixed_dot8__neondot)                \
    V(NEON, lpk_fixed_dot8__neon)                      \
    V(SCALAR, lpk_fixed_dot8__ref)
#define LPK_FIXED_DOT16_VARIANTS(V)                    \
    V(AVX512VNNI, lpk_fixed_dot16__avx512vnni)         \
    V(AVX512, lpk_fixed_dot16__avx512)                 \
    V(AVX2, lpk_fixed_dot16__avx2)                     \
    V(NEON, lpk_fixed_dot16__neon)                     \
    V(SCALAR, lpk_fixed_dot16__ref)
#define LPK_FIXED_UPDATE8_VARIANTS(V)                  \
    V(AVX512, lpk_fixed_update8__avx512)               \
    V(AVX2, lpk_fixed_update8__avx2)                   \
    V(NEON, lpk_fixed_update8__neon)                   \
    V(SCALAR, lpk_fixed_update8__ref)
#define LPK_FIXED_UPDATE16_VARIANTS(V)                 \
    V(AVX512, lpk_fixed_update16__avx512)              \
    V(AVX2, lpk_fixed_update16__avx2)                  \
    V(NEON, lpk_fixed_update16__neon)                  \
    V(SCALAR, lpk_fixed_update16__ref)
/* update with per-element ARS bits (the AES tiers; ref: software AES). */
#define LPK_FIXED_UPDATE8_ARS_VARIANTS(V)              \
    V(AVX512VAES, lpk_fixed_update8_ars__avx512vaes)   \
    V(AVX2VAES, lpk_fixed_update8_ars__avx2vaes)       \
    V(AVX2AES, lpk_fixed_update8_ars__avx2aes)         \
    V(NEONAES, lpk_fixed_update8_ars__neonaes)         \
    V(SCALAR, lpk_fixed_update8_ars__ref)
#define LPK_FIXED_UPDATE16_ARS_VARIANTS(V)             \
    V(AVX512VAES, lpk_fixed_update16_ars__avx512vaes)  \
    V(AVX2VAES, lpk_fixed_update16_ars__avx2vaes)      \
    V(AVX2AES, lpk_fixed_update16_ars__avx2aes)        \
    V(NEONAES, lpk_fixed_update16_ars__neonaes)        \
    V(SCALAR, lpk_fixed_update16_ars__ref)
#define LPK_FIXED_DOTF_VARIANTS(V)                     \
    V(AVX512, lpk_fixed_dotf__avx512)                  \
    V(AVX2, lpk_fixed_dotf__avx2)                      \
    V(NEON, lpk_fixed_dotf__neon)                      \
    V(SCALAR, lpk_fixed_dotf__ref)
#define LPK_FIXED_UPDATEF_VARIANTS(V)                  \
    V(AVX512, lpk_fixed_updatef__avx512)               \
    V(AVX2, lpk_fixed_updatef__avx2)                   \
    V(NEON, lpk_fixed_updatef__neon)                   \
    V(SCALAR, lpk_fixed_updatef__ref)

#define LPK_FIXED_DECL_QUANT8(tier, fn) lpk_fixed_quant8_fn fn;
#define LPK_FIXED_DECL_QUANT16(tier, fn) lpk_fixed_quant16_fn fn;
#define LPK_FIXED_DECL_DEQUANT8(tier, fn) lpk_fixed_dequant8_fn fn;
#define LPK_FIXED_DECL_DEQUANT16(tier, fn) lpk_fixed_dequant16_fn fn;
#define LPK_FIXED_DECL_DOT8(tier, fn) lpk_fixed_dot8_fn fn;
#define LPK_FIXED_DECL_DOT16(tier, fn) lpk_fixed_dot16_fn fn;
#define LPK_FIXED_DECL_UPDATE8(tier, fn) lpk_fixed_update8_fn fn;
#define LPK_FIXED_DECL_UPDATE16(tier, fn) lpk_fixed_update16_fn fn;
#define LPK_FIXED_DECL_DOTF(tier, fn) lpk_fixed_dotf_fn fn;
#define LPK_FIXED_DECL_UPDATEF(tier, fn) lpk_fixed_updatef_fn fn;
LPK_FIXED_QUANT8_VARIANTS(LPK_FIXED_DECL_QUANT8)
LPK_FIXED_QUANT16_VARIANTS(LPK_FIXED_DECL_QUANT16)
LPK_FIXED_DEQUANT8_VARIANTS(LPK_FIXED_DECL_DEQUANT8)
LPK_FIXED_DEQUANT16_VARIANTS(LPK_FIXED_DECL_DEQUANT16)
LPK_FIXED_DOT8_VARIANTS(LPK_FIXED_DECL_DOT8)
LPK_FIXED_DOT16_VARIANTS(LPK_FIXED_DECL_DOT16)
LPK_FIXED_UPDATE8_VARIANTS(LPK_FIXED_DECL_UPDATE8)
LPK_FIXED_UPDATE16_VARIANTS(LPK_FIXED_DECL_UPDATE16)
LPK_FIXED_UPDATE8_ARS_VARIANTS(LPK_FIXED_DECL_UPDATE8)
LPK_FIXED_UPDATE16_ARS_VARIANTS(LPK_FIXED_DECL_UPDATE16)
LPK_FIXED_DOTF_VARIANTS(LPK_FIXED_DECL_DOTF)
LPK_FIXED_UPDATEF_VARIANTS(LPK_FIXED_DECL_UPDATEF)
#undef LPK_FIXED_DECL_QUANT8
#undef LPK_FIXED_DECL_QUANT16
#undef LPK_FIXED_DECL_DEQUANT8
#undef LPK_FIXED_DECL_DEQUANT16
#undef LPK_FIXED_DECL_DOT8
#undef LPK_FIXED_DECL_DOT16
#undef LPK_FIXED_DECL_UPDATE8
#undef LPK_FIXED_DECL_UPDATE16
#undef LPK_FIXED_DECL_DOTF
#undef LPK_FIXED_DECL_UPDATEF

/* Ops "fixed.quant8", "fixed.dot8", ... (table.c). */
LPK_TYPED_OP(lpk_fixed_quant8);
LPK_TYPED_OP(lpk_fixed_quant16);
LPK_TYPED_OP(lpk_fixed_dequant8);
LPK_TYPED_OP(lpk_fixed_dequant16);
LPK_TYPED_OP(lpk_fixed_dot8);
LPK_TYPED_OP(lpk_fixed_dot16);
LPK_TYPED_OP(lpk_fixed_update8);
LPK_TYPED_OP(lpk_fixed_update16);
LPK_TYPED_OP(lpk_fixed_dotf);
LPK_TYPED_OP(lpk_fixed_updatef);
extern const lpk_fixed_quant8_op lpk_op_fixed_quant8;
extern const lpk_fixed_quant16_op lpk_op_fixed_quant16;
extern const lpk_fixed_dequant8_op lpk_op_fixed_dequant8;
extern const lpk_fixed_dequant16_op lpk_op_fixed_dequant16;
extern const lpk_fixed_dot8_op lpk_op_fixed_dot8;
extern const lpk_fixed_dot16_op lpk_op_fixed_dot16;
extern const lpk_fixed_update8_op lpk_op_fixed_update8;
extern const lpk_fixed_update16_op lpk_op_fixed_update16;
extern const lpk_fixed_update8_op lpk_op_fixed_update8_ars;
extern const lpk_fixed_update16_op lpk_op_fixed_update16_ars;
extern const lpk_fixed_dotf_op lpk_op_fixed_dotf;
extern const lpk_fixed_updatef_op lpk_op_fixed_updatef;

#ifdef __cplusplus
}
#endif

#endif
