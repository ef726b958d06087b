/* SPDX-License-Identifier: Apache-2.0 */
/* Double-precision reference math (refsolve.h). */
#include "refsolve.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ref_objective(lpk_loss loss, const float *X, const float *y, size_t n, size_t d,
                     double lambda, const float *w)
{
    double f = 0.0, ww = 0.0;
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < d; j++)
            s += (double)X[i * d + j] * w[j];
        if (loss == LPK_LOSS_LSQ) {
            f += 0.5 * (s - y[i]) * (s - y[i]);
        } else {
            const double t = -y[i] * s;
            f += (t > 0 ? t : 0.0) + log1p(exp(-fabs(t)));
        }
    }
    for (size_t j = 0; j < d; j++)
        ww += (double)w[j] * w[j];
    return f / (double)n + 0.5 * lambda * ww;
}

int ref_cholesky(double *A, size_t d)
{
    for (size_t j = 0; j < d; j++) {
        double s = A[j * d + j];
        for (size_t k = 0; k < j; k++)
            s -= A[j * d + k] * A[j * d + k];
        if (!(s > 0))
            return -1;
        A[j * d + j] = sqrt(s);
        for (size_t i = j + 1; i < d; i++) {
            double t = A[i * d + j];
            for (size_t k = 0; k < j; k++)
                t -= A[i * d + k] * A[j * d + k];
            A[i * d + j] = t / A[j * d + j];
        }
    }
    return 0;
}

void ref_chol_solve(const double *L, size_t d, double *x)
{
    for (size_t i = 0; i < d; i++) {
        double s = x[i];
        for (size_t k = 0; k < i; k++)
            s -= L[i * d + k] * x[k];
        x[i] = s / L[i * d + i];
    }
    for (size_t i = d; i-- > 0;) {
        double s = x[i];
        for (size_t k = i + 1; k < d; k++)
            s -= L[k * d + i] * x[k];
        x[i] = s / L[i * d + i];
    }
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "refsolve: out of memory\n");
        exit(1);
    }
    return p;
}

void ref_extreme_eigs(const double *H, const double *L, size_t d, int iters, double *lo,
                      double *hi)
{
    double *v = xcalloc(d, sizeof(double)), *u = xcalloc(d, sizeof(double));
    for (int which = 0; which < 2; which++) {
        for (size_t a = 0; a < d; a++)
            v[a] = 1.0 + 0.01 * (double)a;
        double lam = 0.0;
        for (int it = 0; it < iters; it++) {
            double nv = 0.0;
            for (size_t a = 0; a < d; a++)
                nv += v[a] * v[a];
            nv = sqrt(nv);
            for (size_t a = 0; a < d; a++)
                v[a] /= nv;
            if (which == 0) {
                for (size_t a = 0; a < d; a++) {
                    double s = 0.0;
                    for (size_t b = 0; b < d; b++)
                        s += H[a * d + b] * v[b];
                    u[a] = s;
                }
            } else {
                memcpy(u, v, d * sizeof(double));
                ref_chol_solve(L, d, u);
            }
            lam = 0.0;
            for (size_t a = 0; a < d; a++)
                lam += u[a] * v[a];
            memcpy(v, u, d * sizeof(double));
        }
        if (which == 0)
            *hi = lam;
        else
            *lo = 1.0 / lam;
    }
    free(v);
    free(u);
}

double ref_lsq_solve(const float *X, const float *y, size_t n, size_t d, double lambda,
                     double *wstar, double *eig_min, double *eig_max)
{
    double *H = xcalloc(d * d, sizeof(double)), *L = xcalloc(d * d, sizeof(double));
    double *u = xcalloc(d, sizeof(double)), *rhs = xcalloc(d, sizeof(double));
    for (size_t i = 0; i < n; i++) {
        const float *x = X + i * d;
        for (size_t a = 0; a < d; a++) {
            for (size_t b = 0; b <= a; b++)
                H[a * d + b] += (double)x[a] * x[b];
            rhs[a] += (double)x[a] * y[i];
        }
    }
    for (size_t a = 0; a < d; a++) {
        for (size_t b = 0; b <= a; b++) {
            H[a * d + b] /= (double)n;
            H[b * d + a] = H[a * d + b];
        }
        H[a * d + a] += lambda;
        rhs[a] /= (double)n;
    }
    memcpy(L, H, d * d * sizeof(double));
    double fstar = -1.0;
    if (ref_cholesky(L, d) == 0) {
        memcpy(wstar, rhs, d * sizeof(double));
        ref_chol_solve(L, d, wstar);
        /* one step of iterative refinement against H */
        for (size_t a = 0; a < d; a++) {
            double s = 0.0;
            for (size_t b = 0; b < d; b++)
                s += H[a * d + b] * wstar[b];
            u[a] = rhs[a] - s;
        }
        ref_chol_solve(L, d, u);
        for (size_t a = 0; a < d; a++)
            wstar[a] += u[a];
        /* f(w*) evaluated directly, in double */
        double f = 0.0, ww = 0.0;
        for (size_t i = 0; i < n; i++) {
            double s = 0.0;
            for (size_t j = 0; j < d; j++)
                s += (double)X[i * d + j] * wstar[j];
            f += 0.5 * (s - y[i]) * (s - y[i]);
        }
        for (size_t j = 0; j < d; j++)
            ww += wstar[j] * wstar[j];
        fstar = f / (double)n + 0.5 * lambda * ww;
        double lo = 0.0, hi = 0.0;
        if (eig_min || eig_max) {
            ref_extreme_eigs(H, L, d, 500, &lo, &hi);
            if (eig_min)
                *eig_min = lo;
            if (eig_max)
                *eig_max = hi;
        }
    }
    free(H);
    free(L);
    free(u);
    free(rhs);
    return fstar;
}
