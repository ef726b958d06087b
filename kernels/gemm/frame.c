/* SPDX-License-Identifier: Apache-2.0 */
/* The blocked GEMM loop nest (BLIS order), once for every micro-kernel:
     for jc in n step NC:            B block (kc x nc) packed
       for pc in k step KC:
         for (ic, jr-group) items:   threads; A block (mc x kc) packed per item
           for jr in nc step NR:     B micro-panel stays in L1
             for ir in mc step MR:   A micro-panels stream from L2
               micro-kernel, or an edge tile through a scratch tile
   A planner (plan_gemm) turns the kernel's block sizes (data in its
   descriptor, gemm.h), the shape, the thread count and the cache sizes into
   a plan: the blocking, the packing buffers and one of five strategies,
   each a function below that differs only in how B reaches the tiles:
   shared (packed once by all threads, barriers), own (each thread packs the
   panels its items read: ir-outer kernels, gemm.h), pre-packed, fused (one
   row of tiles on one thread: B panels packed right before their tiles) and
   whole-k (one row of tiles times B^T on an ir-outer kernel: whole-depth
   panels).  Why each exists: perf/RESULTS-archive.md, section "frame.c".
   Every strategy makes the same kernel calls on the same k blocks in k
   order; work items go to threads in fixed contiguous ranges, the same for
   every k block, so each C tile is accumulated by one thread.  The depth
   block kc never depends on the thread count (the row block mc may: it
   does not change any sum), so the order of every C element's k-sum, hence
   the result, is the same for any strategy and any number of threads.
   Packing buffers are per-thread scratch kept across calls (lpk_scratch). */
#include <stdlib.h>
#include <string.h>

#include "gemm.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }
static size_t min_sz(size_t a, size_t b) { return a < b ? a : b; }
static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

/* ---- the planner ---------------------------------------------------------- */

typedef struct {
    size_t l1, l2, l3; /* bytes: per-core L1d and L2, L3 as reported */
} cache_sizes;

static cache_sizes caches(void)
{
    lpk_topology t;
    lpk_get_topology(&t);
    const cache_sizes c = {t.l1d ? t.l1d : 32768, t.l2 ? t.l2 : 262144,
                           t.l3 ? t.l3 : 4194304};
    return c;
}

typedef struct {
    size_t mc, nc, kc;
} blocking;

/* One block size from its rule (gemm.h): `unit` bytes per element of the
   block, rounded down to `step`, at least `least`, at most dim rounded up. */
static size_t block_size(const lpk_gemm_bsize *r, const cache_sizes *cs, size_t unit,
                         size_t step, size_t least, size_t dim)
{
    size_t x = r->fixed;
    if (!x) {
        const size_t cache = r->level == 1 ? cs->l1 : r->level == 2 ? cs->l2 : cs->l3;
        x = cache / (r->share ? r->share : 1) / unit;
    }
    return min_sz(max_sz(x / step * step, least), round_up(dim, step));
}

static blocking choose_blocking(const lpk_gemm_ukr *u, size_t m, size_t n, size_t k,
                                const cache_sizes *cs)
{
    /* the descriptor's rules, or this CPU's entry of the per-CPU table */
    const lpk_gemm_blocking *r = lpk_gemm_cpu_blocks(u);
    blocking b;
    b.kc = block_size(&r->kc, cs, (size_t)u->nr * u->esize, u->kr, (size_t)u->kr * 8, k);
    b.mc = block_size(&r->mc, cs, b.kc * u->esize, u->mr, u->mr, m);
    b.nc = block_size(&r->nc, cs, b.kc * u->esize, u->nr, u->nr, n);
    return b;
}

typedef enum {
    STRAT_SHARED_B,  /* B block packed once by all threads together */
    STRAT_OWN_B,     /* each thread packs the B panels its items read */
    STRAT_PREPACKED, /* B packed beforehand (lpk_gemm_pack_b_all) */
    STRAT_FUSED,     /* one row of tiles, one thread: B packed per panel group */
    STRAT_WHOLE_K,   /* one row of tiles times B^T: whole-depth panels */
    STRAT_COUNT
} strategy;

typedef struct {
    size_t m, n, k;
    int b_rows_contig;  /* op(B)^T rows contiguous: op(B) = B */
    int b_depth_contig; /* op(B) columns contiguous in k: op(B) = B^T */
    int b_prepacked;
} gemm_shape;

typedef struct {
    strategy strat;
    int nthreads;
    blocking bl;
    size_t a_tile_off; /* the edge tile's offset in a thread's A buffer */
    size_t a_bytes;    /* one thread's A buffer: packed A + edge tile */
    size_t b_bytes;    /* one B buffer */
    size_t b_count;    /* B buffers: 0, 1 (shared) or one per thread */
    size_t fgroup;     /* STRAT_FUSED: B panels packed per call */
} gemm_plan;

static int whole_k_fits(const lpk_gemm_ukr *u, size_t k, const cache_sizes *cs)
{
    size_t bytes;
    return lpk_size_mul3(u->mr + u->nr, round_up(k, u->kr), u->esize, &bytes) &&
           bytes <= cs->l2 / 2;
}

/* Row blocks of equal size (multiples of mr), and with several threads a
   multiple of the thread count of them when there are rows enough for every
   thread to own whole row blocks: the cache-derived mc alone can leave one
   thread a sliver (m = 256 with mc = 252 split 252 + 4 rows on 2 threads).
   mc never changes a result (only kc orders the k-sums), so it may depend on
   the thread count.  Not for ir-outer kernels, whose mc is one micro-panel. */
static size_t balanced_mc(const lpk_gemm_ukr *u, size_t m, size_t mc, int nthreads)
{
    const size_t mr = u->mr, nt = (size_t)nthreads;
    if (u->flags & LPK_GEMM_IR_OUTER)
        return mc;
    size_t nic = (m + mc - 1) / mc;
    if (nt > 1 && m >= nt * 4 * mr)
        nic = round_up(max_sz(nic, nt), nt);
    return round_up((m + nic - 1) / nic, mr);
}

static gemm_plan plan_gemm(const lpk_gemm_ukr *u, const gemm_shape *s, int nthreads,
                           const cache_sizes *cs)
{
    const size_t mr = u->mr, nr = u->nr, es = u->esize, tile = mr * nr * sizeof(float);
    const int ir_outer = (u->flags & LPK_GEMM_IR_OUTER) != 0;
    gemm_plan p = {.nthreads = nthreads, .bl = choose_blocking(u, s->m, s->n, s->k, cs)};
    p.bl.mc = balanced_mc(u, s->m, p.bl.mc, nthreads);
    /* Whole-k: a call that streams B once (one row of tiles), with each
       panel's source rows contiguous in depth; not for op(B) = B, where a
       panel is a short piece of each of k source rows (measured slower). */
    if (ir_outer && !s->b_prepacked && s->m <= mr && s->b_depth_contig &&
        whole_k_fits(u, s->k, cs)) {
        const size_t kfull = round_up(s->k, u->kr);
        p.strat = STRAT_WHOLE_K;
        p.a_tile_off = mr * kfull * es;
        p.a_bytes = round_up(p.a_tile_off + tile, 64);
        p.b_bytes = round_up(nr * kfull * es, 64);
        p.b_count = (size_t)nthreads;
        return p;
    }
    const size_t kcp = round_up(p.bl.kc, u->kr);
    p.a_tile_off = round_up(p.bl.mc, mr) * kcp * es;
    p.a_bytes = round_up(p.a_tile_off + tile, 64);
    p.b_bytes = round_up(round_up(p.bl.nc, nr) * kcp * es, 64);
    if (s->b_prepacked) {
        p.strat = STRAT_PREPACKED;
        p.b_count = 0;
    } else if (nthreads == 1 && s->m <= mr) {
        /* Fused, kept to one row of tiles on one thread (more rows or two
           threads measured no faster or slower).  A group of panels when
           each source row holds only nr elements of a panel (op(B) = B):
           >= 512 contiguous source bytes per row. */
        p.strat = STRAT_FUSED;
        p.fgroup = s->b_rows_contig ? max_sz(512 / (nr * sizeof(lpk_bf16)), 1) : 1;
        p.b_bytes = round_up(p.fgroup * kcp * nr * es, 64);
        p.b_count = 1;
    } else if (ir_outer && nthreads > 1) {
        /* a B block sized to L2 is read from this core's L2 only */
        p.strat = STRAT_OWN_B;
        p.b_count = (size_t)nthreads;
    } else {
        p.strat = STRAT_SHARED_B;
        p.b_count = 1;
    }
    return p;
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

/* ---- pre-packed B ------------------------------------------------------ */

/* Bytes of one packed B block (kc x nc, padded): the stride between blocks
   of a pre-packed B.  Depends on u, n and k only, as kc and nc do. */
static size_t b_block_bytes(const lpk_gemm_ukr *u, const blocking *bl)
{
    return round_up(round_up(bl->nc, u->nr) * round_up(bl->kc, u->kr) * u->esize, 64);
}

int lpk_gemm_packed_b_bytes(const lpk_gemm_ukr *u, size_t n, size_t k, size_t *bytes)
{
    const cache_sizes cs = caches();
    const blocking bl = choose_blocking(u, 1, n, k, &cs);
    return lpk_size_mul3((n + bl.nc - 1) / bl.nc, (k + bl.kc - 1) / bl.kc, b_block_bytes(u, &bl),
                         bytes);
}

void lpk_gemm_pack_b_all(const lpk_gemm_ukr *u, lpk_trans tb, size_t n, size_t k,
                         const lpk_bf16 *b, size_t ldb, void *dst)
{
    const cache_sizes cs = caches();
    const blocking bl = choose_blocking(u, 1, n, k, &cs);
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

/* ---- the tile loops every strategy shares ------------------------------ */

typedef struct {
    const lpk_gemm_ukr *u;
    const gemm_plan *p;
    lpk_gemm_view av, bv; /* op(A): rows i, depth p.  op(B)^T: rows j, depth p. */
    size_t m, n, k, ldc;
    float alpha, beta;
    float *c;
    const unsigned char *bpacked;
} gemm_job;

/* One thread's buffers: its packed A block, the edge tile, and the B
   buffer it packs into (its own, or the shared one). */
typedef struct {
    unsigned char *apack, *bpack;
    float *tile;
} thread_bufs;

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

/* The tiles of a packed A block (rows ic .. ic+mc) against the packed B
   panels jp0 .. jp1 of column block jc, panel jp0 at `bp`: jr outer (BLIS)
   or ir outer (LPK_GEMM_IR_OUTER). */
static void macro_tiles(const gemm_job *j, const thread_bufs *t, size_t ic, size_t mc,
                        const unsigned char *bp, size_t jc, size_t jp0, size_t jp1, size_t kpad,
                        float beta_eff)
{
    const lpk_gemm_ukr *u = j->u;
    const size_t mr = u->mr, nr = u->nr, es = u->esize;
    const int ir_outer = (u->flags & LPK_GEMM_IR_OUTER) != 0;
    const size_t nir = (mc + mr - 1) / mr, njr = jp1 - jp0;
    for (size_t x = 0; x < nir * njr; x++) {
        const size_t ir = (ir_outer ? x / njr : x % nir) * mr;
        const size_t jq = ir_outer ? x % njr : x / nir, col = jc + (jp0 + jq) * nr;
        tile_op(u, kpad, t->apack + ir * kpad * es, bp + jq * kpad * nr * es,
                j->c + (ic + ir) * j->ldc + col, j->ldc, min_sz(mr, mc - ir),
                min_sz(nr, j->n - col), j->alpha, beta_eff, t->tile);
    }
}

/* Work items of one column block (npanels B panels): MC blocks of rows,
   each block's panels split in groups.  Items go to threads in contiguous
   ranges, the same for every k block.  Row split (items row-major): a
   thread packs its rows of A.  Column split (own B only, n > m; one group
   per thread, items group-major): all of A and its share of B.  With fewer
   row blocks than threads, row blocks are split in groups too. */
typedef struct {
    size_t nic, groups, npanels, it0, it1;
    int colsplit;
} item_split;

static item_split split_items(const gemm_job *j, size_t npanels, int may_colsplit, int tid,
                              int nthr)
{
    item_split s = {.nic = (j->m + j->p->bl.mc - 1) / j->p->bl.mc, .groups = 1,
                    .npanels = npanels};
    s.colsplit = may_colsplit && j->n > j->m && npanels >= (size_t)nthr;
    if (s.colsplit)
        s.groups = (size_t)nthr;
    else if (s.nic < (size_t)nthr)
        s.groups = min_sz(npanels, ((size_t)nthr + s.nic - 1) / s.nic);
    const size_t nitems = s.nic * s.groups;
    s.it0 = nitems * (size_t)tid / (size_t)nthr;
    s.it1 = nitems * ((size_t)tid + 1) / (size_t)nthr;
    return s;
}

static size_t item_group(const item_split *s, size_t item)
{
    return s->colsplit ? item / s->nic : item % s->groups;
}

static size_t item_row_block(const item_split *s, size_t item)
{
    return s->colsplit ? item % s->nic : item / s->groups;
}

/* A thread's items on k block pc of column block jc, B block at bblk. */
static void run_items(const gemm_job *j, const thread_bufs *t, const item_split *s, size_t jc,
                      size_t pc, size_t kc, const unsigned char *bblk)
{
    const lpk_gemm_ukr *u = j->u;
    const size_t kpad = round_up(kc, u->kr), bmc = j->p->bl.mc;
    for (size_t item = s->it0; item < s->it1; item++) {
        const size_t ic = item_row_block(s, item) * bmc, mc = min_sz(bmc, j->m - ic);
        const size_t g = item_group(s, item);
        const size_t jp0 = g * s->npanels / s->groups, jp1 = (g + 1) * s->npanels / s->groups;
        u->pack_a(&j->av, ic, mc, pc, kc, t->apack);
        macro_tiles(j, t, ic, mc, bblk + jp0 * kpad * u->nr * u->esize, jc, jp0, jp1, kpad,
                    pc == 0 ? j->beta : 1.0f);
    }
}

/* Packs panels [p0, p1) of the B block (jc, pc) into dst (panel p0 first). */
static void pack_b_panels(const gemm_job *j, size_t jc, size_t nc, size_t pc, size_t kc,
                          size_t p0, size_t p1, unsigned char *dst)
{
    const size_t nr = j->u->nr;
    j->u->pack_b(&j->bv, jc + p0 * nr, min_sz((p1 - p0) * nr, nc - p0 * nr), pc, kc, dst);
}

/* ---- the strategies: one per function ---------------------------------- */

typedef void strategy_fn(const gemm_job *j, const thread_bufs *t, int tid, int nthr);

/* The B block packed once by all threads together, each a contiguous range
   of panels (one packing call, so the routine walks the source in the
   order it prefers), between barriers. */
static void var_shared_b(const gemm_job *j, const thread_bufs *t, int tid, int nthr)
{
    const blocking *bl = &j->p->bl;
    const size_t kpanel = j->u->nr * j->u->esize;
    for (size_t jc = 0; jc < j->n; jc += bl->nc) {
        const size_t nc = min_sz(bl->nc, j->n - jc), npanels = (nc + j->u->nr - 1) / j->u->nr;
        const item_split s = split_items(j, npanels, 0, tid, nthr);
        const size_t p0 = npanels * (size_t)tid / (size_t)nthr;
        const size_t p1 = npanels * ((size_t)tid + 1) / (size_t)nthr;
        for (size_t pc = 0; pc < j->k; pc += bl->kc) {
            const size_t kc = min_sz(bl->kc, j->k - pc), kpad = round_up(kc, j->u->kr);
#ifdef _OPENMP
#pragma omp barrier
#endif
            if (p0 < p1)
                pack_b_panels(j, jc, nc, pc, kc, p0, p1, t->bpack + p0 * kpad * kpanel);
#ifdef _OPENMP
#pragma omp barrier
#endif
            run_items(j, t, &s, jc, pc, kc, t->bpack);
        }
    }
}

/* Each thread packs, into its own buffer, only the panels its items read:
   no thread reads B from another core's L2 and none waits for another. */
static void var_own_b(const gemm_job *j, const thread_bufs *t, int tid, int nthr)
{
    const blocking *bl = &j->p->bl;
    const size_t kpanel = j->u->nr * j->u->esize;
    for (size_t jc = 0; jc < j->n; jc += bl->nc) {
        const size_t nc = min_sz(bl->nc, j->n - jc), npanels = (nc + j->u->nr - 1) / j->u->nr;
        const item_split s = split_items(j, npanels, 1, tid, nthr);
        size_t jlo = npanels, jhi = 0;
        for (size_t item = s.it0; item < s.it1; item++) {
            const size_t g = item_group(&s, item);
            jlo = min_sz(jlo, g * npanels / s.groups);
            jhi = max_sz(jhi, (g + 1) * npanels / s.groups);
        }
        for (size_t pc = 0; pc < j->k; pc += bl->kc) {
            const size_t kc = min_sz(bl->kc, j->k - pc), kpad = round_up(kc, j->u->kr);
            if (jlo < jhi)
                pack_b_panels(j, jc, nc, pc, kc, jlo, jhi, t->bpack + jlo * kpad * kpanel);
            run_items(j, t, &s, jc, pc, kc, t->bpack);
        }
    }
}

/* B packed beforehand: every (nc x kc) block at a fixed stride. */
static void var_prepacked(const gemm_job *j, const thread_bufs *t, int tid, int nthr)
{
    const blocking *bl = &j->p->bl;
    const size_t stride = b_block_bytes(j->u, bl), npc = (j->k + bl->kc - 1) / bl->kc;
    for (size_t jc = 0; jc < j->n; jc += bl->nc) {
        const size_t nc = min_sz(bl->nc, j->n - jc), npanels = (nc + j->u->nr - 1) / j->u->nr;
        const item_split s = split_items(j, npanels, 0, tid, nthr);
        for (size_t pc = 0; pc < j->k; pc += bl->kc)
            run_items(j, t, &s, jc, pc, min_sz(bl->kc, j->k - pc),
                      j->bpacked + (jc / bl->nc * npc + pc / bl->kc) * stride);
    }
}

/* One row of tiles on one thread: every B panel meets the single A
   micro-panel once, so packing the whole B block first would only write it
   out to be read back.  B panels are packed in groups right before their
   tiles, and their packing overlaps the previous tiles. */
static void var_fused(const gemm_job *j, const thread_bufs *t, int tid, int nthr)
{
    const blocking *bl = &j->p->bl;
    const size_t nr = j->u->nr, fgroup = j->p->fgroup;
    for (size_t jc = 0; jc < j->n; jc += bl->nc) {
        const size_t nc = min_sz(bl->nc, j->n - jc), npanels = (nc + nr - 1) / nr;
        for (size_t pc = 0; pc < j->k; pc += bl->kc) {
            const size_t kc = min_sz(bl->kc, j->k - pc), kpad = round_up(kc, j->u->kr);
            j->u->pack_a(&j->av, 0, j->m, pc, kc, t->apack);
            for (size_t jg = 0; jg < npanels; jg += fgroup) {
                const size_t jg1 = min_sz(jg + fgroup, npanels);
                pack_b_panels(j, jc, nc, pc, kc, jg, jg1, t->bpack);
                macro_tiles(j, t, 0, j->m, t->bpack, jc, jg, jg1, kpad, pc == 0 ? j->beta : 1.0f);
            }
        }
    }
}

/* One row of tiles (m <= MR) times op(B) = B^T on an ir-outer kernel: the
   blocked nest would read B one k block at a time, a short piece of every
   source row per visit.  Here a thread packs all of A, then each of its
   panels (a contiguous range) at its whole depth in one pass over its NR
   source rows, and runs the same kernel calls on the same k blocks (a
   panel packed in one piece is the concatenation of its k blocks, KC being
   a multiple of KR), while each C tile stays in L1 across its k blocks. */
static void var_whole_k(const gemm_job *j, const thread_bufs *t, int tid, int nthr)
{
    const lpk_gemm_ukr *u = j->u;
    const size_t mr = u->mr, nr = u->nr, es = u->esize, bkc = j->p->bl.kc;
    const size_t npanels = (j->n + nr - 1) / nr;
    const size_t p0 = npanels * (size_t)tid / (size_t)nthr;
    const size_t p1 = npanels * ((size_t)tid + 1) / (size_t)nthr;
    if (p0 < p1)
        u->pack_a(&j->av, 0, j->m, 0, j->k, t->apack);
    for (size_t jp = p0; jp < p1; jp++) {
        const size_t col = jp * nr, cols = min_sz(nr, j->n - col);
        u->pack_b(&j->bv, col, cols, 0, j->k, t->bpack);
        for (size_t pc = 0; pc < j->k; pc += bkc)
            tile_op(u, round_up(min_sz(bkc, j->k - pc), u->kr), t->apack + pc * mr * es,
                    t->bpack + pc * nr * es, j->c + col, j->ldc, j->m, cols, j->alpha,
                    pc == 0 ? j->beta : 1.0f, t->tile);
    }
}

static strategy_fn *const strategies[STRAT_COUNT] = {
    [STRAT_SHARED_B] = var_shared_b, [STRAT_OWN_B] = var_own_b,
    [STRAT_PREPACKED] = var_prepacked, [STRAT_FUSED] = var_fused,
    [STRAT_WHOLE_K] = var_whole_k,
};

/* ---- a call ------------------------------------------------------------ */

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
    const lpk_gemm_view av = {a, ta == LPK_NOTRANS ? lda : 1, ta == LPK_NOTRANS ? 1 : lda};
    const lpk_gemm_view bv = {b, tb == LPK_NOTRANS ? 1 : ldb, tb == LPK_NOTRANS ? ldb : 1};
    const gemm_shape shape = {m, n, k, bv.rs == 1, bv.ps == 1, bpacked != NULL};
    const cache_sizes cs = caches();
    const gemm_plan p = plan_gemm(u, &shape, gemm_threads(m, n, k), &cs);
    const gemm_job j = {u, &p, av, bv, m, n, k, ldc, alpha, beta, c, bpacked};
    unsigned char *abuf, *bbuf;
    const lpk_status st = packing_buffers(p.a_bytes * (size_t)p.nthreads, p.b_bytes * p.b_count,
                                          &abuf, &bbuf);
    if (st != LPK_OK)
        return st;
    strategy_fn *const run = strategies[p.strat];
#ifdef _OPENMP
#pragma omp parallel num_threads(p.nthreads)
#endif
    {
        LPK_FPENV_SCOPE;
        int tid, nthr;
        team(&tid, &nthr);
        unsigned char *apack = abuf + (size_t)tid * p.a_bytes;
        const thread_bufs t = {apack, p.b_count > 1 ? bbuf + (size_t)tid * p.b_bytes : bbuf,
                               (float *)(apack + p.a_tile_off)};
        if (u->thread_init)
            u->thread_init();
        run(&j, &t, tid, nthr);
        if (u->thread_fini)
            u->thread_fini();
    }
    return LPK_OK;
}
