/* SPDX-License-Identifier: Apache-2.0 */
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
#define LPK_TIERMASK_AVX2 (LPK_F_AVX2 | LPK_F_FMA | LPK_F_F16C | LPK_F_OS_YMM)
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

/* ---- CPU identity and the per-CPU preferences ---------------------------- */
/* The key of the per-CPU table (dispatch/cpu_tables.inc): x86 vendor string
   (CPUID leaf 0) and display family / model (leaf 1, extended fields
   folded in); aarch64 "arm" with the MIDR implementer as family and the
   part number as model.  Zeros where unknown. */
typedef struct {
    char vendor[16];
    unsigned family, model;
} lpk_cpu_id;
/* The real CPU's identity (read once). */
void lpk_cpu_identify(lpk_cpu_id *out);
/* The identity the preferences use: the real one, or the test hook's. */
void lpk_cpu_id_current(lpk_cpu_id *out);
/* Test hook: pretend to be CPU `id` (NULL: the real CPU again) and
   re-select every kernel.  Features are not changed (combine with
   lpk_test_set_feature_mask): a preference never selects a variant the
   features do not allow. */
void lpk_test_set_cpu_id(const lpk_cpu_id *id);

/* ---- kernel tables ----------------------------------------------------- */
/* What the dispatcher, lpk-info and the tests see of one variant. */
typedef struct {
    const char *name; /* "lpk_round_sr_f32_bf16__avx512": op, then "__", then tier */
    lpk_tier tier;
    int built;        /* 0 when this build does not compile the tier */
} lpk_variant;

/* One operation: its variants best first, the last one the scalar
   reference, and the sizes of the elements it streams (bytes per element of
   its main input and output, 0 where it has none: a dot product's output, a
   GEMM's are its operands' bf16 and C's fp32). */
typedef struct {
    const char *name; /* "round.sr_f32_bf16" */
    const lpk_variant *variants;
    size_t count;
    unsigned in_bytes, out_bytes;
} lpk_op;

/* The typed descriptor of an op whose function type is <prefix>_fn: the
   generic part and, parallel to its variants, the functions (NULL where not
   built).  Kernels are called through these, never through casts. */
#define LPK_TYPED_OP(prefix)            \
    typedef struct {                    \
        lpk_op op;                      \
        prefix##_fn *const *fn;         \
    } prefix##_op

/* All operations of the library (dispatch/ops.c). */
extern const lpk_op *const lpk_ops[];
extern const size_t lpk_nops;

/* Can this variant run here (compiled in, and CPU+OS support its tier)? */
int lpk_variant_runnable(const lpk_variant *v);
/* Variant serving `op` under the current cap (selected once, thread-safe).
   NULL only while an invalid LPK_ISA is pending; use lpk_ready() first. */
const lpk_variant *lpk_selected(const lpk_op *op);
/* Its index in op->variants (the reference's while none is selected). */
size_t lpk_selected_index(const lpk_op *op);
/* LPK_OK when the library can serve calls; otherwise the status of the
   pending LPK_ISA error, with the message set for this thread. */
lpk_status lpk_ready(void);

/* The selected function of a typed op `t` (e.g. lpk_op_round_sr), and the
   function of its variant `v` (a pointer into t.op.variants). */
#define LPK_SELECTED(t) ((t).fn[lpk_selected_index(&(t).op)])
#define LPK_FN(t, v) ((t).fn[(size_t)((v) - (t).op.variants)])

/* Defines typed op lpk_op_<var> of function type <prefix>_fn from an X-macro
   list of V(TIER, function) lines (in a family's table.c). */
#define LPK_VARIANT_ENTRY_(tier, fn) {#fn, LPK_TIER_##tier, LPK_BUILT_##tier},
#define LPK_VARIANT_FN_(tier, fn) LPK_IF_BUILT(tier, fn),
#define LPK_DEFINE_OP(var, prefix, opname, LIST, in_b, out_b)                          \
    static const lpk_variant var##_variants_[] = {LIST(LPK_VARIANT_ENTRY_)};            \
    static prefix##_fn *const var##_fns_[] = {LIST(LPK_VARIANT_FN_)};                   \
    const prefix##_op lpk_op_##var = {                                                 \
        {opname, var##_variants_, sizeof var##_variants_ / sizeof var##_variants_[0],   \
         in_b, out_b},                                                                  \
        var##_fns_}

/* Which tiers this build compiles (LPK_BUILT_<TIER>, 0 or 1). */
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
/* A tier of the target architecture is built unless CMake found that the
   compiler lacks its flags and defined LPK_NO_TIER_<TIER> (it then leaves
   the tier's files out). */
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AVX2)
#define LPK_BUILT_AVX2 1
#else
#define LPK_BUILT_AVX2 0
#endif
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AVX2AES)
#define LPK_BUILT_AVX2AES 1
#else
#define LPK_BUILT_AVX2AES 0
#endif
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AVX2VAES)
#define LPK_BUILT_AVX2VAES 1
#else
#define LPK_BUILT_AVX2VAES 0
#endif
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AVX512)
#define LPK_BUILT_AVX512 1
#else
#define LPK_BUILT_AVX512 0
#endif
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AVX512VAES)
#define LPK_BUILT_AVX512VAES 1
#else
#define LPK_BUILT_AVX512VAES 0
#endif
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AVX512VNNI)
#define LPK_BUILT_AVX512VNNI 1
#else
#define LPK_BUILT_AVX512VNNI 0
#endif
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AVX512BF16)
#define LPK_BUILT_AVX512BF16 1
#else
#define LPK_BUILT_AVX512BF16 0
#endif
#if LPK_BUILT_X86 && !defined(LPK_NO_TIER_AMX)
#define LPK_BUILT_AMX 1
#else
#define LPK_BUILT_AMX 0
#endif
#if LPK_BUILT_ARM && !defined(LPK_NO_TIER_NEON)
#define LPK_BUILT_NEON 1
#else
#define LPK_BUILT_NEON 0
#endif
#if LPK_BUILT_ARM && !defined(LPK_NO_TIER_NEONAES)
#define LPK_BUILT_NEONAES 1
#else
#define LPK_BUILT_NEONAES 0
#endif
#if LPK_BUILT_ARM && !defined(LPK_NO_TIER_NEONDOT)
#define LPK_BUILT_NEONDOT 1
#else
#define LPK_BUILT_NEONDOT 0
#endif
#if LPK_BUILT_ARM && !defined(LPK_NO_TIER_NEONBF16)
#define LPK_BUILT_NEONBF16 1
#else
#define LPK_BUILT_NEONBF16 0
#endif
/* SVE variants are Highway-built (kernels/<family>/sve.cc). */
#if LPK_BUILT_ARM && LPK_HAVE_HWY && !defined(LPK_NO_TIER_SVE)
#define LPK_BUILT_SVE 1
#else
#define LPK_BUILT_SVE 0
#endif

#define LPK_PP_CAT(a, b) LPK_PP_CAT_(a, b)
#define LPK_PP_CAT_(a, b) a##b
/* Expands to `fn` when the tier is built, to NULL otherwise, so a table may
   name functions that this build does not compile. */
#define LPK_IF_BUILT(tier, fn) LPK_PP_CAT(LPK_IF_BUILT_, LPK_BUILT_##tier)(fn)
#define LPK_IF_BUILT_1(fn) (fn)
#define LPK_IF_BUILT_0(fn) NULL

/* Which optional dependencies this build uses ("openmp=1 hwloc=1 ..."). */
const char *lpk_build_config(void);

/* ---- errors ------------------------------------------------------------ */
/* Records a message and the status for this thread and returns `st`. */
lpk_status lpk_fail(lpk_status st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Marks the start of a public call on this thread: lpk_last_status()
   reads LPK_OK until an lpk_fail(). */
void lpk_call_begin(void);

/* ---- sizes: the one overflow-checked helper ----------------------------- */
/* Every byte count derived from caller sizes goes through these.  No object
   may exceed PTRDIFF_MAX bytes (C's limit: pointer differences inside it
   must be defined), so larger results count as overflow. */
#define LPK_MAX_BYTES ((size_t)PTRDIFF_MAX)

/* *out = a * b, or 0 returned (and *out = SIZE_MAX) above LPK_MAX_BYTES. */
static inline int lpk_size_mul(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r) || r > LPK_MAX_BYTES) {
        *out = SIZE_MAX;
        return 0;
    }
    *out = r;
    return 1;
}

/* *out = a + b, likewise. */
static inline int lpk_size_add(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r) || r > LPK_MAX_BYTES) {
        *out = SIZE_MAX;
        return 0;
    }
    *out = r;
    return 1;
}

/* *out = a * b * c, likewise. */
static inline int lpk_size_mul3(size_t a, size_t b, size_t c, size_t *out)
{
    size_t ab;
    if (!lpk_size_mul(a, b, &ab)) {
        *out = SIZE_MAX;
        return 0;
    }
    return lpk_size_mul(ab, c, out);
}

/* Bytes spanned by `rows` rows of `cols` elements of `esize` bytes with a
   row stride of `ld` elements: ((rows - 1) ld + cols) esize, 0 when rows or
   cols is 0.  Returns 0 (*out = SIZE_MAX) on overflow. */
static inline int lpk_extent_bytes(size_t rows, size_t cols, size_t ld, size_t esize,
                                   size_t *out)
{
    size_t e;
    if (rows == 0 || cols == 0) {
        *out = 0;
        return 1;
    }
    return lpk_size_mul(rows - 1, ld, &e) && lpk_size_add(e, cols, &e) &&
           lpk_size_mul(e, esize, out);
}

/* ---- the FP environment ------------------------------------------------- */
/* Kernels run under the default FP environment whatever the caller set:
   round to nearest even, no flush-to-zero / denormals-are-zero, exceptions
   masked (x86 MXCSR = 0x1F80; aarch64 FPCR = 0).  Every public call and
   every worker thread of a parallel region enters it with LPK_FPENV_SCOPE,
   which gives the thread back exactly the state it had (its exception
   flags included: x86 MXCSR, aarch64 FPCR and FPSR) when the scope ends.
   Writes only what differs. */
typedef struct {
    uint64_t saved, saved_status;
} lpk_fpenv;

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define LPK_FPENV_DEFAULT 0x1F80u
static inline void lpk_fpenv_enter(lpk_fpenv *e)
{
    const unsigned int csr = _mm_getcsr();
    e->saved = csr;
    if (csr != LPK_FPENV_DEFAULT)
        _mm_setcsr(LPK_FPENV_DEFAULT);
}
static inline void lpk_fpenv_leave(lpk_fpenv *e)
{
    if (_mm_getcsr() != (unsigned int)e->saved)
        _mm_setcsr((unsigned int)e->saved);
}
#elif defined(__aarch64__)
static inline void lpk_fpenv_enter(lpk_fpenv *e)
{
    uint64_t fpcr, fpsr;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ __volatile__("mrs %0, fpsr" : "=r"(fpsr));
    e->saved = fpcr;
    e->saved_status = fpsr;
    if (fpcr != 0)
        __asm__ __volatile__("msr fpcr, %0" : : "r"((uint64_t)0) : "memory");
}
static inline void lpk_fpenv_leave(lpk_fpenv *e)
{
    uint64_t fpcr, fpsr;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    __asm__ __volatile__("mrs %0, fpsr" : "=r"(fpsr));
    if (fpcr != e->saved)
        __asm__ __volatile__("msr fpcr, %0" : : "r"(e->saved) : "memory");
    if (fpsr != e->saved_status)
        __asm__ __volatile__("msr fpsr, %0" : : "r"(e->saved_status) : "memory");
}
#else
#include <fenv.h>
static inline void lpk_fpenv_enter(lpk_fpenv *e)
{
    e->saved = (uint64_t)fegetround();
    if (e->saved != (uint64_t)FE_TONEAREST)
        fesetround(FE_TONEAREST);
}
static inline void lpk_fpenv_leave(lpk_fpenv *e)
{
    if ((uint64_t)fegetround() != e->saved)
        fesetround((int)e->saved);
}
#endif
#define LPK_FPENV_SCOPE                                                        \
    lpk_fpenv lpk_fpenv_scope_ __attribute__((cleanup(lpk_fpenv_leave)));     \
    lpk_fpenv_enter(&lpk_fpenv_scope_)
/* First statement of every public entry point. */
#define LPK_ENTRY()                                                            \
    LPK_FPENV_SCOPE;                                                           \
    lpk_call_begin()

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
