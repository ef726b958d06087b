/* SPDX-License-Identifier: Apache-2.0 */
/* The two losses of lpk_halp_train in double: phi(s) = dl/ds, the stable
   difference phi(r + e) - phi(r), and l(s, y).  Inline: the inner loops
   call them once per step. */
#ifndef LPK_SOLVERS_HALP_LOSS_H
#define LPK_SOLVERS_HALP_LOSS_H

#include <math.h>

#include "lpk.h"

/* phi(s) = dl/ds. */
static inline double halp_loss_phi(lpk_loss loss, double s, double y)
{
    if (loss == LPK_LOSS_LSQ)
        return s - y;
    /* -y sigma(-y s) = -y / (1 + exp(y s)) */
    const double t = y * s;
    return t >= 0 ? -y * exp(-t) / (1.0 + exp(-t)) : -y / (1.0 + exp(t));
}

static inline double halp_sigmoid(double u)
{
    return u >= 0 ? 1.0 / (1.0 + exp(-u)) : exp(u) / (1.0 + exp(u));
}

/* phi(r + e) - phi(r) without cancellation: e exactly for least squares;
   for the logistic loss, with u = -y r and v = -y e,
   sigma(u + v) - sigma(u) = -sigma(u + v) sigma(-u) expm1(-v). */
static inline double halp_loss_dphi(lpk_loss loss, double r, double e, double y)
{
    if (loss == LPK_LOSS_LSQ)
        return e;
    const double u = -y * r, v = -y * e;
    if (fabs(v) > 30.0)
        return -y * (halp_sigmoid(u + v) - halp_sigmoid(u));
    return -y * (-halp_sigmoid(u + v) * halp_sigmoid(-u) * expm1(-v));
}

/* l(s, y) in double, overflow-free. */
static inline double halp_loss_value(lpk_loss loss, double s, double y)
{
    if (loss == LPK_LOSS_LSQ)
        return 0.5 * (s - y) * (s - y);
    const double t = -y * s; /* log(1 + exp(t)) */
    return (t > 0 ? t : 0.0) + log1p(exp(-fabs(t)));
}

#endif
