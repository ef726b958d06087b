/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the fixed-point family's test programs (test_fixed_*.c): input
   generators, and one case per op that carries the typed op (its variants'
   functions behind one signature per kind, int8 or int16 data as void *)
   while the element width comes from the op descriptor. */
#ifndef LPK_TEST_FIXEDUTIL_H
#define LPK_TEST_FIXEDUTIL_H

#include "testutil.h"
#include "fixed/fixed.h"

/* SR offsets every variant meets: small, a period, past 2^32 blocks, near
   the wrap of the element counter. */
extern const uint64_t fx_offsets[];
#define FX_NOFF 10

/* ---- inputs -------------------------------------------------------------- */
/* Random int8 / int16 with the extremes (-2^(b-1), -2^(b-1)+1, -1, 0, 1,
   2^(b-1)-2, 2^(b-1)-1) a quarter of the time. */
int8_t fx_rand_i8(uint64_t *s);
int16_t fx_rand_i16(uint64_t *s);
/* One of the two by element size es (1 or 2). */
int fx_rand_int(uint64_t *s, size_t es);
/* p[i] = v (p an int8 or int16 array by es), and its read. */
void fx_put_int(void *p, size_t es, size_t i, int v);
int fx_get_int(const void *p, size_t es, size_t i);

/* Quantize inputs: tu_fill_f32 (specials, random patterns, moderate values)
   mixed with exact halves and integers near and past both saturation ends
   (scaled back by the inverse step so that x * inv lands on them). */
void fx_fill_quant_input(float *x, size_t n, uint64_t seed, float inv, int bits);
/* h for update: mostly moderate values, some specials. */
void fx_fill_h(float *h, size_t n, uint64_t seed, int bits);

/* ---- typed cases ------------------------------------------------------------ */
/* Quantize (quant8, quant16): q has es = op->out_bytes bytes per element. */
typedef void fx_quant_run(const lpk_variant *v, const float *x, void *q, size_t n, float inv,
                          lpk_round mode, uint64_t seed, uint64_t offset);
/* Dequantize (dequant8, dequant16): q has es = op->in_bytes. */
typedef void fx_dequant_run(const lpk_variant *v, const void *q, float *x, size_t n, float delta);
/* Dot (dot8, dot16): a, b have es = op->in_bytes. */
typedef int64_t fx_dot_run(const lpk_variant *v, const void *a, const void *b, size_t n);
/* Update (update8, update16): z, x have es = op->in_bytes. */
typedef void fx_update_run(const lpk_variant *v, void *z, const void *x, const float *h, size_t n,
                           float a, float b, lpk_round mode, uint64_t seed, uint64_t offset);

typedef struct {
    const lpk_op *op;
    fx_quant_run *quant;     /* one of these four is set */
    fx_dequant_run *dequant;
    fx_dot_run *dot;
    fx_update_run *update;
    int ars;                 /* update_ars: every element its own ARS bits */
} fx_case;
extern const fx_case fx_quant8, fx_quant16, fx_dequant8, fx_dequant16, fx_dot8, fx_dot16,
    fx_update8, fx_update16, fx_update8_ars, fx_update16_ars;

/* The 16 random bits element i of a stochastic call of the case's op with
   (seed, offset) uses (fixed.h): quantize Philox element offset + i;
   update Philox element offset + i % 64; update_ars ARS element offset + i. */
uint32_t fx_r16(const fx_case *c, uint64_t seed, uint64_t offset, size_t i);

/* Bytes per integer element of the case's grid data, and its bits. */
size_t fx_es(const fx_case *c);
static inline int fx_bits(const fx_case *c) { return 8 * (int)fx_es(c); }

/* One update call on copies of z0 (misaligned by `mis` elements in a
   guarded buffer) by v and by the reference r: bit-identical results,
   guard zones intact. */
void fx_update_once(const fx_case *c, const lpk_variant *v, const lpk_variant *r, const void *z0,
                    const void *x, const float *h, size_t n, size_t mis, float a, float b,
                    int mode, uint64_t seed, uint64_t offset);

#endif
