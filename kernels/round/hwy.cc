// Rounding family, tier hwy: the Highway implementation of hwy-inl.h at
// Highway's static target for lpk's baseline flags (x86-64: HWY_SCALAR, since
// Highway 1.0.3 has no SSE2 target and distrusts EMU128 under GCC < 12.3;
// aarch64: HWY_NEON, Advanced SIMD only).  No dynamic dispatch: this file must
// get no ISA flags, so the variant runs on every CPU of the architecture.
// Bit-identical to ref.c (see hwy-inl.h).
#if defined(__AVX__) || defined(__ARM_FEATURE_SVE)
#error "hwy.cc is the baseline variant: build it without ISA flags"
#endif
#include "hwy-inl.h"

LPK_ROUND_HWY_DEFINE(hwy)
