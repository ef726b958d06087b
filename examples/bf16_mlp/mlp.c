/* SPDX-License-Identifier: Apache-2.0 */
/* The 784-512-256-10 ReLU MLP and its SGD step, in four precision modes.

   fp32     fp32 master weights and fp32 momentum (LPK_UPDATE_FP32); fp32
            activations and gradients.  Every GEMM takes fp32 operands: each
            is split into bf16 planes x = hi + mid + lo (each the nearest bf16
            of what the previous planes leave) and the partial products are
            summed in fp32 by lpk_gemm_bf16f32 (cfg.fp32_terms = 6: hi.hi,
            hi.mid, mid.hi, hi.lo, mid.mid, lo.hi, which carries ~24 bits of
            each operand, i.e. an fp32 GEMM; 3 drops the lo plane, ~16 bits;
            1 is a plain bf16-operand GEMM).
   nearest, sr, kahan
            "pure bf16": weights, biases, momentum, activations and
            gradients are stored in bf16.  Each op computes in fp32 from its
            bf16 operands and rounds its output to bf16, nearest-even: GEMMs
            through lpk_gemm_bf16 (fp32 accumulation, one rounding; the bias
            add is fused as beta * C), the softmax cross-entropy gradient,
            the bias-gradient column sums.  ReLU and its mask are exact.
            Only the weight write of lpk_sgd_step differs:
            LPK_UPDATE_NEAREST, LPK_UPDATE_STOCHASTIC (fresh random bits per
            step and element), LPK_UPDATE_KAHAN (a bf16 compensation buffer
            per tensor).

   Layer l computes h_l = relu(h_{l-1} W_l + b_l) (no relu on the logits);
   W_l is stored n_in x n_out, row-major. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sleef.h>

#include "mlp.h"

static const size_t dims[MLP_LAYERS + 1] = {784, 512, 256, 10};
#define NT (2 * MLP_LAYERS) /* parameter tensors: W and b per layer */

static const char *const mode_names[MLP_NMODES] = {"fp32", "bf16-nearest", "bf16-sr",
                                                     "bf16-kahan"};
const char *mlp_mode_name(mlp_mode m) { return m < MLP_NMODES ? mode_names[m] : "?"; }

static const lpk_update_mode update_mode[MLP_NMODES] = {LPK_UPDATE_FP32, LPK_UPDATE_NEAREST,
                                                        LPK_UPDATE_STOCHASTIC, LPK_UPDATE_KAHAN};

/* One parameter tensor in the buffers its mode uses (unused ones NULL). */
typedef struct {
    size_t n;
    lpk_bf16 *w, *m, *comp, *g; /* bf16 modes (w also in fp32 mode: the API writes it) */
    float *w32, *m32, *g32;     /* fp32 mode */
    uint64_t offset;            /* first element's index among all parameters */
} ptensor;

struct mlp {
    mlp_mode mode;
    mlp_config cfg;
    ptensor t[NT]; /* W0, b0, W1, b1, W2, b2 */
    size_t nparams;
    uint64_t steps;
    /* activations and their gradients, nb_max rows each: h[l] is layer l's
       output (logits for the last); d[l] the loss gradient w.r.t. layer l's
       pre-activation.  Exactly one of the bf16 / fp32 sets is allocated. */
    lpk_bf16 *x16, *h16[MLP_LAYERS], *d16[MLP_LAYERS];
    float *x32, *h32[MLP_LAYERS], *d32[MLP_LAYERS];
    float *logits, *dlogits, *xtmp; /* fp32 loss scratch */
    lpk_bf16 *wsave;                /* bf16 weights before a step (diagnostics) */
    float *wsave32;
    /* fp32-mode GEMM: bf16 planes of A and B, and an fp32 temporary */
    lpk_bf16 *pa, *pb;
    float *ptmp;
    size_t plane_cap;
};

static void die_lpk(const char *what, lpk_status st)
{
    fprintf(stderr, "bf16_mlp: %s failed (status %d): %s\n", what, (int)st, lpk_last_error());
    exit(1);
}
#define CHECK(call)                                                                            \
    do {                                                                                       \
        lpk_status st_ = (call);                                                               \
        if (st_ != LPK_OK)                                                                     \
            die_lpk(#call, st_);                                                               \
    } while (0)

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "bf16_mlp: out of memory\n");
        exit(1);
    }
    return p;
}

void mlp_random4(uint64_t seed, uint32_t stream, uint64_t counter, uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)counter, (uint32_t)(counter >> 32), stream, 0x6d6c70u};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    CHECK(lpk_philox4x32_10(ctr, key, out));
}

/* bf16 <-> fp32 one value at a time, for the small elementwise ops. */
static inline float bf2f(lpk_bf16 h)
{
    union { uint32_t u; float f; } v = {(uint32_t)h << 16};
    return v.f;
}
static inline lpk_bf16 f2bf(float f) /* nearest-even, NaN stays a quiet NaN */
{
    union { float f; uint32_t u; } v = {f};
    if ((v.u & 0x7fffffffu) > 0x7f800000u)
        return (lpk_bf16)((v.u >> 16) | 0x40u);
    return (lpk_bf16)((v.u + 0x7fffu + ((v.u >> 16) & 1u)) >> 16);
}

/* ---- GEMM ----------------------------------------------------------------- */

/* Splits the compact fp32 matrix x (n elements) into `planes` bf16 planes of
   n elements each: plane 0 = bf16(x), plane p = bf16(x - planes 0..p-1).
   Each residual is exact in fp32. */
static void split(mlp *net, const float *x, size_t n, int planes, lpk_bf16 *out)
{
    float *r = net->ptmp;
    memcpy(r, x, n * sizeof(float));
    for (int p = 0; p < planes; p++) {
        lpk_bf16 *pl = out + (size_t)p * n;
        CHECK(lpk_f32_to_bf16(r, pl, n, LPK_ROUND_NEAREST, 0, 0));
        if (p + 1 < planes)
            for (size_t i = 0; i < n; i++)
                r[i] -= bf2f(pl[i]);
    }
}

/* C = op(A) op(B) + beta C with compact operands (ld = stored row length).
   bf16 modes: bf16 A, B, C, one nearest rounding of the fp32 result.
   fp32 mode: fp32 A, B, C through the bf16 planes (see the top). */
static void gemm(mlp *net, lpk_trans ta, lpk_trans tb, size_t m, size_t n, size_t k,
                 const void *a, const void *b, float beta, void *c)
{
    const size_t lda = ta == LPK_NOTRANS ? k : m, ldb = tb == LPK_NOTRANS ? n : k;
    if (net->mode != MLP_FP32) {
        CHECK(lpk_gemm_bf16(ta, tb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, n,
                            LPK_ROUND_NEAREST, 0));
        return;
    }
    /* (plane of A, plane of B), smallest terms first */
    static const int terms6[6][2] = {{2, 0}, {1, 1}, {0, 2}, {1, 0}, {0, 1}, {0, 0}};
    static const int terms3[3][2] = {{1, 0}, {0, 1}, {0, 0}};
    static const int terms1[1][2] = {{0, 0}};
    const int nt = net->cfg.fp32_terms;
    const int (*terms)[2] = nt == 6 ? terms6 : nt == 3 ? terms3 : terms1;
    const int planes = nt == 6 ? 3 : nt == 3 ? 2 : 1;
    const size_t na = m * k, nbe = k * n;
    if (na > net->plane_cap || nbe > net->plane_cap) {
        fprintf(stderr, "bf16_mlp: GEMM operand larger than the plane buffers\n");
        exit(1);
    }
    split(net, a, na, planes, net->pa);
    split(net, b, nbe, planes, net->pb);
    for (int t = 0; t < nt; t++)
        CHECK(lpk_gemm_bf16f32(ta, tb, m, n, k, 1.0f, net->pa + (size_t)terms[t][0] * na, lda,
                               net->pb + (size_t)terms[t][1] * nbe, ldb, t == 0 ? beta : 1.0f,
                               c, n));
}

/* ---- construction --------------------------------------------------------- */

mlp *mlp_create(mlp_mode mode, const mlp_config *cfg)
{
    mlp *net = xcalloc(1, sizeof *net);
    net->mode = mode;
    net->cfg = *cfg;
    if (net->cfg.fp32_terms != 1 && net->cfg.fp32_terms != 3)
        net->cfg.fp32_terms = 6;
    const int f32 = mode == MLP_FP32;
    const size_t nb = cfg->nb_max;
    size_t off = 0, wmax = 0;
    for (int l = 0; l < MLP_LAYERS; l++) {
        for (int j = 0; j < 2; j++) {
            ptensor *t = &net->t[2 * l + j];
            t->n = j == 0 ? dims[l] * dims[l + 1] : dims[l + 1];
            t->offset = off;
            off += t->n;
            t->w = xcalloc(t->n, sizeof(lpk_bf16));
            if (f32) {
                t->w32 = xcalloc(t->n, sizeof(float));
                t->m32 = xcalloc(t->n, sizeof(float));
                t->g32 = xcalloc(t->n, sizeof(float));
            } else {
                t->m = xcalloc(t->n, sizeof(lpk_bf16));
                t->g = xcalloc(t->n, sizeof(lpk_bf16));
                if (mode == MLP_KAHAN)
                    t->comp = xcalloc(t->n, sizeof(lpk_bf16));
            }
            if (t->n > wmax)
                wmax = t->n;
        }
        /* He-normal weights: std sqrt(2 / fan_in), one fp32 draw per seed
           (Box-Muller in double through SLEEF's scalar functions, the same
           numbers on every platform) */
        ptensor *w = &net->t[2 * l];
        float *init = xcalloc(w->n, sizeof(float));
        const double sd = sqrt(2.0 / (double)dims[l]);
        for (size_t i = 0; i < w->n; i += 2) {
            uint32_t r[4];
            mlp_random4(cfg->seed, 1 + (uint32_t)l, i / 2, r);
            const double a = Sleef_sqrt_u05(-2.0 * Sleef_log_u10(((double)r[0] + 0.5) / 4294967296.0));
            const double th = 6.283185307179586 * (((double)r[1] + 0.5) / 4294967296.0);
            init[i] = (float)(sd * a * Sleef_cos_u10(th));
            if (i + 1 < w->n)
                init[i + 1] = (float)(sd * a * Sleef_sin_u10(th));
        }
        if (f32)
            memcpy(w->w32, init, w->n * sizeof(float));
        CHECK(lpk_f32_to_bf16(init, w->w, w->n, LPK_ROUND_NEAREST, 0, 0));
        free(init);
    }
    net->nparams = off;
    for (int l = 0; l < MLP_LAYERS; l++) {
        const size_t no = dims[l + 1];
        if (f32) {
            net->h32[l] = xcalloc(nb * no, sizeof(float));
            net->d32[l] = xcalloc(nb * no, sizeof(float));
        } else {
            net->h16[l] = xcalloc(nb * no, sizeof(lpk_bf16));
            net->d16[l] = xcalloc(nb * no, sizeof(lpk_bf16));
        }
    }
    if (f32)
        net->x32 = xcalloc(nb * dims[0], sizeof(float));
    else
        net->x16 = xcalloc(nb * dims[0], sizeof(lpk_bf16));
    const size_t c = dims[MLP_LAYERS];
    net->logits = xcalloc(nb * c, sizeof(float));
    net->dlogits = xcalloc(nb * c, sizeof(float));
    net->xtmp = xcalloc(nb * c + 32, sizeof(float));
    if (f32) {
        net->wsave32 = xcalloc(wmax, sizeof(float));
        size_t cap = wmax;
        for (int l = 0; l <= MLP_LAYERS; l++)
            if (nb * dims[l] > cap)
                cap = nb * dims[l];
        net->plane_cap = cap;
        net->pa = xcalloc(3 * cap, sizeof(lpk_bf16));
        net->pb = xcalloc(3 * cap, sizeof(lpk_bf16));
        net->ptmp = xcalloc(cap, sizeof(float));
    } else {
        net->wsave = xcalloc(wmax, sizeof(lpk_bf16));
    }
    return net;
}

void mlp_free(mlp *net)
{
    if (!net)
        return;
    for (int i = 0; i < NT; i++) {
        ptensor *t = &net->t[i];
        free(t->w), free(t->m), free(t->comp), free(t->g);
        free(t->w32), free(t->m32), free(t->g32);
    }
    for (int l = 0; l < MLP_LAYERS; l++)
        free(net->h16[l]), free(net->d16[l]), free(net->h32[l]), free(net->d32[l]);
    free(net->x16), free(net->x32), free(net->logits), free(net->dlogits), free(net->xtmp);
    free(net->wsave), free(net->wsave32), free(net->pa), free(net->pb), free(net->ptmp);
    free(net);
}

size_t mlp_param_count(const mlp *net) { return net->nparams; }

/* ---- forward / backward --------------------------------------------------- */

/* x = pixels / 255 of the nb images idx (or images start.. when idx NULL). */
static void load_batch(mlp *net, const mlp_dataset *ds, const uint32_t *idx, size_t start,
                       size_t nb)
{
    const size_t d = dims[0];
    for (size_t r = 0; r < nb; r++) {
        const uint8_t *px = ds->pixels + (size_t)(idx ? idx[r] : start + r) * d;
        if (net->mode == MLP_FP32)
            for (size_t j = 0; j < d; j++)
                net->x32[r * d + j] = (float)px[j] / 255.0f;
        else
            for (size_t j = 0; j < d; j++)
                net->x16[r * d + j] = f2bf((float)px[j] / 255.0f);
    }
}

/* Forward pass over nb rows already in x; leaves fp32 logits in net->logits. */
static void forward(mlp *net, size_t nb)
{
    const int f32 = net->mode == MLP_FP32;
    for (int l = 0; l < MLP_LAYERS; l++) {
        const size_t ni = dims[l], no = dims[l + 1];
        const ptensor *W = &net->t[2 * l], *B = &net->t[2 * l + 1];
        const void *in = l == 0 ? (f32 ? (void *)net->x32 : (void *)net->x16)
                                : (f32 ? (void *)net->h32[l - 1] : (void *)net->h16[l - 1]);
        /* bias broadcast, then C = in W + 1 * C */
        for (size_t r = 0; r < nb; r++) {
            if (f32)
                memcpy(net->h32[l] + r * no, B->w32, no * sizeof(float));
            else
                memcpy(net->h16[l] + r * no, B->w, no * sizeof(lpk_bf16));
        }
        gemm(net, LPK_NOTRANS, LPK_NOTRANS, nb, no, ni, in, f32 ? (void *)W->w32 : (void *)W->w,
             1.0f, f32 ? (void *)net->h32[l] : (void *)net->h16[l]);
        if (l + 1 < MLP_LAYERS) {
            const size_t n = nb * no;
            if (f32) {
                float *h = net->h32[l];
                for (size_t i = 0; i < n; i++)
                    h[i] = h[i] > 0.0f ? h[i] : 0.0f;
            } else {
                lpk_bf16 *h = net->h16[l];
                for (size_t i = 0; i < n; i++) /* relu on the bit pattern: negatives and -0 to +0 */
                    h[i] = (h[i] & 0x8000u) ? 0 : h[i];
            }
        }
    }
    const size_t n = nb * dims[MLP_LAYERS];
    if (f32)
        memcpy(net->logits, net->h32[MLP_LAYERS - 1], n * sizeof(float));
    else
        CHECK(lpk_bf16_to_f32(net->h16[MLP_LAYERS - 1], net->logits, n));
}

/* Backward pass from the fp32 logit gradient; fills every tensor's gradient. */
static void backward(mlp *net, size_t nb)
{
    const int f32 = net->mode == MLP_FP32;
    const size_t nc = dims[MLP_LAYERS];
    if (f32)
        memcpy(net->d32[MLP_LAYERS - 1], net->dlogits, nb * nc * sizeof(float));
    else
        CHECK(lpk_f32_to_bf16(net->dlogits, net->d16[MLP_LAYERS - 1], nb * nc,
                              LPK_ROUND_NEAREST, 0, 0));
    for (int l = MLP_LAYERS - 1; l >= 0; l--) {
        const size_t ni = dims[l], no = dims[l + 1];
        ptensor *W = &net->t[2 * l], *B = &net->t[2 * l + 1];
        const void *in = l == 0 ? (f32 ? (void *)net->x32 : (void *)net->x16)
                                : (f32 ? (void *)net->h32[l - 1] : (void *)net->h16[l - 1]);
        const void *d = f32 ? (void *)net->d32[l] : (void *)net->d16[l];
        /* dW = in^T d (ni x no, k = nb) */
        gemm(net, LPK_TRANS, LPK_NOTRANS, ni, no, nb, in, d, 0.0f,
             f32 ? (void *)W->g32 : (void *)W->g);
        /* db = column sums of d, accumulated in fp32 */
        for (size_t j = 0; j < no; j++) {
            float s = 0.0f;
            if (f32)
                for (size_t r = 0; r < nb; r++)
                    s += net->d32[l][r * no + j];
            else
                for (size_t r = 0; r < nb; r++)
                    s += bf2f(net->d16[l][r * no + j]);
            if (f32)
                B->g32[j] = s;
            else
                B->g[j] = f2bf(s);
        }
        if (l == 0)
            break;
        /* d_{l-1} = (d W^T) * relu'(h_{l-1}) */
        gemm(net, LPK_NOTRANS, LPK_TRANS, nb, ni, no, d, f32 ? (void *)W->w32 : (void *)W->w,
             0.0f, f32 ? (void *)net->d32[l - 1] : (void *)net->d16[l - 1]);
        const size_t n = nb * ni;
        if (f32) {
            for (size_t i = 0; i < n; i++)
                if (!(net->h32[l - 1][i] > 0.0f))
                    net->d32[l - 1][i] = 0.0f;
        } else {
            for (size_t i = 0; i < n; i++)
                if (net->h16[l - 1][i] == 0)
                    net->d16[l - 1][i] = 0;
        }
    }
}

double mlp_train_step(mlp *net, const mlp_dataset *ds, const uint32_t *idx, size_t nb,
                      const lpk_sgd_params *p, double *changed)
{
    const size_t nc = dims[MLP_LAYERS];
    load_batch(net, ds, idx, 0, nb);
    forward(net, nb);
    uint8_t labels[4096];
    uint8_t *lab = nb <= sizeof labels ? labels : xcalloc(nb, 1);
    for (size_t r = 0; r < nb; r++)
        lab[r] = ds->labels[idx[r]];
    const double loss = mlp_xent(net->logits, lab, nb, nc, 1.0f / (float)nb, net->dlogits,
                                 net->xtmp);
    if (lab != labels)
        free(lab);
    backward(net, nb);

    /* Stochastic rounding: a fresh stream position for every step and
       element (offset = step * nparams + index), one seed per run. */
    const uint64_t sr_seed = net->cfg.seed ^ 0x9e3779b97f4a7c15ull;
    size_t nchanged = 0, nweights = 0;
    for (int i = 0; i < NT; i++) {
        ptensor *t = &net->t[i];
        const int is_w = (i & 1) == 0;
        if (changed && is_w) {
            if (net->mode == MLP_FP32)
                memcpy(net->wsave32, t->w32, t->n * sizeof(float));
            else
                memcpy(net->wsave, t->w, t->n * sizeof(lpk_bf16));
        }
        const lpk_opt_tensor ot = {
            .n = t->n, .w = t->w, .comp = t->comp, .master = t->w32,
            .grad = t->g, .grad32 = t->g32, .m = t->m, .m32 = t->m32};
        CHECK(lpk_sgd_step(p, update_mode[net->mode], &ot, sr_seed,
                           net->steps * (uint64_t)net->nparams + t->offset));
        if (changed && is_w) {
            nweights += t->n;
            if (net->mode == MLP_FP32) {
                for (size_t j = 0; j < t->n; j++)
                    nchanged += net->wsave32[j] != t->w32[j];
            } else {
                for (size_t j = 0; j < t->n; j++)
                    nchanged += net->wsave[j] != t->w[j];
            }
        }
    }
    net->steps++;
    if (changed)
        *changed = nweights ? (double)nchanged / (double)nweights : 0.0;
    return loss / (double)nb;
}

void mlp_evaluate(mlp *net, const mlp_dataset *ds, size_t n, double *loss, double *acc)
{
    const size_t nc = dims[MLP_LAYERS], chunk = net->cfg.nb_max;
    double sum = 0.0;
    size_t correct = 0;
    for (size_t s = 0; s < n; s += chunk) {
        const size_t nb = n - s < chunk ? n - s : chunk;
        load_batch(net, ds, NULL, s, nb);
        forward(net, nb);
        sum += mlp_xent(net->logits, ds->labels + s, nb, nc, 1.0f, NULL, net->xtmp);
        for (size_t r = 0; r < nb; r++) {
            const float *z = net->logits + r * nc;
            size_t best = 0;
            for (size_t j = 1; j < nc; j++)
                if (z[j] > z[best])
                    best = j;
            correct += best == ds->labels[s + r];
        }
    }
    *loss = n ? sum / (double)n : 0.0;
    *acc = n ? (double)correct / (double)n : 0.0;
}
