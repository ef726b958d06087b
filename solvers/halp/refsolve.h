/* SPDX-License-Identifier: Apache-2.0 */
/* Double-precision reference math for the HALP problems, shared by the
   reproductions (examples/halp) and the tests (tests/test_halp.c) as the
   static library lpk_refsolve, not part of liblpk: the objective, a
   Cholesky solve and the extreme eigenvalues of an SPD matrix, and the
   least-squares optimum. */
#ifndef LPK_REFSOLVE_H
#define LPK_REFSOLVE_H

#include <stddef.h>

#include "lpk.h"

/* f(w) = 1/n sum_i loss(x_i.w, y_i) + lambda/2 ||w||^2 in double, the
   formula the library's trace uses (least squares: (s - y)^2 / 2;
   logistic: log(1 + exp(-y s))). */
double ref_objective(lpk_loss loss, const float *X, const float *y, size_t n, size_t d,
                     double lambda, const float *w);

/* In-place Cholesky factor (lower triangle) of the SPD d x d matrix A;
   -1 if A is not positive definite. */
int ref_cholesky(double *A, size_t d);

/* x = (L L^T)^-1 x. */
void ref_chol_solve(const double *L, size_t d, double *x);

/* Smallest and largest eigenvalue of the SPD matrix H (L: its Cholesky
   factor) by `iters` steps of inverse and plain power iteration. */
void ref_extreme_eigs(const double *H, const double *L, size_t d, int iters, double *lo,
                      double *hi);

/* Least squares f(w) = 1/(2n) ||X w - y||^2 + lambda/2 ||w||^2: solves
   (X^T X / n + lambda I) w = X^T y / n by Cholesky with one step of
   iterative refinement, and returns f(w*) (w* written to wstar, d doubles);
   eig_min/eig_max (may be NULL) get the Hessian's extreme eigenvalues.
   Returns -1 if the matrix is not positive definite. */
double ref_lsq_solve(const float *X, const float *y, size_t n, size_t d, double lambda,
                     double *wstar, double *eig_min, double *eig_max);

#endif
