/* SPDX-License-Identifier: Apache-2.0 */
/* GEMM family: bf16 x bf16 -> fp32.
   The blocked loop nest, threading and edge handling exist once (frame.c).
   Per ISA there is only a micro-kernel plus the packing its instruction
   dictates, described by an lpk_gemm_ukr: tile shape, packed formats, the
   functions, and its block sizes as data (lpk_gemm_blocking: each of kc, mc,
   nc fixed or derived from a cache level), from which frame.c's planner
   picks a strategy and the blocking of each call.  Variant names follow
   XNNPACK: <mr>x<nr>[c<n>]__<isa>, c<n> when B is packed as bf16 with n
   consecutive depths interleaved per column (VNNI pairs c2, BFMMLA quads
   c4); no suffix when panels are widened to fp32.  The list below is the
   kernel table: best first, ending with the scalar reference.  Adding a
   variant = one file + one line. */
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

/* How one block size is chosen: a fixed number of elements, or the largest
   number whose block fills 1/share of a cache level (1 = L1d, 2 = L2,
   3 = L3).  The planner then rounds it down to its step (kr for kc, mr for
   mc, nr for nc), keeps it at least the step (8 kr for kc) and at most the
   problem's size rounded up to the step. */
typedef struct {
    unsigned fixed;      /* elements; 0: from the cache */
    unsigned char level; /* cache level */
    unsigned char share; /* the block takes 1/share of that cache */
} lpk_gemm_bsize;
#define LPK_GEMM_FIXED(x) {(x), 0, 0}
#define LPK_GEMM_FROM_CACHE(level, share) {0, (level), (share)}

/* A kernel's block sizes (BLIS keeps them per configuration), the cache
   rules measured in elements of the packed operand:
     kc, depth:  the B micro-panel (nr x kc) against the cache;
     mc, rows:   the packed A block (mc x kc);
     nc, columns: the packed B block (nc x kc).
   kc is the only one that changes results (each C element's k-sum restarts
   from the kernel's accumulators at every kc block). */
typedef struct {
    lpk_gemm_bsize kc, mc, nc;
} lpk_gemm_blocking;

/* The BLIS default: B micro-panel in half of L1, A block in half of L2, B
   block 4096 columns wide (packed once, shared by the threads). */
#define LPK_GEMM_BLOCKING_DEFAULT                                          \
    {.kc = LPK_GEMM_FROM_CACHE(1, 2), .mc = LPK_GEMM_FROM_CACHE(2, 2),     \
     .nc = LPK_GEMM_FIXED(4096)}

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
    lpk_gemm_blocking blocks;
    unsigned flags; /* LPK_GEMM_* below */
} lpk_gemm_ukr;

/* Loop order inside a work item: row panels (ir) outer, column panels (jr)
   inner, instead of the BLIS order (jr outer).  C is then written along
   rows of tiles and the A micro-panel stays in L1 while B streams from L2:
   what a kernel with a long per-call depth and wide C tiles (AMX) wants,
   with a B block sized to L2 and an A block of one micro-panel (its
   blocks).  The planner then lets each thread pack its own B panels, and
   takes whole-depth panels for one row of tiles times B^T (frame.c). */
#define LPK_GEMM_IR_OUTER 1u

/* The block sizes of u on this CPU: those the per-CPU table's entry for
   this CPU sets for u (dispatch/cpu_tables.inc), else u->blocks. */
const lpk_gemm_blocking *lpk_gemm_cpu_blocks(const lpk_gemm_ukr *u);

/* Each variant file defines one descriptor; the table entry's function is a
   getter returning it. */
typedef const lpk_gemm_ukr *lpk_gemm_ukr_fn(void);

#define LPK_GEMM_VARIANTS(V)                         \
    V(AMX, lpk_gemm_ukr_32x32c2__amx)                \
    V(AVX512, lpk_gemm_ukr_14x32__avx512)            \
    V(AVX512BF16, lpk_gemm_ukr_14x32c2__avx512bf16)  \
    V(AVX2, lpk_gemm_ukr_6x16__avx2)                 \
    V(NEONBF16, lpk_gemm_ukr_8x12c4__neonbf16)       \
    V(NEON, lpk_gemm_ukr_8x12__neon)                 \
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
