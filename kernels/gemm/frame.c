/* The blocked GEMM loop nest (BLIS order), once for every micro-kernel:
     for jc in n step NC:            B block (kc x nc) packed once, shared
       for pc in k step KC:
         for (ic, jr-group) items:   threads; A block (mc x kc) packed per item
           for jr in nc step NR:     B micro-panel stays in L1
             for ir in mc step MR:   A micro-panels stream from L2
               micro-kernel, or an edge tile through a scratch tile
   KC comes from L1 (B micro-panel), MC from L2 (A block), both from hwloc
   cache sizes.  Kernels flagged LPK_GEMM_IR_OUTER swap the two inner loops
   and size the B block to L2 instead (gemm.h); that block is then packed by
   every thread for itself (only the panels its own items read), so no
   thread reads B out of another core's L2 and the threads never wait for
   each other inside a call (measured with AMX at 2048^3: 2 threads / 1
   thread 1.77 -> 1.9-2.0 on a quiet host).  Work items go to threads in
   fixed contiguous ranges, the same for every k block, so each C tile is
   accumulated by one thread in k order.  Packing buffers are per-thread
   scratch kept across calls (lpk_scratch).  One row of micro-tiles times a
   transposed B takes a shorter path with whole-depth panels (run_whole_k),
   making the same kernel calls.  Blocking never depends on the
   thread count, so the order of every C element's k-sum, hence the result,
   is the same for any number of threads. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct {
    size_t mc, nc, kc;
} blocking;

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }
static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }

static blocking choose_blocking(const lpk_gemm_ukr *u, size_t m, size_t n, size_t k)
{
    lpk_topology t;
    lpk_get_topology(&t);
    const size_t l1 = t.l1d ? t.l1d : 32768, l2 = t.l2 ? t.l2 : 262144;
    blocking b;
    b.kc = u->kc_hint ? u->kc_hint : l1 / 2 / (u->nr * u->esize);
    b.kc = b.kc / u->kr * u->kr;
    if (b.kc < u->kr * 8)
        b.kc = u->kr * 8;
    b.kc = min_sz(b.kc, round_up(k, u->kr));
    b.mc = l2 / 2 / (b.kc * u->esize) / u->mr * u->mr;
    if (b.mc < u->mr)
        b.mc = u->mr;
    /* ir-outer: A is consumed one micro-panel at a time from L1, so a small A
       block leaves L2 to the B block.  Measured with the AMX kernel, 1
       thread: 4 micro-panels instead of the L2-sized block took 512^3 from
       1033 to ~1360 GFLOP/s; one micro-panel (the block is packed right
       before its only pass over B, and is still in L1) is another 2-10% at
       512^3 .. 4096^3 and on M = 256 / 2048 training shapes, 1 and 2
       threads (interleaved calls, 8 of 9 training shapes faster). */
    if (u->flags & LPK_GEMM_IR_OUTER)
        b.mc = u->mr;
    b.mc = min_sz(b.mc, round_up(m, u->mr));
    if (u->flags & LPK_GEMM_IR_OUTER)
        b.nc = l2 / 2 / (b.kc * u->esize) / u->nr * u->nr;
    else
        b.nc = (size_t)4096 / u->nr * u->nr;
    if (b.nc < u->nr)
        b.nc = u->nr;
    b.nc = min_sz(b.nc, round_up(n, u->nr));
    return b;
}

static int gemm_threads(size_t m, size_t n, size_t k)
{
    const double flops = 2.0 * (double)m * (double)n * (double)k;
    const int max = lpk_get_num_threads();
    if (max <= 1 || flops < 4e6)
        return 1;
    const double by_work = flops / 2e6;
    return by_work < max ? (int)by_work : max;
}

/* Bytes of one packed B block (kc x nc, padded): the stride between blocks
   of a pre-packed B.  Depends on u, n and k only, as kc and nc do. */
static size_t b_block_bytes(const lpk_gemm_ukr *u, const blocking *bl)
{
    return round_up(round_up(bl->nc, u->nr) * round_up(bl->kc, u->kr) * u->esize, 64);
}

int lpk_gemm_packed_b_bytes(const lpk_gemm_ukr *u, size_t n, size_t k, size_t *bytes)
{
    const blocking bl = choose_blocking(u, 1, n, k);
    return lpk_size_mul3((n + bl.nc - 1) / bl.nc, (k + bl.kc - 1) / bl.kc, b_block_bytes(u, &bl),
                         bytes);
}

void lpk_gemm_pack_b_all(const lpk_gemm_ukr *u, lpk_trans tb, size_t n, size_t k,
                         const lpk_bf16 *b, size_t ldb, void *dst)
{
    const blocking bl = choose_blocking(u, 1, n, k);
    const lpk_gemm_view bv = {b, tb == LPK_NOTRANS ? 1 : ldb, tb == LPK_NOTRANS ? ldb : 1};
    const size_t stride = b_block_bytes(u, &bl), npc = (k + bl.kc - 1) / bl.kc;
    const size_t nr = u->nr, es = u->esize;
    for (size_t jc = 0; jc < n; jc += bl.nc)
        for (size_t pc = 0; pc < k; pc += bl.kc) {
            unsigned char *blk = (unsigned char *)dst + (jc / bl.nc * npc + pc / bl.kc) * stride;
            const size_t nc = min_sz(bl.nc, n - jc), kc = min_sz(bl.kc, k - pc);
            const size_t kpad = round_up(kc, u->kr), npanels = (nc + nr - 1) / nr;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(gemm_threads(npanels * nr, kc, 64))
#endif
            for (size_t jp = 0; jp < npanels; jp++) {
                LPK_FPENV_SCOPE;
                u->pack_b(&bv, jc + jp * nr, min_sz(nr, nc - jp * nr), pc, kc,
                          blk + jp * kpad * nr * es);
            }
        }
}

/* One micro-tile: the kernel straight into C, or for an edge tile (mre x
   nre short of mr x nr) into the scratch tile and from there into C. */
static inline void tile_op(const lpk_gemm_ukr *u, size_t kpad, const void *ap, const void *bp,
                           float *cp, size_t ldc, size_t mre, size_t nre, float alpha,
                           float beta_eff, float *tile)
{
    const size_t nr = u->nr;
    if (mre == u->mr && nre == nr) {
        u->kernel(kpad, ap, bp, cp, ldc, alpha, beta_eff);
        return;
    }
    u->kernel(kpad, ap, bp, tile, nr, alpha, 0.0f);
    for (size_t i = 0; i < mre; i++)
        for (size_t jj = 0; jj < nre; jj++)
            cp[i * ldc + jj] = beta_eff == 0.0f ? tile[i * nr + jj]
                                                : tile[i * nr + jj] + beta_eff * cp[i * ldc + jj];
}

/* One row of micro-tiles (m <= MR) with op(B) = B^T (each column of op(B)
   contiguous in k), for kernels with the ir-outer order (AMX): such a call
   streams B once, and the blocked nest read it one k block at a time, 1 KiB
   of every B row per visit and each row visited k / KC times.  Here a
   thread packs all of A and then, for each of its panels (contiguous
   ranges), the panel's whole depth in one pass over its NR source rows,
   and runs the same kernel calls on the same k blocks in the same order
   (so the same bits as the blocked nest: a panel packed in one piece is the
   concatenation of its k blocks, KC being a multiple of KR), while each C
   tile stays in L1 across its k blocks.  Measured against the blocked nest
   (interleaved calls, medians of 15, m = 32 A*B^T, n x k): 1 thread
   4096 x 4096 +25%, 1024 x 4096 +26%, 4096 x 1024 +13%, 1024 x 1024 +5%
   (m = 8: +35%; A^T*B^T +25%); 2 threads +25%, +19%, +4%, -3%.  Whole-depth
   panels for op(B) = B (a 32-column panel is 64 bytes of each of k source
   rows) measured 12-40% slower: not used there.  Used when A's and one B
   panel's whole depth fit in half of L2. */
/* The calling thread's index in the team and the team's size. */
static inline void team(int *tid, int *nthr)
{
#ifdef _OPENMP
    *tid = omp_get_thread_num();
    *nthr = omp_get_num_threads();
#else
    *tid = 0;
    *nthr = 1;
#endif
}

/* The packing buffers of a call: `ab` bytes for A, `bb` for B (none when
   0), per-thread scratch of the calling thread. */
static lpk_status packing_buffers(size_t ab, size_t bb, unsigned char **a, unsigned char **b)
{
    *b = bb ? lpk_scratch(LPK_SCRATCH_GEMM_B, bb) : NULL;
    *a = lpk_scratch(LPK_SCRATCH_GEMM_A, ab);
    if ((bb && !*b) || !*a)
        return lpk_fail(LPK_ENOMEM, "lpk_gemm: cannot allocate %zu bytes of packing buffers",
                        ab + bb);
    return LPK_OK;
}

static int whole_k_fits(const lpk_gemm_ukr *u, size_t k)
{
    lpk_topology t;
    lpk_get_topology(&t);
    const size_t l2 = t.l2 ? t.l2 : 262144;
    size_t bytes;
    return lpk_size_mul3(u->mr + u->nr, round_up(k, u->kr), u->esize, &bytes) && bytes <= l2 / 2;
}

static lpk_status run_whole_k(const lpk_gemm_ukr *u, const blocking *bl, int nt,
                              const lpk_gemm_view *av, const lpk_gemm_view *bv, size_t m,
                              size_t n, size_t k, float alpha, float beta, float *c, size_t ldc)
{
    const size_t mr = u->mr, nr = u->nr, es = u->esize, kfull = round_up(k, u->kr);
    const size_t abytes = round_up(mr * kfull * es + mr * nr * sizeof(float), 64);
    const size_t bbytes = round_up(nr * kfull * es, 64);
    unsigned char *abuf, *bbuf;
    const lpk_status st = packing_buffers(abytes * (size_t)nt, bbytes * (size_t)nt, &abuf, &bbuf);
    if (st != LPK_OK)
        return st;
    const size_t npanels = (n + nr - 1) / nr;
#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        LPK_FPENV_SCOPE;
        int tid, nthr;
        team(&tid, &nthr);
        unsigned char *apack = abuf + (size_t)tid * abytes, *bpack = bbuf + (size_t)tid * bbytes;
        float *tile = (float *)(apack + mr * kfull * es);
        const size_t p0 = npanels * (size_t)tid / (size_t)nthr;
        const size_t p1 = npanels * ((size_t)tid + 1) / (size_t)nthr;
        if (p0 < p1) {
            if (u->thread_init)
                u->thread_init();
            u->pack_a(av, 0, m, 0, k, apack);
            for (size_t jp = p0; jp < p1; jp++) {
                const size_t j = jp * nr, cols = min_sz(nr, n - j);
                u->pack_b(bv, j, cols, 0, k, bpack);
                for (size_t pc = 0; pc < k; pc += bl->kc)
                    tile_op(u, round_up(min_sz(bl->kc, k - pc), u->kr), apack + pc * mr * es,
                            bpack + pc * nr * es, c + j, ldc, m, cols, alpha,
                            pc == 0 ? beta : 1.0f, tile);
            }
            if (u->thread_fini)
                u->thread_fini();
        }
    }
    return LPK_OK;
}

lpk_status lpk_gemm_run(const lpk_gemm_ukr *u, lpk_trans ta, lpk_trans tb, size_t m, size_t n,
                        size_t k, float alpha, const lpk_bf16 *a, size_t lda,
                        const lpk_bf16 *b, size_t ldb, float beta, float *c, size_t ldc)
{
    return lpk_gemm_run_packed(u, ta, tb, m, n, k, alpha, a, lda, b, ldb, NULL, beta, c, ldc);
}

lpk_status lpk_gemm_run_packed(const lpk_gemm_ukr *u, lpk_trans ta, lpk_trans tb, size_t m,
                               size_t n, size_t k, float alpha, const lpk_bf16 *a, size_t lda,
                               const lpk_bf16 *b, size_t ldb, const void *bpacked, float beta,
                               float *c, size_t ldc)
{
    const size_t mr = u->mr, nr = u->nr, kr = u->kr, es = u->esize;
    const blocking bl = choose_blocking(u, m, n, k);
    /* op(A): rows i, depth p.  op(B)^T: rows j, depth p. */
    const lpk_gemm_view av = {a, ta == LPK_NOTRANS ? lda : 1, ta == LPK_NOTRANS ? 1 : lda};
    const lpk_gemm_view bv = {b, tb == LPK_NOTRANS ? 1 : ldb, tb == LPK_NOTRANS ? ldb : 1};
    const size_t kcp = round_up(bl.kc, kr);
    const size_t bbytes = round_up(round_up(bl.nc, nr) * kcp * es, 64);
    const size_t abytes = round_up(round_up(bl.mc, mr) * kcp * es + mr * nr * sizeof(float), 64);
    const int nt = gemm_threads(m, n, k);
    const int ir_outer = (u->flags & LPK_GEMM_IR_OUTER) != 0;
    if (ir_outer && !bpacked && m <= mr && bv.ps == 1 && whole_k_fits(u, k))
        return run_whole_k(u, &bl, nt, &av, &bv, m, n, k, alpha, beta, c, ldc);
    /* A B block sized to L2 (ir-outer) is packed by each thread for itself,
       only the panels its own work items read, so no thread reads B from
       another core's L2 and the threads never wait for each other.  The
       BLIS-order block (sized to L3) is packed once, shared. */
    const int own_b = ir_outer && nt > 1 && !bpacked;
    /* One row of micro-tiles (m <= MR) on one thread: every B panel meets
       the single A micro-panel once, so packing the whole B block first
       only writes it out to be read back.  Instead B panels are packed into
       a small buffer right before their tiles (fused), and their packing
       overlaps the previous tiles.  Same k blocks and kernels, same bits.
       Measured (interleaved calls, m = 32, n = k = 1024 and 4096, all three
       forms): AMX 2-19% faster, AVX-512 and AVX2 ~11%; with m up to MC it
       was -7% .. +4%, and with two threads (each packing half of B) 4-14%
       slower for two of the three forms, so it is kept to this case. */
    const int fused = !bpacked && nt == 1 && m <= mr;
    /* Panels packed together in fused mode: one, unless each source row
       holds only nr elements of a panel (op(B) = B), where a group of
       panels reads >= 512 contiguous source bytes per row (one panel per
       call read 64 bytes per row and measured 12-55% slower than not
       fusing; a group of 8 panels is 256 KiB and stays in L2). */
    const size_t fgroup = bv.rs == 1 ? (512 / (nr * sizeof(lpk_bf16)) > 1 ? 512 / (nr * sizeof(lpk_bf16)) : 1) : 1;
    const size_t pbytes = round_up(fgroup * kcp * nr * es, 64);
    const size_t bper = fused ? pbytes : bbytes;
    const size_t ball = bper * (fused || own_b ? (size_t)nt : 1);
    unsigned char *abuf, *bbuf;
    const lpk_status st = packing_buffers(abytes * (size_t)nt, bpacked ? 0 : ball, &abuf, &bbuf);
    if (st != LPK_OK)
        return st;
    const size_t bstride = b_block_bytes(u, &bl), npc = (k + bl.kc - 1) / bl.kc;

#ifdef _OPENMP
#pragma omp parallel num_threads(nt)
#endif
    {
        LPK_FPENV_SCOPE;
        int tid, nthr;
        team(&tid, &nthr);
        unsigned char *apack = abuf + (size_t)tid * abytes;
        unsigned char *bown = fused || own_b ? bbuf + (size_t)tid * bper : bbuf;
        float *tile = (float *)(apack + round_up(bl.mc, mr) * kcp * es);
        if (u->thread_init)
            u->thread_init();
        for (size_t jc = 0; jc < n; jc += bl.nc) {
            const size_t nc = min_sz(bl.nc, n - jc);
            const size_t npanels = (nc + nr - 1) / nr;
            /* Work items: MC blocks of rows, each block's NR panels split in
               groups.  Items go to threads in contiguous ranges, the same
               for every k block of this column block.  Row split (one group;
               items row-major): a thread packs its rows of A and all of B.
               Column split (per-thread B only; one group per thread, items
               group-major): all of A and its share of B -- less packing
               when n > m.  With fewer row blocks than threads, row blocks
               are split in groups too. */
            const size_t nic = (m + bl.mc - 1) / bl.mc;
            const int colsplit = own_b && n > m && npanels >= (size_t)nthr;
            size_t groups = 1;
            if (colsplit)
                groups = (size_t)nthr;
            else if (nic < (size_t)nthr)
                groups = min_sz(npanels, ((size_t)nthr + nic - 1) / nic);
            const size_t nitems = nic * groups;
            const size_t it0 = nitems * (size_t)tid / (size_t)nthr;
            const size_t it1 = nitems * ((size_t)tid + 1) / (size_t)nthr;
            /* the panels this thread's items read (own_b) */
            size_t jlo = npanels, jhi = 0;
            for (size_t item = it0; item < it1; item++) {
                const size_t g = colsplit ? item / nic : item % groups;
                jlo = min_sz(jlo, g * npanels / groups);
                jhi = jhi > (g + 1) * npanels / groups ? jhi : (g + 1) * npanels / groups;
            }
            for (size_t pc = 0; pc < k; pc += bl.kc) {
                const size_t kc = min_sz(bl.kc, k - pc), kpad = round_up(kc, kr);
                const float beta_eff = pc == 0 ? beta : 1.0f;
                /* the B block: pre-packed, packed by this thread for itself,
                   or packed once by all threads together */
                const unsigned char *bblk =
                    bpacked ? (const unsigned char *)bpacked + (jc / bl.nc * npc + pc / bl.kc) * bstride
                            : bown;
                /* one packing call per thread for a contiguous range of
                   panels, so a packing routine can walk the source in the
                   order it prefers */
                if (fused) {
                    /* packed panel by panel below */
                } else if (own_b) {
                    if (jlo < jhi)
                        u->pack_b(&bv, jc + jlo * nr, min_sz((jhi - jlo) * nr, nc - jlo * nr), pc,
                                  kc, bown + jlo * kpad * nr * es);
                } else if (!bpacked) {
                    const size_t p0 = npanels * (size_t)tid / (size_t)nthr;
                    const size_t p1 = npanels * ((size_t)tid + 1) / (size_t)nthr;
#ifdef _OPENMP
#pragma omp barrier
#endif
                    if (p0 < p1)
                        u->pack_b(&bv, jc + p0 * nr, min_sz((p1 - p0) * nr, nc - p0 * nr), pc, kc,
                                  bbuf + p0 * kpad * nr * es);
#ifdef _OPENMP
#pragma omp barrier
#endif
                }
                for (size_t item = it0; item < it1; item++) {
                    const size_t ic = (colsplit ? item % nic : item / groups) * bl.mc;
                    const size_t g = colsplit ? item / nic : item % groups;
                    const size_t mc = min_sz(bl.mc, m - ic);
                    const size_t jp0 = g * npanels / groups, jp1 = (g + 1) * npanels / groups;
                    u->pack_a(&av, ic, mc, pc, kc, apack);
                    const size_t nir = (mc + mr - 1) / mr, njr = jp1 - jp0;
                    if (fused) {
                        for (size_t jg = jp0; jg < jp1; jg += fgroup) {
                            const size_t cnt = min_sz(fgroup, jp1 - jg);
                            u->pack_b(&bv, jc + jg * nr, min_sz(cnt * nr, nc - jg * nr), pc, kc,
                                      bown);
                            for (size_t jp = jg; jp < jg + cnt; jp++) {
                                const size_t j = jc + jp * nr;
                                for (size_t ir = 0; ir < mc; ir += mr)
                                    tile_op(u, kpad, apack + ir * kpad * es,
                                            bown + (jp - jg) * kpad * nr * es,
                                            c + (ic + ir) * ldc + j, ldc, min_sz(mr, mc - ir),
                                            min_sz(nr, n - j), alpha, beta_eff, tile);
                            }
                        }
                        continue;
                    }
                    for (size_t x = 0; x < nir * njr; x++) {
                        const size_t ir = (ir_outer ? x / njr : x % nir) * mr;
                        const size_t jp = jp0 + (ir_outer ? x % njr : x / nir);
                        const size_t j = jc + jp * nr;
                        tile_op(u, kpad, apack + ir * kpad * es, bblk + jp * kpad * nr * es,
                                c + (ic + ir) * ldc + j, ldc, min_sz(mr, mc - ir),
                                min_sz(nr, n - j), alpha, beta_eff, tile);
                    }
                }
            }
        }
        if (u->thread_fini)
            u->thread_fini();
        (void)tid;
    }
    return LPK_OK;
}
