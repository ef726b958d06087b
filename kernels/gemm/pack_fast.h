/* SPDX-License-Identifier: Apache-2.0 */
/* Fast packing for a variant file: whole panels of the two common views go
   through the variant's own panel routines (depth contiguous: ps == 1;
   rows contiguous: rs == 1), everything else (partial panels, strided views)
   through its pack-inl.h template.  panel_bytes = kpad * R * element size. */
#ifndef LPK_GEMM_PACK_FAST_H
#define LPK_GEMM_PACK_FAST_H

#include "gemm.h"

/* R rows of a panel from src (row or depth stride `stride`), kc depths. */
typedef void lpk_gemm_panel_fn(const lpk_bf16 *src, size_t stride, size_t kc, unsigned R,
                               void *out);

static inline void lpk_gemm_pack_fast(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0,
                                      size_t kc, void *dst, unsigned R, size_t panel_bytes,
                                      lpk_gemm_panel_fn *depth_contig,
                                      lpk_gemm_panel_fn *rows_contig, lpk_gemm_pack_fn *tmpl)
{
    const size_t full = v->ps == 1 || v->rs == 1 ? rows / R * R : 0;
    unsigned char *out = dst;
    for (size_t r = 0; r < full; r += R, out += panel_bytes) {
        const lpk_bf16 *src = v->base + (r0 + r) * v->rs + p0 * v->ps;
        if (v->ps == 1)
            depth_contig(src, v->rs, kc, R, out);
        else
            rows_contig(src, v->ps, kc, R, out);
    }
    if (full < rows)
        tmpl(v, r0 + full, rows - full, p0, kc, out);
}

#endif
