/* SPDX-License-Identifier: Apache-2.0 */
// Rounding family, tier hwy: the Highway implementation of hwy-inl.h at
// Highway's static target for lpk's baseline flags: HWY_NEON on aarch64
// (Advanced SIMD only); on x86-64 HWY_SCALAR with GCC < 12.3 (Highway 1.0.3
// has no SSE2 target and distrusts EMU128 under those GCCs; GCC still
// auto-vectorizes the one-lane loops with SSE2) or HWY_EMU128 with clang.
// No dynamic dispatch: this file gets no ISA flags, so the variant runs on
// every CPU of its architecture and the LPK_ISA cap holds.  Bit-identical to
// ref.c (see hwy-inl.h).
#if defined(__AVX__) || defined(__ARM_FEATURE_SVE)
#error "hwy.cc is the baseline variant: build it without ISA flags"
#endif
#include "hwy-inl.h"

LPK_ROUND_HWY_DEFINE(hwy)
