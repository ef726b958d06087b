/* SPDX-License-Identifier: Apache-2.0 */
/* Every buffer of a run.  Sizes go through lpk_size_mul / lpk_size_mul3; an
   overflowing size becomes SIZE_MAX, which the allocators refuse, so it
   fails as ENOMEM like any other allocation. */
#include <stdlib.h>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "halp.h"

/* count elements of elem_size bytes, or SIZE_MAX on overflow. */
static size_t array_bytes(size_t count, size_t elem_size)
{
    size_t r;
    return lpk_size_mul(count, elem_size, &r) ? r : SIZE_MAX;
}

/* rows x cols elements of elem_size bytes, or SIZE_MAX on overflow. */
static size_t matrix_bytes(size_t rows, size_t cols, size_t elem_size)
{
    size_t r;
    return lpk_size_mul3(rows, cols, elem_size, &r) ? r : SIZE_MAX;
}

/* Row stride of the b-bit rows: d * bits/8 rounded up to 64 bytes. */
static size_t quantized_row_bytes(size_t d, int bits)
{
    size_t r;
    if (!lpk_size_mul(d, (size_t)bits / 8, &r) || !lpk_size_add(r, 63, &r))
        return SIZE_MAX;
    return r / 64 * 64;
}

/* 64-byte aligned (at least 64 bytes); NULL and *fail = 1 on failure. */
static void *alloc64(size_t bytes, int *fail)
{
    if (bytes == SIZE_MAX) {
        *fail = 1;
        return NULL;
    }
    if (bytes == 0)
        bytes = 64;
    const size_t want = (bytes + 63) / 64 * 64;
    if (want < bytes) {
        *fail = 1;
        return NULL;
    }
    void *p = aligned_alloc(64, want);
    if (!p)
        *fail = 1;
    return p;
}

/* The quantized rows: 2 MiB aligned and advised onto transparent huge pages
   when large (Linux), so that the inner loop's random rows cost no page
   walk (one 4 KiB TLB entry covers 4 rows of d = 1024 int8).  Falls back
   to alloc64 where that is not available. */
static void *alloc_rows(size_t bytes, int *fail)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const size_t huge = (size_t)2 << 20;
    if (bytes != SIZE_MAX && bytes >= HALP_HUGE_MIN && bytes <= SIZE_MAX - huge) {
        const size_t want = (bytes + huge - 1) / huge * huge;
        void *p = aligned_alloc(huge, want);
        if (p) {
            (void)madvise(p, want, MADV_HUGEPAGE); /* advice only: failure is harmless */
            return p;
        }
    }
#endif
    return alloc64(bytes, fail);
}

lpk_status halp_workspace_alloc(halp_run *R, halp_state *S)
{
    const size_t n = R->n, d = R->d, nblk = R->nblk;
    const int lp = halp_solver_is_lp(S->solver);
    const int lp_with_full_pass = lp && S->solver != LPK_SOLVER_LP_SGD;
    const size_t vec = array_bytes(d, sizeof(float));
    int fail = 0;
    R->qbytes = lp ? quantized_row_bytes(d, R->bits) : 0;
    S->w = alloc64(vec, &fail);
    S->g = alloc64(vec, &fail);
    S->h = alloc64(vec, &fail);
    S->z = alloc64(vec, &fail);
    S->cdot = S->solver == LPK_SOLVER_LP_SVRG ? alloc64(array_bytes(n, sizeof(int64_t)), &fail)
                                              : NULL;
    S->zq = lp ? alloc64(R->qbytes, &fail) : NULL;
    S->wq = lp ? alloc64(R->qbytes, &fail) : NULL;
    R->block_exact = alloc64(array_bytes(nblk, sizeof(int)), &fail);
    R->zeros = alloc64(vec, &fail);
    R->part = alloc64(matrix_bytes(nblk, d, sizeof(float)), &fail);
    R->dpart = alloc64(matrix_bytes(nblk, d + 1, sizeof(double)), &fail); /* d < SIZE_MAX / 4 */
    R->Xq = lp ? alloc_rows(array_bytes(n, R->qbytes), &fail) : NULL;
    R->info = alloc64(array_bytes(n, sizeof(halp_row_info)), &fail);
    R->rowbuf = lp_with_full_pass ? alloc64(matrix_bytes(nblk, d, sizeof(float)), &fail) : NULL;
    if (!fail)
        return LPK_OK;
    halp_workspace_free(R, S);
    return lpk_fail(LPK_ENOMEM, "lpk_halp_train: cannot allocate the workspace (n = %zu, d = %zu)",
                    n, d);
}

void halp_workspace_free(halp_run *R, halp_state *S)
{
    free(S->w);
    free(S->g);
    free(S->h);
    free(S->z);
    free(S->cdot);
    free(S->zq);
    free(S->wq);
    free(R->block_exact);
    free(R->zeros);
    free(R->part);
    free(R->dpart);
    free(R->Xq);
    free(R->info);
    free(R->rowbuf);
    S->w = S->g = S->h = S->z = NULL;
    S->cdot = NULL;
    S->zq = S->wq = NULL;
    R->block_exact = NULL;
    R->zeros = R->part = R->rowbuf = NULL;
    R->dpart = NULL;
    R->Xq = NULL;
    R->info = NULL;
}
