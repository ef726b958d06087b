/* Internal interfaces shared by dispatch/, kernels/, tests/ and perf/.
   Not installed; tests and benchmarks link the static library to use them. */
#ifndef LPK_INTERNAL_H
#define LPK_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lpk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- architectures and features --------------------------------------- */
/* Macros, not enum constants: they are compared in #if. */
#define LPK_ARCH_ANY 0
#define LPK_ARCH_X86 1
#define LPK_ARCH_ARM 2

#if defined(__x86_64__) || defined(_M_X64)
#define LPK_ARCH_HOST LPK_ARCH_X86
#elif defined(__aarch64__)
#define LPK_ARCH_HOST LPK_ARCH_ARM
#else
#define LPK_ARCH_HOST LPK_ARCH_ANY
#endif

enum {
#define X(e, name, flag) LPK_FBIT_##e,
#include "features.inc"
#undef X
    LPK_FBIT_COUNT
};
#define X(e, name, flag) static const uint64_t LPK_F_##e = 1ull << LPK_FBIT_##e;
#include "features.inc"
#undef X
#define LPK_TIERMASK_AVX512 \
    (LPK_F_AVX512F | LPK_F_AVX512BW | LPK_F_AVX512DQ | LPK_F_AVX512VL | LPK_F_OS_ZMM)

typedef enum {
#define X(e, name, arch, rank, req) LPK_TIER_##e,
#include "tiers.inc"
#undef X
    LPK_TIER_COUNT
} lpk_tier;

typedef struct {
    const char *name;
    int arch;
    int rank;
    uint64_t required;
} lpk_tier_info;
extern const lpk_tier_info lpk_tiers[LPK_TIER_COUNT];
extern const char *const lpk_feature_names[LPK_FBIT_COUNT];
extern const char *const lpk_feature_cpuinfo_flags[LPK_FBIT_COUNT];

/* Features of this CPU + OS, detected once (x86: CPUID leaves 1, 7.0, 7.1,
   XGETBV, AMX permission; aarch64 Linux: getauxval). */
uint64_t lpk_cpu_detect(void);
/* Detected features AND the test mask (all ones unless a test narrowed it). */
uint64_t lpk_cpu_features(void);
/* Whether the running CPU/OS supports tier t (bundle present, arch matches,
   and the tier was compiled into this build). */
int lpk_tier_supported(lpk_tier t);
int lpk_tier_built(lpk_tier t);
/* Parses a tier name; -1 if unknown. */
int lpk_tier_from_name(const char *name);

/* Test hook: pretend the CPU has only `mask` & detected features (all ones
   restores the real CPU) and re-select every kernel with the best tier
   allowed.  Tests use it to prove selection on weaker machines. */
void lpk_test_set_feature_mask(uint64_t mask);

/* ---- kernel tables ----------------------------------------------------- */
typedef void (*lpk_fnptr)(void);

typedef struct {
    const char *name; /* e.g. "lpk_round_sr_f32_bf16__avx512" */
    lpk_tier tier;
    lpk_fnptr fn;     /* NULL when this build does not compile the tier */
} lpk_variant;

/* One operation: its variants best first, the last one the scalar reference. */
typedef struct {
    const char *name; /* "round.sr_f32_bf16" */
    const lpk_variant *variants;
    size_t count;
} lpk_op;

/* All operations of the library (dispatch/ops.c). */
extern const lpk_op *const lpk_ops[];
extern const size_t lpk_nops;

/* Can this variant run here (compiled in, and CPU+OS support its tier)? */
int lpk_variant_runnable(const lpk_variant *v);
/* Variant serving `op` under the current cap (selected once, thread-safe).
   NULL only while an invalid LPK_ISA is pending; use lpk_ready() first. */
const lpk_variant *lpk_selected(const lpk_op *op);
/* LPK_OK when the library can serve calls; otherwise the status of the
   pending LPK_ISA error, with the message set for this thread. */
lpk_status lpk_ready(void);

/* Declares the variants of one family from its X-macro list:
   LPK_V(op, TIER, function) lines, where lpk_<op>_fn is the op's function
   type.  LPK_TABLE builds an op's variant array. */
#if LPK_ARCH_HOST == LPK_ARCH_X86
#define LPK_BUILT_X86 1
#define LPK_BUILT_ARM 0
#elif LPK_ARCH_HOST == LPK_ARCH_ARM
#define LPK_BUILT_X86 0
#define LPK_BUILT_ARM 1
#else
#define LPK_BUILT_X86 0
#define LPK_BUILT_ARM 0
#endif
#ifndef LPK_HAVE_HWY
#define LPK_HAVE_HWY 0
#endif
#define LPK_BUILT_SCALAR 1
#define LPK_BUILT_HWY LPK_HAVE_HWY
#define LPK_BUILT_AVX2 LPK_BUILT_X86
#define LPK_BUILT_AVX512 LPK_BUILT_X86
#define LPK_BUILT_AVX512VNNI LPK_BUILT_X86
#define LPK_BUILT_AVX512BF16 LPK_BUILT_X86
#define LPK_BUILT_AMX LPK_BUILT_X86
#define LPK_BUILT_NEON LPK_BUILT_ARM
#define LPK_BUILT_NEONDOT LPK_BUILT_ARM
#define LPK_BUILT_NEONBF16 LPK_BUILT_ARM
/* SVE variants are Highway-built (kernels/<family>/sve.cc). */
#if LPK_BUILT_ARM && LPK_HAVE_HWY
#define LPK_BUILT_SVE 1
#else
#define LPK_BUILT_SVE 0
#endif

#define LPK_PP_CAT(a, b) LPK_PP_CAT_(a, b)
#define LPK_PP_CAT_(a, b) a##b
/* Expands to `fn` when the tier is built, to NULL otherwise, so a table may
   name functions that this build does not compile. */
#define LPK_IF_BUILT(tier, fn) LPK_PP_CAT(LPK_IF_BUILT_, LPK_BUILT_##tier)(fn)
#define LPK_IF_BUILT_1(fn) ((lpk_fnptr)(fn))
#define LPK_IF_BUILT_0(fn) NULL

/* Which optional dependencies this build uses ("openmp=1 hwloc=1 ..."). */
const char *lpk_build_config(void);

/* ---- errors ------------------------------------------------------------ */
/* Records a message for this thread and returns `st`. */
lpk_status lpk_fail(lpk_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- threads ----------------------------------------------------------- */
/* Threads worth using for a call that moves `work_bytes` bytes. */
int lpk_threads_for(size_t work_bytes);
typedef void (*lpk_chunk_fn)(void *ctx, size_t lo, size_t hi);
/* Runs fn over [0, n) split into one piece per thread (boundaries on
   multiples of `align`); a single call when the work is small. */
void lpk_parallel_for(size_t n, size_t align, size_t bytes_per_elem,
                      lpk_chunk_fn fn, void *ctx);

/* A grow-only, 64-byte aligned buffer of at least `bytes`, private to the
   calling thread and kept across calls (slot < LPK_SCRATCH_SLOTS); NULL if
   it cannot be allocated.  The next call with the same slot may move it. */
#define LPK_SCRATCH_SLOTS 4
enum { LPK_SCRATCH_GEMM_B = 0, LPK_SCRATCH_GEMM_A = 1 };
void *lpk_scratch(int slot, size_t bytes);

/* Do [a, a+an) and [b, b+bn) (bytes) overlap? */
static inline int lpk_overlap(const void *a, size_t an, const void *b, size_t bn)
{
    const uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
    return an && bn && x < y + bn && y < x + an;
}

#ifdef __cplusplus
}
#endif
#endif
