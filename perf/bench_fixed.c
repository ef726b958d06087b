/* SPDX-License-Identifier: Apache-2.0 */
/* Fixed-point (HALP) benchmark: every runnable variant of the dot, update,
   quantize and dequantize kernels and of their fp32 baseline (dotf,
   updatef), walked from the kernel tables, at an L1-sized vector (d = 1024,
   the HALP inner loop on one data row) and a DRAM-sized one.  One JSON line
   per measurement; single thread (the kernels are single-threaded leaves).

   Bytes per element (traffic, for gb_s): dot8 2, dot16 4, dotf 8;
   update8 7 (z read + written, x, h fp32), update16 10, updatef 16;
   quant8 5, quant16 6; dequant8 5, dequant16 6.

   Then the HALP inner step at each size: dot(x, z) followed by
   update(z, x, h) -- what one step of bit-centered SVRG costs per data row
   -- in int8 (dot8 + update8, stochastic rounding) against fp32
   (dotf + updatef), with the dispatched variants and, per tier, the best
   variants up to that tier.  ratio_fp32_over_int8 > 1: the int8 step is
   faster.  Measured both as the sum of the single-kernel medians and as
   one timed loop of the two calls.

   The scalar references are timed up to 2^20 elements (seconds per call
   beyond); --ref times them at every size.

   usage: bench_fixed [--sizes n1,n2,...] [--quick] [--ref] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "lpk_internal.h"
#include "fixed/fixed.h"
#include "rng/rng.h"

typedef struct {
    const lpk_variant *v, *v2; /* v2: the update of a step job */
    int mode;          /* rounding mode for quantize / update */
    size_t n;
    int8_t *a8, *b8;
    int16_t *a16, *b16;
    float *af, *bf, *hf, *xf;
    volatile int64_t sink;
    volatile float sinkf;
    uint64_t step;
} job;

/* One function per op, calling variant j->v of that op. */
static void run_dot8(void *p)
{
    job *j = p;
    j->sink = LPK_FN(lpk_op_fixed_dot8, j->v)(j->a8, j->b8, j->n);
    __asm__ volatile("" ::: "memory");
}

static void run_dot16(void *p)
{
    job *j = p;
    j->sink = LPK_FN(lpk_op_fixed_dot16, j->v)(j->a16, j->b16, j->n);
    __asm__ volatile("" ::: "memory");
}

static void run_dotf(void *p)
{
    job *j = p;
    j->sinkf = LPK_FN(lpk_op_fixed_dotf, j->v)(j->af, j->bf, j->n);
    __asm__ volatile("" ::: "memory");
}

static void run_update8(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_update8, j->v)(j->a8, j->b8, j->hf, j->n, 0.999f, 0.01f,
                                       (lpk_round)j->mode, 42, 64 * j->step++);
    __asm__ volatile("" ::: "memory");
}

static void run_update8_ars(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_update8_ars, j->v)(j->a8, j->b8, j->hf, j->n, 0.999f, 0.01f,
                                           (lpk_round)j->mode, 42, j->step++ * ((j->n + 7) & ~(size_t)7));
    __asm__ volatile("" ::: "memory");
}

static void run_update16_ars(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_update16_ars, j->v)(j->a16, j->b16, j->hf, j->n, 0.999f, 0.01f,
                                            (lpk_round)j->mode, 42, j->step++ * ((j->n + 7) & ~(size_t)7));
    __asm__ volatile("" ::: "memory");
}

static void run_update16(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_update16, j->v)(j->a16, j->b16, j->hf, j->n, 0.999f, 0.01f,
                                        (lpk_round)j->mode, 42, 64 * j->step++);
    __asm__ volatile("" ::: "memory");
}

static void run_updatef(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_updatef, j->v)(j->af, j->bf, j->hf, j->n, 0.999f, 0.01f);
    __asm__ volatile("" ::: "memory");
}

static void run_quant8(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_quant8, j->v)(j->xf, j->a8, j->n, 20.0f, (lpk_round)j->mode, 42, 0);
    __asm__ volatile("" ::: "memory");
}

static void run_quant16(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_quant16, j->v)(j->xf, j->a16, j->n, 5000.0f, (lpk_round)j->mode, 42, 0);
    __asm__ volatile("" ::: "memory");
}

static void run_dequant8(void *p)
{
    job *j = p;
    LPK_FN(lpk_op_fixed_dequant8, j->v)(j->a8, j->xf, j->n, 0.05f);
    __asm__ volatile("" ::: "memory");
}

/* The rng table's VAES256 ARS variant when it can run here, else NULL. */
static const lpk_variant *find_ars_alone(void)
{
    const lpk_op *op = &lpk_op_rng_ars.op;
    for (size_t k = 0; k < op->count; k++)
        if (op->variants[k].tier == LPK_TIER_AVX2VAES && lpk_variant_runnable(&op->variants[k]))
            return &op->variants[k];
    return NULL;
}

/* One HALP inner step: dot then update (int8 with SR, or fp32). */
static void run_step8(void *p)
{
    job *j = p;
    const int64_t d = LPK_FN(lpk_op_fixed_dot8, j->v)(j->b8, j->a8, j->n);
    LPK_FN(lpk_op_fixed_update8, j->v2)(j->a8, j->b8, j->hf, j->n, 0.999f,
                                     (float)(d & 1) * 1e-3f + 0.01f, LPK_ROUND_STOCHASTIC, 42,
                                     64 * j->step++);
    __asm__ volatile("" ::: "memory");
}

/* The same step with update8_ars (per-element ARS bits, HALP's offsets). */
static void run_step8_ars(void *p)
{
    job *j = p;
    const int64_t d = LPK_FN(lpk_op_fixed_dot8, j->v)(j->b8, j->a8, j->n);
    LPK_FN(lpk_op_fixed_update8_ars, j->v2)(j->a8, j->b8, j->hf, j->n, 0.999f,
                                         (float)(d & 1) * 1e-3f + 0.01f, LPK_ROUND_STOCHASTIC, 42,
                                         j->step++ * ((j->n + 7) & ~(size_t)7));
    __asm__ volatile("" ::: "memory");
}

/* The generator alone: n 16-bit ARS-7 values (n / 8 blocks) into the
   fp32 scratch bf (2n bytes), by the rng table's VAES256 variant (the bits
   update8_ars__avx2vaes draws); ars_alone is that variant, NULL when it
   cannot run here. */
static const lpk_variant *ars_alone;

static void run_ars_alone(void *p)
{
    job *j = p;
    const uint32_t key[4] = {42, 0, 0, 0};
    const uint64_t q0 = j->step++ * (uint64_t)(j->n / 8);
    const uint32_t ctr[4] = {(uint32_t)q0, (uint32_t)(q0 >> 32), 0, 0};
    LPK_FN(lpk_op_rng_ars, ars_alone)(key, ctr, j->n / 8, (uint32_t *)j->bf);
    __asm__ volatile("" ::: "memory");
}

/* A memcpy moving update8's bytes (7 per element: z, x, h fp32 read, z
   written): 3.5 n bytes read and written. */
static void run_memcpy7(void *p)
{
    job *j = p;
    memcpy(j->xf, j->af, 7 * j->n / 2);
    __asm__ volatile("" ::: "memory");
}

static void run_stepf(void *p)
{
    job *j = p;
    const float d = LPK_FN(lpk_op_fixed_dotf, j->v)(j->bf, j->af, j->n);
    LPK_FN(lpk_op_fixed_updatef, j->v2)(j->af, j->bf, j->hf, j->n, 0.999f,
                                     (d > 0.0f ? 1e-3f : 0.0f) + 0.01f);
    __asm__ volatile("" ::: "memory");
}

static void emit(const char *op, const char *mode, const char *variant, const char *tier,
                 size_t n, double bpe, double t)
{
    printf("{\"bench\":\"fixed\",\"op\":\"%s\",\"mode\":\"%s\",\"variant\":\"%s\",\"tier\":\"%s\","
           "\"n\":%zu,\"level\":\"%s\",\"threads\":1,\"median_s\":%.6e,\"gelem_s\":%.3f,"
           "\"gb_s\":%.2f}\n",
           op, mode, variant, tier, n, bu_level((size_t)(bpe * (double)n)), t,
           (double)n / t * 1e-9, bpe * (double)n / t * 1e-9);
    fflush(stdout);
}

/* Best runnable variant of op whose tier is at most `rank` on `arch` (or
   scalar); NULL if none. */
static const lpk_variant *best_upto(const lpk_op *op, int arch, int rank)
{
    for (size_t k = 0; k < op->count; k++) {
        const lpk_variant *v = &op->variants[k];
        const lpk_tier_info *t = &lpk_tiers[v->tier];
        if (!lpk_variant_runnable(v))
            continue;
        if (t->arch == LPK_ARCH_ANY ? t->rank == 0 : (t->arch == arch && t->rank <= rank))
            return v;
    }
    return NULL;
}

static void step_row(const char *label, const lpk_variant *d8, const lpk_variant *u8,
                     const lpk_variant *df, const lpk_variant *uf, job *j8, job *jf, size_t n,
                     int samples, double min_s)
{
    double t[4];
    const lpk_variant *vs[4] = {d8, u8, df, uf};
    void (*const runs[4])(void *) = {run_dot8, run_update8, run_dotf, run_updatef};
    for (int k = 0; k < 4; k++) {
        job *j = k < 2 ? j8 : jf;
        j->v = vs[k];
        j->mode = LPK_ROUND_STOCHASTIC;
        t[k] = bu_time(runs[k], j, samples, min_s);
    }
    j8->v = d8;
    j8->v2 = u8;
    jf->v = df;
    jf->v2 = uf;
    const double s8 = bu_time(run_step8, j8, samples, min_s);
    const double sf = bu_time(run_stepf, jf, samples, min_s);
    /* the same step with per-element ARS bits, where the tier allows */
    const lpk_variant *ua = lpk_selected(&lpk_op_fixed_update8_ars.op);
    double sa = 0, ta = 0;
    if (ua && lpk_tiers[ua->tier].rank <= lpk_tiers[u8->tier].rank + 1 &&
        (lpk_tiers[ua->tier].arch == lpk_tiers[u8->tier].arch || ua->tier == LPK_TIER_SCALAR)) {
        j8->v = ua;
        j8->mode = LPK_ROUND_STOCHASTIC;
        ta = bu_time(run_update8_ars, j8, samples, min_s);
        j8->v = d8;
        j8->v2 = ua;
        sa = bu_time(run_step8_ars, j8, samples, min_s);
    }
    printf("{\"bench\":\"fixed\",\"op\":\"halp_step\",\"which\":\"%s\",\"n\":%zu,\"level\":\"%s\","
           "\"int8\":[\"%s\",\"%s\"],\"fp32\":[\"%s\",\"%s\"],"
           "\"dot8_s\":%.4e,\"update8_sr_s\":%.4e,\"dotf_s\":%.4e,\"updatef_s\":%.4e,"
           "\"sum_int8_s\":%.4e,\"sum_fp32_s\":%.4e,\"ratio_fp32_over_int8_sum\":%.3f,"
           "\"loop_int8_s\":%.4e,\"loop_fp32_s\":%.4e,\"ratio_fp32_over_int8_loop\":%.3f,"
           "\"int8_gelem_s\":%.3f,\"fp32_gelem_s\":%.3f,"
           "\"update8_ars\":\"%s\",\"update8_ars_sr_s\":%.4e,\"loop_int8_ars_s\":%.4e,"
           "\"ratio_fp32_over_int8_ars_loop\":%.3f}\n",
           label, n, bu_level((size_t)(24.0 * (double)n)), d8->name, u8->name, df->name, uf->name,
           t[0], t[1], t[2], t[3], t[0] + t[1], t[2] + t[3], (t[2] + t[3]) / (t[0] + t[1]), s8,
           sf, sf / s8, (double)n / s8 * 1e-9, (double)n / sf * 1e-9, sa > 0 ? ua->name : "-",
           ta, sa, sa > 0 ? sf / sa : 0.0);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: %s [--sizes n1,n2,...] [--quick] [--ref]\n", argv[0]);
            return 0;
        }
    int quick = 0, all_ref = 0;
    size_t sizes[8] = {1024, (size_t)64 << 20};
    int nsizes = 2;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[i], "--ref")) {
            all_ref = 1;
        } else if (!strcmp(argv[i], "--sizes") && i + 1 < argc) {
            nsizes = 0;
            for (char *s = strtok(argv[++i], ","); s && nsizes < 8; s = strtok(NULL, ","))
                sizes[nsizes++] = (size_t)strtoull(s, NULL, 0);
        } else {
            fprintf(stderr, "usage: %s [--sizes n1,n2,...] [--quick] [--ref]\n", argv[0]);
            return 2;
        }
    }
    if (lpk_ready() != LPK_OK) {
        fprintf(stderr, "bench_fixed: %s\n", lpk_last_error());
        return 2;
    }
    const double min_s = quick ? 0.002 : 0.02;
    const int samples = quick ? 3 : 7;
    /* bpe: bytes moved per element (the header comment) */
    static const struct {
        const lpk_op *op;
        void (*run)(void *);
        int mode;
        const char *mname;
        double bpe;
    } rows[] = {
        {&lpk_op_fixed_dot8.op, run_dot8, 0, "-", 2},
        {&lpk_op_fixed_dot16.op, run_dot16, 0, "-", 4},
        {&lpk_op_fixed_dotf.op, run_dotf, 0, "-", 8},
        {&lpk_op_fixed_update8.op, run_update8, 0, "nearest", 7},
        {&lpk_op_fixed_update8.op, run_update8, 1, "stochastic", 7},
        {&lpk_op_fixed_update16.op, run_update16, 1, "stochastic", 10},
        {&lpk_op_fixed_update8_ars.op, run_update8_ars, 1, "stochastic_ars", 7},
        {&lpk_op_fixed_update16_ars.op, run_update16_ars, 1, "stochastic_ars", 10},
        {&lpk_op_fixed_updatef.op, run_updatef, 0, "-", 16},
        {&lpk_op_fixed_quant8.op, run_quant8, 0, "nearest", 5},
        {&lpk_op_fixed_quant8.op, run_quant8, 1, "stochastic", 5},
        {&lpk_op_fixed_quant16.op, run_quant16, 1, "stochastic", 6},
        {&lpk_op_fixed_dequant8.op, run_dequant8, 0, "-", 5},
    };
    for (int si = 0; si < nsizes; si++) {
        const size_t n = sizes[si];
        const int time_ref = all_ref || n <= ((size_t)1 << 20);
        job j;
        memset(&j, 0, sizeof j);
        j.n = n;
        j.a8 = bu_alloc(n);
        j.b8 = bu_alloc(n);
        j.a16 = bu_alloc(n * 2);
        j.b16 = bu_alloc(n * 2);
        j.af = bu_alloc(n * 4);
        j.bf = bu_alloc(n * 4);
        j.hf = bu_alloc(n * 4);
        j.xf = bu_alloc(n * 4);
        uint64_t s = 1;
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            const float u = (float)((double)(s >> 11) / 9007199254740992.0 * 2.0 - 1.0);
            j.a8[i] = (int8_t)(s >> 56);
            j.b8[i] = (int8_t)(s >> 48);
            j.a16[i] = (int16_t)(s >> 40);
            j.b16[i] = (int16_t)(s >> 24);
            j.af[i] = u;
            j.bf[i] = u * 0.5f + 0.25f;
            j.hf[i] = u * 0.3f;
            j.xf[i] = u * 5.0f;
        }
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            const lpk_op *op = rows[r].op;
            for (size_t k = 0; k < op->count; k++) {
                const lpk_variant *v = &op->variants[k];
                if (!lpk_variant_runnable(v)) {
                    printf("{\"bench\":\"fixed\",\"op\":\"%s\",\"variant\":\"%s\",\"skipped\":\"tier %s not available here\"}\n",
                           op->name, v->name, lpk_tiers[v->tier].name);
                    continue;
                }
                if (v->tier == LPK_TIER_SCALAR && !time_ref) {
                    printf("{\"bench\":\"fixed\",\"op\":\"%s\",\"variant\":\"%s\",\"skipped\":\"reference not timed above 2^20 elements (--ref)\"}\n",
                           op->name, v->name);
                    continue;
                }
                j.v = v;
                j.mode = rows[r].mode;
                emit(op->name, rows[r].mname, v->name, lpk_tiers[v->tier].name, n, rows[r].bpe,
                     bu_time(rows[r].run, &j, samples, min_s));
            }
        }
        /* the generator alone (16-bit ARS values, VAES256) and a memcpy of
           update8's bytes, for scale */
        ars_alone = find_ars_alone();
        if (ars_alone && n >= 128) {
            const double t = bu_time(run_ars_alone, &j, samples, min_s);
            printf("{\"bench\":\"fixed\",\"op\":\"ars_bits16_alone\",\"variant\":\"%s\","
                   "\"n\":%zu,\"median_s\":%.6e,\"gvalues_s\":%.3f}\n", ars_alone->name, n, t,
                   (double)(n / 8 * 8) / t * 1e-9);
        }
        {
            const double t = bu_time(run_memcpy7, &j, samples, min_s);
            printf("{\"bench\":\"fixed\",\"op\":\"memcpy_update8_bytes\",\"n\":%zu,\"bytes_moved\":%zu,"
                   "\"median_s\":%.6e,\"gb_s\":%.2f}\n", n, 7 * n, t, 7.0 * (double)n / t * 1e-9);
        }
        /* the HALP step: dispatched variants, then per tier of updatef */
        job jf = j;
        step_row("dispatched", lpk_selected(&lpk_op_fixed_dot8.op), lpk_selected(&lpk_op_fixed_update8.op),
                 lpk_selected(&lpk_op_fixed_dotf.op), lpk_selected(&lpk_op_fixed_updatef.op), &j, &jf, n,
                 samples, min_s);
        for (size_t k = 0; k < lpk_op_fixed_updatef.op.count; k++) {
            const lpk_variant *uf = &lpk_op_fixed_updatef.op.variants[k];
            if (!lpk_variant_runnable(uf))
                continue;
            const lpk_tier_info *t = &lpk_tiers[uf->tier];
            const int arch = t->arch == LPK_ARCH_ANY ? LPK_ARCH_HOST : t->arch;
            const int rank = t->arch == LPK_ARCH_ANY ? 0 : t->rank;
            const lpk_variant *d8 = best_upto(&lpk_op_fixed_dot8.op, arch, rank);
            const lpk_variant *u8 = best_upto(&lpk_op_fixed_update8.op, arch, rank);
            const lpk_variant *df = best_upto(&lpk_op_fixed_dotf.op, arch, rank);
            if (!d8 || !u8 || !df || (uf->tier == LPK_TIER_SCALAR && !time_ref))
                continue;
            char label[64];
            snprintf(label, sizeof label, "up to %s", t->name);
            step_row(label, d8, u8, df, uf, &j, &jf, n, samples, min_s);
        }
        free(j.a8); free(j.b8); free(j.a16); free(j.b16);
        free(j.af); free(j.bf); free(j.hf); free(j.xf);
    }
    return 0;
}
