/* GEMM family: bf16 x bf16 -> fp32.
   The blocked loop nest, threading and edge handling exist once (frame.c).
   Per ISA there is only a micro-kernel plus the packing its instruction
   dictates, described by an lpk_gemm_ukr: tile shape, packed formats, and
   the functions.  The list below is the kernel table: best first, ending
   with the scalar reference.  Adding a variant = one file + one line. */
#ifndef LPK_GEMM_H
#define LPK_GEMM_H

#include "lpk_internal.h"

/* A read-only view of a matrix: element (r, p) at base[r*rs + p*ps].  The
   frame describes op(A) (rows i, depth p) and op(B)^T (rows j, depth p) this
   way, so one packing routine serves both operands and every transpose. */
typedef struct {
    const lpk_bf16 *base;
    size_t rs, ps;
} lpk_gemm_view;

/* Packs rows [r0, r0+rows) x depth [p0, p0+kc) of v into panels of R rows
   (R = mr for A, nr for B).  Depth is zero-padded to kpad = kc rounded up to
   the descriptor's kr, rows past `rows` are zero.  Panel layout
   [kpad/KI][R][KI] elements with KI the operand's interleave (1, 2, 4, 32),
   panels one after the other (kpad * R elements each).  Element type is the
   micro-kernel's (fp32 widened, or bf16 as is).  pack-inl.h generates these. */
typedef void lpk_gemm_pack_fn(const lpk_gemm_view *v, size_t r0, size_t rows, size_t p0,
                              size_t kc, void *dst);

/* C[0..mr) x [0..nr) (row stride ldc) = alpha * A_panel * B_panel + beta * C,
   kc > 0 a multiple of kr; beta == 0 must not read C. */
typedef void lpk_gemm_ukernel_fn(size_t kc, const void *a, const void *b, float *c, size_t ldc,
                                 float alpha, float beta);

typedef struct {
    unsigned mr, nr;     /* tile rows and columns */
    unsigned kr;         /* depth granularity: kc is padded to a multiple of kr */
    unsigned esize;      /* bytes per packed element: 4 (widened) or 2 (bf16) */
    lpk_gemm_pack_fn *pack_a, *pack_b;
    lpk_gemm_ukernel_fn *kernel;
    /* Optional: run on each thread of a call before its first kernel call
       (AMX tile configuration) and after its last (tile release). */
    int (*thread_init)(void);
    void (*thread_fini)(void);
    /* Blocking in k for the packed panels (0: derived from the L1 size). */
    unsigned kc_hint;
    unsigned flags; /* LPK_GEMM_* below */
} lpk_gemm_ukr;

/* Loop order inside a work item: row panels (ir) outer, column panels (jr)
   inner, with the packed B block sized to half of L2 (nc from L2) instead of
   the BLIS order (jr outer) with nc = 4096.  C is then written along rows of
   tiles and the A micro-panel stays in L1 while B streams from L2: what a
   kernel with a long per-call depth and wide C tiles (AMX) wants. */
#define LPK_GEMM_IR_OUTER 1u

/* Each variant file defines one descriptor; the table entry's function is a
   getter returning it. */
typedef const lpk_gemm_ukr *lpk_gemm_ukr_fn(void);

#define LPK_GEMM_VARIANTS(V)                     \
    V(AMX, lpk_gemm_ukr_32x32__amx)              \
    V(AVX512, lpk_gemm_ukr_14x32__avx512)        \
    V(AVX512BF16, lpk_gemm_ukr_14x32__avx512bf16) \
    V(AVX2, lpk_gemm_ukr_6x16__avx2)             \
    V(NEONBF16, lpk_gemm_ukr_8x12__neonbf16)     \
    V(NEON, lpk_gemm_ukr_8x12__neon)             \
    V(SCALAR, lpk_gemm_ukr_4x4__ref)

#define LPK_DECL_GEMM(tier, fn) lpk_gemm_ukr_fn fn;
LPK_GEMM_VARIANTS(LPK_DECL_GEMM)
#undef LPK_DECL_GEMM

LPK_TYPED_OP(lpk_gemm_ukr);
extern const lpk_gemm_ukr_op lpk_op_gemm;

/* Runs the blocked GEMM with micro-kernel u (already validated arguments;
   C = alpha*op(A)*op(B) + beta*C for m, n, k > 0 and alpha != 0). */
lpk_status lpk_gemm_run(const lpk_gemm_ukr *u, lpk_trans ta, lpk_trans tb, size_t m, size_t n,
                        size_t k, float alpha, const lpk_bf16 *a, size_t lda,
                        const lpk_bf16 *b, size_t ldb, float beta, float *c, size_t ldc);

/* The same with B pre-packed by lpk_gemm_pack_b_all (b and ldb unused when
   bpacked is non-NULL); bit-identical to packing on the fly. */
lpk_status lpk_gemm_run_packed(const lpk_gemm_ukr *u, lpk_trans ta, lpk_trans tb, size_t m,
                               size_t n, size_t k, float alpha, const lpk_bf16 *a, size_t lda,
                               const lpk_bf16 *b, size_t ldb, const void *bpacked, float beta,
                               float *c, size_t ldc);
/* Bytes needed to pre-pack a k x n op(B) for micro-kernel u (0 returned
   when that size overflows), and the packing itself: every (nc x kc) block at a fixed stride, in the layout the
   frame would produce (the blocking depends on u, n and k only). */
int lpk_gemm_packed_b_bytes(const lpk_gemm_ukr *u, size_t n, size_t k, size_t *bytes);
void lpk_gemm_pack_b_all(const lpk_gemm_ukr *u, lpk_trans tb, size_t n, size_t k,
                         const lpk_bf16 *b, size_t ldb, void *dst);

#endif
