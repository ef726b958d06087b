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
#include "../common/stream.h"

#define UPD_ALWAYS static inline __attribute__((always_inline))

#ifndef UPD_ARS_NATIVE
/* ARS-7 bits without AES instructions: the software AES round, one block
   per 8 elements, out of line (the rare slow path stays out of the loops). */
typedef lpk_ars_keys upd_akeys;
static inline void upd_akeys_init(upd_akeys *k, uint64_t seed) { lpk_ars_sr_keys(k, seed); }
static __attribute__((noinline)) void upd_arbits(const upd_akeys *k, uint64_t q,
                                                 UV r[UPD_RB * UPD_STEP / UPD_VL])
{
    _Alignas(64) uint16_t b[UPD_RB * UPD_STEP];
    for (size_t i = 0; i < UPD_RB * UPD_STEP / 8; i++)
        lpk_ars_sr_block(k, (q + i) & LPK_ARS_QMASK, (uint8_t *)(b + 8 * i));
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

/* The bits of UPD_RB steps from element 8q, of either generator (one
   predictable branch per UPD_RB steps). */
UPD_ALWAYS void upd_rbits(const upd_keys *k, uint64_t q, UV r[UPD_RB * UPD_STEP / UPD_VL])
{
    if (k->ars)
        upd_arbits(&k->u.a, q, r);
    else
        upd_prbits(&k->u.p, q, r);
}

/* Prefetch distance and locality hint of the read streams.  Measured at
   64M elements, Kahan SGD, 1 thread, medians of 7 interleaved runs of
   separately built binaries: 4 KiB / L2 hint (the rounding family's) 1.95,
   8 KiB / L1 hint 2.01, 2 KiB / L1 hint 2.06 Gelem/s (memcpy ~21.5 GB/s). */
#ifndef UPD_PF_BYTES
#define UPD_PF_BYTES 2048
#endif
#ifndef UPD_PF_HINT
#define UPD_PF_HINT 3
#endif

#define UPD_CAT_(a, b) a##__##b
#define UPD_CAT(a, b) UPD_CAT_(a, b)
#define UPD_NAME(op) UPD_CAT(lpk_update_##op, UPD_SUFFIX)
#define UPD_PAIR (2 * UPD_VL)
#define UPD_NR (UPD_STEP / UPD_VL)

enum { MOM_NONE = 0, MOM_FIRST = 1, MOM_LATER = 2 };

/* Random streams: the weight's SR bits, and the state's (m, v) with
   LPK_UPDATE_STATE_SR.  rs[s] points at the bits of one pair. */
enum { RS_W = 0, RS_M = 1, RS_V = 2, RS_COUNT = 3 };

#define UPD_WSR(MODE) ((MODE) == LPK_UPDATE_STOCHASTIC || (MODE) == LPK_UPDATE_F32_STOCHASTIC)
#define UPD_KAHAN(MODE) ((MODE) == LPK_UPDATE_KAHAN || (MODE) == LPK_UPDATE_F32_KAHAN)

/* A state value of the fp32-arithmetic modes rounded once: the raw sum
   whose high half is rne(x), or sr(x) with bits r (LPK_UPDATE_STATE_SR). */
UPD_ALWAYS UV state_raw(UV x, const UV *r, int ssr) { return ssr ? v_sr_raw(x, *r) : v_rne_raw(x); }

/* ---- gradient ------------------------------------------------------------ */

UPD_ALWAYS void load_grad(const lpk_upd_bufs *b, size_t i, const int G32, const int CANON,
                          UV g[2])
{
    if (G32) {
        v_ld32(b->g32 + i, &g[0], &g[1]);
        if (CANON) {
            g[0] = v_canon(g[0]);
            g[1] = v_canon(g[1]);
        }
    } else {
        v_ld16(b->g16 + i, &g[0], &g[1]);
    }
}

/* The final write of the bf16-weight modes: w (clean, widened), increment u
   (bf16 in the 16-bit modes, fp32 in the F32_* modes). */
UPD_ALWAYS void write_weight(const lpk_upd_bufs *b, size_t i, const int MODE, const UV w[2],
                             const UV u[2], const UV r[2])
{
    UV o[2], c[2];
    if (UPD_KAHAN(MODE))
        v_ld16(b->comp + i, &c[0], &c[1]);
    for (int h = 0; h < 2; h++) {
        if (MODE == LPK_UPDATE_NEAREST || MODE == LPK_UPDATE_F32_NEAREST) {
            o[h] = v_rne_raw(v_add(w[h], u[h]));
        } else if (UPD_WSR(MODE)) {
            o[h] = v_sr_raw(v_add(w[h], u[h]), r[h]);
        } else if (MODE == LPK_UPDATE_KAHAN) {
            const UV y = v_bf(v_sub(u[h], c[h]));
            const UV s = v_bf(v_add(w[h], y));
            c[h] = v_rne_raw(v_sub(v_bf(v_sub(s, w[h])), y));
            o[h] = s;
        } else { /* F32_KAHAN: fp32 ops, the new w and comp rounded once */
            const UV y = v_sub(u[h], c[h]);
            o[h] = v_bf(v_add(w[h], y));
            c[h] = v_rne_raw(v_sub(v_sub(o[h], w[h]), y));
        }
    }
    if (UPD_KAHAN(MODE))
        v_st16(b->comp + i, c[0], c[1]);
    v_st16(b->w + i, o[0], o[1]);
}

/* ---- SGD ------------------------------------------------------------------ */

UPD_ALWAYS void sgd_pair(const lpk_upd_bufs *b, const lpk_upd_sgd_k *k, size_t i,
                         const UV *const rs[RS_COUNT], const int MODE, const int G32,
                         const int DECAY, const int MOM, const int NEST, const int SSR)
{
    const UV wd = v_set(k->wd), mom = v_set(k->mom), one_minus_damp = v_set(k->one_minus_damp);
    const UV neg_lr = v_set(k->neg_lr);
    UV g[2], w[2], m[2], d[2], u[2];
    load_grad(b, i, G32, MODE != LPK_UPDATE_FP32, g);
    if (MODE == LPK_UPDATE_FP32 || LPK_UPD_IS_F32(MODE)) {
        /* the fp32 expressions: on master and m32 (FP32), or on the widened
           bf16 w and m, each stored value rounded once (F32_*) */
        const int F = MODE == LPK_UPDATE_FP32;
        if (F)
            v_ld32(b->master + i, &w[0], &w[1]);
        else
            v_ld16(b->w + i, &w[0], &w[1]);
        if (MOM == MOM_LATER && F)
            v_ld32(b->m32 + i, &m[0], &m[1]);
        else if (MOM == MOM_LATER)
            v_ld16(b->m + i, &m[0], &m[1]);
        for (int h = 0; h < 2; h++) {
            if (DECAY)
                g[h] = v_add(g[h], v_mul(wd, w[h]));
            d[h] = g[h];
            if (MOM != MOM_NONE) {
                const UV buf = MOM == MOM_FIRST ? g[h]
                                                : v_add(v_mul(mom, m[h]), v_mul(one_minus_damp, g[h]));
                m[h] = F ? v_canon(buf) : state_raw(buf, rs[RS_M] + h, SSR);
                d[h] = NEST ? v_add(g[h], v_mul(mom, buf)) : buf;
            }
            u[h] = v_mul(neg_lr, d[h]);
            if (F) {
                w[h] = v_canon(v_add(w[h], u[h]));
                u[h] = v_rne_raw(w[h]);
            }
        }
        if (MOM != MOM_NONE && F)
            v_st32(b->m32 + i, m[0], m[1]);
        else if (MOM != MOM_NONE)
            v_st16(b->m + i, m[0], m[1]);
        if (F) {
            v_st32(b->master + i, w[0], w[1]);
            v_st16(b->w + i, u[0], u[1]);
        } else {
            write_weight(b, i, MODE, w, u, rs[RS_W]);
        }
        return;
    }
    v_ld16(b->w + i, &w[0], &w[1]);
    if (MOM == MOM_LATER)
        v_ld16(b->m + i, &m[0], &m[1]);
    for (int h = 0; h < 2; h++) {
        if (DECAY)
            g[h] = v_bf(v_add(g[h], v_bf(v_mul(wd, w[h]))));
        d[h] = g[h];
        if (MOM != MOM_NONE) {
            const UV buf = MOM == MOM_FIRST
                               ? v_bf(g[h])
                               : v_bf(v_add(v_bf(v_mul(mom, m[h])), v_bf(v_mul(one_minus_damp, g[h]))));
            m[h] = buf;
            d[h] = NEST ? v_bf(v_add(g[h], v_bf(v_mul(mom, buf)))) : buf;
        }
        u[h] = v_bf(v_mul(neg_lr, d[h]));
    }
    if (MOM != MOM_NONE)
        v_st16(b->m + i, m[0], m[1]);
    write_weight(b, i, MODE, w, u, rs[RS_W]);
}

/* ---- AdamW ---------------------------------------------------------------- */

UPD_ALWAYS void adamw_pair(const lpk_upd_bufs *b, const lpk_upd_adamw_k *k, size_t i,
                           const UV *const rs[RS_COUNT], const int MODE, const int G32,
                           const int DECAY, const int SSR)
{
    const UV b1 = v_set(k->b1), b2 = v_set(k->b2), one_minus_beta1 = v_set(k->one_minus_beta1), one_minus_beta2 = v_set(k->one_minus_beta2);
    const UV eps = v_set(k->eps), inv_sqrt_bc2 = v_set(k->inv_sqrt_bc2), neg_step_size = v_set(k->neg_step_size);
    const UV lr_weight_decay = v_set(k->lr_weight_decay);
    UV g[2], w[2], m[2], v[2], u[2];
    load_grad(b, i, G32, MODE != LPK_UPDATE_FP32, g);
    if (MODE == LPK_UPDATE_FP32 || LPK_UPD_IS_F32(MODE)) { /* as in sgd_pair */
        const int F = MODE == LPK_UPDATE_FP32;
        if (F) {
            v_ld32(b->master + i, &w[0], &w[1]);
            v_ld32(b->m32 + i, &m[0], &m[1]);
            v_ld32(b->v32 + i, &v[0], &v[1]);
        } else {
            v_ld16(b->w + i, &w[0], &w[1]);
            v_ld16(b->m + i, &m[0], &m[1]);
            v_ld16(b->v + i, &v[0], &v[1]);
        }
        for (int h = 0; h < 2; h++) {
            const UV mm = v_add(v_mul(b1, m[h]), v_mul(one_minus_beta1, g[h]));
            const UV vv = v_add(v_mul(b2, v[h]), v_mul(one_minus_beta2, v_mul(g[h], g[h])));
            const UV dn = v_add(v_mul(v_sqrt(vv), inv_sqrt_bc2), eps);
            u[h] = v_mul(neg_step_size, v_div(mm, dn));
            if (DECAY)
                u[h] = v_sub(u[h], v_mul(lr_weight_decay, w[h]));
            m[h] = F ? v_canon(mm) : state_raw(mm, rs[RS_M] + h, SSR);
            v[h] = F ? v_canon(vv) : state_raw(vv, rs[RS_V] + h, SSR);
            if (F) {
                w[h] = v_canon(v_add(w[h], u[h]));
                u[h] = v_rne_raw(w[h]);
            }
        }
        if (F) {
            v_st32(b->m32 + i, m[0], m[1]);
            v_st32(b->v32 + i, v[0], v[1]);
            v_st32(b->master + i, w[0], w[1]);
            v_st16(b->w + i, u[0], u[1]);
        } else {
            v_st16(b->m + i, m[0], m[1]);
            v_st16(b->v + i, v[0], v[1]);
            write_weight(b, i, MODE, w, u, rs[RS_W]);
        }
        return;
    }
    v_ld16(b->w + i, &w[0], &w[1]);
    v_ld16(b->m + i, &m[0], &m[1]);
    v_ld16(b->v + i, &v[0], &v[1]);
    for (int h = 0; h < 2; h++) {
        m[h] = v_bf(v_add(v_bf(v_mul(b1, m[h])), v_bf(v_mul(one_minus_beta1, g[h]))));
        v[h] = v_bf(v_add(v_bf(v_mul(b2, v[h])), v_bf(v_mul(one_minus_beta2, v_bf(v_mul(g[h], g[h]))))));
        const UV dn = v_bf(v_add(v_bf(v_mul(v_bf(v_sqrt(v[h])), inv_sqrt_bc2)), eps));
        const UV st = v_bf(v_mul(neg_step_size, v_bf(v_div(m[h], dn))));
        u[h] = DECAY ? v_bf(v_sub(st, v_bf(v_mul(lr_weight_decay, w[h])))) : st;
    }
    v_st16(b->m + i, m[0], m[1]);
    v_st16(b->v + i, v[0], v[1]);
    write_weight(b, i, MODE, w, u, rs[RS_W]);
}

/* ---- steps: the specialised loops ----------------------------------------- */

/* UPD_PF_BYTES ahead with hint UPD_PF_HINT.  Written here, always inlined:
   a small static inline helper that only prefetches is "const" to GCC's
   IPA passes, which then delete its calls from a function this large
   before inlining it (measured: no PREFETCH left in the object). */
UPD_ALWAYS void upd_prefetch(const void *p)
{
    __builtin_prefetch((const char *)p + UPD_PF_BYTES, 0, UPD_PF_HINT);
}

/* The read streams of one step (which exist is known at compile time):
   one prefetch per 64-byte line. */
UPD_ALWAYS void prefetch_step(const lpk_upd_bufs *b, size_t i, const int MODE, const int G32,
                              const int NSTATE)
{
    const int fp32 = MODE == LPK_UPDATE_FP32;
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
   momentum state): those change which buffers exist and which ops run;
   weight decay and nesterov are predictable branches inside.  The loops
   read buffers and constants from local copies: stores through the bf16
   pointers could alias *b and *k otherwise, and the compiler would reload
   pointers and re-broadcast constants every iteration. */
typedef void upd_steps_fn(const lpk_upd_bufs *b, const void *k, const upd_keys keys[RS_COUNT],
                          int pf);

/* The SR bits of the streams in use (`nstate` state streams when ssr) for
   UPD_RB steps from element 8q. */
UPD_ALWAYS void rbits_streams(const upd_keys keys[RS_COUNT], uint64_t q, const int MODE, int ssr,
                              const int NSTATE, UV rr[RS_COUNT][UPD_RB * UPD_NR])
{
    if (UPD_WSR(MODE))
        upd_rbits(&keys[RS_W], q, rr[RS_W]);
    if (ssr && NSTATE >= 1)
        upd_rbits(&keys[RS_M], q, rr[RS_M]);
    if (ssr && NSTATE >= 2)
        upd_rbits(&keys[RS_V], q, rr[RS_V]);
}

/* Pointers to the bits of pair p of step j. */
UPD_ALWAYS void pair_bits(UV rr[RS_COUNT][UPD_RB * UPD_NR], size_t j, int p,
                          const UV *rs[RS_COUNT])
{
    for (int s = 0; s < RS_COUNT; s++)
        rs[s] = rr[s] + j * UPD_NR + 2 * p;
}

UPD_ALWAYS void sgd_steps(const lpk_upd_bufs *b0, const void *k0, const upd_keys keys[RS_COUNT],
                          int pf, const int MODE, const int G32, const int MOM)
{
    const lpk_upd_bufs bl = *b0, *b = &bl;
    const lpk_upd_sgd_k kl = *(const lpk_upd_sgd_k *)k0, *k = &kl;
    const int ssr = LPK_UPD_IS_F32(MODE) && k->state_sr;
    const int nstate = MOM != MOM_NONE;
    UV rr[RS_COUNT][UPD_RB * UPD_NR];
    for (size_t i = 0, j = 0; i + UPD_STEP <= b->n; i += UPD_STEP, j = (j + 1) % UPD_RB) {
        if (pf)
            prefetch_step(b, i, MODE, G32, MOM == MOM_LATER);
        if (j == 0)
            rbits_streams(keys, (b->offset + i) >> 3, MODE, ssr, nstate, rr);
        for (int p = 0; p < UPD_STEP / UPD_PAIR; p++) {
            const UV *rs[RS_COUNT];
            pair_bits(rr, j, p, rs);
            sgd_pair(b, k, i + (size_t)p * UPD_PAIR, rs, MODE, G32, k->decay, MOM, k->nesterov,
                     ssr);
        }
    }
}

UPD_ALWAYS void adamw_steps(const lpk_upd_bufs *b0, const void *k0,
                            const upd_keys keys[RS_COUNT], int pf, const int MODE, const int G32)
{
    const lpk_upd_bufs bl = *b0, *b = &bl;
    const lpk_upd_adamw_k kl = *(const lpk_upd_adamw_k *)k0, *k = &kl;
    const int ssr = LPK_UPD_IS_F32(MODE) && k->state_sr;
    UV rr[RS_COUNT][UPD_RB * UPD_NR];
    for (size_t i = 0, j = 0; i + UPD_STEP <= b->n; i += UPD_STEP, j = (j + 1) % UPD_RB) {
        if (pf)
            prefetch_step(b, i, MODE, G32, 2);
        if (j == 0)
            rbits_streams(keys, (b->offset + i) >> 3, MODE, ssr, 2, rr);
        for (int p = 0; p < UPD_STEP / UPD_PAIR; p++) {
            const UV *rs[RS_COUNT];
            pair_bits(rr, j, p, rs);
            adamw_pair(b, k, i + (size_t)p * UPD_PAIR, rs, MODE, G32, k->decay, ssr);
        }
    }
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
