/* SPDX-License-Identifier: Apache-2.0 */
/* The HALP inner step (fixed.h, "update") written once over per-ISA vector
   primitives: each ISA file (avx512.c, avx2.c, neon.c) defines them, then
   includes this file, which defines update_any for entry-inl.h.
   Bit-identical to ref.c: v = fmaf(a, z, fmaf(b, x, h)) in fp32, rounded
   with the call's shared bits (element i uses those of offset + i % 64),
   or, in the ARS files (avx2vaes.c, ...), bit-identical to ref_ars.c with
   every element's own bits, made a chunk at a time.

   What the ISA file provides (FIX_UV: FIX_VL fp32 lanes, FIX_IV: int32):
     FIX_VL, FIX_STEP      lanes per vector; elements per step (4 vectors,
                           dividing LPK_FIXED_SR_PERIOD)
     fix_bits              the call's shared stochastic bits
     fix_bits_make(&rb, seed, offset)
                           the generator step: r16 of elements offset ..
                           offset + LPK_FIXED_SR_PERIOD - 1
     fix_bits_vec(&rb, i, j)
                           r16 / 2^16 of vector j of the step at element i
                           (a multiple of FIX_STEP), read where it is used
     fix_set(x), fix_loadf(p), fix_fma(a, x, c) = a x + c (one rounding)
     fix_widen4(p, bits, f[4])
                           FIX_STEP int8 / int16 at p as fp32, exact
     fix_round_fast(v, r, sr, bits)
                           R(v) in int32 lanes, exact at least for every
                           finite v below 2^31 (r used when sr)
     fix_round(v, r, hi, sr, bits)
                           R(v) with NaN -> 0 and v clamped to hi first
     fix_store_fast(z, o[4], bits)
                           stores sat_b(o) and returns 1 unless a lane of o
                           may come from NaN or an overflowed conversion;
                           then returns 0 and stores nothing
     fix_store(z, o[4], bits)  stores sat_b(o)
   and optionally (per-element bits, the ARS variants)
     FIX_CHUNK             elements per bit chunk (a multiple of FIX_STEP;
                           default LPK_FIXED_SR_PERIOD)
     fix_bits_chunk(&rb, i, n)
                           called before the step at every element i that is
                           a multiple of FIX_CHUNK (and before the tail when
                           it starts on one): the bits of elements offset + i
                           .. offset + min(i + FIX_CHUNK, n) - 1, which
                           fix_bits_vec and fix_bits16 then read
   and for the last n % FIX_STEP elements either
     FIX_MASKED_TAIL 1 and fix_update_part(z, x, h, m, va, vb, hi, &rb, i,
                           sr, bits): the m < FIX_STEP elements from i
     FIX_MASKED_TAIL 0 and fix_bits16(&rb, i): r16 of element i of the
                           call, for the scalar tail. */
#ifndef FIX_STEP
#error "define the vector primitives and FIX_STEP before including update-inl.h"
#endif

#ifndef FIX_CHUNK
#define FIX_CHUNK LPK_FIXED_SR_PERIOD
INLINE void fix_bits_chunk(fix_bits *rb, size_t i, size_t n)
{
    (void)rb;
    (void)i;
    (void)n;
}
#endif
_Static_assert(FIX_CHUNK % FIX_STEP == 0, "a step must not straddle a bit chunk");

/* FIX_STEP full elements of z, the step at element i of the call. */
INLINE void fix_update_step(void *z, const void *x, const float *h, FIX_UV va, FIX_UV vb,
                            FIX_UV hi, const fix_bits *rb, size_t i, int sr, int bits)
{
    FIX_UV zf[4], xf[4], v[4];
    FIX_IV o[4];
    fix_widen4(z, bits, zf);
    fix_widen4(x, bits, xf);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        v[j] = fix_fma(va, zf[j], fix_fma(vb, xf[j], fix_loadf(h + FIX_VL * j)));
        o[j] = fix_round_fast(v[j], sr ? fix_bits_vec(rb, i, j) : va, sr, bits);
    }
    if (__builtin_expect(fix_store_fast(z, o, bits), 1))
        return;
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++)
        o[j] = fix_round(v[j], sr ? fix_bits_vec(rb, i, j) : va, hi, sr, bits);
    fix_store(z, o, bits);
}

INLINE void update_any(void *z, const void *x, const float *h, size_t n, float a, float b, int sr,
                       uint64_t seed, uint64_t offset, int bits)
{
    if (n == 0)
        return;
    const size_t es = (size_t)bits / 8;
    const FIX_UV va = fix_set(a), vb = fix_set(b);
    const FIX_UV hi = fix_set((float)((1 << (bits - 1)) - 1) + (sr ? 1.0f : 0.0f));
    fix_bits rb;
    if (sr)
        fix_bits_make(&rb, seed, offset);
    size_t i = 0;
    for (; i + FIX_STEP <= n; i += FIX_STEP) {
        if (sr && i % FIX_CHUNK == 0)
            fix_bits_chunk(&rb, i, n);
        fix_update_step((char *)z + es * i, (const char *)x + es * i, h + i, va, vb, hi, &rb, i,
                        sr, bits);
    }
    if (i == n)
        return;
    if (sr && i % FIX_CHUNK == 0)
        fix_bits_chunk(&rb, i, n);
#if FIX_MASKED_TAIL
    fix_update_part((char *)z + es * i, (const char *)x + es * i, h + i, n - i, va, vb, hi, &rb, i,
                    sr, bits);
#else
    const lpk_round mode = sr ? LPK_ROUND_STOCHASTIC : LPK_ROUND_NEAREST;
    for (; i < n; i++) {
        const float zi = bits == 8 ? (float)((const int8_t *)z)[i] : (float)((const int16_t *)z)[i];
        const float xi = bits == 8 ? (float)((const int8_t *)x)[i] : (float)((const int16_t *)x)[i];
        const float v = fmaf(a, zi, fmaf(b, xi, h[i]));
        const float q = lpk_fixed_round1(v, mode, sr ? fix_bits16(&rb, i) : 0);
        if (bits == 8)
            ((int8_t *)z)[i] = (int8_t)lpk_fixed_sat1(q, 8);
        else
            ((int16_t *)z)[i] = (int16_t)lpk_fixed_sat1(q, 16);
    }
#endif
}
