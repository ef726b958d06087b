/* SPDX-License-Identifier: Apache-2.0 */
/* Optimizer-update benchmark: every runnable variant of update.sgd /
   update.adamw (walked from the kernel tables), the dispatched public call,
   and memcpy of the same traffic in the same run, for SGD nearest / SR /
   Kahan / fp32 without and with momentum and AdamW Kahan, bf16 gradients,
   at an in-cache size and a DRAM size.  Every case that draws random bits
   runs twice, side by side: Philox4x32-10 (the name as is) and ARS-7
   (LPK_UPDATE_RNG_ARS, the name + " ars"; above 1M elements only on the
   AES tiers and the dispatched call there, software ARS with --ref).  One JSON line per measurement.

   Traffic counts the bytes each step must read and write per element, e.g.
   SGD Kahan without momentum reads w, comp, grad and writes w, comp:
   6 + 4 = 10 bytes.  The memcpy row copies traffic/2 bytes (read + write =
   the same traffic), so ratio_memcpy = t_memcpy / t_kernel is the ratio of
   bandwidths.  Single-thread rows also give the same figures from the
   thread's CPU time (cpu_*), which a loaded shared machine disturbs less.

   --pairs REPS: instead of the tables, the dispatched call of each case
   against memcpy of the same traffic and against the same streams without
   arithmetic (pattern(), below), in REPS rounds in one process whose
   order rotates (ab_order); prints the median of the per-round ratios
   against memcpy with their min / max, and against the pattern
   ("bench":"update_pairs" rows).  At DRAM sizes the sides see the same
   neighbours on a shared host only this way.

   --multi: instead, a whole model's parameter list (a 12-layer transformer,
   d = 768: per layer 4 attention matrices 768x768 and their biases, the MLP's
   768x3072 and 3072x768 and biases, 2 layernorms' weight and bias; 192
   tensors, 85.1M parameters), one lpk_*_step_multi call against a loop of
   per-tensor calls, on 1 and 2 threads ("bench":"update_multi" rows; the
   memcpy figure is one thread copying the same traffic).

   usage: bench_update [--threads N] [--sizes n1,n2,...] [--only TEXT] [--quick] [--ref]
                       [--multi] [--pairs REPS]
     --threads N  threads of the public-API rows (variants run on 1 thread)
     --only TEXT  only the cases whose name contains TEXT (e.g. "sgd kahan")
     --ref        also time the scalar reference at sizes above 1M elements
     --multi      the multi-tensor comparison above (--only filters it too)
     --pairs REPS the alternating comparison above (--only and --sizes apply) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ab_util.h"
#include "benchutil.h"
#include "update_cases.h"
#include "lpk_internal.h"
#include "update/update.h"


typedef struct {
    const update_case *c;
    const lpk_variant *v; /* NULL: the public API */
    lpk_upd_bufs b;
    lpk_upd_sgd_k sk;
    lpk_upd_adamw_k ak;
    lpk_sgd_params sp;
    lpk_adamw_params ap;
    lpk_opt_tensor t;
} job;

static void run(void *p)
{
    job *j = p;
    if (j->v) {
        if (j->c->adamw)
            LPK_FN(lpk_op_update_adamw, j->v)(&j->b, &j->ak);
        else
            LPK_FN(lpk_op_update_sgd, j->v)(&j->b, &j->sk);
    } else {
        const lpk_status st = j->c->adamw ? lpk_adamw_step(&j->ap, j->c->mode, &j->t, 42, 0)
                                          : lpk_sgd_step(&j->sp, j->c->mode, &j->t, 42, 0);
        if (st != LPK_OK) {
            fprintf(stderr, "bench_update: %s\n", lpk_last_error());
            exit(1);
        }
    }
    __asm__ volatile("" ::: "memory");
}

/* Wall-clock and thread-CPU-time medians of fn(ctx) (bu_time_cpu): single
   thread rows report both. */
typedef struct {
    double wall, cpu;
} times;

static times time_both(void (*fn)(void *), void *ctx, int samples, double min_s)
{
    times t;
    t.wall = bu_time_cpu(fn, ctx, samples, min_s, &t.cpu);
    return t;
}

/* ---- the multi-tensor case ------------------------------------------------ */

/* A transformer's parameter shapes (elements per tensor); returns the count. */
static size_t transformer_shapes(size_t *out, int layers, size_t d)
{
    size_t k = 0;
    for (int l = 0; l < layers; l++) {
        for (int q = 0; q < 4; q++) { /* Wq, Wk, Wv, Wo and biases */
            out[k++] = d * d;
            out[k++] = d;
        }
        out[k++] = d * 4 * d; /* MLP up, bias, down, bias */
        out[k++] = 4 * d;
        out[k++] = 4 * d * d;
        out[k++] = d;
        for (int q = 0; q < 4; q++) /* 2 layernorms: weight, bias */
            out[k++] = d;
    }
    return k;
}

typedef struct {
    const update_case *c;
    int use_multi;
    lpk_opt_tensor *t;
    uint64_t *off;
    size_t count;
} mjob;

static void run_multi(void *p)
{
    const mjob *j = p;
    const lpk_sgd_params sp = {1e-3f, 0.9f, 0.0f, 0.0f, 0, 10};
    const lpk_adamw_params ap = {1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 10};
    const lpk_update_mode mode = (lpk_update_mode)j->c->mode;
    lpk_status st = LPK_OK;
    if (j->use_multi)
        st = j->c->adamw ? lpk_adamw_step_multi(&ap, mode, j->t, j->count, 42, j->off)
                         : lpk_sgd_step_multi(&sp, mode, j->t, j->count, 42, j->off);
    for (size_t i = 0; !j->use_multi && i < j->count && st == LPK_OK; i++)
        st = j->c->adamw ? lpk_adamw_step(&ap, mode, &j->t[i], 42, j->off[i])
                         : lpk_sgd_step(&sp, mode, &j->t[i], 42, j->off[i]);
    if (st != LPK_OK) {
        fprintf(stderr, "bench_update: %s\n", lpk_last_error());
        exit(1);
    }
    __asm__ volatile("" ::: "memory");
}

/* The model's parameters in one block per buffer kind (bf16 modes only). */
static int bench_multi(const char *only, int quick)
{
    size_t shape[16 * 12];
    const size_t count = transformer_shapes(shape, 12, 768);
    size_t total = 0;
    for (size_t i = 0; i < count; i++)
        total += shape[i];
    lpk_bf16 *w = bu_alloc(total * 2), *comp = bu_alloc(total * 2), *g = bu_alloc(total * 2);
    lpk_bf16 *m = bu_alloc(total * 2), *v = bu_alloc(total * 2);
    unsigned char *ma = bu_alloc(total * 9), *mb = bu_alloc(total * 9);
    lpk_opt_tensor t[16 * 12];
    uint64_t off[16 * 12];
    for (size_t i = 0; i < total; i++) {
        w[i] = (lpk_bf16)(0x3C00u + (i * 2654435761u >> 20 & 0x3FFu));
        g[i] = (lpk_bf16)(0x3C23u ^ (i * 40503u >> 8 & 0x807Fu));
    }
    const int samples = quick ? 3 : 5;
    const double min_s = quick ? 0.05 : 0.2;
    static const char *const names[] = {"sgd+momentum kahan", "sgd+momentum f32_nearest",
                                        "adamw kahan", "adamw f32_stochastic", "adamw f32_kahan",
                                        "adamw f32_stochastic+state_sr"};
    for (size_t mi = 0; mi < sizeof cases / sizeof cases[0]; mi++) {
        const update_case *bc = &cases[mi];
        int listed = 0;
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
            listed |= !strcmp(bc->name, names[k]);
        if (!listed || (only && !strstr(bc->name, only)))
            continue;
        const int base = bc->mode & ~(LPK_UPDATE_STATE_SR | LPK_UPDATE_RNG_ARS);
        const int kahan = base == LPK_UPDATE_KAHAN || base == LPK_UPDATE_F32_KAHAN;
        for (size_t i = 0, at = 0; i < count; at += shape[i++]) {
            t[i] = (lpk_opt_tensor){shape[i], w + at, kahan ? comp + at : NULL, NULL, g + at, NULL,
                                    m + at, bc->adamw ? v + at : NULL, NULL, NULL};
            off[i] = at;
        }
        times tm;
        tm.wall = bu_memcpy_time_cpu(mb, ma, total * (size_t)bc->bytes / 2, samples, min_s,
                                     &tm.cpu);
        for (int th = 1; th <= 2; th++) {
            lpk_set_num_threads(th);
            for (int um = 1; um >= 0; um--) {
                mjob j = {bc, um, t, off, count};
                const times tt = time_both(run_multi, &j, samples, min_s);
                const double bytes = (double)bc->bytes * (double)total;
                printf("{\"bench\":\"update_multi\",\"op\":\"%s\",\"model\":\"transformer 12x768\","
                       "\"tensors\":%zu,\"n\":%zu,\"call\":\"%s\",\"threads\":%d,"
                       "\"bytes_per_elem\":%d,\"median_s\":%.6e,\"gelem_s\":%.3f,\"gb_s\":%.2f,"
                       "\"memcpy_gb_s\":%.2f,\"ratio_memcpy\":%.3f,\"isa\":\"%s\"}\n",
                       bc->name, count, total, um ? "multi" : "loop", th, bc->bytes, tt.wall,
                       (double)total / tt.wall * 1e-9, bytes / tt.wall * 1e-9,
                       bytes / tm.wall * 1e-9, tm.wall / tt.wall, lpk_isa());
                fflush(stdout);
            }
        }
    }
    free(w); free(comp); free(g); free(m); free(v); free(ma); free(mb);
    return 0;
}

static void emit(const update_case *c, const char *variant, const char *tier, size_t n, int threads,
                 times t, times t_memcpy)
{
    const double bytes = (double)c->bytes * (double)n;
    printf("{\"bench\":\"update\",\"op\":\"%s\",\"variant\":\"%s\",\"tier\":\"%s\",\"n\":%zu,"
           "\"level\":\"%s\",\"threads\":%d,\"bytes_per_elem\":%d,\"median_s\":%.6e,"
           "\"gelem_s\":%.3f,\"gb_s\":%.2f,\"memcpy_gb_s\":%.2f,\"ratio_memcpy\":%.3f",
           c->name, variant, tier, n, bu_level((size_t)bytes), threads, c->bytes, t.wall,
           (double)n / t.wall * 1e-9, bytes / t.wall * 1e-9, bytes / t_memcpy.wall * 1e-9,
           t_memcpy.wall / t.wall);
    if (threads == 1)
        printf(",\"cpu_median_s\":%.6e,\"cpu_gelem_s\":%.3f,\"cpu_gb_s\":%.2f,"
               "\"cpu_memcpy_gb_s\":%.2f,\"cpu_ratio_memcpy\":%.3f",
               t.cpu, (double)n / t.cpu * 1e-9, bytes / t.cpu * 1e-9,
               bytes / t_memcpy.cpu * 1e-9, t_memcpy.cpu / t.cpu);
    printf("}\n");
    fflush(stdout);
}

/* The step's buffers at one size (weights in [-1, 1), gradients ~1e-2). */
typedef struct {
    size_t n;
    lpk_bf16 *w, *comp, *g, *m, *v;
    float *master, *m32, *v32;
    unsigned char *ma, *mb; /* memcpy source and destination */
} bufs;

static void bufs_init(bufs *b, size_t n)
{
    b->n = n;
    b->w = bu_alloc(n * 2), b->comp = bu_alloc(n * 2), b->g = bu_alloc(n * 2);
    b->m = bu_alloc(n * 2), b->v = bu_alloc(n * 2);
    b->master = bu_alloc(n * 4), b->m32 = bu_alloc(n * 4), b->v32 = bu_alloc(n * 4);
    b->ma = bu_alloc(n * 13), b->mb = bu_alloc(n * 13);
    uint64_t s = 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        b->master[i] = (float)((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
        b->g[i] = (lpk_bf16)(0x3C23u ^ (s >> 40 & 0x807Fu)); /* +-0.01, random low bits */
    }
    lpk_kahan_split(b->master, b->w, b->comp, n);
}

static void bufs_free(bufs *b)
{
    free(b->w); free(b->comp); free(b->g); free(b->m); free(b->v);
    free(b->master); free(b->m32); free(b->v32); free(b->ma); free(b->mb);
}

/* The case's job over b (the public API; set j->v for a variant). */
static void job_init(job *j, const update_case *bc, const bufs *b)
{
    const size_t n = b->n;
    memset(j, 0, sizeof *j);
    j->c = bc;
    const int fp32 = bc->mode == LPK_UPDATE_FP32;
    const int ars = (bc->mode & LPK_UPDATE_RNG_ARS) != 0;
    const int base = bc->mode & ~(LPK_UPDATE_STATE_SR | LPK_UPDATE_RNG_ARS);
    const int ssr = (bc->mode & LPK_UPDATE_STATE_SR) != 0;
    const int kahan = base == LPK_UPDATE_KAHAN || base == LPK_UPDATE_F32_KAHAN;
    const int state = bc->momentum || bc->adamw;
    j->t = (lpk_opt_tensor){n,
                            b->w,
                            kahan ? b->comp : NULL,
                            fp32 ? b->master : NULL,
                            b->g,
                            NULL,
                            state && !fp32 ? b->m : NULL,
                            bc->adamw && !fp32 ? b->v : NULL,
                            state && fp32 ? b->m32 : NULL,
                            bc->adamw && fp32 ? b->v32 : NULL};
    j->b = (lpk_upd_bufs){n, j->t.w, j->t.comp, j->t.master, j->t.grad, NULL,
                          j->t.m, j->t.v, j->t.m32, j->t.v32, 42, 0};
    j->sp = (lpk_sgd_params){1e-3f, bc->momentum ? 0.9f : 0.0f, 0.0f, 0.0f, 0, 10};
    j->sk = (lpk_upd_sgd_k){base, 0, bc->momentum, 0, 0, 0.0f, 0.9f, 1.0f, -1e-3f, ssr, ars};
    j->ap = (lpk_adamw_params){1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, 10};
    j->ak = (lpk_upd_adamw_k){base, 1, 0.9f, 0.999f, 0.1f, 1e-3f, 1e-8f,
                              1.0f / 0.0998f, -1e-3f / 0.6513f, 1e-5f, ssr, ars};
}

/* --pairs' third side: the case's memory traffic without its arithmetic.
   Block by block, the gradient is read and every buffer the step updates
   is read and written back in place (w only written in fp32 mode, as the
   step does), XOR-ed with the gradient AND-ed with a zero the compiler
   cannot see: the values stay as they are.  Its rate is what memory allows
   this access pattern on this core, with the hardware prefetchers alone.
   Blocks of 256 elements: with 32-element blocks (every stream touched in
   turn, as the kernels' steps do) the same traffic ran at 22-25 GB/s at
   64M on Zen 4 with these allocations (in cache ~60 GB/s), with 256 at
   32-40 GB/s; a standalone loop over arrays placed otherwise ran both at
   ~45 GB/s: where the arrays lie matters, as for the kernels. */
static volatile uint16_t pattern_zero;

static void xor16(lpk_bf16 *p, const uint16_t *k, size_t e)
{
    if (p)
        for (size_t i = 0; i < e; i++)
            p[i] ^= k[i];
}

static void xor32(float *p, const uint16_t *k, size_t e)
{
    uint32_t *u = (uint32_t *)(void *)p;
    if (p)
        for (size_t i = 0; i < e; i++)
            u[i] ^= k[i];
}

/* FNV-1a over the buffers pattern() rewrites (w not in fp32 mode, where the
   pattern only writes it). */
static uint64_t fnv(uint64_t h, const void *p, size_t bytes)
{
    const unsigned char *c = p;
    for (size_t i = 0; p && i < bytes; i++)
        h = (h ^ c[i]) * 0x100000001B3ull;
    return h;
}

static uint64_t pattern_sum(const lpk_upd_bufs *b)
{
    uint64_t h = 0xCBF29CE484222325ull;
    h = fnv(h, b->master ? NULL : b->w, b->n * 2);
    h = fnv(h, b->comp, b->n * 2);
    h = fnv(h, b->m, b->n * 2);
    h = fnv(h, b->v, b->n * 2);
    h = fnv(h, b->master, b->n * 4);
    h = fnv(h, b->m32, b->n * 4);
    return fnv(h, b->v32, b->n * 4);
}

static void pattern(void *ctx)
{
    const lpk_upd_bufs *b = &((const job *)ctx)->b;
    enum { BLK = 256 };
    const uint16_t z = pattern_zero;
    uint16_t k[BLK];
    for (size_t i0 = 0; i0 < b->n; i0 += BLK) {
        const size_t e = b->n - i0 < BLK ? b->n - i0 : BLK;
        if (b->g16)
            for (size_t i = 0; i < e; i++)
                k[i] = (uint16_t)(b->g16[i0 + i] & z);
        else /* fp32 gradients: their bit patterns' low halves */
            for (size_t i = 0; i < e; i++) {
                uint32_t u;
                memcpy(&u, b->g32 + i0 + i, 4);
                k[i] = (uint16_t)(u & z);
            }
        if (b->master)
            memcpy(b->w + i0, k, e * 2);
        else
            xor16(b->w + i0, k, e);
        xor16(b->comp ? b->comp + i0 : NULL, k, e);
        xor16(b->m ? b->m + i0 : NULL, k, e);
        xor16(b->v ? b->v + i0 : NULL, k, e);
        xor32(b->master ? b->master + i0 : NULL, k, e);
        xor32(b->m32 ? b->m32 + i0 : NULL, k, e);
        xor32(b->v32 ? b->v32 + i0 : NULL, k, e);
    }
}

/* --pairs: each case's dispatched call against memcpy of its traffic and
   against pattern(), in rounds whose order rotates (ab_order), in one
   process. */
static void pairs(const size_t *sizes, int nsizes, const char *only, int threads, int reps)
{
    enum { MAXREPS = 1000 };
    if (reps > MAXREPS)
        reps = MAXREPS;
    static double t[3][MAXREPS], r[MAXREPS], rp[MAXREPS];
    for (int si = 0; si < nsizes; si++) {
        bufs b;
        bufs_init(&b, sizes[si]);
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            const update_case *bc = &cases[c];
            if (only && !strstr(bc->name, only))
                continue;
            job j;
            job_init(&j, bc, &b);
            const size_t copy = b.n * (size_t)bc->bytes / 2;
            run(&j);
            const uint64_t before = pattern_sum(&j.b);
            pattern(&j);
            if (pattern_sum(&j.b) != before) {
                fprintf(stderr, "bench_update: the pattern side changed the buffers\n");
                exit(1);
            }
            double lo = 0, hi = 0;
            for (int k = 0; k < reps; k++) {
                int o[3];
                ab_order(k, 3, o);
                for (int s = 0; s < 3; s++) {
                    if (o[s] == 0)
                        t[0][k] = bu_memcpy_time(b.mb, b.ma, copy, 1, 0.02);
                    else
                        t[o[s]][k] = bu_time(o[s] == 1 ? run : pattern, &j, 1, 0.02);
                }
                r[k] = t[0][k] / t[1][k];
                rp[k] = t[2][k] / t[1][k];
                lo = k == 0 || r[k] < lo ? r[k] : lo;
                hi = k == 0 || r[k] > hi ? r[k] : hi;
            }
            const double bytes = (double)bc->bytes * (double)b.n;
            const double mk = bu_median(t[1], reps), mm = bu_median(t[0], reps);
            const double mp = bu_median(t[2], reps);
            printf("{\"bench\":\"update_pairs\",\"op\":\"%s\",\"variant\":\"%s\",\"n\":%zu,"
                   "\"level\":\"%s\",\"threads\":%d,\"bytes_per_elem\":%d,\"pairs\":%d,"
                   "\"gelem_s\":%.3f,\"gb_s\":%.2f,\"memcpy_gb_s\":%.2f,"
                   "\"median_pair_ratio_memcpy\":%.3f,\"min_pair\":%.3f,\"max_pair\":%.3f,"
                   "\"pattern_gb_s\":%.2f,\"median_pair_ratio_pattern\":%.3f}\n",
                   bc->name, lpk_kernel_variant(bc->adamw ? "update.adamw" : "update.sgd"), b.n,
                   bu_level((size_t)bytes), threads, bc->bytes, reps, (double)b.n / mk * 1e-9,
                   bytes / mk * 1e-9, bytes / mm * 1e-9, bu_median(r, reps), lo, hi,
                   bytes / mp * 1e-9, bu_median(rp, reps));
            fflush(stdout);
        }
        bufs_free(&b);
    }
}

static const char usage[] = "usage: %s [--threads N] [--sizes n1,n2,...] [--only TEXT] [--quick] "
                            "[--ref] [--multi] [--pairs REPS]\n";

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf(usage, argv[0]);
            return 0;
        }
    int threads = 1, quick = 0, big_ref = 0, multi = 0, reps = 0;
    const char *only = NULL;
    size_t sizes[8] = {65536, (size_t)64 << 20};
    int nsizes = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only = argv[++i];
        } else if (!strcmp(argv[i], "--ref")) {
            big_ref = 1;
        } else if (!strcmp(argv[i], "--multi")) {
            multi = 1;
        } else if (!strcmp(argv[i], "--pairs") && i + 1 < argc && atoi(argv[i + 1]) > 0) {
            reps = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
            nsizes = 0;
            for (char *s = strtok(argv[++i], ","); s && nsizes < 8; s = strtok(NULL, ","))
                sizes[nsizes++] = (size_t)strtoull(s, NULL, 0);
        } else {
            fprintf(stderr, usage, argv[0]);
            return 2;
        }
    }
    if (lpk_set_num_threads(threads) != LPK_OK) {
        fprintf(stderr, "bench_update: %s\n", lpk_last_error());
        return 2;
    }
    if (multi)
        return bench_multi(only, quick);
    if (reps) {
        pairs(sizes, nsizes, only, threads, reps);
        return 0;
    }
    const double min_s = quick ? 0.002 : 0.02;
    const int samples = quick ? 3 : 7;
    for (int si = 0; si < nsizes; si++) {
        const size_t n = sizes[si];
        bufs b;
        bufs_init(&b, n);
        times t_mc[32] = {{0, 0}};
        for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
            const update_case *bc = &cases[c];
            if (only && !strstr(bc->name, only))
                continue;
            if (t_mc[bc->bytes].wall == 0) {
                times *tm = &t_mc[bc->bytes];
                tm->wall = bu_memcpy_time_cpu(b.mb, b.ma, n * (size_t)bc->bytes / 2, samples,
                                              min_s, &tm->cpu);
                char name[64];
                snprintf(name, sizeof name, "memcpy(%d/2 bytes per elem)", bc->bytes);
                emit(bc, name, "-", n, 1, t_mc[bc->bytes], t_mc[bc->bytes]);
            }
            job j;
            job_init(&j, bc, &b);
            const int ars = (bc->mode & LPK_UPDATE_RNG_ARS) != 0;
            const lpk_op *op = bc->adamw ? &lpk_op_update_adamw.op : &lpk_op_update_sgd.op;
            for (size_t k = 0; k < op->count; k++) {
                const lpk_variant *var = &op->variants[k];
                if (!lpk_variant_runnable(var)) {
                    printf("{\"bench\":\"update\",\"op\":\"%s\",\"variant\":\"%s\",\"skipped\":"
                           "\"tier %s not available here\"}\n",
                           bc->name, var->name, lpk_tiers[var->tier].name);
                    continue;
                }
                if (var->tier == LPK_TIER_SCALAR && n > (1u << 20) && !big_ref) {
                    printf("{\"bench\":\"update\",\"op\":\"%s\",\"variant\":\"%s\",\"n\":%zu,"
                           "\"skipped\":\"scalar reference above 1M elements (--ref)\"}\n",
                           bc->name, var->name, n);
                    continue;
                }
                if (ars && n > (1u << 20) && !big_ref && !strstr(lpk_tiers[var->tier].name, "aes")) {
                    printf("{\"bench\":\"update\",\"op\":\"%s\",\"variant\":\"%s\",\"n\":%zu,"
                           "\"skipped\":\"software ARS (no AES tier) above 1M elements (--ref)\"}\n",
                           bc->name, var->name, n);
                    continue;
                }
                j.v = var;
                emit(bc, var->name, lpk_tiers[var->tier].name, n, 1,
                     time_both(run, &j, samples, min_s), t_mc[bc->bytes]);
            }
            j.v = NULL;
            char name[128];
            snprintf(name, sizeof name, "public API -> %s", lpk_kernel_variant(op->name));
            if (ars && n > (1u << 20) && !big_ref && !strstr(name, "aes")) {
                printf("{\"bench\":\"update\",\"op\":\"%s\",\"variant\":\"%s\",\"n\":%zu,"
                       "\"skipped\":\"software ARS (no AES tier) above 1M elements (--ref)\"}\n",
                       bc->name, name, n);
                continue;
            }
            emit(bc, name, lpk_isa(), n, threads, time_both(run, &j, samples, min_s),
                 t_mc[bc->bytes]);
        }
        bufs_free(&b);
    }
    return 0;
}
