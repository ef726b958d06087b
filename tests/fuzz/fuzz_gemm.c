/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: bf16 GEMM, every variant and every tier against the
   exact product of the same inputs, within what include/lpk.h promises.

   From the input: m, n (1..64), k (0..96), both transposes, leading-dimension
   padding and pointer misalignment of A, B and C, alpha and beta (ordinary
   values or raw bit patterns), a value mode (tame normal numbers; the same
   with zeros, NaN, Inf, denormals and extremes sprinkled in; or raw bf16 /
   fp32 bit patterns) and the values themselves.

   Every runnable micro-kernel of the GEMM table (lpk_gemm_run, as
   tests/test_gemm.c does: this also reaches variants the dispatcher ranks
   below another of the same tier, e.g. avx512bf16), and every tier through
   the public API (lpk_set_isa), are checked element by element against
   double-precision reference data:
     - inputs where the header's bound applies (every product of used
       factors zero or in [2^-100, 2^100] from normal factors, |alpha| and
       |beta| in [2^-8, 2^8], C zero or in that range): C finite and
       |C - C_exact| <= (2k+4) 2^-24 (|alpha| |A||B| + |beta C|).  Nonzero
       products of at least 2^-100 from bf16 factors are multiples of
       2^-115, so no partial sum is denormal: the flushing variants
       (avx512bf16, amx) are bound by it as well;
     - a NaN among the used inputs, Inf * 0, or +Inf and -Inf terms: NaN;
     - Inf terms of one sign with finite terms far from overflow: that Inf;
     - A and B not used (k == 0 or alpha == 0): C = beta * C (0 for
       beta == 0) exactly;
     - anything else (denormal factors: flushed by some variants; products
       or sums that may overflow; non-finite alpha/beta except NaN, which
       must give NaN): not checked beyond "no crash".
   Padding between rows of C and the elements before C are never written.
   Within one tier the header's identities are checked bit for bit:
   lpk_gemm_bf16f32_packed with lpk_gemm_pack_b's B equals
   lpk_gemm_bf16f32; lpk_gemm_bf16 (nearest or stochastic) equals
   lpk_f32_to_bf16 (index i*n + j, offset 0) of lpk_gemm_bf16f32 on the
   widened bf16 C; lpk_cblas_sbgemm row-major equals lpk_gemm_bf16f32, and
   column-major (operands swapped, as the transposed problem) is bound like
   it.  Across tiers lpk_gemm_bf16's bits need not agree (the fp32 results
   may differ in their last bits), so only this within-tier identity plus the
   fp32 bound are checked. */
#include <math.h>

#include "fuzz_common.h"
#include "gemm/gemm.h"

/* the families whose variants differ between the tiers compared: the
   micro-kernel, and the roundings of lpk_gemm_bf16's epilogue */
static const char *const gemm_families[] = {"gemm.", "round.", NULL};

#define MMAX 64
#define KMAX 96
#define CSENT 0xFFBADBADu /* a NaN pattern no variant produces */
#define PADBF 0x7FC5u     /* bf16 NaN in A/B padding: harmless unless read */

enum { K_ZERO, K_DEN, K_NORM, K_INF, K_NAN };

static int cls_bf16(lpk_bf16 h)
{
    const unsigned e = (h >> 7) & 0xFF, f = h & 0x7F;
    if (e == 0xFF)
        return f ? K_NAN : K_INF;
    if (e == 0)
        return f ? K_DEN : K_ZERO;
    return K_NORM;
}

static double widen(lpk_bf16 h) { return (double)lpk_bits_f32((uint32_t)h << 16); }

/* What the header promises for one element. */
enum { E_SKIP, E_BOUND, E_NAN, E_PINF, E_NINF, E_SCALE };

typedef struct {
    int kind;
    double exact, bound;
    float scale; /* E_SCALE: the exact value beta * C (or 0) */
} expect;

typedef struct {
    lpk_trans ta, tb;
    size_t m, n, k, lda, ldb, ldc;
    size_t mis_a, mis_b, mis_c;
    float alpha, beta;
    lpk_bf16 *a, *b;   /* stored operands (exact-size blocks, see below) */
    lpk_bf16 *ablk, *bblk;
    float *c0;         /* C before the call: m x ldc, padding = CSENT */
    lpk_bf16 *cb0;     /* bf16 C for lpk_gemm_bf16: m x ldc */
    expect *ex;        /* m x n */
} problem;

static lpk_bf16 elem_a(const problem *p, size_t i, size_t q)
{
    return p->ta == LPK_NOTRANS ? p->a[i * p->lda + q] : p->a[q * p->lda + i];
}
static lpk_bf16 elem_b(const problem *p, size_t q, size_t j)
{
    return p->tb == LPK_NOTRANS ? p->b[q * p->ldb + j] : p->b[j * p->ldb + q];
}

static int in_range(double x, double lo, double hi)
{
    const double ax = fabs(x);
    return ax >= lo && ax <= hi;
}

static expect analyse(const problem *p, size_t i, size_t j)
{
    expect e = {E_SKIP, 0, 0, 0};
    const float alpha = p->alpha, beta = p->beta, c0 = p->c0[i * p->ldc + j];
    const int ab_used = p->k > 0 && alpha != 0.0f, c_used = beta != 0.0f;
    if (!ab_used) {
        if (c_used && isnan(beta * c0)) {
            e.kind = E_NAN;
        } else {
            e.kind = E_SCALE;
            e.scale = c_used ? beta * c0 : 0.0f;
        }
        return e;
    }
    if (isnan(alpha) || (c_used && isnan(beta))) {
        e.kind = E_NAN;
        return e;
    }
    int nan = 0, pinf = 0, ninf = 0, ambiguous = 0, denorm = 0, tiny = 0, huge = 0;
    double s = 0, mag = 0;
    const int asign = alpha < 0;
    for (size_t q = 0; q < p->k; q++) {
        const lpk_bf16 x = elem_a(p, i, q), y = elem_b(p, q, j);
        const int cx = cls_bf16(x), cy = cls_bf16(y);
        if (cx == K_NAN || cy == K_NAN) {
            nan = 1;
        } else if (cx == K_INF || cy == K_INF) {
            const int other = cx == K_INF ? cy : cx;
            if (other == K_ZERO)
                nan = 1; /* Inf * 0 */
            else if (other == K_DEN)
                ambiguous = 1; /* Inf, or NaN where denormals count as zero */
            else if (((x >> 15) ^ (y >> 15) ^ asign) & 1)
                ninf = 1;
            else
                pinf = 1;
        } else {
            const double pr = widen(x) * widen(y);
            s += pr;
            mag += fabs(pr);
            if (pr != 0 && (cx == K_DEN || cy == K_DEN))
                denorm = 1;
            if (pr != 0 && fabs(pr) < 0x1p-100)
                tiny = 1;
            if (fabs(pr) > 0x1p100)
                huge = 1;
        }
    }
    double cterm = 0;
    if (c_used) {
        if (isnan(c0))
            nan = 1;
        else if (isinf(c0))
            *(((c0 < 0) ^ (beta < 0)) ? &ninf : &pinf) = 1;
        else if (c0 != 0 && !in_range(c0, 0x1p-100, 0x1p100))
            *(fabs(c0) < 1 ? &tiny : &huge) = 1;
        if (isfinite(c0))
            cterm = (double)beta * (double)c0;
    }
    if (isinf(alpha) || (c_used && isinf(beta)))
        return e; /* scaled Inf: not modelled */
    if (nan) {
        e.kind = E_NAN;
        return e;
    }
    if (ambiguous)
        return e;
    const double finite_mag = fabs(alpha) * mag + fabs(cterm);
    if (pinf || ninf) {
        if (pinf && ninf)
            e.kind = E_NAN;
        else if (!huge && finite_mag < 0x1p120)
            e.kind = pinf ? E_PINF : E_NINF;
        return e;
    }
    if (denorm || tiny || huge || !in_range(alpha, 0x1p-8, 0x1p8) ||
        (c_used && !in_range(beta, 0x1p-8, 0x1p8)))
        return e;
    e.kind = E_BOUND;
    e.exact = (double)alpha * s + cterm;
    /* the double sum of at most 96 exact products errs by far less than
       2^-40 of the magnitudes */
    e.bound = (2.0 * (double)p->k + 4.0) * 0x1p-24 * finite_mag + 0x1p-40 * finite_mag;
    return e;
}

static void check_c(const problem *p, const char *who, const float *c)
{
    for (size_t i = 0; i < p->m; i++)
        /* the last row's padding is not allocated */
        for (size_t j = 0; j < (i + 1 < p->m ? p->ldc : p->n); j++) {
            const float got = c[i * p->ldc + j];
            if (j >= p->n) {
                FUZZ_CHECK(lpk_f32_bits(got) == CSENT, "%s: wrote C padding (%zu, %zu): 0x%08x",
                           who, i, j, lpk_f32_bits(got));
                continue;
            }
            const expect *e = &p->ex[i * p->n + j];
#define ELEM_FAIL(what, ...)                                                               \
    FUZZ_FAIL("%s: m=%zu n=%zu k=%zu ta=%d tb=%d alpha=%a beta=%a: C(%zu,%zu) = %a (0x%08x), " \
              what,                                                                        \
              who, p->m, p->n, p->k, (int)p->ta, (int)p->tb, (double)p->alpha,             \
              (double)p->beta, i, j, (double)got, lpk_f32_bits(got), __VA_ARGS__)
            switch (e->kind) {
            case E_BOUND:
                if (!(fabs((double)got - e->exact) <= e->bound))
                    ELEM_FAIL("exact %a, |err| %.3g > bound %.3g (C was %a)", e->exact,
                              fabs((double)got - e->exact), e->bound,
                              (double)p->c0[i * p->ldc + j]);
                break;
            case E_NAN:
                if (!isnan(got))
                    ELEM_FAIL("want NaN (C was %a)%s", (double)p->c0[i * p->ldc + j], "");
                break;
            case E_PINF:
            case E_NINF:
                if (got != (e->kind == E_PINF ? INFINITY : -INFINITY))
                    ELEM_FAIL("want %cInf%s", e->kind == E_PINF ? '+' : '-', "");
                break;
            case E_SCALE:
                if (got != e->scale && !(isnan(got) && isnan(e->scale)))
                    ELEM_FAIL("want beta * C = %a (C was %a)", (double)e->scale,
                              (double)p->c0[i * p->ldc + j]);
                break;
            default:
                break;
            }
#undef ELEM_FAIL
        }
}

/* C buffers: exactly (m-1)*ldc + n floats after mis_c leading ones. */
static size_t c_count(const problem *p) { return p->mis_c + (p->m - 1) * p->ldc + p->n; }

static float *new_c(const problem *p, float **blk)
{
    *blk = malloc(c_count(p) * sizeof(float));
    for (size_t x = 0; x < p->mis_c; x++)
        (*blk)[x] = lpk_bits_f32(CSENT);
    memcpy(*blk + p->mis_c, p->c0, (c_count(p) - p->mis_c) * sizeof(float));
    return *blk + p->mis_c;
}

static void check_lead(const problem *p, const char *who, const float *blk)
{
    for (size_t x = 0; x < p->mis_c; x++)
        FUZZ_CHECK(lpk_f32_bits(blk[x]) == CSENT, "%s: wrote before C", who);
}

/* Every runnable micro-kernel through the frame. */
static void run_variants(const problem *p)
{
    if (p->k == 0 || p->alpha == 0.0f)
        return; /* lpk_gemm_run's precondition; the API handles these */
    for (size_t x = 0; x < lpk_op_gemm.op.count; x++) {
        const lpk_variant *v = &lpk_op_gemm.op.variants[x];
        if (!lpk_variant_runnable(v))
            continue;
        const lpk_gemm_ukr *u = LPK_FN(lpk_op_gemm, v)();
        float *blk, *c = new_c(p, &blk);
        const lpk_status st = lpk_gemm_run(u, p->ta, p->tb, p->m, p->n, p->k, p->alpha, p->a,
                                           p->lda, p->b, p->ldb, p->beta, c, p->ldc);
        FUZZ_CHECK(st == LPK_OK, "%s: lpk_gemm_run status %d", v->name, (int)st);
        check_lead(p, v->name, blk);
        check_c(p, v->name, c);
        free(blk);
    }
}

static int cblas_t(lpk_trans t, unsigned pick) { return t == LPK_NOTRANS ? 111 : pick ? 113 : 112; }

/* The public API under the current tier. */
static void run_api(const problem *p, const char *tier, unsigned flags, uint64_t seed)
{
    char who[96];
    float *blk, *c = new_c(p, &blk);
    snprintf(who, sizeof who, "lpk_gemm_bf16f32 [%s]", tier);
    lpk_status st = lpk_gemm_bf16f32(p->ta, p->tb, p->m, p->n, p->k, p->alpha, p->a, p->lda, p->b,
                                     p->ldb, p->beta, c, p->ldc);
    FUZZ_CHECK(st == LPK_OK, "%s: status %d: %s", who, (int)st, lpk_last_error());
    check_lead(p, who, blk);
    check_c(p, who, c);
    const size_t cbytes = ((p->m - 1) * p->ldc + p->n) * sizeof(float);

    if ((flags & 1) && p->k > 0) {
        lpk_gemm_packed_b *pk = NULL;
        st = lpk_gemm_pack_b(p->tb, p->k, p->n, p->b, p->ldb, &pk);
        FUZZ_CHECK(st == LPK_OK, "lpk_gemm_pack_b [%s]: status %d: %s", tier, (int)st,
                   lpk_last_error());
        float *blk2, *c2 = new_c(p, &blk2);
        st = lpk_gemm_bf16f32_packed(p->ta, p->m, p->n, p->k, p->alpha, p->a, p->lda, pk, p->beta,
                                     c2, p->ldc);
        FUZZ_CHECK(st == LPK_OK, "lpk_gemm_bf16f32_packed [%s]: status %d: %s", tier, (int)st,
                   lpk_last_error());
        const long d = fuzz_diff(c2, c, cbytes);
        FUZZ_CHECK(d < 0, "lpk_gemm_bf16f32_packed [%s] differs from lpk_gemm_bf16f32 at float %ld",
                   tier, d / 4);
        check_lead(p, "lpk_gemm_bf16f32_packed", blk2);
        lpk_gemm_packed_b_free(pk);
        free(blk2);
    }

    if (flags & 2) {
        /* row-major: the same call */
        float *blk2, *c2 = new_c(p, &blk2);
        lpk_cblas_sbgemm(101, cblas_t(p->ta, flags & 8), cblas_t(p->tb, flags & 16), (int)p->m,
                         (int)p->n, (int)p->k, p->alpha, p->a, (int)p->lda, p->b, (int)p->ldb,
                         p->beta, c2, (int)p->ldc);
        long d = fuzz_diff(c2, c, cbytes);
        FUZZ_CHECK(d < 0, "lpk_cblas_sbgemm row-major [%s] differs from lpk_gemm_bf16f32 at %ld",
                   tier, d / 4);
        /* column-major: C^T = op(B)^T op(A)^T, the operands swapped */
        free(blk2);
        c2 = new_c(p, &blk2);
        lpk_cblas_sbgemm(102, cblas_t(p->tb, flags & 8), cblas_t(p->ta, flags & 16), (int)p->n,
                         (int)p->m, (int)p->k, p->alpha, p->b, (int)p->ldb, p->a, (int)p->lda,
                         p->beta, c2, (int)p->ldc);
        snprintf(who, sizeof who, "lpk_cblas_sbgemm col-major [%s]", tier);
        check_lead(p, who, blk2);
        check_c(p, who, c2);
        free(blk2);
    }

    if (flags & 4) {
        /* bf16 C: the same as rounding lpk_gemm_bf16f32's result on the
           widened C, element (i, j) with index i*n + j */
        const lpk_round mode = !(flags & 32)  ? LPK_ROUND_NEAREST
                               : (flags & 64) ? LPK_ROUND_STOCHASTIC_ARS
                                               : LPK_ROUND_STOCHASTIC;
        const size_t cnt = (p->m - 1) * p->ldc + p->n;
        lpk_bf16 *h = malloc(cnt * sizeof(lpk_bf16));
        memcpy(h, p->cb0, cnt * sizeof(lpk_bf16));
        float *blk2, *cw = new_c(p, &blk2);
        for (size_t i = 0; i < p->m; i++)
            for (size_t j = 0; j < p->n; j++)
                cw[i * p->ldc + j] = (float)widen(p->cb0[i * p->ldc + j]);
        st = lpk_gemm_bf16f32(p->ta, p->tb, p->m, p->n, p->k, p->alpha, p->a, p->lda, p->b,
                              p->ldb, p->beta, cw, p->ldc);
        FUZZ_CHECK(st == LPK_OK, "lpk_gemm_bf16f32 [%s]: status %d", tier, (int)st);
        float *t = malloc(p->m * p->n * sizeof(float));
        lpk_bf16 *want = malloc(p->m * p->n * sizeof(lpk_bf16));
        for (size_t i = 0; i < p->m; i++)
            memcpy(t + i * p->n, cw + i * p->ldc, p->n * sizeof(float));
        FUZZ_CHECK(lpk_f32_to_bf16(t, want, p->m * p->n, mode, seed, 0) == LPK_OK,
                   "f32_to_bf16");
        st = lpk_gemm_bf16(p->ta, p->tb, p->m, p->n, p->k, p->alpha, p->a, p->lda, p->b, p->ldb,
                           p->beta, h, p->ldc, mode, seed);
        FUZZ_CHECK(st == LPK_OK, "lpk_gemm_bf16 [%s]: status %d: %s", tier, (int)st,
                   lpk_last_error());
        for (size_t i = 0; i < p->m; i++)
            for (size_t j = 0; j < p->ldc && i * p->ldc + j < cnt; j++) {
                const lpk_bf16 g = h[i * p->ldc + j];
                const lpk_bf16 w = j < p->n ? want[i * p->n + j] : p->cb0[i * p->ldc + j];
                FUZZ_CHECK(g == w,
                           "lpk_gemm_bf16 [%s] mode %d seed 0x%llx m=%zu n=%zu k=%zu: C(%zu,%zu) "
                           "= 0x%04x, want 0x%04x (fp32 result %a)",
                           tier, (int)mode, (unsigned long long)seed, p->m, p->n, p->k, i, j, g,
                           w, j < p->n ? (double)t[i * p->n + j] : 0.0);
            }
        free(h);
        free(t);
        free(want);
        free(blk2);
    }
    free(blk);
}

/* ---- input -> problem -------------------------------------------------- */

static const lpk_bf16 special_bf16[] = {0x0000, 0x8000, 0x0001, 0x807F, 0x0080, 0x7F7F, 0xFF7F,
                                        0x7F80, 0xFF80, 0x7FC0, 0xFFC1, 0x7F81, 0x3F80, 0xBF80};

static lpk_bf16 value_bf16(fuzz_in *in, int vmode)
{
    const uint16_t r = fuzz_u16(in);
    if (vmode == 3)
        return r;
    if (vmode == 2 && (r & 0x1F) == 0)
        return special_bf16[(r >> 5) % (sizeof special_bf16 / sizeof special_bf16[0])];
    if ((r & 0xF) == 0)
        return (lpk_bf16)(r & 0x8000); /* +-0 */
    /* sign, exponent 2^-16 .. 2^15, 7 fraction bits */
    return (lpk_bf16)((r & 0x8000) | ((111u + ((r >> 4) & 31)) << 7) | ((r >> 9) & 0x3F) |
                      ((r << 2) & 0x40));
}

static float value_c(fuzz_in *in, int vmode)
{
    if (vmode == 3)
        return lpk_bits_f32(fuzz_u32(in));
    const lpk_bf16 h = value_bf16(in, vmode);
    return lpk_bits_f32((uint32_t)h << 16 | (cls_bf16(h) == K_NORM ? fuzz_u8(in) : 0));
}

static lpk_bf16 *new_operand(fuzz_in *in, int vmode, size_t rows, size_t cols, size_t ld,
                             size_t mis, lpk_bf16 **blk)
{
    const size_t cnt = mis + (rows && cols ? (rows - 1) * ld + cols : 0);
    *blk = malloc(cnt * sizeof(lpk_bf16) + 2);
    lpk_bf16 *x = *blk + mis;
    for (size_t q = 0; q < mis; q++)
        (*blk)[q] = PADBF;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < ld && r * ld + c < cnt - mis; c++)
            x[r * ld + c] = c < cols ? value_bf16(in, vmode) : PADBF;
    return x;
}

static const float ab_table[] = {1.0f, 1.0f, 0.0f, -1.0f, 0.5f, 2.0f, 0.75f, -1.5f, 3.0f,
                                 0.1f, -0.0f, 1.0f / 256, 200.0f};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *tiers[LPK_TIER_COUNT];
    static size_t ntiers;
    if (!ntiers)
        ntiers = fuzz_tiers(gemm_families, tiers);

    fuzz_in in;
    fuzz_in_init(&in, data, size);
    problem p;
    const uint8_t f0 = fuzz_u8(&in), f1 = fuzz_u8(&in);
    p.ta = (lpk_trans)(f0 & 1);
    p.tb = (lpk_trans)((f0 >> 1) & 1);
    const int vmode = (f0 >> 2) & 3;
    p.m = 1 + fuzz_u8(&in) % MMAX;
    p.n = 1 + fuzz_u8(&in) % MMAX;
    p.k = fuzz_u8(&in) % (KMAX + 1);
    const uint8_t pads = fuzz_u8(&in), mis = fuzz_u8(&in);
    p.lda = (p.ta == LPK_NOTRANS ? p.k : p.m) + (pads & 3);
    p.ldb = (p.tb == LPK_NOTRANS ? p.n : p.k) + ((pads >> 2) & 3);
    p.ldc = p.n + ((pads >> 4) & 7);
    if (p.lda == 0)
        p.lda = 1;
    if (p.ldb == 0)
        p.ldb = 1;
    p.mis_a = mis & 3;
    p.mis_b = (mis >> 2) & 3;
    p.mis_c = (mis >> 4) & 3;
    const size_t nab = sizeof ab_table / sizeof ab_table[0];
    p.alpha = (f0 & 0x10) ? fuzz_param(&in, ab_table, nab) : ab_table[fuzz_u8(&in) % nab];
    p.beta = (f0 & 0x20) ? fuzz_param(&in, ab_table, nab) : ab_table[fuzz_u8(&in) % nab];
    const uint64_t seed = fuzz_u64(&in);

    p.a = new_operand(&in, vmode, p.ta == LPK_NOTRANS ? p.m : p.k,
                      p.ta == LPK_NOTRANS ? p.k : p.m, p.lda, p.mis_a, &p.ablk);
    p.b = new_operand(&in, vmode, p.tb == LPK_NOTRANS ? p.k : p.n,
                      p.tb == LPK_NOTRANS ? p.n : p.k, p.ldb, p.mis_b, &p.bblk);
    const size_t ccnt = (p.m - 1) * p.ldc + p.n;
    p.c0 = malloc(ccnt * sizeof(float));
    p.cb0 = malloc(ccnt * sizeof(lpk_bf16));
    for (size_t x = 0; x < ccnt; x++) {
        const int pad = x % p.ldc >= p.n;
        p.c0[x] = pad ? lpk_bits_f32(CSENT) : value_c(&in, vmode);
        p.cb0[x] = pad ? 0x7FC7 : (lpk_bf16)(lpk_f32_bits(p.c0[x]) >> 16);
    }
    p.ex = malloc(p.m * p.n * sizeof(expect));
    for (size_t i = 0; i < p.m; i++)
        for (size_t j = 0; j < p.n; j++)
            p.ex[i * p.n + j] = analyse(&p, i, j);

    run_variants(&p);
    for (size_t t = 0; t < ntiers; t++) {
        fuzz_set_tier(tiers[t]);
        run_api(&p, tiers[t], f1, seed);
    }
    fuzz_set_tier("auto");
    free(p.ablk);
    free(p.bblk);
    free(p.c0);
    free(p.cb0);
    free(p.ex);
    return 0;
}
