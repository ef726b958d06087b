/* SPDX-License-Identifier: Apache-2.0 */
/* Google Highway's own CPU target detection, seen from C.

   lpk detects CPU and OS features itself (cpu.c).  Highway detects its
   targets independently (CPUID + XGETBV on x86, getauxval on aarch64 Linux);
   tests/test_hwy.c cross-checks the two.  This header needs no Highway
   header and no C++: the bridge (hwy_bridge.cc) is built only when lpk is
   configured with Highway (LPK_HAVE_HWY=1).

   Target names are Highway's own (hwy::TargetName): "AVX3_DL", "AVX3",
   "AVX2", "SSE4", "SSSE3", "SVE2_128", "SVE_256", "SVE2", "SVE", "NEON",
   "RVV", "PPC8", "WASM", "WASM_EMU256", "EMU128", "SCALAR", plus the names
   newer Highway versions add, when the installed one defines them.  A target
   of another architecture is a valid name that is never supported here. */
#ifndef LPK_HWY_BRIDGE_H
#define LPK_HWY_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Highway's version, e.g. "1.0.3". */
const char *lpk_hwy_version(void);

/* hwy::SupportedTargets(): one HWY_* bit per target this CPU + OS can run
   (lower bit = better target; HWY_SCALAR and HWY_EMU128 are always set). */
uint64_t lpk_hwy_supported_targets(void);

/* 1 if Highway says this CPU + OS supports target `name`, 0 if not, -1 if
   `name` is NULL or not a target of this Highway version. */
int lpk_hwy_target_supported(const char *name);

/* The HWY_* bit of target `name`, 0 if unknown. */
uint64_t lpk_hwy_target_bit(const char *name);

/* The name of one target bit, NULL unless `bit` is exactly one known
   target. */
const char *lpk_hwy_target_name(uint64_t bit);

/* Writes the names of the supported targets, best first, separated by
   spaces, NUL-terminated and truncated to `size` bytes (buf may be NULL when
   size is 0).  Returns the length the full list needs, like snprintf. */
size_t lpk_hwy_supported_target_names(char *buf, size_t size);

/* Name of HWY_STATIC_TARGET at lpk's baseline compiler flags: the target the
   `hwy` tier's variants are compiled for ("SCALAR" on x86-64 with GCC < 12.3,
   which Highway does not trust with EMU128; "NEON" on aarch64). */
const char *lpk_hwy_static_target(void);

#ifdef __cplusplus
}
#endif
#endif
