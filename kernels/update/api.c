/* Public entry points of the optimizer-update family: validation, the
   per-call fp32 constants, selection, threads. */
#include <math.h>
#include <stdint.h>

#include "update.h"

static const char *mode_name(lpk_update_mode mode)
{
    switch (mode) {
    case LPK_UPDATE_NEAREST: return "LPK_UPDATE_NEAREST";
    case LPK_UPDATE_STOCHASTIC: return "LPK_UPDATE_STOCHASTIC";
    case LPK_UPDATE_KAHAN: return "LPK_UPDATE_KAHAN";
    case LPK_UPDATE_FP32: return "LPK_UPDATE_FP32";
    }
    return "?";
}

/* The buffers one step reads or writes, by name, with their element size. */
enum { B_W, B_COMP, B_MASTER, B_GRAD, B_GRAD32, B_M, B_V, B_M32, B_V32, B_COUNT };
static const char *const buf_names[B_COUNT] = {"w", "comp", "master", "grad", "grad32",
                                               "m", "v", "m32", "v32"};
static const size_t buf_esize[B_COUNT] = {2, 2, 4, 2, 4, 2, 2, 4, 4};

/* Checks the tensor against the buffers `need` (a bit mask of B_*) for a
   step of `fn`: exactly one gradient, every needed buffer non-NULL, n small
   enough, no two used buffers overlapping.  Fills bufs (unused ones NULL)
   and *bytes (bytes of all used buffers per element). */
static lpk_status check_tensor(const char *fn, const lpk_opt_tensor *t, unsigned need,
                               lpk_update_mode mode, lpk_upd_bufs *bufs, size_t *bytes)
{
    const void *p[B_COUNT] = {t->w, t->comp, t->master, t->grad, t->grad32,
                              t->m, t->v, t->m32, t->v32};
    const size_t n = t->n;
    if (t->grad && t->grad32)
        return lpk_fail(LPK_EINVAL, "%s: both grad and grad32 are set (pass exactly one)", fn);
    if (!t->grad && !t->grad32)
        return lpk_fail(LPK_EINVAL, "%s: neither grad nor grad32 is set (pass exactly one)", fn);
    need |= 1u << (t->grad ? B_GRAD : B_GRAD32);
    for (int b = 0; b < B_COUNT; b++)
        if ((need >> b & 1u) && !p[b])
            return lpk_fail(LPK_EINVAL, "%s: tensor buffer %s is NULL (needed by %s%s)", fn,
                            buf_names[b], mode_name(mode),
                            b == B_M || b == B_M32 || b == B_V || b == B_V32
                                ? " for the optimizer state" : "");
    size_t per = 0;
    for (int b = 0; b < B_COUNT; b++)
        if (need >> b & 1u)
            per += buf_esize[b];
    size_t total;
    if (!lpk_size_mul(n, per, &total))
        return lpk_fail(LPK_EINVAL, "%s: n = %zu overflows the byte size", fn, n);
    for (int a = 0; a < B_COUNT; a++)
        for (int b = a + 1; b < B_COUNT; b++)
            if ((need >> a & 1u) && (need >> b & 1u) &&
                lpk_overlap(p[a], n * buf_esize[a], p[b], n * buf_esize[b]))
                return lpk_fail(LPK_EINVAL, "%s: buffers %s and %s overlap", fn, buf_names[a],
                                buf_names[b]);
#define PICK(b, field) ((need >> (b) & 1u) ? t->field : NULL)
    *bufs = (lpk_upd_bufs){n,
                           PICK(B_W, w),
                           PICK(B_COMP, comp),
                           PICK(B_MASTER, master),
                           PICK(B_GRAD, grad),
                           PICK(B_GRAD32, grad32),
                           PICK(B_M, m),
                           PICK(B_V, v),
                           PICK(B_M32, m32),
                           PICK(B_V32, v32),
                           0,
                           0};
#undef PICK
    *bytes = per;
    return LPK_OK;
}

/* The buffers of mode (plus the state bits the optimizer asks for). */
static unsigned mode_buffers(lpk_update_mode mode, unsigned state16, unsigned state32)
{
    unsigned need = 1u << B_W;
    if (mode == LPK_UPDATE_KAHAN)
        need |= 1u << B_COMP;
    if (mode == LPK_UPDATE_FP32)
        need |= (1u << B_MASTER) | state32;
    else
        need |= state16;
    return need;
}

static int mode_ok(lpk_update_mode mode)
{
    return mode == LPK_UPDATE_NEAREST || mode == LPK_UPDATE_STOCHASTIC ||
           mode == LPK_UPDATE_KAHAN || mode == LPK_UPDATE_FP32;
}

/* Pointers of a chunk starting at element lo (NULL stays NULL). */
static lpk_upd_bufs chunk_bufs(const lpk_upd_bufs *b, size_t lo, size_t hi)
{
    lpk_upd_bufs c = *b;
    c.n = hi - lo;
    c.offset = b->offset + lo;
#define ADV(f) c.f = b->f ? b->f + lo : NULL
    ADV(w);
    ADV(comp);
    ADV(master);
    ADV(g16);
    ADV(g32);
    ADV(m);
    ADV(v);
    ADV(m32);
    ADV(v32);
#undef ADV
    return c;
}

typedef struct {
    lpk_upd_bufs bufs;
    lpk_update_sgd_fn *sgd; /* one of the two is set, with its constants */
    lpk_update_adamw_fn *adamw;
    const lpk_upd_sgd_k *sk;
    const lpk_upd_adamw_k *ak;
} upd_job;

static void sgd_chunk(void *ctx, size_t lo, size_t hi)
{
    const upd_job *j = ctx;
    const lpk_upd_bufs c = chunk_bufs(&j->bufs, lo, hi);
    j->sgd(&c, j->sk);
}

static void adamw_chunk(void *ctx, size_t lo, size_t hi)
{
    const upd_job *j = ctx;
    const lpk_upd_bufs c = chunk_bufs(&j->bufs, lo, hi);
    j->adamw(&c, j->ak);
}

lpk_status lpk_sgd_step(const lpk_sgd_params *p, lpk_update_mode mode, const lpk_opt_tensor *t,
                        uint64_t seed, uint64_t offset)
{
    static const char fn[] = "lpk_sgd_step";
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (!p || !t)
        return lpk_fail(LPK_EINVAL, "%s: %s is NULL", fn, !p ? "params" : "tensor");
    if (!mode_ok(mode))
        return lpk_fail(LPK_EINVAL, "%s: unknown update mode %d", fn, (int)mode);
    if (p->step == 0)
        return lpk_fail(LPK_EINVAL, "%s: step is 0 (steps count from 1)", fn);
    if (!isfinite(p->lr) || !isfinite(p->momentum) || !isfinite(p->dampening) ||
        !isfinite(p->weight_decay))
        return lpk_fail(LPK_EINVAL, "%s: lr, momentum, dampening and weight_decay must be finite",
                        fn);
    if (p->nesterov && (p->momentum == 0.0f || p->dampening != 0.0f))
        return lpk_fail(LPK_EINVAL, "%s: nesterov needs momentum != 0 and dampening == 0", fn);
    const int mom_on = p->momentum != 0.0f;
    const unsigned need = mode_buffers(mode, mom_on ? 1u << B_M : 0, mom_on ? 1u << B_M32 : 0);
    if (t->n == 0)
        return LPK_OK;
    upd_job job;
    size_t bytes;
    const lpk_status ct = check_tensor(fn, t, need, mode, &job.bufs, &bytes);
    if (ct != LPK_OK)
        return ct;
    job.bufs.seed = seed;
    job.bufs.offset = offset;
    const lpk_upd_sgd_k k = {
        .mode = (int)mode,
        .decay = p->weight_decay != 0.0f,
        .momentum_on = mom_on,
        .first = p->step == 1,
        .nesterov = p->nesterov != 0,
        .wd = p->weight_decay,
        .mom = p->momentum,
        .one_minus_damp = (float)(1.0 - (double)p->dampening),
        .neg_lr = -p->lr,
    };
    job.sgd = LPK_SELECTED(lpk_op_update_sgd);
    job.sk = &k;
    lpk_parallel_for(t->n, 64, bytes, sgd_chunk, &job);
    return LPK_OK;
}

lpk_status lpk_adamw_step(const lpk_adamw_params *p, lpk_update_mode mode,
                          const lpk_opt_tensor *t, uint64_t seed, uint64_t offset)
{
    static const char fn[] = "lpk_adamw_step";
    LPK_ENTRY();
    const lpk_status st = lpk_ready();
    if (st != LPK_OK)
        return st;
    if (!p || !t)
        return lpk_fail(LPK_EINVAL, "%s: %s is NULL", fn, !p ? "params" : "tensor");
    if (!mode_ok(mode))
        return lpk_fail(LPK_EINVAL, "%s: unknown update mode %d", fn, (int)mode);
    if (p->step == 0)
        return lpk_fail(LPK_EINVAL, "%s: step is 0 (steps count from 1)", fn);
    if (!isfinite(p->lr) || !isfinite(p->eps) || !isfinite(p->weight_decay))
        return lpk_fail(LPK_EINVAL, "%s: lr, eps and weight_decay must be finite", fn);
    if (!(p->beta1 >= 0.0f && p->beta1 < 1.0f) || !(p->beta2 >= 0.0f && p->beta2 < 1.0f))
        return lpk_fail(LPK_EINVAL, "%s: beta1 = %g and beta2 = %g must lie in [0, 1)", fn,
                        (double)p->beta1, (double)p->beta2);
    const unsigned need = mode_buffers(mode, (1u << B_M) | (1u << B_V),
                                       (1u << B_M32) | (1u << B_V32));
    if (t->n == 0)
        return LPK_OK;
    upd_job job;
    size_t bytes;
    const lpk_status ct = check_tensor(fn, t, need, mode, &job.bufs, &bytes);
    if (ct != LPK_OK)
        return ct;
    job.bufs.seed = seed;
    job.bufs.offset = offset;
    /* Constants in double from the fp32 parameters, each rounded to fp32
       once (1 - beta and lr * weight_decay are then correctly rounded). */
    const double t_ = (double)p->step;
    const double bc1 = 1.0 - pow((double)p->beta1, t_);
    const double bc2 = 1.0 - pow((double)p->beta2, t_);
    const lpk_upd_adamw_k k = {
        .mode = (int)mode,
        .decay = p->weight_decay != 0.0f,
        .b1 = p->beta1,
        .b2 = p->beta2,
        .one_minus_beta1 = (float)(1.0 - (double)p->beta1),
        .one_minus_beta2 = (float)(1.0 - (double)p->beta2),
        .eps = p->eps,
        .inv_sqrt_bc2 = (float)(1.0 / sqrt(bc2)),
        .neg_step_size = (float)(-(double)p->lr / bc1),
        .lr_weight_decay = (float)((double)p->lr * (double)p->weight_decay),
    };
    job.adamw = LPK_SELECTED(lpk_op_update_adamw);
    job.ak = &k;
    lpk_parallel_for(t->n, 64, bytes, adamw_chunk, &job);
    return LPK_OK;
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
