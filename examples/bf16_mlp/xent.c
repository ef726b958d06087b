/* SPDX-License-Identifier: Apache-2.0 */
/* Softmax cross-entropy with SLEEF's vector exp/log.  The vector width is
   the widest this file is compiled for (AVX-512 or AVX2 with -march flags,
   else the SSE2 baseline of x86-64, NEON on aarch64, scalar elsewhere). */
#include <math.h>
#include <sleef.h>
#include <string.h>

#include "mlp.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#define VL 16
#define VIMPL "Sleef_expf16_u10/Sleef_logf16_u10 (AVX-512)"
static void vexp(const float *x, float *y) { _mm512_storeu_ps(y, Sleef_expf16_u10(_mm512_loadu_ps(x))); }
static void vlog(const float *x, float *y) { _mm512_storeu_ps(y, Sleef_logf16_u10(_mm512_loadu_ps(x))); }
#elif defined(__AVX2__)
#include <immintrin.h>
#define VL 8
#define VIMPL "Sleef_expf8_u10/Sleef_logf8_u10 (AVX2)"
static void vexp(const float *x, float *y) { _mm256_storeu_ps(y, Sleef_expf8_u10(_mm256_loadu_ps(x))); }
static void vlog(const float *x, float *y) { _mm256_storeu_ps(y, Sleef_logf8_u10(_mm256_loadu_ps(x))); }
#elif defined(__SSE2__)
#include <emmintrin.h>
#define VL 4
#define VIMPL "Sleef_expf4_u10/Sleef_logf4_u10 (SSE2)"
static void vexp(const float *x, float *y) { _mm_storeu_ps(y, Sleef_expf4_u10(_mm_loadu_ps(x))); }
static void vlog(const float *x, float *y) { _mm_storeu_ps(y, Sleef_logf4_u10(_mm_loadu_ps(x))); }
#elif defined(__aarch64__)
#include <arm_neon.h>
#define VL 4
#define VIMPL "Sleef_expf4_u10/Sleef_logf4_u10 (NEON)"
static void vexp(const float *x, float *y) { vst1q_f32(y, Sleef_expf4_u10(vld1q_f32(x))); }
static void vlog(const float *x, float *y) { vst1q_f32(y, Sleef_logf4_u10(vld1q_f32(x))); }
#else
#define VL 1
#define VIMPL "Sleef_expf_u10/Sleef_logf_u10 (scalar)"
static void vexp(const float *x, float *y) { *y = Sleef_expf_u10(*x); }
static void vlog(const float *x, float *y) { *y = Sleef_logf_u10(*x); }
#endif

const char *mlp_xent_impl(void) { return VIMPL; }

/* y = f(x) over n floats, in place allowed; the tail goes through a padded
   block so every element sees the same (vector) function. */
static void apply(void (*f)(const float *, float *), const float *x, float *y, size_t n)
{
    size_t i = 0;
    for (; i + VL <= n; i += VL)
        f(x + i, y + i);
    if (i < n) {
        float in[VL], out[VL];
        for (size_t j = 0; j < VL; j++)
            in[j] = i + j < n ? x[i + j] : 1.0f;
        f(in, out);
        memcpy(y + i, out, (n - i) * sizeof(float));
    }
}

double mlp_xent(const float *z, const uint8_t *labels, size_t rows, size_t c, float scale,
                float *grad, float *tmp)
{
    float *e = tmp;              /* rows * c: z - rowmax, then exp */
    float *s = tmp + rows * c;   /* rows sums; 32 spare floats reused per block */
    double loss = 0.0;
    const size_t blk = 32;
    for (size_t r0 = 0; r0 < rows; r0 += blk) {
        const size_t nr = rows - r0 < blk ? rows - r0 : blk;
        for (size_t r = r0; r < r0 + nr; r++) {
            float m = z[r * c];
            for (size_t j = 1; j < c; j++)
                m = z[r * c + j] > m ? z[r * c + j] : m;
            for (size_t j = 0; j < c; j++)
                e[r * c + j] = z[r * c + j] - m;
        }
        apply(vexp, e + r0 * c, e + r0 * c, nr * c);
        for (size_t r = 0; r < nr; r++) {
            float sum = 0.0f;
            for (size_t j = 0; j < c; j++)
                sum += e[(r0 + r) * c + j];
            s[r] = sum;
        }
        float ls[32];
        apply(vlog, s, ls, nr);
        for (size_t r = 0; r < nr; r++) {
            const size_t row = r0 + r;
            float m = z[row * c];
            for (size_t j = 1; j < c; j++)
                m = z[row * c + j] > m ? z[row * c + j] : m;
            /* -log softmax(z)_y = log(sum) - (z_y - max) */
            loss += (double)ls[r] - (double)(z[row * c + labels[row]] - m);
            if (grad) {
                const float inv = 1.0f / s[r];
                for (size_t j = 0; j < c; j++) {
                    const float p = e[row * c + j] * inv;
                    grad[row * c + j] = scale * (p - (j == labels[row] ? 1.0f : 0.0f));
                }
            }
        }
    }
    return loss;
}
