/* SPDX-License-Identifier: Apache-2.0 */
/* The public entry points of quantize, dequantize and update for one ISA
   file: each picks, once per call, the instance of the file's always-inline
   quant_any / dequant_any / update_any specialised for the rounding mode and
   the bit width.  An ISA file defines FIX_SUFFIX (its variant suffix) and
   those functions (update_any by including update-inl.h), then includes
   this file.  An ARS file (per-element ARS bits) defines FIX_ENTRY_ARS and
   update_any only, and gets the entries of update8_ars / update16_ars
   (mode LPK_ROUND_NEAREST rounds to nearest, any other stochastically). */
#ifndef FIX_SUFFIX
#error "define FIX_SUFFIX, quant_any, dequant_any and update_any before including entry-inl.h"
#endif

#define FIX_CAT_(a, b) a##__##b
#define FIX_CAT(a, b) FIX_CAT_(a, b)

#ifdef FIX_ENTRY_ARS
#define FIX_UPDATE_ARS_ENTRY(bits, T)                                                        \
    void FIX_CAT(lpk_fixed_update##bits##_ars, FIX_SUFFIX)(T * z, const T *x, const float *h,  \
                                                           size_t n, float a, float b,         \
                                                           lpk_round mode, uint64_t seed,      \
                                                           uint64_t offset)                    \
    {                                                                                          \
        if (mode != LPK_ROUND_NEAREST)                                                         \
            update_any(z, x, h, n, a, b, 1, seed, offset, bits);                               \
        else                                                                                   \
            update_any(z, x, h, n, a, b, 0, seed, offset, bits);                               \
    }
FIX_UPDATE_ARS_ENTRY(8, int8_t)
FIX_UPDATE_ARS_ENTRY(16, int16_t)
#undef FIX_UPDATE_ARS_ENTRY
#else

#define FIX_QUANT_ENTRY(bits, T)                                                        \
    void FIX_CAT(lpk_fixed_quant##bits, FIX_SUFFIX)(const float *x, T *q, size_t n,     \
                                                    float inv_delta, lpk_round mode,    \
                                                    uint64_t seed, uint64_t offset)     \
    {                                                                                   \
        if (mode == LPK_ROUND_STOCHASTIC)                                               \
            quant_any(x, q, n, inv_delta, 1, seed, offset, bits);                       \
        else                                                                            \
            quant_any(x, q, n, inv_delta, 0, seed, offset, bits);                       \
    }

#define FIX_UPDATE_ENTRY(bits, T)                                                        \
    void FIX_CAT(lpk_fixed_update##bits, FIX_SUFFIX)(T * z, const T *x, const float *h,  \
                                                     size_t n, float a, float b,         \
                                                     lpk_round mode, uint64_t seed,      \
                                                     uint64_t offset)                    \
    {                                                                                    \
        if (mode == LPK_ROUND_STOCHASTIC)                                                \
            update_any(z, x, h, n, a, b, 1, seed, offset, bits);                         \
        else                                                                             \
            update_any(z, x, h, n, a, b, 0, seed, offset, bits);                         \
    }

#define FIX_DEQUANT_ENTRY(bits, T)                                                   \
    void FIX_CAT(lpk_fixed_dequant##bits, FIX_SUFFIX)(const T *q, float *x, size_t n,    \
                                                      float delta)                       \
    {                                                                                    \
        dequant_any(q, x, n, delta, bits);                                               \
    }

FIX_QUANT_ENTRY(8, int8_t)
FIX_QUANT_ENTRY(16, int16_t)
FIX_DEQUANT_ENTRY(8, int8_t)
FIX_DEQUANT_ENTRY(16, int16_t)
FIX_UPDATE_ENTRY(8, int8_t)
FIX_UPDATE_ENTRY(16, int16_t)

#undef FIX_QUANT_ENTRY
#undef FIX_DEQUANT_ENTRY
#undef FIX_UPDATE_ENTRY
#endif
