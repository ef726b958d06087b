/* SPDX-License-Identifier: Apache-2.0 */
/* Public entry points of the optimizer-update family: validation, the
   per-call fp32 constants, selection, threads.  A single-tensor step is a
   list of one: the same checks, constants and parallel loop serve both. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "update.h"

static const char *mode_name(int mode)
{
    switch (mode) {
    case LPK_UPDATE_NEAREST: return "LPK_UPDATE_NEAREST";
    case LPK_UPDATE_STOCHASTIC: return "LPK_UPDATE_STOCHASTIC";
    case LPK_UPDATE_KAHAN: return "LPK_UPDATE_KAHAN";
    case LPK_UPDATE_FP32: return "LPK_UPDATE_FP32";
    case LPK_UPDATE_F32_NEAREST: return "LPK_UPDATE_F32_NEAREST";
    case LPK_UPDATE_F32_STOCHASTIC: return "LPK_UPDATE_F32_STOCHASTIC";
    case LPK_UPDATE_F32_KAHAN: return "LPK_UPDATE_F32_KAHAN";
    }
    return "?";
}

/* The mode without the STATE_SR and RNG_ARS flags, or -1 if the value is
   not a mode: STATE_SR only with an F32_* mode, no other bit. */
static int base_mode(lpk_update_mode mode)
{
    const int m = (int)mode & ~LPK_UPD_RNG_ARS, base = m & ~(int)LPK_UPDATE_STATE_SR;
    if ((int)mode < 0)
        return -1;
    if (m != base)
        return LPK_UPD_IS_F32(base) ? base : -1;
    return (base >= LPK_UPDATE_NEAREST && base <= LPK_UPDATE_FP32) || LPK_UPD_IS_F32(base) ? base
                                                                                          : -1;
}

/* Whether a mode value (flags included) draws random bits: the stochastic
   weight writes, and the state's SR. */
static int draws_bits(lpk_update_mode mode, int base)
{
    return base == LPK_UPDATE_STOCHASTIC || base == LPK_UPDATE_F32_STOCHASTIC ||
           ((int)mode & LPK_UPDATE_STATE_SR) != 0;
}

/* The buffers one step reads or writes, by name, with their element size. */
enum { B_W, B_COMP, B_MASTER, B_GRAD, B_GRAD32, B_M, B_V, B_M32, B_V32, B_COUNT };
static const char *const buf_names[B_COUNT] = {"w", "comp", "master", "grad", "grad32",
                                               "m", "v", "m32", "v32"};
static const size_t buf_esize[B_COUNT] = {2, 2, 4, 2, 4, 2, 2, 4, 4};

static void tensor_ptrs(const lpk_opt_tensor *t, const void *p[B_COUNT])
{
    const void *q[B_COUNT] = {t->w, t->comp, t->master, t->grad, t->grad32,
                              t->m, t->v, t->m32, t->v32};
    memcpy(p, q, sizeof q);
}

/* The buffers the mode (base, without STATE_SR) uses, plus the state the
   optimizer asks for (in bf16 or in fp32); the gradient is added per tensor. */
static unsigned mode_buffers(int mode, unsigned state16, unsigned state32)
{
    unsigned need = 1u << B_W;
    if (mode == LPK_UPDATE_KAHAN || mode == LPK_UPDATE_F32_KAHAN)
        need |= 1u << B_COMP;
    if (mode == LPK_UPDATE_FP32)
        need |= (1u << B_MASTER) | state32;
    else
        need |= state16;
    return need;
}

/* The used buffers of tensor t: `need` plus its gradient. */
static unsigned tensor_need(const lpk_opt_tensor *t, unsigned need)
{
    return need | 1u << (t->grad ? B_GRAD : B_GRAD32);
}

/* One call: what the public entry points share once params are checked. */
typedef struct {
    const char *fn;   /* the public name, for messages */
    int multi;        /* messages name the tensor index */
    int mode;         /* without STATE_SR */
    unsigned need;    /* mode_buffers() */
    const lpk_opt_tensor *t;
    size_t count;
    uint64_t seed;
    const uint64_t *offsets; /* NULL: all 0 */
    size_t *start;    /* start[i]: the first element of tensor i in the list, [count] = total */
    lpk_update_sgd_fn *sgd; /* one of the two is set, with its constants */
    lpk_update_adamw_fn *adamw;
    const lpk_upd_sgd_k *sk;
    const lpk_upd_adamw_k *ak;
} upd_call;

/* "fn" or "fn: tensor i" for messages. */
static const char *where(const upd_call *c, size_t i, char buf[96])
{
    if (!c->multi)
        return c->fn;
    snprintf(buf, 96, "%s: tensor %zu", c->fn, i);
    return buf;
}

/* Checks tensor i (n > 0): exactly one gradient, every needed buffer
   non-NULL, n small enough.  *bytes: its bytes of all used buffers. */
static lpk_status check_tensor(const upd_call *c, size_t i, size_t *bytes)
{
    const lpk_opt_tensor *t = &c->t[i];
    char wb[96];
    const char *fn = where(c, i, wb);
    const void *p[B_COUNT];
    tensor_ptrs(t, p);
    if (t->grad && t->grad32)
        return lpk_fail(LPK_EINVAL, "%s: both grad and grad32 are set (pass exactly one)", fn);
    if (!t->grad && !t->grad32)
        return lpk_fail(LPK_EINVAL, "%s: neither grad nor grad32 is set (pass exactly one)", fn);
    const unsigned need = tensor_need(t, c->need);
    for (int b = 0; b < B_COUNT; b++)
        if ((need >> b & 1u) && !p[b])
            return lpk_fail(LPK_EINVAL, "%s: tensor buffer %s is NULL (needed by %s%s)", fn,
                            buf_names[b], mode_name(c->mode),
                            b == B_M || b == B_M32 || b == B_V || b == B_V32
                                ? " for the optimizer state" : "");
    size_t per = 0;
    for (int b = 0; b < B_COUNT; b++)
        if (need >> b & 1u)
            per += buf_esize[b];
    if (!lpk_size_mul(t->n, per, bytes))
        return lpk_fail(LPK_EINVAL, "%s: n = %zu overflows the byte size", fn, t->n);
    return LPK_OK;
}

/* A used buffer's byte range, for the overlap check. */
typedef struct {
    uintptr_t lo, hi;
    size_t tensor;
    int buf;
} byte_range;

static int range_cmp(const void *a, const void *b)
{
    const byte_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : x->hi < y->hi ? -1 : x->hi > y->hi;
}

/* No two used buffers of all tensors overlap: sort the ranges by start;
   if any two overlap, some neighbours do (the one after the earlier of the
   two starts before that one ends).  r has room for all of them. */
static lpk_status check_overlaps(const upd_call *c, byte_range *r)
{
    size_t nr = 0;
    for (size_t i = 0; i < c->count; i++) {
        const lpk_opt_tensor *t = &c->t[i];
        if (t->n == 0)
            continue;
        const void *p[B_COUNT];
        tensor_ptrs(t, p);
        const unsigned need = tensor_need(t, c->need);
        for (int b = 0; b < B_COUNT; b++)
            if (need >> b & 1u) /* sizes checked: n * esize fits, and so does the end */
                r[nr++] = (byte_range){(uintptr_t)p[b], (uintptr_t)p[b] + t->n * buf_esize[b],
                                       i, b};
    }
    qsort(r, nr, sizeof *r, range_cmp);
    for (size_t k = 1; k < nr; k++) {
        if (r[k].lo >= r[k - 1].hi)
            continue;
        /* name them in (tensor, buffer) order */
        const int sw = r[k].tensor < r[k - 1].tensor ||
                       (r[k].tensor == r[k - 1].tensor && r[k].buf < r[k - 1].buf);
        const byte_range *a = sw ? &r[k] : &r[k - 1], *b = sw ? &r[k - 1] : &r[k];
        char wb[96];
        if (a->tensor == b->tensor)
            return lpk_fail(LPK_EINVAL, "%s: buffers %s and %s overlap", where(c, a->tensor, wb),
                            buf_names[a->buf], buf_names[b->buf]);
        return lpk_fail(LPK_EINVAL, "%s: tensor %zu buffer %s and tensor %zu buffer %s overlap",
                        c->fn, a->tensor, buf_names[a->buf], b->tensor, buf_names[b->buf]);
    }
    return LPK_OK;
}

/* Lists this short use the stack for their workspace (no malloc in the
   single-tensor steps); a tensor uses at most 5 buffers. */
#define UPD_SHORT_LIST 8
#define UPD_MAX_USED 5

typedef struct {
    size_t start[UPD_SHORT_LIST + 1];
    byte_range r[UPD_SHORT_LIST * UPD_MAX_USED];
} short_ws;

/* Checks every tensor, then all overlaps; fills c->start (on the heap
   unless it is ws->start) and *bytes_per_elem (the list's average, for the
   thread count). */
static lpk_status check_list(upd_call *c, short_ws *ws, size_t *bytes_per_elem)
{
    if (c->count && !c->t)
        return lpk_fail(LPK_EINVAL, "%s: tensors is NULL with count = %zu", c->fn, c->count);
    size_t words, total = 0, bytes = 0, nranges = 0;
    if (!lpk_size_add(c->count, 1, &words) || !lpk_size_mul(words, sizeof(size_t), &words))
        return lpk_fail(LPK_EINVAL, "%s: count = %zu overflows", c->fn, c->count);
    c->start = c->count <= UPD_SHORT_LIST ? ws->start : malloc(words);
    if (!c->start)
        return lpk_fail(LPK_ENOMEM, "%s: no memory for %zu tensors", c->fn, c->count);
    for (size_t i = 0; i < c->count; i++) {
        c->start[i] = total;
        if (c->t[i].n == 0)
            continue;
        size_t tb;
        const lpk_status st = check_tensor(c, i, &tb);
        if (st != LPK_OK)
            return st;
        char wb[96];
        if (!lpk_size_add(total, c->t[i].n, &total) || !lpk_size_add(bytes, tb, &bytes))
            return lpk_fail(LPK_EINVAL, "%s: the list's total size overflows",
                            where(c, i, wb));
        nranges += (size_t)__builtin_popcount(tensor_need(&c->t[i], c->need));
    }
    c->start[c->count] = total;
    size_t rbytes;
    if (!lpk_size_mul(nranges + 1, sizeof(byte_range), &rbytes))
        return lpk_fail(LPK_EINVAL, "%s: %zu buffers overflow", c->fn, nranges);
    byte_range *r = c->count <= UPD_SHORT_LIST ? ws->r : malloc(rbytes);
    if (!r)
        return lpk_fail(LPK_ENOMEM, "%s: no memory for the overlap check", c->fn);
    const lpk_status st = check_overlaps(c, r);
    if (r != ws->r)
        free(r);
    *bytes_per_elem = total ? (bytes + total - 1) / total : 0;
    return st;
}

/* The buffers of tensor i, elements [lo, hi) (NULL stays NULL: unused). */
static lpk_upd_bufs tensor_bufs(const upd_call *c, size_t i, size_t lo, size_t hi)
{
    const lpk_opt_tensor *t = &c->t[i];
    const unsigned need = tensor_need(t, c->need);
#define PICK(b, field) ((need >> (b) & 1u) ? t->field + lo : NULL)
    return (lpk_upd_bufs){hi - lo,
                          PICK(B_W, w),
                          PICK(B_COMP, comp),
                          PICK(B_MASTER, master),
                          PICK(B_GRAD, grad),
                          PICK(B_GRAD32, grad32),
                          PICK(B_M, m),
                          PICK(B_V, v),
                          PICK(B_M32, m32),
                          PICK(B_V32, v32),
                          c->seed,
                          (c->offsets ? c->offsets[i] : 0) + lo};
#undef PICK
}

/* Elements [lo, hi) of the list: the tensors they cross, each from its own
   element offset (so the result is that of the per-tensor calls). */
static void list_chunk(void *ctx, size_t lo, size_t hi)
{
    const upd_call *c = ctx;
    size_t a = 0, b = c->count; /* the last tensor starting at or before lo */
    while (b - a > 1) {
        const size_t mid = a + (b - a) / 2;
        if (c->start[mid] <= lo)
            a = mid;
        else
            b = mid;
    }
    for (size_t i = a; i < c->count && c->start[i] < hi; i++) {
        const size_t s = c->start[i], e = c->start[i + 1];
        if (e <= lo)
            continue;
        const lpk_upd_bufs tb = tensor_bufs(c, i, lo > s ? lo - s : 0, (hi < e ? hi : e) - s);
        if (c->sgd)
            c->sgd(&tb, c->sk);
        else
            c->adamw(&tb, c->ak);
    }
}

/* Validates the list, then one parallel region over all its elements. */
static lpk_status run_list(upd_call *c, const lpk_opt_tensor *t, size_t count, uint64_t seed,
                           const uint64_t *offsets)
{
    short_ws ws;
    size_t bpe = 0;
    c->t = t;
    c->count = count;
    c->seed = seed;
    c->offsets = offsets;
    c->start = NULL;
    const lpk_status st = check_list(c, &ws, &bpe);
    if (st == LPK_OK)
        lpk_parallel_for(c->start[c->count], 64, bpe, list_chunk, c);
    if (c->start != ws.start)
        free(c->start);
    return st;
}

/* Params checks shared by SGD and AdamW: NULL params, the mode, step. */
static lpk_status check_common(const char *fn, const void *p, lpk_update_mode mode,
                               uint64_t step, int *base)
{
    if (!p)
        return lpk_fail(LPK_EINVAL, "%s: params is NULL", fn);
    *base = base_mode(mode);
    if (*base < 0)
        return lpk_fail(LPK_EINVAL,
                        "%s: unknown update mode %d (LPK_UPDATE_STATE_SR goes with an "
                        "LPK_UPDATE_F32_* mode only; LPK_UPDATE_RNG_ARS is the only other flag)",
                        fn, (int)mode);
    if (((int)mode & LPK_UPD_RNG_ARS) && !draws_bits(mode, *base))
        return lpk_fail(LPK_EINVAL,
                        "%s: LPK_UPDATE_RNG_ARS with %s, which draws no random bits (it goes "
                        "with LPK_UPDATE_STOCHASTIC, LPK_UPDATE_F32_STOCHASTIC or "
                        "LPK_UPDATE_STATE_SR)",
                        fn, mode_name(*base));
    if (step == 0)
        return lpk_fail(LPK_EINVAL, "%s: step is 0 (steps count from 1)", fn);
    return LPK_OK;
}

/* SGD: params checked, constants, kernel and buffers set in c. */
static lpk_status sgd_setup(upd_call *c, const lpk_sgd_params *p, lpk_update_mode mode,
                            lpk_upd_sgd_k *k)
{
    int base = -1;
    const lpk_status st = check_common(c->fn, p, mode, p ? p->step : 0, &base);
    if (st != LPK_OK)
        return st;
    if (!isfinite(p->lr) || !isfinite(p->momentum) || !isfinite(p->dampening) ||
        !isfinite(p->weight_decay))
        return lpk_fail(LPK_EINVAL, "%s: lr, momentum, dampening and weight_decay must be finite",
                        c->fn);
    if (p->nesterov && (p->momentum == 0.0f || p->dampening != 0.0f))
        return lpk_fail(LPK_EINVAL, "%s: nesterov needs momentum != 0 and dampening == 0", c->fn);
    const int mom_on = p->momentum != 0.0f;
    c->mode = base;
    c->need = mode_buffers(base, mom_on ? 1u << B_M : 0, mom_on ? 1u << B_M32 : 0);
    *k = (lpk_upd_sgd_k){
        .mode = base,
        .decay = p->weight_decay != 0.0f,
        .momentum_on = mom_on,
        .first = p->step == 1,
        .nesterov = p->nesterov != 0,
        .wd = p->weight_decay,
        .mom = p->momentum,
        .one_minus_damp = (float)(1.0 - (double)p->dampening),
        .neg_lr = -p->lr,
        .state_sr = ((int)mode & LPK_UPDATE_STATE_SR) != 0,
        .rng_ars = ((int)mode & LPK_UPD_RNG_ARS) != 0,
    };
    c->sgd = LPK_SELECTED(lpk_op_update_sgd);
    c->sk = k;
    return LPK_OK;
}

/* AdamW: likewise. */
static lpk_status adamw_setup(upd_call *c, const lpk_adamw_params *p, lpk_update_mode mode,
                              lpk_upd_adamw_k *k)
{
    int base = -1;
    const lpk_status st = check_common(c->fn, p, mode, p ? p->step : 0, &base);
    if (st != LPK_OK)
        return st;
    if (!isfinite(p->lr) || !isfinite(p->eps) || !isfinite(p->weight_decay))
        return lpk_fail(LPK_EINVAL, "%s: lr, eps and weight_decay must be finite", c->fn);
    if (!(p->beta1 >= 0.0f && p->beta1 < 1.0f) || !(p->beta2 >= 0.0f && p->beta2 < 1.0f))
        return lpk_fail(LPK_EINVAL, "%s: beta1 = %g and beta2 = %g must lie in [0, 1)", c->fn,
                        (double)p->beta1, (double)p->beta2);
    c->mode = base;
    c->need = mode_buffers(base, (1u << B_M) | (1u << B_V), (1u << B_M32) | (1u << B_V32));
    /* Constants in double from the fp32 parameters, each rounded to fp32
       once (1 - beta and lr * weight_decay are then correctly rounded). */
    const double t_ = (double)p->step;
    const double bc1 = 1.0 - pow((double)p->beta1, t_);
    const double bc2 = 1.0 - pow((double)p->beta2, t_);
    *k = (lpk_upd_adamw_k){
        .mode = base,
        .decay = p->weight_decay != 0.0f,
        .b1 = p->beta1,
        .b2 = p->beta2,
        .one_minus_beta1 = (float)(1.0 - (double)p->beta1),
        .one_minus_beta2 = (float)(1.0 - (double)p->beta2),
        .eps = p->eps,
        .inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2)),
        .neg_step_size = (float)(-(double)p->lr / bc1),
        .lr_weight_decay = (float)((double)p->lr * (double)p->weight_decay),
        .state_sr = ((int)mode & LPK_UPDATE_STATE_SR) != 0,
        .rng_ars = ((int)mode & LPK_UPD_RNG_ARS) != 0,
    };
    c->adamw = LPK_SELECTED(lpk_op_update_adamw);
    c->ak = k;
    return LPK_OK;
}

/* A call on `count` tensors (a single-tensor step: count 1, t may be NULL,
   messages without an index). */
static lpk_status run_tensors(upd_call *c, const lpk_opt_tensor *t, size_t count,
                              uint64_t seed, const uint64_t *offsets)
{
    if (!c->multi && !t)
        return lpk_fail(LPK_EINVAL, "%s: tensor is NULL", c->fn);
    return run_list(c, t, count, seed, offsets);
}

static lpk_status sgd_call(const char *fn, int multi, const lpk_sgd_params *p,
                           lpk_update_mode mode, const lpk_opt_tensor *t, size_t count,
                           uint64_t seed, const uint64_t *offsets)
{
    upd_call c = {.fn = fn, .multi = multi};
    lpk_upd_sgd_k k;
    const lpk_status st = sgd_setup(&c, p, mode, &k);
    return st != LPK_OK ? st : run_tensors(&c, t, count, seed, offsets);
}

static lpk_status adamw_call(const char *fn, int multi, const lpk_adamw_params *p,
                             lpk_update_mode mode, const lpk_opt_tensor *t, size_t count,
                             uint64_t seed, const uint64_t *offsets)
{
    upd_call c = {.fn = fn, .multi = multi};
    lpk_upd_adamw_k k;
    const lpk_status st = adamw_setup(&c, p, mode, &k);
    return st != LPK_OK ? st : run_tensors(&c, t, count, seed, offsets);
}

lpk_status lpk_sgd_step(const lpk_sgd_params *p, lpk_update_mode mode, const lpk_opt_tensor *t,
                        uint64_t seed, uint64_t offset)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    return st != LPK_OK ? st : sgd_call("lpk_sgd_step", 0, p, mode, t, 1, seed, &offset);
}

lpk_status lpk_adamw_step(const lpk_adamw_params *p, lpk_update_mode mode,
                          const lpk_opt_tensor *t, uint64_t seed, uint64_t offset)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    return st != LPK_OK ? st : adamw_call("lpk_adamw_step", 0, p, mode, t, 1, seed, &offset);
}

lpk_status lpk_sgd_step_multi(const lpk_sgd_params *p, lpk_update_mode mode,
                              const lpk_opt_tensor *tensors, size_t count, uint64_t seed,
                              const uint64_t *offsets)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    return st != LPK_OK ? st
                        : sgd_call("lpk_sgd_step_multi", 1, p, mode, tensors, count, seed, offsets);
}

lpk_status lpk_adamw_step_multi(const lpk_adamw_params *p, lpk_update_mode mode,
                                const lpk_opt_tensor *tensors, size_t count, uint64_t seed,
                                const uint64_t *offsets)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    return st != LPK_OK
               ? st
               : adamw_call("lpk_adamw_step_multi", 1, p, mode, tensors, count, seed, offsets);
}

/* Split reads w32 and writes w, comp; merge the other way round. */
typedef struct {
    float *w32;
    lpk_bf16 *w, *comp;
    lpk_update_kahan_split_fn *split; /* one of the two is set */
    lpk_update_kahan_merge_fn *merge;
} kahan_job;

static void split_chunk(void *ctx, size_t lo, size_t hi)
{
    const kahan_job *j = ctx;
    j->split(j->w32 + lo, j->w + lo, j->comp + lo, hi - lo);
}

static void merge_chunk(void *ctx, size_t lo, size_t hi)
{
    const kahan_job *j = ctx;
    j->merge(j->w + lo, j->comp + lo, j->w32 + lo, hi - lo);
}

/* NULL with n > 0, size overflow, overlap of the fp32 buffer and the two
   bf16 ones. */
static lpk_status check_kahan(const char *fn, const float *w32, const lpk_bf16 *w,
                              const lpk_bf16 *comp, size_t n)
{
    if (!w32 || !w || !comp)
        return lpk_fail(LPK_EINVAL, "%s: %s is NULL with n = %zu", fn,
                        !w32 ? "w32" : !w ? "w" : "comp", n);
    size_t total;
    if (!lpk_size_mul(n, 8, &total))
        return lpk_fail(LPK_EINVAL, "%s: n = %zu overflows the byte size", fn, n);
    if (lpk_overlap(w32, 4 * n, w, 2 * n))
        return lpk_fail(LPK_EINVAL, "%s: w32 and w overlap", fn);
    if (lpk_overlap(w32, 4 * n, comp, 2 * n))
        return lpk_fail(LPK_EINVAL, "%s: w32 and comp overlap", fn);
    if (lpk_overlap(w, 2 * n, comp, 2 * n))
        return lpk_fail(LPK_EINVAL, "%s: w and comp overlap", fn);
    return LPK_OK;
}

lpk_status lpk_kahan_split(const float *w32, lpk_bf16 *w, lpk_bf16 *comp, size_t n)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (n == 0)
        return LPK_OK;
    const lpk_status ck = check_kahan("lpk_kahan_split", w32, w, comp, n);
    if (ck != LPK_OK)
        return ck;
    /* the kernel only reads w32 */
    kahan_job job = {(float *)w32, w, comp, LPK_SELECTED(lpk_op_update_kahan_split), NULL};
    lpk_parallel_for(n, 64, 8, split_chunk, &job);
    return LPK_OK;
}

lpk_status lpk_kahan_merge(const lpk_bf16 *w, const lpk_bf16 *comp, float *w32, size_t n)
{
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (n == 0)
        return LPK_OK;
    const lpk_status ck = check_kahan("lpk_kahan_merge", w32, w, comp, n);
    if (ck != LPK_OK)
        return ck;
    /* the kernel only reads w and comp */
    kahan_job job = {w32, (lpk_bf16 *)w, (lpk_bf16 *)comp, NULL,
                     LPK_SELECTED(lpk_op_update_kahan_merge)};
    lpk_parallel_for(n, 64, 8, merge_chunk, &job);
    return LPK_OK;
}
