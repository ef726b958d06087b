/* SPDX-License-Identifier: Apache-2.0 */
/* The optimizer-update kernels written once over a small set of vector
   primitives; each ISA file (avx512.c, avx2.c, neon.c and their AES
   variants avx512vaes.c, avx2vaes.c, neonaes.c) defines them (the shared
   ones in <isa>-inl.h) and includes this file, which then defines that
   variant's four kernels.
   Bit-identical to ref.c: the same ops in the same order, each rounding
   where ref.c rounds.

   What the ISA file provides (UV = vector of UPD_VL fp32 lanes):
     UPD_VL, UPD_STEP      lanes per vector; elements per step (a multiple of
                           2*UPD_VL and of 8, the Philox block)
     UPD_SUFFIX            avx512, avx2, neon: the kernel names' suffix
     UPD_RB                steps whose SR bits one bits call makes
     upd_pkeys, upd_pkeys_init(k, seed), upd_prbits(k, q, r[UPD_RB*UPD_STEP/UPD_VL]):
                           Philox4x32-10: the SR bits of elements
                           8q .. 8q + UPD_RB*UPD_STEP - 1, one uint32 lane
                           each (value < 2^16), laid out like v_ld16's
                           vectors (a call may make bits past the end of the
                           call's elements: they are not used)
     upd_r16_load(p, r[2]) the two bit vectors of a pair from the uint16 of
                           its UPD_PAIR elements in element order
     UPD_ARS_NATIVE        defined by a file with AES instructions, which then
                           provides upd_akeys, upd_akeys_init(k, seed) (key
                           {seed, 0}) and upd_arbits(k, q, r) as upd_prbits
                           with ARS-7 bits (lpk.h, LPK_ROUND_STOCHASTIC_ARS);
                           otherwise this file computes them block by block
                           with the software AES of common/ars.h (slow, but
                           never an instruction the tier may lack).
   Each random stream (the weight's, and with LPK_UPDATE_STATE_SR those of m
   and v) has one upd_keys of the call's generator.
     v_set, v_add, v_sub, v_mul, v_div, v_sqrt
     v_ld16(p, &lo, &hi)   2*UPD_VL bf16 widened to fp32 in two vectors; the
                           lane order within the pair may be any fixed
                           permutation (AVX-512/AVX2: even / odd elements,
                           NEON: natural order)
     v_ld32(p, &lo, &hi)   2*UPD_VL fp32 in that same permutation
     v_st16(p, lo, hi)     stores the high halves of the 32-bit patterns
                           (a rounded sum or a clean bf16 value), every NaN
                           pattern replaced by the canonical 0x7FC0
     v_st32(p, lo, hi)     stores fp32 (inverse permutation), no change
     v_canon(x)            NaN lanes -> the canonical 0x7FC00000
     v_bf(x)               x rounded to bf16 nearest-even, as fp32 (low half 0)
     v_rne_raw(x)          the 32-bit sum whose high half is rne(x)
     v_sr_raw(x, r)        x + r, whose high half is sr(x) with bits r
     v_or(a, b)            bitwise OR
     v_is_bf16(x)          nonzero when every lane's low 16 bits are zero

   NaN handling.  v_bf / v_rne_raw / v_sr_raw are the integer rounding
   without a NaN test: u + 0x7FFF + lsb.  For a NaN whose low 16 bits are
   zero that sum does not carry out of the low half, so the NaN stays a NaN
   (of some payload).  Every NaN that reaches a rounding has that form:
   bf16 inputs widen with zero low halves; fp32 inputs are canonicalised
   before anything derived from them is rounded (gradients on load in every
   mode but fp32, w32 in split, the new master in fp32 mode); the per-call
   constants are never NaN (api.c); and an arithmetic op returns one of its
   NaN operands or the default NaN.  NaN-ness propagates through every op
   exactly as in ref.c, and each store canonicalises, so stored bits equal
   ref.c's.  Non-NaN values are rounded exactly as ref.c's. */
#ifndef UPD_SUFFIX
#error "define the vector primitives and UPD_SUFFIX before including step-inl.h"
#endif

#include "../common/ars.h"
#include "../common/asan.h"
#include "../common/stream.h"
#include "../rng/rng.h"

#define UPD_ALWAYS static inline __attribute__((always_inline))

#ifndef UPD_ARS_NATIVE
/* ARS-7 bits on a tier without AES instructions of its own, out of line
   (the rare path stays out of the loops): the blocks come from rng.ars's
   selected variant, which has AES-NI where the CPU and the tier cap allow
   it (the avx512 kernels on an AVX-512 CPU without VAES, Skylake-SP, get
   the avx2aes generator), else from the software AES round of ars.h; the
   same bits either way. */
typedef struct {
    lpk_ars_keys sw;
    uint32_t key[4]; /* {seed, 0} as rng.ars takes it */
} upd_akeys;
static inline void upd_akeys_init(upd_akeys *k, uint64_t seed)
{
    lpk_ars_sr_keys(&k->sw, seed);
    k->key[0] = (uint32_t)seed;
    k->key[1] = (uint32_t)(seed >> 32);
    k->key[2] = k->key[3] = 0;
}
static __attribute__((noinline)) void upd_arbits(const upd_akeys *k, uint64_t q,
                                                 UV r[UPD_RB * UPD_STEP / UPD_VL])
{
    enum { NB = UPD_RB * UPD_STEP / 8 };
    _Alignas(64) uint16_t b[UPD_RB * UPD_STEP];
    const lpk_variant *g = lpk_selected(&lpk_op_rng_ars.op);
    if (g->tier != LPK_TIER_SCALAR && q + NB - 1 <= LPK_ARS_QMASK) { /* no wrap at 2^61 */
        const uint32_t ctr[4] = {(uint32_t)q, (uint32_t)(q >> 32), 0, 0};
        LPK_FN(lpk_op_rng_ars, g)(k->key, ctr, NB, (uint32_t *)(void *)b);
    } else {
        for (size_t i = 0; i < NB; i++)
            lpk_ars_sr_block(&k->sw, (q + i) & LPK_ARS_QMASK, (uint8_t *)(b + 8 * i));
    }
    for (size_t p = 0; p < UPD_RB * UPD_STEP / (2 * UPD_VL); p++)
        upd_r16_load(b + 2 * UPD_VL * p, r + 2 * p);
}
#endif

/* The keys of one random stream, of the call's generator. */
typedef struct {
    int ars;
    union {
        upd_pkeys p;
        upd_akeys a;
    } u;
} upd_keys;

static inline void upd_keys_init(upd_keys *k, uint64_t seed, int ars)
{
    k->ars = ars;
    if (ars)
        upd_akeys_init(&k->u.a, seed);
    else
        upd_pkeys_init(&k->u.p, seed);
}

/* The bits of UPD_RB steps from element 8q, of the generator GEN (1 ARS,
   0 Philox; -1: the keys' own, one predictable branch per UPD_RB steps). */
UPD_ALWAYS void upd_rbits(const upd_keys *k, uint64_t q, UV r[UPD_RB * UPD_STEP / UPD_VL],
                          const int GEN)
{
    if (GEN == 1 || (GEN < 0 && k->ars))
        upd_arbits(&k->u.a, q, r);
    else
        upd_prbits(&k->u.p, q, r);
}

/* Prefetch of the read streams, in two parts.  Far ahead, in bursts: every
   UPD_PF_BURST elements, each stream's next UPD_PF_BURST elements starting
   UPD_PF_AHEAD elements ahead are fetched towards L2 (hint 2, PREFETCHT1),
   one stream after the other, so that DRAM serves each stream's lines
   together; near, one line per stream per step UPD_PF_BYTES ahead into L1
   (hint 3).  The one-line-per-stream-per-step scheme alone (2 KiB ahead,
   L1) interleaves the streams' DRAM accesses line by line and measured
   sensitive to where the arrays lie: with w, comp and g allocated one after
   another (128 MiB + 4 KiB apart) Kahan SGD ran 1.3-1.4 Gelem/s at 64M
   against 1.9-2.0 with the same arrays in another order.  With the bursts
   every mode measured 1.06-1.49x faster at 64M in that layout and 1.08-1.48x
   in the other, except plain Kahan SGD there (0.98x), on avx2vaes and
   avx512vaes; in cache within 2-4%.  See perf/RESULTS.md, "Update kernels at
   64M: prefetch in bursts". */
#ifndef UPD_PF_BYTES
#define UPD_PF_BYTES 512
#endif
#ifndef UPD_PF_BURST
#define UPD_PF_BURST 256
#endif
#ifndef UPD_PF_AHEAD
#define UPD_PF_AHEAD 1024
#endif
_Static_assert(UPD_PF_BURST % UPD_STEP == 0, "bursts start on step boundaries");

#define UPD_CAT_(a, b) a##__##b
#define UPD_CAT(a, b) UPD_CAT_(a, b)
#define UPD_NAME(op) UPD_CAT(lpk_update_##op, UPD_SUFFIX)
#define UPD_PAIR (2 * UPD_VL)
#define UPD_NR (UPD_STEP / UPD_VL)

enum { MOM_NONE = 0, MOM_FIRST = 1, MOM_LATER = 2 };

/* Random streams: the weight's SR bits, and the state's (m, v) with
   LPK_UPDATE_STATE_SR.  rs[s] points at the bits of one group. */
enum { RS_W = 0, RS_M = 1, RS_V = 2, RS_COUNT = 3 };

#define UPD_WSR(MODE) ((MODE) == LPK_UPDATE_STOCHASTIC || (MODE) == LPK_UPDATE_F32_STOCHASTIC)
#define UPD_KAHAN(MODE) ((MODE) == LPK_UPDATE_KAHAN || (MODE) == LPK_UPDATE_F32_KAHAN)

/* ---- groups: every op on UPD_G vectors side by side ------------------------ */

/* The kernels compute a group of vectors (pairs) at once, each op on all
   of them before the next.  One vector's chain of dependent ops is long
   (AdamW in the 16-bit FPU model: 18 roundings, a sqrt and a div, some 150
   cycles), and its ~100 vector uops fill the scheduler: written pair by pair
   the loop ran at the chain's latency (AdamW Kahan, AVX-512, in cache: 0.58
   Gelem/s pair by pair, 0.78 with four vectors side by side).
   Every helper takes the group's vector count n (a compile-time constant
   after inlining, at most UPD_G).  Every mode uses UPD_G vectors but
   these, which use UPD_G_LIGHT: AdamW's FP32 mode and plain SGD (no
   momentum) NEAREST and STOCHASTIC; SGD's FP32 mode (fp32 master weights)
   stays at one pair.  UPD_G and UPD_G_LIGHT are even divisors of UPD_NR
   that the ISA file may set (default: one pair, as a file with few
   registers wants).  In-process A/B on Zen 4 (perf/ab_update.sh,
   2026-12-06, fifth session), four vectors against the earlier one pair:
   in cache the SGD F32_* modes 1.04-1.08x on avx2vaes and 1.05-1.16x on
   avx512vaes, the AdamW F32_* modes 1.05-1.08x and the 16-bit SGD+momentum
   nearest / stochastic modes 1.02-1.03x on avx2vaes, at 64M up to 1.16x;
   but plain SGD nearest 0.95-0.97x at 64M on avx2vaes.  (AdamW F32_NEAREST
   measured 0.97x with four vectors in one pass, its registers spilling;
   in two passes, adamw_steps, four win.) */
#ifndef UPD_G
#define UPD_G 2
#endif
#ifndef UPD_G_LIGHT
#define UPD_G_LIGHT UPD_G
#endif
#define UPD_SGD_G(MODE, MOM)                                                     \
    ((MODE) == LPK_UPDATE_FP32                               ? 2                  \
     : (MODE) <= LPK_UPDATE_STOCHASTIC && (MOM) == MOM_NONE ? UPD_G_LIGHT        \
                                                             : UPD_G)
#define UPD_ADAMW_G(MODE) ((MODE) == LPK_UPDATE_FP32 ? UPD_G_LIGHT : UPD_G)
#if UPD_G % 2 || UPD_NR % UPD_G || UPD_G_LIGHT % 2 || UPD_NR % UPD_G_LIGHT
#error "UPD_G and UPD_G_LIGHT must be even divisors of UPD_NR"
#endif
typedef struct {
    UV v[UPD_G];
} VG;

#define G_FOR(h) _Pragma("GCC unroll 16") for (int h = 0; h < n; h++)

UPD_ALWAYS VG g_dup(const int n, UV c)
{
    VG r;
    G_FOR(h) r.v[h] = c;
    return r;
}
#define UPD_G_OP2(name, op)                                                         \
    UPD_ALWAYS VG name(const int n, VG a, VG b)                                     \
    {                                                                               \
        VG r;                                                                       \
        G_FOR(h) r.v[h] = op(a.v[h], b.v[h]);                                       \
        return r;                                                                   \
    }
#define UPD_G_OP1(name, op)                                                         \
    UPD_ALWAYS VG name(const int n, VG a)                                           \
    {                                                                               \
        VG r;                                                                       \
        G_FOR(h) r.v[h] = op(a.v[h]);                                               \
        return r;                                                                   \
    }
UPD_G_OP2(g_add, v_add)
UPD_G_OP2(g_sub, v_sub)
UPD_G_OP2(g_mul, v_mul)
UPD_G_OP2(g_div, v_div)
UPD_G_OP1(g_sqrt, v_sqrt)
UPD_G_OP1(g_canon, v_canon)
UPD_G_OP1(g_bf, v_bf)
UPD_G_OP1(g_rne, v_rne_raw)
#undef UPD_G_OP1
#undef UPD_G_OP2

/* Whether every lane of a is a bf16 value (low half zero): one OR per
   vector and one test. */
UPD_ALWAYS int g_is_bf16(const int n, VG a)
{
    UV o = a.v[0];
    G_FOR(h) if (h) o = v_or(o, a.v[h]);
    return v_is_bf16(o);
}

/* x + r: sr(x) with the group's bits r[0 .. n - 1]. */
UPD_ALWAYS VG g_sr(const int n, VG x, const UV *r)
{
    VG o;
    G_FOR(h) o.v[h] = v_sr_raw(x.v[h], r[h]);
    return o;
}

/* Loads and stores of a group: pair q is vectors 2q, 2q + 1. */
UPD_ALWAYS VG g_ld16(const int n, const lpk_bf16 *p)
{
    VG r;
    for (int q = 0; q < n / 2; q++)
        v_ld16(p + q * UPD_PAIR, &r.v[2 * q], &r.v[2 * q + 1]);
    return r;
}

UPD_ALWAYS VG g_ld32(const int n, const float *p)
{
    VG r;
    for (int q = 0; q < n / 2; q++)
        v_ld32(p + q * UPD_PAIR, &r.v[2 * q], &r.v[2 * q + 1]);
    return r;
}

UPD_ALWAYS void g_st16(const int n, lpk_bf16 *p, VG x)
{
    for (int q = 0; q < n / 2; q++)
        v_st16(p + q * UPD_PAIR, x.v[2 * q], x.v[2 * q + 1]);
}

UPD_ALWAYS void g_st32(const int n, float *p, VG x)
{
    for (int q = 0; q < n / 2; q++)
        v_st32(p + q * UPD_PAIR, x.v[2 * q], x.v[2 * q + 1]);
}

/* A state value of the fp32-arithmetic modes rounded once: the raw sum
   whose high half is rne(x), or sr(x) with bits r (LPK_UPDATE_STATE_SR). */
UPD_ALWAYS VG state_raw(const int n, VG x, const UV *r, int ssr)
{
    return ssr ? g_sr(n, x, r) : g_rne(n, x);
}

/* ---- gradient ------------------------------------------------------------ */

UPD_ALWAYS VG load_grad(const int n, const lpk_upd_bufs *b, size_t i, const int G32,
                         const int CANON)
{
    if (!G32)
        return g_ld16(n, b->g16 + i);
    const VG g = g_ld32(n, b->g32 + i);
    return CANON ? g_canon(n, g) : g;
}

/* The final write of the bf16-weight modes: w (clean, widened), increment u
   (bf16 in the 16-bit modes, fp32 in the F32_* modes). */
UPD_ALWAYS void write_weight(const int n, const lpk_upd_bufs *b, size_t i, const int MODE, VG w,
                             VG u, const UV *r)
{
    VG o, c;
    if (UPD_KAHAN(MODE))
        c = g_ld16(n, b->comp + i);
    if (MODE == LPK_UPDATE_NEAREST || MODE == LPK_UPDATE_F32_NEAREST) {
        o = g_rne(n, g_add(n, w, u));
    } else if (UPD_WSR(MODE)) {
        o = g_sr(n, g_add(n, w, u), r);
    } else if (MODE == LPK_UPDATE_KAHAN) {
        /* c = rne(bf(s - w) - y).  s - w is almost always a bf16 value
           already (when s and w lie within a factor of two: |y| well below
           |w|, as in training), and then bf() leaves it as it is and
           (s - w) - y is a bf16 value too, so rne() leaves that as well:
           over all 2^32 bf16 pairs (w, y), every s - w with a zero low half
           has (s - w) - y with a zero low half (test_update_variants checks
           this exhaustively).  A group whose s - w are all bf16 values
           skips both roundings; the bits are the same either way.
           In-process on Zen 4 (eighth session): sgd kahan 1.31x in cache
           and 1.18x at 64M on avx2vaes; with every group taking the
           roundings, 0.99x (perf/ab_update.sh --tiny 1000). */
        const VG y = g_bf(n, g_sub(n, u, c));
        const VG s = g_bf(n, g_add(n, w, y));
        const VG d = g_sub(n, s, w);
        c = g_is_bf16(n, d) ? g_sub(n, d, y) : g_rne(n, g_sub(n, g_bf(n, d), y));
        o = s;
    } else { /* F32_KAHAN: fp32 ops, the new w and comp rounded once */
        const VG y = g_sub(n, u, c);
        o = g_bf(n, g_add(n, w, y));
        c = g_rne(n, g_sub(n, g_sub(n, o, w), y));
    }
    if (UPD_KAHAN(MODE))
        g_st16(n, b->comp + i, c);
    g_st16(n, b->w + i, o);
}

/* ---- SGD ------------------------------------------------------------------ */

UPD_ALWAYS void sgd_group(const int n, const lpk_upd_bufs *b, const lpk_upd_sgd_k *k, size_t i,
                          const UV *const rs[RS_COUNT], const int MODE, const int G32,
                          const int DECAY, const int MOM, const int NEST, const int undamped,
                          const int SSR)
{
    const VG wd = g_dup(n, v_set(k->wd)), mom = g_dup(n, v_set(k->mom));
    const VG one_minus_damp = g_dup(n, v_set(k->one_minus_damp));
    const VG neg_lr = g_dup(n, v_set(k->neg_lr));
    VG g = load_grad(n, b, i, G32, MODE != LPK_UPDATE_FP32), w, m, d, u;
    if (MODE == LPK_UPDATE_FP32 || LPK_UPD_IS_F32(MODE)) {
        /* the fp32 expressions: on master and m32 (FP32), or on the widened
           bf16 w and m, each stored value rounded once (F32_*) */
        const int F = MODE == LPK_UPDATE_FP32;
        w = F ? g_ld32(n, b->master + i) : g_ld16(n, b->w + i);
        if (MOM == MOM_LATER)
            m = F ? g_ld32(n, b->m32 + i) : g_ld16(n, b->m + i);
        if (DECAY)
            g = g_add(n, g, g_mul(n, wd, w));
        d = g;
        if (MOM != MOM_NONE) {
            const VG gd = undamped ? g : g_mul(n, one_minus_damp, g);
            const VG buf = MOM == MOM_FIRST ? g : g_add(n, g_mul(n, mom, m), gd);
            m = F ? g_canon(n, buf) : state_raw(n, buf, rs[RS_M], SSR);
            d = NEST ? g_add(n, g, g_mul(n, mom, buf)) : buf;
        }
        u = g_mul(n, neg_lr, d);
        if (MOM != MOM_NONE && F)
            g_st32(n, b->m32 + i, m);
        else if (MOM != MOM_NONE)
            g_st16(n, b->m + i, m);
        if (F) {
            w = g_canon(n, g_add(n, w, u));
            g_st32(n, b->master + i, w);
            g_st16(n, b->w + i, g_rne(n, w));
        } else {
            write_weight(n, b, i, MODE, w, u, rs[RS_W]);
        }
        return;
    }
    w = g_ld16(n, b->w + i);
    if (MOM == MOM_LATER)
        m = g_ld16(n, b->m + i);
    if (DECAY)
        g = g_bf(n, g_add(n, g, g_bf(n, g_mul(n, wd, w))));
    d = g;
    if (MOM != MOM_NONE) {
        /* bf(one_minus_damp * g), or g itself when it is a bf16 value and
           one_minus_damp == 1 (dampening 0, the common case): 1 * g is
           exact and g widened from bf16 (or after weight decay) is its own
           rounding.  A NaN stays a NaN either way, and every store
           canonicalises it, so the bits are ref.c's. */
        const VG gb = G32 && !DECAY ? g_bf(n, g) : g; /* bf(g) */
        const VG gd = undamped ? gb : g_bf(n, g_mul(n, one_minus_damp, g));
        const VG buf = MOM == MOM_FIRST ? gb
                                        : g_bf(n, g_add(n, g_bf(n, g_mul(n, mom, m)), gd));
        m = buf;
        d = NEST ? g_bf(n, g_add(n, g, g_bf(n, g_mul(n, mom, buf)))) : buf;
    }
    u = g_bf(n, g_mul(n, neg_lr, d));
    if (MOM != MOM_NONE)
        g_st16(n, b->m + i, m);
    write_weight(n, b, i, MODE, w, u, rs[RS_W]);
}

/* ---- AdamW ---------------------------------------------------------------- */

/* AdamW in two passes over each chunk of steps (adamw_steps): adamw_state
   updates m and v and leaves the quotient q = m / (sqrt(v) / sqrt(bc2) +
   eps) (bf(...) of it in the 16-bit model) in an L1 buffer; adamw_weight
   then makes the increment from q and w and writes the weight.  The ops and
   their order are those of one pass; splitting them keeps the long chain
   through VSQRTPS and VDIVPS from holding the scheduler's entries with the
   weight's ops that wait on it.  In-process A/B on Zen 4 against the one
   pass before (2026-12-06, fifth session): 1.08-1.14x in cache and
   1.02-1.10x at 64M for the F32_* modes on avx2vaes, 1.02-1.13x on
   avx512vaes; the 16-bit Kahan mode 1.01-1.05x. */
UPD_ALWAYS void adamw_state(const int n, const lpk_upd_bufs *b, const lpk_upd_adamw_k *k,
                            size_t i, const UV *const rs[RS_COUNT], const int MODE,
                            const int G32, const int SSR, const int SQRT_FIRST, UV *q)
{
    const VG b1 = g_dup(n, v_set(k->b1)), b2 = g_dup(n, v_set(k->b2));
    const VG one_minus_beta1 = g_dup(n, v_set(k->one_minus_beta1));
    const VG one_minus_beta2 = g_dup(n, v_set(k->one_minus_beta2));
    const VG eps = g_dup(n, v_set(k->eps)), inv_sqrt_bc2 = g_dup(n, v_set(k->inv_sqrt_bc2));
    const VG g = load_grad(n, b, i, G32, MODE != LPK_UPDATE_FP32);
    VG m, v, qq;
    if (MODE == LPK_UPDATE_FP32 || LPK_UPD_IS_F32(MODE)) { /* as in sgd_group */
        const int F = MODE == LPK_UPDATE_FP32;
        /* SQRT_FIRST: v and its VSQRTPS first, the stores of m and v
           before VDIVPS (gcc keeps this order on x86) */
        v = F ? g_ld32(n, b->v32 + i) : g_ld16(n, b->v + i);
        const VG vv = g_add(n, g_mul(n, b2, v), g_mul(n, one_minus_beta2, g_mul(n, g, g)));
        VG sq;
        if (SQRT_FIRST)
            sq = g_sqrt(n, vv);
        m = F ? g_ld32(n, b->m32 + i) : g_ld16(n, b->m + i);
        const VG mm = g_add(n, g_mul(n, b1, m), g_mul(n, one_minus_beta1, g));
        if (!SQRT_FIRST)
            qq = g_div(n, mm, g_add(n, g_mul(n, g_sqrt(n, vv), inv_sqrt_bc2), eps));
        if (F) {
            g_st32(n, b->m32 + i, g_canon(n, mm));
            g_st32(n, b->v32 + i, g_canon(n, vv));
        } else {
            g_st16(n, b->m + i, state_raw(n, mm, rs[RS_M], SSR));
            g_st16(n, b->v + i, state_raw(n, vv, rs[RS_V], SSR));
        }
        if (SQRT_FIRST)
            qq = g_div(n, mm, g_add(n, g_mul(n, sq, inv_sqrt_bc2), eps));
    } else {
        m = g_ld16(n, b->m + i);
        v = g_ld16(n, b->v + i);
        m = g_bf(n, g_add(n, g_bf(n, g_mul(n, b1, m)), g_bf(n, g_mul(n, one_minus_beta1, g))));
        v = g_bf(n, g_add(n, g_bf(n, g_mul(n, b2, v)),
                          g_bf(n, g_mul(n, one_minus_beta2, g_bf(n, g_mul(n, g, g))))));
        const VG dn =
            g_bf(n, g_add(n, g_bf(n, g_mul(n, g_bf(n, g_sqrt(n, v)), inv_sqrt_bc2)), eps));
        qq = g_bf(n, g_div(n, m, dn));
        g_st16(n, b->m + i, m);
        g_st16(n, b->v + i, v);
    }
    G_FOR(h) q[h] = qq.v[h];
}

UPD_ALWAYS void adamw_weight(const int n, const lpk_upd_bufs *b, const lpk_upd_adamw_k *k,
                             size_t i, const UV *const rs[RS_COUNT], const int MODE,
                             const int DECAY, const UV *q)
{
    const VG neg_step_size = g_dup(n, v_set(k->neg_step_size));
    const VG lr_weight_decay = g_dup(n, v_set(k->lr_weight_decay));
    const int F = MODE == LPK_UPDATE_FP32;
    VG qq, u;
    G_FOR(h) qq.v[h] = q[h];
    VG w = F ? g_ld32(n, b->master + i) : g_ld16(n, b->w + i);
    if (MODE == LPK_UPDATE_FP32 || LPK_UPD_IS_F32(MODE)) {
        u = g_mul(n, neg_step_size, qq);
        if (DECAY)
            u = g_sub(n, u, g_mul(n, lr_weight_decay, w));
        if (!F) {
            write_weight(n, b, i, MODE, w, u, rs[RS_W]);
            return;
        }
        w = g_canon(n, g_add(n, w, u));
        g_st32(n, b->master + i, w);
        g_st16(n, b->w + i, g_rne(n, w));
        return;
    }
    const VG st = g_bf(n, g_mul(n, neg_step_size, qq));
    u = DECAY ? g_bf(n, g_sub(n, st, g_bf(n, g_mul(n, lr_weight_decay, w)))) : st;
    write_weight(n, b, i, MODE, w, u, rs[RS_W]);
}

/* ---- steps: the specialised loops ----------------------------------------- */

/* UPD_PF_BYTES ahead into L1.  Written here, always inlined: a small static
   inline helper that only prefetches is "const" to GCC's IPA passes, which
   then delete its calls from a function this large before inlining it
   (measured: no PREFETCH left in the object). */
UPD_ALWAYS void upd_prefetch(const void *p)
{
    __builtin_prefetch((const char *)p + UPD_PF_BYTES, 0, 3);
}

/* One stream's burst: elements [i + UPD_PF_AHEAD, + UPD_PF_BURST) of `es`
   bytes each, towards L2. */
UPD_ALWAYS void upd_prefetch_burst(const void *p, size_t i, const size_t es)
{
    const char *c = (const char *)p + (i + UPD_PF_AHEAD) * es;
    for (size_t o = 0; o < UPD_PF_BURST * es; o += 64)
        __builtin_prefetch(c + o, 0, 2);
}

/* The read streams of one step (which exist is known at compile time):
   the bursts when a burst starts at i, then one L1 prefetch per 64-byte
   line of the step. */
UPD_ALWAYS void prefetch_step(const lpk_upd_bufs *b, size_t i, const int MODE, const int G32,
                              const int NSTATE)
{
    const int fp32 = MODE == LPK_UPDATE_FP32;
    if (i % UPD_PF_BURST == 0) {
        if (!fp32)
            upd_prefetch_burst(b->w, i, 2);
        if (UPD_KAHAN(MODE))
            upd_prefetch_burst(b->comp, i, 2);
        if (!G32)
            upd_prefetch_burst(b->g16, i, 2);
        if (!fp32 && NSTATE >= 1)
            upd_prefetch_burst(b->m, i, 2);
        if (!fp32 && NSTATE >= 2)
            upd_prefetch_burst(b->v, i, 2);
        if (fp32)
            upd_prefetch_burst(b->master, i, 4);
        if (G32)
            upd_prefetch_burst(b->g32, i, 4);
        if (fp32 && NSTATE >= 1)
            upd_prefetch_burst(b->m32, i, 4);
        if (fp32 && NSTATE >= 2)
            upd_prefetch_burst(b->v32, i, 4);
    }
    for (size_t e = 0; e < UPD_STEP; e += 32) { /* 64 bytes of bf16 */
        if (!fp32)
            upd_prefetch(b->w + i + e);
        if (UPD_KAHAN(MODE))
            upd_prefetch(b->comp + i + e);
        if (!G32)
            upd_prefetch(b->g16 + i + e);
        if (!fp32 && NSTATE >= 1)
            upd_prefetch(b->m + i + e);
        if (!fp32 && NSTATE >= 2)
            upd_prefetch(b->v + i + e);
    }
    for (size_t e = 0; e < UPD_STEP; e += 16) { /* 64 bytes of fp32 */
        if (fp32)
            upd_prefetch(b->master + i + e);
        if (G32)
            upd_prefetch(b->g32 + i + e);
        if (fp32 && NSTATE >= 1)
            upd_prefetch(b->m32 + i + e);
        if (fp32 && NSTATE >= 2)
            upd_prefetch(b->v32 + i + e);
    }
}

/* Steps over b->n elements (a multiple of UPD_STEP) whose first element is
   on a Philox block boundary.  One function per (mode, gradient type,
   momentum state): those change which buffers exist and which ops run.
   Weight decay, nesterov, dampening and the generator are predictable
   branches inside the loop, or fixed once per call where that measured
   faster (sgd_steps, adamw_steps say where).  The loops
   read buffers and constants from local copies: stores through the bf16
   pointers could alias *b and *k otherwise, and the compiler would reload
   pointers and re-broadcast constants every iteration. */
typedef void upd_steps_fn(const lpk_upd_bufs *b, const void *k, const upd_keys keys[RS_COUNT],
                          int pf);

/* The SR bits of the streams in use (`nstate` state streams when ssr) for
   UPD_RB steps from element 8q. */
UPD_ALWAYS void rbits_streams(const upd_keys keys[RS_COUNT], uint64_t q, const int MODE, int ssr,
                              const int GEN, const int NSTATE, UV rr[RS_COUNT][UPD_RB * UPD_NR])
{
    if (UPD_WSR(MODE))
        upd_rbits(&keys[RS_W], q, rr[RS_W], GEN);
    if (ssr && NSTATE >= 1)
        upd_rbits(&keys[RS_M], q, rr[RS_M], GEN);
    if (ssr && NSTATE >= 2)
        upd_rbits(&keys[RS_V], q, rr[RS_V], GEN);
}

/* Pointers to the bits of group q (of n vectors) of step j. */
UPD_ALWAYS void group_bits(UV rr[RS_COUNT][UPD_RB * UPD_NR], size_t j, int n, int q,
                           const UV *rs[RS_COUNT])
{
    for (int s = 0; s < RS_COUNT; s++)
        rs[s] = rr[s] + j * UPD_NR + q * n;
}

/* Whether sgd_steps and adamw_steps specialise their loops per call: for
   an ISA file that asks (UPD_PER_CALL_LOOPS: AVX2, whose 16 registers
   spill at the tests' merge points, and AVX-512), in optimised builds
   without AddressSanitizer (the compile time, below). */
#if defined(UPD_PER_CALL_LOOPS) && defined(__OPTIMIZE__) && !LPK_ASAN
#define UPD_SPECIALISE 1
#else
#define UPD_SPECIALISE 0
#endif

/* The steps with weight decay (DECAY), nesterov (NEST), dampening 0 (UND:
   one_minus_damp == 1) and the generator (GEN, as upd_rbits) as given. */
UPD_ALWAYS void sgd_loop(const lpk_upd_bufs *b, const lpk_upd_sgd_k *k,
                         const upd_keys keys[RS_COUNT], int pf, const int MODE, const int G32,
                         const int MOM, const int DECAY, const int NEST, const int UND,
                         const int GEN, const int SSRK)
{
    const int ssr = SSRK >= 0 ? SSRK : LPK_UPD_IS_F32(MODE) && k->state_sr;
    const int nstate = MOM != MOM_NONE, n = UPD_SGD_G(MODE, MOM);
    UV rr[RS_COUNT][UPD_RB * UPD_NR];
    for (size_t i = 0, j = 0; i + UPD_STEP <= b->n; i += UPD_STEP, j = (j + 1) % UPD_RB) {
        if (pf)
            prefetch_step(b, i, MODE, G32, MOM == MOM_LATER);
        if (j == 0)
            rbits_streams(keys, (b->offset + i) >> 3, MODE, ssr, GEN, nstate, rr);
        for (int q = 0; q < UPD_NR / n; q++) {
            const UV *rs[RS_COUNT];
            group_bits(rr, j, n, q, rs);
            sgd_group(n, b, k, i + (size_t)(q * n * UPD_VL), rs, MODE, G32, DECAY, MOM, NEST,
                      UND, ssr);
        }
    }
}

UPD_ALWAYS void sgd_steps(const lpk_upd_bufs *b0, const void *k0, const upd_keys keys[RS_COUNT],
                          int pf, const int MODE, const int G32, const int MOM)
{
    const lpk_upd_bufs bl = *b0, *b = &bl;
    const lpk_upd_sgd_k kl = *(const lpk_upd_sgd_k *)k0, *k = &kl;
    const int d = k->decay != 0, un = k->one_minus_damp == 1.0f;
    /* Loops specialised on what the call fixes, with bf16 gradients: the
       generator (GEN) in every mode with SR bits, and weight decay and
       dampening 0 in the later steps of the 16-bit momentum modes.  With
       those tests inside, the AVX2 loops' branches merged with the group's
       values live, which spilled to the stack (16 YMM registers: eight
       stores and reloads per step in sgd+momentum nearest).  In-process
       A/B on Zen 4 (2026-12-06, sixth session, perf/ab_update.sh avx2vaes):
       decay and dampening, NEAREST 1.10x in cache and 1.09-1.10x at 64M
       (0.82 -> 0.91x memcpy), KAHAN 1.04-1.06x, STOCHASTIC 1.01-1.02x; the
       generator, the F32_* momentum modes 1.03-1.08x in cache and at 64M,
       plain SGD Philox 1.04-1.05x.  A loop per nesterov as well gained
       under 1%; one per decay in plain SGD measured 0.97-0.99x.  Each loop
       costs compile time (the avx2vaes file took 6 s at -O3 before, 17 s
       with every combination of both gradient types and momentum states,
       230 s at -O0 with ASan, 125 s at -O2 with clang's fuzzer and ASan):
       fp32 gradients, first steps, and builds unoptimised or with ASan
       keep one loop that tests them (UPD_SPECIALISE).  On avx512vaes (32
       registers) these loops gain less: sgd+momentum stochastic ARS 1.07x
       in cache and at 64M, the other modes 0.97-1.04x (noise), for 2-3 s
       more compile time per file (seventh session).  The F32_* momentum
       modes also get a loop per state SR (SSRK; the loop tested it at
       each state value before): in cache F32_NEAREST 1.05x (avx2vaes) and
       1.27x (avx512vaes), F32_KAHAN 1.04x and 1.21x, the SR modes
       0.99-1.07x; at 64M 0.99-1.07x (seventh session, quiet host). */
#if UPD_SPECIALISE
    if (!G32) {
        const int ars = k->rng_ars;
#define L(D, U, S)                                                                \
    ((UPD_WSR(MODE) || (S)) && ars                                                \
         ? sgd_loop(b, k, keys, pf, MODE, G32, MOM, D, k->nesterov, U, 1, S)      \
         : sgd_loop(b, k, keys, pf, MODE, G32, MOM, D, k->nesterov, U, 0, S))
        if (LPK_UPD_IS_F32(MODE) && MOM != MOM_NONE)
            k->state_sr ? L(d, un, 1) : L(d, un, 0);
        else if (MODE > LPK_UPDATE_KAHAN || MOM != MOM_LATER)
            L(d, un, 0);
        else if (d)
            un ? L(1, 1, 0) : L(1, 0, 0);
        else
            un ? L(0, 1, 0) : L(0, 0, 0);
#undef L
        return;
    }
#endif
    sgd_loop(b, k, keys, pf, MODE, G32, MOM, d, k->nesterov, un, -1, -1);
}

#define UPD_ADAMW_CH 4
UPD_ALWAYS void adamw_loop(const lpk_upd_bufs *b, const lpk_upd_adamw_k *k,
                           const upd_keys keys[RS_COUNT], int pf, const int MODE, const int G32,
                           const int GEN, const int SSRK)
{
    const int ssr = SSRK >= 0 ? SSRK : LPK_UPD_IS_F32(MODE) && k->state_sr;
    const int n = UPD_ADAMW_G(MODE);
    /* F32_STOCHASTIC with state SR, or where state SR is not fixed per
       call: the weight of each group right after its state (its increment
       is a single add, and two passes measured 0.96-0.98x at 64M); the
       other modes in two passes (F32_STOCHASTIC without state SR, with
       SQRT_FIRST: 1.08-1.10x in cache and 1.02-1.06x at 64M on avx2vaes,
       1.01x and 1.03-1.04x on avx512vaes; seventh session).  Each chunk
       spans UPD_ADAMW_CH bits calls' steps in the F32_* modes: against
       one, in-process on Zen 4, F32_NEAREST 1.06-1.07x, F32_KAHAN and
       F32_STOCHASTIC with ARS 1.02-1.03x, the others 0.97-1.04x, on
       avx2vaes and avx512vaes (2 or 8 instead of 4: 0.96-1.02x, eighth
       session); one in the 16-bit modes (this loop measured 0.98-0.99x of
       the one-chunk loop before it there, and four no better) */
    const int two = MODE != LPK_UPDATE_F32_STOCHASTIC || SSRK == 0;
    const size_t span = (MODE <= LPK_UPDATE_KAHAN ? 1 : UPD_ADAMW_CH) * UPD_RB;
    UV rr[UPD_ADAMW_CH][RS_COUNT][UPD_RB * UPD_NR], qb[UPD_ADAMW_CH * UPD_RB * UPD_NR];
    for (size_t i0 = 0; i0 + UPD_STEP <= b->n; i0 += span * UPD_STEP) {
        const size_t left = (b->n - i0) / UPD_STEP, ns = left < span ? left : span;
        for (size_t c = 0; c * UPD_RB < ns; c++)
            rbits_streams(keys, (b->offset + i0 + c * UPD_RB * UPD_STEP) >> 3, MODE, ssr, GEN,
                          2, rr[c]);
        for (size_t j = 0; j < ns; j++) {
            const size_t i = i0 + j * UPD_STEP;
            if (pf)
                prefetch_step(b, i, MODE, G32, 2);
            for (int q = 0; q < UPD_NR / n; q++) {
                const UV *rs[RS_COUNT];
                group_bits(rr[j / UPD_RB], j % UPD_RB, n, q, rs);
                const size_t e = i + (size_t)(q * n * UPD_VL);
                adamw_state(n, b, k, e, rs, MODE, G32, ssr, SSRK == 0,
                            qb + j * UPD_NR + q * n);
                if (!two)
                    adamw_weight(n, b, k, e, rs, MODE, k->decay, qb + j * UPD_NR + q * n);
            }
        }
        for (size_t j = 0; two && j < ns; j++)
            for (int q = 0; q < UPD_NR / n; q++) {
                const UV *rs[RS_COUNT];
                group_bits(rr[j / UPD_RB], j % UPD_RB, n, q, rs);
                adamw_weight(n, b, k, i0 + j * UPD_STEP + (size_t)(q * n * UPD_VL), rs, MODE,
                             k->decay, qb + j * UPD_NR + q * n);
            }
    }
}

UPD_ALWAYS void adamw_steps(const lpk_upd_bufs *b0, const void *k0,
                            const upd_keys keys[RS_COUNT], int pf, const int MODE, const int G32)
{
    const lpk_upd_bufs bl = *b0, *b = &bl;
    const lpk_upd_adamw_k kl = *(const lpk_upd_adamw_k *)k0, *k = &kl;
    /* The generator fixed (as in sgd_steps, bf16 gradients, optimised
       builds) in the state-SR modes only: 1.03-1.08x there, but AdamW
       F32_STOCHASTIC with ARS 0.97x (in cache, avx2vaes), so the others
       test it every UPD_RB steps (GEN -1).  State SR (SSRK) fixed in the
       F32_* modes, and in the two-pass ones without it adamw_state's order
       SQRT_FIRST: in-process on Zen 4 against the loop before, avx2vaes,
       in cache F32_NEAREST 1.06x, F32_KAHAN 1.04x, state-SR ARS 1.03x, at
       64M 0.98-1.02x; avx512vaes 0.97-1.05x (seventh session, quiet host).
       SQRT_FIRST measured 0.98x with state SR, and in F32_STOCHASTIC's one
       pass 0.93-0.99x (which now takes two passes without state SR). */
#if UPD_SPECIALISE
    if (!G32 && LPK_UPD_IS_F32(MODE)) {
        if (!k->state_sr)
            adamw_loop(b, k, keys, pf, MODE, G32, -1, 0);
        else if (k->rng_ars)
            adamw_loop(b, k, keys, pf, MODE, G32, 1, 1);
        else
            adamw_loop(b, k, keys, pf, MODE, G32, 0, 1);
        return;
    }
#endif
    adamw_loop(b, k, keys, pf, MODE, G32, -1, -1);
}

#define UPD_SGD_INST(M, G, MO)                                                        \
    static void sgd_steps_##M##_##G##_##MO(const lpk_upd_bufs *b, const void *k,      \
                                           const upd_keys keys[RS_COUNT], int pf)     \
    {                                                                                 \
        sgd_steps(b, k, keys, pf, M, G, MO);                                          \
    }
#define UPD_SGD_INST_M(M)                                                             \
    UPD_SGD_INST(M, 0, 0) UPD_SGD_INST(M, 0, 1) UPD_SGD_INST(M, 0, 2)                 \
    UPD_SGD_INST(M, 1, 0) UPD_SGD_INST(M, 1, 1) UPD_SGD_INST(M, 1, 2)
UPD_SGD_INST_M(0) UPD_SGD_INST_M(1) UPD_SGD_INST_M(2) UPD_SGD_INST_M(3)
UPD_SGD_INST_M(16) UPD_SGD_INST_M(17) UPD_SGD_INST_M(18)
#define UPD_SGD_ROW(M)                                                                \
    {{sgd_steps_##M##_0_0, sgd_steps_##M##_0_1, sgd_steps_##M##_0_2},                 \
     {sgd_steps_##M##_1_0, sgd_steps_##M##_1_1, sgd_steps_##M##_1_2}}
/* [mode_index(mode)][grad32][MOM_NONE, MOM_FIRST, MOM_LATER] */
static upd_steps_fn *const sgd_tab[7][2][3] = {UPD_SGD_ROW(0),  UPD_SGD_ROW(1),  UPD_SGD_ROW(2),
                                               UPD_SGD_ROW(3),  UPD_SGD_ROW(16), UPD_SGD_ROW(17),
                                               UPD_SGD_ROW(18)};

#define UPD_ADAMW_INST(M, G)                                                          \
    static void adamw_steps_##M##_##G(const lpk_upd_bufs *b, const void *k,           \
                                      const upd_keys keys[RS_COUNT], int pf)          \
    {                                                                                 \
        adamw_steps(b, k, keys, pf, M, G);                                            \
    }
UPD_ADAMW_INST(0, 0) UPD_ADAMW_INST(0, 1) UPD_ADAMW_INST(1, 0) UPD_ADAMW_INST(1, 1)
UPD_ADAMW_INST(2, 0) UPD_ADAMW_INST(2, 1) UPD_ADAMW_INST(3, 0) UPD_ADAMW_INST(3, 1)
UPD_ADAMW_INST(16, 0) UPD_ADAMW_INST(16, 1) UPD_ADAMW_INST(17, 0) UPD_ADAMW_INST(17, 1)
UPD_ADAMW_INST(18, 0) UPD_ADAMW_INST(18, 1)
#define UPD_ADAMW_ROW(M) {adamw_steps_##M##_0, adamw_steps_##M##_1}
/* [mode_index(mode)][grad32] */
static upd_steps_fn *const adamw_tab[7][2] = {UPD_ADAMW_ROW(0),  UPD_ADAMW_ROW(1),
                                             UPD_ADAMW_ROW(2),  UPD_ADAMW_ROW(3),
                                             UPD_ADAMW_ROW(16), UPD_ADAMW_ROW(17),
                                             UPD_ADAMW_ROW(18)};

/* Row of a mode (without the STATE_SR flag) in the tables, -1 if none. */
static int mode_index(int mode)
{
    if (mode >= LPK_UPDATE_NEAREST && mode <= LPK_UPDATE_FP32)
        return mode;
    return LPK_UPD_IS_F32(mode) ? 4 + mode - LPK_UPDATE_F32_NEAREST : -1;
}

/* ---- driver: full steps in place, partial steps via the stack --------------- */

/* Stack copies of every buffer for a partial step: lanes [s, s + h) hold
   elements [lo, lo + h) of the call, the rest zeros (computed, not stored). */
typedef struct {
    _Alignas(64) lpk_bf16 w[UPD_STEP], comp[UPD_STEP], g16[UPD_STEP], m[UPD_STEP], v[UPD_STEP];
    _Alignas(64) float master[UPD_STEP], g32[UPD_STEP], m32[UPD_STEP], v32[UPD_STEP];
} upd_tmp;

/* One step on elements [lo, lo + h) placed at lanes [s, s + h). */
static void partial_step(upd_steps_fn *fn, const lpk_upd_bufs *b, const void *k,
                         const upd_keys keys[RS_COUNT], size_t lo, size_t h, size_t s)
{
    upd_tmp t;
    lpk_upd_bufs tb = *b;
    memset(&t, 0, sizeof t);
    tb.n = UPD_STEP;
    tb.offset = b->offset + lo - s;
#define IN(f)                                                  \
    if (b->f) {                                                \
        memcpy(t.f + s, b->f + lo, h * sizeof(*b->f));         \
        tb.f = t.f;                                            \
    }
    IN(w) IN(comp) IN(g16) IN(m) IN(v) IN(master) IN(g32) IN(m32) IN(v32)
#undef IN
    fn(&tb, k, keys, 0);
#define OUT(f)                                                 \
    if (b->f)                                                  \
        memcpy(b->f + lo, t.f + s, h * sizeof(*b->f));
    OUT(w) OUT(comp) OUT(m) OUT(v) OUT(master) OUT(m32) OUT(v32)
#undef OUT
}

/* Large calls prefetch their read streams (common/stream.h): one core does
   not keep enough misses in flight on several streams otherwise. */
#define UPD_PREFETCH_MIN 262144

/* A head step when SR (of the weight or the state) needs the first full
   step on a Philox block boundary, the full steps, a tail step. */
static void drive(upd_steps_fn *fn, const lpk_upd_bufs *b, const void *k, int mode, int ssr,
                  int ars)
{
    upd_keys keys[RS_COUNT];
    if (UPD_WSR(mode))
        upd_keys_init(&keys[RS_W], b->seed, ars);
    if (ssr) {
        upd_keys_init(&keys[RS_M], b->seed ^ LPK_UPD_SEED_M, ars);
        upd_keys_init(&keys[RS_V], b->seed ^ LPK_UPD_SEED_V, ars);
    }
    const size_t n = b->n;
    size_t i = 0;
    const size_t s = UPD_WSR(mode) || ssr ? (size_t)(b->offset & 7) : 0;
    if (s && n) {
        i = n < UPD_STEP - s ? n : UPD_STEP - s;
        partial_step(fn, b, k, keys, 0, i, s);
    }
    const size_t full = (n - i) / UPD_STEP * UPD_STEP;
    if (full) {
        lpk_upd_bufs mb = *b;
        mb.n = full;
        mb.offset = b->offset + i;
#define ADV(f) mb.f = b->f ? b->f + i : NULL;
        ADV(w) ADV(comp) ADV(g16) ADV(m) ADV(v) ADV(master) ADV(g32) ADV(m32) ADV(v32)
#undef ADV
        fn(&mb, k, keys, n >= UPD_PREFETCH_MIN);
        i += full;
    }
    if (i < n)
        partial_step(fn, b, k, keys, i, n - i, 0);
}

void UPD_NAME(sgd)(const lpk_upd_bufs *b, const lpk_upd_sgd_k *k)
{
    const int mi = mode_index(k->mode);
    if (mi < 0)
        return;
    const int mom = !k->momentum_on ? MOM_NONE : k->first ? MOM_FIRST : MOM_LATER;
    const int ssr = LPK_UPD_IS_F32(k->mode) && k->state_sr && k->momentum_on;
    drive(sgd_tab[mi][b->g32 != NULL][mom], b, k, k->mode, ssr, k->rng_ars);
}

void UPD_NAME(adamw)(const lpk_upd_bufs *b, const lpk_upd_adamw_k *k)
{
    const int mi = mode_index(k->mode);
    if (mi < 0)
        return;
    drive(adamw_tab[mi][b->g32 != NULL], b, k, k->mode, LPK_UPD_IS_F32(k->mode) && k->state_sr,
          k->rng_ars);
}

/* ---- Kahan checkpoints ------------------------------------------------------ */
/* (no bits: the AES variants leave them to their base tier's file) */
#ifndef UPD_ARS_NATIVE

UPD_ALWAYS void split_pair(const float *w32, lpk_bf16 *w, lpk_bf16 *comp)
{
    UV x[2], h[2], c[2];
    v_ld32(w32, &x[0], &x[1]);
    for (int k = 0; k < 2; k++) {
        x[k] = v_canon(x[k]);
        h[k] = v_bf(x[k]);
        c[k] = v_rne_raw(v_sub(h[k], x[k]));
    }
    v_st16(w, h[0], h[1]);
    v_st16(comp, c[0], c[1]);
}

void UPD_NAME(kahan_split)(const float *w32, lpk_bf16 *w, lpk_bf16 *comp, size_t n)
{
    size_t i = 0;
    for (; i + UPD_PAIR <= n; i += UPD_PAIR)
        split_pair(w32 + i, w + i, comp + i);
    if (i < n) {
        _Alignas(64) float x[UPD_PAIR] = {0};
        _Alignas(64) lpk_bf16 hw[UPD_PAIR], hc[UPD_PAIR];
        memcpy(x, w32 + i, (n - i) * sizeof(float));
        split_pair(x, hw, hc);
        memcpy(w + i, hw, (n - i) * sizeof(lpk_bf16));
        memcpy(comp + i, hc, (n - i) * sizeof(lpk_bf16));
    }
}

UPD_ALWAYS void merge_pair(const lpk_bf16 *w, const lpk_bf16 *comp, float *w32)
{
    UV a[2], c[2];
    v_ld16(w, &a[0], &a[1]);
    v_ld16(comp, &c[0], &c[1]);
    for (int k = 0; k < 2; k++)
        a[k] = v_canon(v_sub(a[k], c[k]));
    v_st32(w32, a[0], a[1]);
}

void UPD_NAME(kahan_merge)(const lpk_bf16 *w, const lpk_bf16 *comp, float *w32, size_t n)
{
    size_t i = 0;
    for (; i + UPD_PAIR <= n; i += UPD_PAIR)
        merge_pair(w + i, comp + i, w32 + i);
    if (i < n) {
        _Alignas(64) lpk_bf16 hw[UPD_PAIR] = {0}, hc[UPD_PAIR] = {0};
        _Alignas(64) float x[UPD_PAIR];
        memcpy(hw, w + i, (n - i) * sizeof(lpk_bf16));
        memcpy(hc, comp + i, (n - i) * sizeof(lpk_bf16));
        merge_pair(hw, hc, x);
        memcpy(w32 + i, x, (n - i) * sizeof(float));
    }
}
#endif
