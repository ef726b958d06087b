/* SPDX-License-Identifier: Apache-2.0 */
/* Packing routine template.  A variant file defines
     LPK_PACK_NAME   function name
     LPK_PACK_R      rows per panel (the kernel's mr or nr)
     LPK_PACK_KR     depth interleave (1: fp32 FMA, 2: VNNI pairs, 4: BFMMLA, 32: AMX A)
     LPK_PACK_KPAD   depth padding, the descriptor's kr (a multiple of KR; default KR)
     LPK_PACK_WIDEN  1: store fp32 (bf16 << 16), 0: store bf16 as is
   then includes this file, compiled with its own ISA flags so the loops
   vectorize for that ISA.  Layout (gemm.h): per panel [kpad/KR][R][KR] with
   kpad = kc rounded up to KPAD, zero-padded in rows and depth.
   Two access patterns are fast: depth contiguous (ps == 1: A not transposed,
   B transposed) and rows contiguous (rs == 1: A transposed, B not). */
#include <string.h>

#ifndef LPK_PACK_INL_ONCE
#define LPK_PACK_INL_ONCE
static inline float lpk_pack_widen(lpk_bf16 h)
{
    const uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}
#endif
#ifndef LPK_PACK_KPAD
#define LPK_PACK_KPAD LPK_PACK_KR
#endif
#if LPK_PACK_WIDEN
#define lpk_pack_out_t float
#define LPK_PACK_CVT(h) lpk_pack_widen(h)
#else
#define lpk_pack_out_t lpk_bf16
#define LPK_PACK_CVT(h) (h)
#endif

static void LPK_PACK_NAME(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0, size_t kc,
                          void *dst)
{
    enum { R = LPK_PACK_R, KR = LPK_PACK_KR, KPAD = LPK_PACK_KPAD };
    _Static_assert(KPAD % KR == 0, "depth padding must be a multiple of the interleave");
    const size_t kpad = (kc + KPAD - 1) / KPAD * KPAD, kb = kpad / KR, panel = kb * R * KR;
    lpk_pack_out_t *out = (lpk_pack_out_t *)dst;
    for (size_t r = 0; r < rows; r += R, out += panel) {
        const size_t rr = rows - r < R ? rows - r : R;
        const lpk_bf16 *src = v->base + (r0 + r) * v->rs + p0 * v->ps;
        if (rr < R || kc != kpad) /* edges: zero first, then fill what exists */
            memset(out, 0, panel * sizeof *out);
        if (v->ps == 1) {
            /* depth contiguous: row i's kc values are adjacent */
            for (size_t i = 0; i < rr; i++) {
                const lpk_bf16 *s = src + i * v->rs;
                for (size_t b = 0; b * KR < kc; b++) {
                    const size_t q_end = kc - b * KR < KR ? kc - b * KR : KR;
                    lpk_pack_out_t *d = out + (b * R + i) * KR;
                    for (size_t q = 0; q < q_end; q++)
                        d[q] = LPK_PACK_CVT(s[b * KR + q]);
                }
            }
        } else if (v->rs == 1) {
            /* rows contiguous: depth p holds rows r..r+rr adjacent */
            for (size_t p = 0; p < kc; p++) {
                const lpk_bf16 *s = src + p * v->ps;
                lpk_pack_out_t *d = out + (p / KR) * R * KR + p % KR;
                for (size_t i = 0; i < rr; i++)
                    d[i * KR] = LPK_PACK_CVT(s[i]);
            }
        } else {
            for (size_t i = 0; i < rr; i++)
                for (size_t p = 0; p < kc; p++)
                    out[((p / KR) * R + i) * KR + p % KR] =
                        LPK_PACK_CVT(src[i * v->rs + p * v->ps]);
        }
    }
}

#undef LPK_PACK_CVT
#undef lpk_pack_out_t
#undef LPK_PACK_NAME
#undef LPK_PACK_R
#undef LPK_PACK_KR
#undef LPK_PACK_KPAD
#undef LPK_PACK_WIDEN
