/* SPDX-License-Identifier: Apache-2.0 */
// Rounding family, tier sve: the Highway implementation of hwy-inl.h (one
// piece of code with hwy.cc) compiled for Highway's SVE static target
// (-march=armv8.2-a+sve from this file's name; vector-length agnostic, so
// any SVE width from 128 to 2048 bits).  Bit-identical to ref.c.
#if !defined(__ARM_FEATURE_SVE)
#error "sve.cc needs -march=armv8.2-a+sve"
#endif
#include "hwy-inl.h"

#if (HWY_STATIC_TARGET & (HWY_SVE | HWY_SVE_256 | HWY_SVE2 | HWY_SVE2_128)) == 0
#error "sve.cc: Highway's static target is not SVE"
#endif

LPK_ROUND_HWY_DEFINE(sve)
