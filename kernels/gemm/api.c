/* SPDX-License-Identifier: Apache-2.0 */
/* Public GEMM entry points: argument checks (nothing is written on error),
   the BLAS special cases, the bf16-output path and the cblas_sbgemm drop-in. */
#include <stdint.h>
#include <stdlib.h>

#include "gemm.h"
#include "../round/round.h"

/* How the checks name things: the public row-major entry points, or
   lpk_cblas_sbgemm with CblasColMajor, which runs the row-major product of
   the transposes (operands swapped, m and n swapped, rows read as columns). */
typedef struct {
    const char *fn;
    const char *a, *b; /* the caller's names of the first and second operand */
    const char *n;     /* the caller's name of the row-major n */
    const char *line;  /* "row" or "column" */
} gemm_names;

/* Checks one operand; *bytes = its extent (0 when not read). */
static lpk_status check_operand(const gemm_names *nm, const char *name, const void *p,
                                lpk_trans t, size_t rows, size_t cols, size_t ld, int read,
                                size_t *bytes)
{
    /* stored rows x cols when not transposed, cols x rows when transposed */
    const size_t sr = t == LPK_NOTRANS ? rows : cols, sc = t == LPK_NOTRANS ? cols : rows;
    *bytes = 0;
    if (t != LPK_NOTRANS && t != LPK_TRANS)
        return lpk_fail(LPK_EINVAL, "%s: trans%s = %d is neither LPK_NOTRANS nor LPK_TRANS",
                        nm->fn, name, (int)t);
    if (!read)
        return LPK_OK;
    if (!p)
        return lpk_fail(LPK_EINVAL, "%s: %s is NULL", nm->fn, name);
    if (ld < sc)
        return lpk_fail(LPK_EINVAL, "%s: ld%s = %zu is smaller than a stored %s (%zu)", nm->fn,
                        name, ld, nm->line, sc);
    if (!lpk_extent_bytes(sr, sc, ld, sizeof(lpk_bf16), bytes))
        return lpk_fail(LPK_EINVAL, "%s: %s's extent (%zu x %zu, ld %zu) overflows", nm->fn,
                        name, sr, sc, ld);
    return LPK_OK;
}

/* Every argument of C = alpha op(A) op(B) + beta C; nothing is written.
   A and B are checked only when read (m, n, k > 0 and alpha != 0). */
static lpk_status check_all(const gemm_names *nm, lpk_trans ta, lpk_trans tb, size_t m,
                            size_t n, size_t k, float alpha, const lpk_bf16 *a, size_t lda,
                            const lpk_bf16 *b, size_t ldb, const void *c, size_t ldc,
                            size_t c_esize)
{
    const int empty = m == 0 || n == 0;
    const int reads_ab = !empty && k > 0 && alpha != 0.0f;
    size_t abytes, bbytes, cbytes;
    lpk_status st;
    if ((st = check_operand(nm, nm->a, a, ta, m, k, lda, reads_ab, &abytes)) != LPK_OK)
        return st;
    if ((st = check_operand(nm, nm->b, b, tb, k, n, ldb, reads_ab, &bbytes)) != LPK_OK)
        return st;
    if (empty)
        return LPK_OK;
    if (!c)
        return lpk_fail(LPK_EINVAL, "%s: C is NULL", nm->fn);
    if (ldc < n)
        return lpk_fail(LPK_EINVAL, "%s: ldc = %zu is smaller than %s = %zu", nm->fn, ldc,
                        nm->n, n);
    if (!lpk_extent_bytes(m, n, ldc, c_esize, &cbytes))
        return lpk_fail(LPK_EINVAL, "%s: C's extent (%zu x %zu, ldc %zu) overflows", nm->fn,
                        m, n, ldc);
    if (lpk_overlap(c, cbytes, a, abytes))
        return lpk_fail(LPK_EINVAL, "%s: C overlaps %s", nm->fn, nm->a);
    if (lpk_overlap(c, cbytes, b, bbytes))
        return lpk_fail(LPK_EINVAL, "%s: C overlaps %s", nm->fn, nm->b);
    return LPK_OK;
}

static gemm_names row_names(const char *fn) { return (gemm_names){fn, "A", "B", "n", "row"}; }

static const lpk_gemm_ukr *selected_ukr(void)
{
    return LPK_SELECTED(lpk_op_gemm)();
}

/* C = beta * C (beta == 0 writes zeros without reading C). */
static void scale_f32(size_t m, size_t n, float beta, float *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
}

static lpk_status gemm_f32(const gemm_names *nm, lpk_trans ta, lpk_trans tb, size_t m,
                           size_t n, size_t k, float alpha, const lpk_bf16 *a, size_t lda,
                           const lpk_bf16 *b, size_t ldb, float beta, float *c, size_t ldc)
{
    lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    st = check_all(nm, ta, tb, m, n, k, alpha, a, lda, b, ldb, c, ldc, sizeof(float));
    if (st != LPK_OK || m == 0 || n == 0)
        return st;
    if (k == 0 || alpha == 0.0f) {
        scale_f32(m, n, beta, c, ldc);
        return LPK_OK;
    }
    return lpk_gemm_run(selected_ukr(), ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

lpk_status lpk_gemm_bf16f32(lpk_trans ta, lpk_trans tb, size_t m, size_t n, size_t k,
                            float alpha, const lpk_bf16 *a, size_t lda, const lpk_bf16 *b,
                            size_t ldb, float beta, float *c, size_t ldc)
{
    LPK_ENTRY();
    const gemm_names nm = row_names("lpk_gemm_bf16f32");
    return gemm_f32(&nm, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

struct lpk_gemm_packed_b {
    const lpk_variant *variant; /* the variant whose layout `data` holds */
    size_t n, k;
    unsigned char *data;
};

lpk_status lpk_gemm_pack_b(lpk_trans tb, size_t k, size_t n, const lpk_bf16 *b, size_t ldb,
                           lpk_gemm_packed_b **out)
{
    LPK_ENTRY();
    const char *fn = "lpk_gemm_pack_b";
    const gemm_names nm = row_names(fn);
    size_t bbytes;
    lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (!out)
        return lpk_fail(LPK_EINVAL, "%s: out is NULL", fn);
    if ((st = check_operand(&nm, "B", b, tb, k, n, ldb, 1, &bbytes)) != LPK_OK)
        return st;
    if (n == 0 || k == 0)
        return lpk_fail(LPK_EINVAL, "%s: n = %zu, k = %zu: nothing to pack", fn, n, k);
    const lpk_variant *v = lpk_selected(&lpk_op_gemm.op);
    const lpk_gemm_ukr *u = LPK_FN(lpk_op_gemm, v)();
    size_t bytes;
    if (!lpk_gemm_packed_b_bytes(u, n, k, &bytes))
        return lpk_fail(LPK_EINVAL, "%s: the packed size of %zu x %zu (k x n) overflows", fn, k,
                        n);
    lpk_gemm_packed_b *p = malloc(sizeof *p);
    unsigned char *data = aligned_alloc(64, bytes);
    if (!p || !data) {
        free(p);
        free(data);
        return lpk_fail(LPK_ENOMEM, "%s: cannot allocate %zu bytes", fn, bytes);
    }
    lpk_gemm_pack_b_all(u, tb, n, k, b, ldb, data);
    *p = (lpk_gemm_packed_b){v, n, k, data};
    *out = p;
    return LPK_OK;
}

void lpk_gemm_packed_b_free(lpk_gemm_packed_b *b)
{
    if (b) {
        free(b->data);
        free(b);
    }
}

lpk_status lpk_gemm_bf16f32_packed(lpk_trans ta, size_t m, size_t n, size_t k, float alpha,
                                   const lpk_bf16 *a, size_t lda, const lpk_gemm_packed_b *b,
                                   float beta, float *c, size_t ldc)
{
    LPK_ENTRY();
    const char *fn = "lpk_gemm_bf16f32_packed";
    const gemm_names nm = row_names(fn);
    lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (!b)
        return lpk_fail(LPK_EINVAL, "%s: packed B is NULL", fn);
    if (b->n != n || b->k != k)
        return lpk_fail(LPK_EINVAL, "%s: B was packed as %zu x %zu (k x n), called with %zu x %zu",
                        fn, b->k, b->n, k, n);
    const lpk_variant *v = lpk_selected(&lpk_op_gemm.op);
    if (v != b->variant)
        return lpk_fail(LPK_EINVAL, "%s: B was packed for %s but the tier cap now selects %s: pack again",
                        fn, b->variant->name, v->name);
    /* B is known good; check A and C as the unpacked call would */
    st = check_all(&nm, ta, LPK_NOTRANS, m, n, k, alpha, a, lda, (const lpk_bf16 *)b->data, n,
                   c, ldc, sizeof(float));
    if (st != LPK_OK || m == 0)
        return st;
    if (alpha == 0.0f) {
        scale_f32(m, n, beta, c, ldc);
        return LPK_OK;
    }
    return lpk_gemm_run_packed(LPK_FN(lpk_op_gemm, v)(), ta, LPK_NOTRANS, m, n, k, alpha, a,
                               lda, NULL, 0, b->data, beta, c, ldc);
}

typedef struct {
    const float *t;
    lpk_bf16 *c;
    size_t n, ldc;
    lpk_round_rne_fn *rne; /* one of the two is set */
    lpk_round_sr_fn *sr;
    uint64_t seed;
} round_rows_job;

/* Rows [lo, hi) of the fp32 result to bf16; element (i, j) is index i*n + j. */
static void round_rows(void *ctx, size_t lo, size_t hi)
{
    const round_rows_job *j = ctx;
    for (size_t i = lo; i < hi; i++) {
        if (j->rne)
            j->rne(j->t + i * j->n, j->c + i * j->ldc, j->n);
        else
            j->sr(j->t + i * j->n, j->c + i * j->ldc, j->n, j->seed, (uint64_t)i * j->n);
    }
}

lpk_status lpk_gemm_bf16(lpk_trans ta, lpk_trans tb, size_t m, size_t n, size_t k, float alpha,
                         const lpk_bf16 *a, size_t lda, const lpk_bf16 *b, size_t ldb,
                         float beta, lpk_bf16 *c, size_t ldc, lpk_round mode, uint64_t seed)
{
    LPK_ENTRY();
    const gemm_names nm = row_names("lpk_gemm_bf16");
    lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (mode != LPK_ROUND_NEAREST && mode != LPK_ROUND_STOCHASTIC &&
        mode != LPK_ROUND_STOCHASTIC_ARS)
        return lpk_fail(LPK_EINVAL, "lpk_gemm_bf16: unknown rounding mode %d", (int)mode);
    st = check_all(&nm, ta, tb, m, n, k, alpha, a, lda, b, ldb, c, ldc, sizeof(lpk_bf16));
    if (st != LPK_OK || m == 0 || n == 0)
        return st;
    size_t tbytes;
    if (!lpk_size_mul3(m, n, sizeof(float), &tbytes))
        return lpk_fail(LPK_EINVAL, "lpk_gemm_bf16: the %zu x %zu fp32 scratch overflows", m, n);
    float *t = malloc(tbytes);
    if (!t)
        return lpk_fail(LPK_ENOMEM, "lpk_gemm_bf16: cannot allocate the %zu x %zu fp32 scratch", m, n);
    if (beta != 0.0f) {
        lpk_round_widen_fn *widen = LPK_SELECTED(lpk_op_round_widen);
        for (size_t i = 0; i < m; i++)
            widen(c + i * ldc, t + i * n, n);
    }
    if (k == 0 || alpha == 0.0f)
        scale_f32(m, n, beta, t, n);
    else if ((st = lpk_gemm_run(selected_ukr(), ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, t,
                                n)) != LPK_OK) {
        free(t);
        return st;
    }
    round_rows_job job = {t, c, n, ldc, NULL, NULL, seed};
    if (mode == LPK_ROUND_NEAREST)
        job.rne = LPK_SELECTED(lpk_op_round_rne);
    else
        job.sr = mode == LPK_ROUND_STOCHASTIC ? LPK_SELECTED(lpk_op_round_sr)
                                              : LPK_SELECTED(lpk_op_round_sr_ars);
    lpk_parallel_for(m, 1, n * 6, round_rows, &job);
    free(t);
    return LPK_OK;
}

/* OpenBLAS cblas.h values. */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_COL_MAJOR = 102, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112,
       CBLAS_CONJ_TRANS = 113 };

static int cblas_trans(int t, lpk_trans *out)
{
    if (t == CBLAS_NO_TRANS) *out = LPK_NOTRANS;
    else if (t == CBLAS_TRANS || t == CBLAS_CONJ_TRANS) *out = LPK_TRANS;
    else return 0;
    return 1;
}

void lpk_cblas_sbgemm(int order, int transa, int transb, int m, int n, int k, float alpha,
                      const uint16_t *a, int lda, const uint16_t *b, int ldb, float beta, float *c,
                      int ldc)
{
    LPK_ENTRY();
    const char *fn = "lpk_cblas_sbgemm";
    lpk_trans ta, tb;
    if (order != CBLAS_ROW_MAJOR && order != CBLAS_COL_MAJOR) {
        lpk_fail(LPK_EINVAL, "%s: parameter 1 (order) = %d is neither CblasRowMajor nor CblasColMajor", fn, order);
        return;
    }
    if (!cblas_trans(transa, &ta)) {
        lpk_fail(LPK_EINVAL, "%s: parameter 2 (TransA) = %d is not a CBLAS_TRANSPOSE", fn, transa);
        return;
    }
    if (!cblas_trans(transb, &tb)) {
        lpk_fail(LPK_EINVAL, "%s: parameter 3 (TransB) = %d is not a CBLAS_TRANSPOSE", fn, transb);
        return;
    }
    if (m < 0 || n < 0 || k < 0) {
        lpk_fail(LPK_EINVAL, "%s: parameter %d (%c) = %d is negative", fn, m < 0 ? 4 : n < 0 ? 5 : 6,
                 m < 0 ? 'M' : n < 0 ? 'N' : 'K', m < 0 ? m : n < 0 ? n : k);
        return;
    }
    if (lda < 0 || ldb < 0 || ldc < 0) {
        lpk_fail(LPK_EINVAL, "%s: a leading dimension is negative (lda %d, ldb %d, ldc %d)", fn,
                 lda, ldb, ldc);
        return;
    }
    /* Column-major C = op(A) op(B) is row-major C^T = op(B)^T op(A)^T: the
       same memory read as row-major with the operands swapped (and named
       as the caller knows them). */
    if (order == CBLAS_ROW_MAJOR) {
        const gemm_names nm = {fn, "A", "B", "N", "row"};
        gemm_f32(&nm, ta, tb, (size_t)m, (size_t)n, (size_t)k, alpha, a, (size_t)lda, b,
                 (size_t)ldb, beta, c, (size_t)ldc);
    } else {
        const gemm_names nm = {fn, "B", "A", "M", "column"};
        gemm_f32(&nm, tb, ta, (size_t)n, (size_t)m, (size_t)k, alpha, b, (size_t)ldb, a,
                 (size_t)lda, beta, c, (size_t)ldc);
    }
}
