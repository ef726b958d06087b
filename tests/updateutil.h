/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the optimizer-update family's test programs (test_update_*.c):
   the nine buffers of an update as one guarded arena, their fillers and
   comparison, and the per-call constants as lpk_sgd_step / lpk_adamw_step
   compute them. */
#ifndef LPK_TEST_UPDATEUTIL_H
#define LPK_TEST_UPDATEUTIL_H

#include "testutil.h"
#include "common/bf16.h"
#include "update/update.h"

static inline float wid(lpk_bf16 h) { return lpk_bits_f32((uint32_t)h << 16); }
static inline lpk_bf16 to_bf(float x) { return lpk_bf16_rne(lpk_f32_bits(x)); }

/* A random float: sign (0, 1, or -1 for random), exponent in [emin, emax],
   random 23-bit mantissa. */
float rand_val(uint64_t *s, int emin, int emax, int sign);

/* ---- a set of the nine buffers, each in its own guard zone ----------------- */

enum { W, COMP, MASTER, G16, G32, M, V, M32, V32, NB };
extern const size_t esz[NB];
extern const char *const bname[NB];

typedef struct {
    size_t n, mis;
    tu_guarded g[NB];
    void *p[NB]; /* data, misaligned by `mis` elements */
} arena;

/* Every byte, guards and data, TU_SENTINEL. */
void arena_alloc(arena *a, size_t n, size_t mis);
void arena_clone(arena *dst, const arena *src);
void arena_free(arena *a);
/* Fills every buffer: realistic magnitudes per role, and with probability
   1/special (0: never) a special pattern instead. */
void arena_fill(arena *a, uint64_t seed, unsigned special);
/* Dense specials: buffer b at element i takes special (i * stride_b + b) so
   that every pair of classes meets across the buffers. */
void arena_fill_specials(arena *a);
/* How many specials arena_fill_specials cycles through. */
size_t up_n_specials(void);
/* x against the reference's ref: fails naming the buffer and element of
   the first difference, or a write into a guard zone. */
void arena_compare(const arena *x, const arena *ref, const char *what);

/* ---- configurations ------------------------------------------------------- */

typedef struct {
    int adamw; /* which op runs it: update.adamw, else update.sgd */
    lpk_upd_sgd_k sgd;
    lpk_upd_adamw_k adam;
    char name[96];
} config;

extern const char *const mode_names[4];

/* SGD constants as lpk_sgd_step computes them. */
lpk_upd_sgd_k sgd_k(int mode, float lr, float mom, float damp, float wd, int nesterov,
                    uint64_t step);
/* AdamW constants as lpk_adamw_step computes them (and lpk.h documents). */
lpk_upd_adamw_k adamw_k(int mode, float lr, float b1, float b2, float eps, float wd,
                        uint64_t step);

/* Every configuration of one mode (out: UP_NCONFIGS entries, returned):
   SGD momentum off / momentum + dampening / nesterov, weight decay 0 or
   not, first step or later; AdamW decay 0 or not, step 1 or 7.  lr
   alternates between a small and a large value so that both tiny and large
   increments occur.  state_sr as given (the F32_* modes); label names the
   mode in each config's name. */
#define UP_NCONFIGS 14
size_t up_mode_configs(int mode, int state_sr, const char *label, config *out);

/* The chunk a kernel sees: the buffers the mode uses (NULL otherwise; comp
   for LPK_UPDATE_KAHAN and LPK_UPDATE_F32_KAHAN). */
lpk_upd_bufs bufs_of(const arena *a, int adamw, int mode, int grad32, int momentum_on,
                     uint64_t seed, uint64_t offset);
/* Runs variant v (of update.adamw when c->adamw, else of update.sgd). */
void run_kernel(const lpk_variant *v, const config *c, const lpk_upd_bufs *b);
/* Runs variant v and the reference on identical copies of `a` and compares
   every buffer, guards included. */
void up_compare_on(const lpk_variant *v, const lpk_variant *ref, const config *c,
                   const arena *a, int grad32, uint64_t seed, uint64_t offset);

#endif
