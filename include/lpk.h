/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lpk — SIMD kernels for low-precision training (x86 and ARM).
 *
 * This header is the whole public API.  All functions are thread-safe.
 *
 * Conventions
 *  - Every function that can fail returns lpk_status.  On failure it writes
 *    nothing to any output buffer, and lpk_last_error() returns a message for
 *    the calling thread that names the argument at fault; lpk_last_status()
 *    tells whether the thread's last call failed.
 *  - Sizes: every byte count derived from the caller's sizes is checked for
 *    overflow; one larger than PTRDIFF_MAX (no C object can be larger) is
 *    refused with LPK_EINVAL ("overflows").
 *  - FP environment: results never depend on the caller's floating-point
 *    state.  Every call runs its kernels, on the calling thread and on each
 *    worker thread, under the default environment (round to nearest even,
 *    no flush-to-zero or denormals-are-zero, exceptions masked: x86 MXCSR
 *    0x1F80, aarch64 FPCR 0) and gives each thread back exactly the state it
 *    had, exception flags included (x86 MXCSR; aarch64 FPCR and FPSR), so
 *    lpk neither reads nor raises the caller's flags.
 *  - Threads: OpenMP.  Results never depend on the thread count.  A call
 *    made from inside the caller's own OpenMP parallel region opens a nested
 *    region: with OpenMP's default (one active level) it then runs on the
 *    calling thread alone, with the same results.  In a child process
 *    created by fork() (OpenMP's thread pool does not survive fork) every
 *    call runs on the calling thread, and lpk_get_num_threads() returns 1.
 *  - The kernel variant that runs is chosen once, at first use, from the CPU
 *    and OS features detected at run time (CPUID + XGETBV + AMX permission on
 *    x86, getauxval HWCAP/HWCAP2 on Linux/aarch64).  The library never executes
 *    an instruction the CPU or the OS does not support, whatever is forced.
 *  - Environment:
 *      LPK_ISA=<tier>   caps the tier (read once, at first use).  An unknown
 *                       tier or one this CPU/OS lacks is refused: every call
 *                       that runs a kernel (lpk_cblas_sbgemm included, through
 *                       lpk_last_status()) then fails with LPK_EINVAL /
 *                       LPK_ENOTSUP and a message listing the valid /
 *                       available tiers, until lpk_set_isa() is called with
 *                       a valid one; lpk_isa() and lpk_kernel_variant() say
 *                       "none".  Calls that run no kernel still work:
 *                       lpk_philox4x32_10, lpk_ars, lpk_set_num_threads,
 *                       lpk_get_topology, the queries.
 *      LPK_VERBOSE=1    prints the detected features, the tier, the CPU
 *                       (vendor, family, model) and the entry of the per-CPU
 *                       table that applied, and the variant chosen for every
 *                       kernel to stderr: at first use, and again after every
 *                       lpk_set_isa() that succeeds.
 *      LPK_GEMM_PREFER=<variant name>  (experiments) the GEMM variant to use
 *                       when the CPU can run it and the tier cap allows it
 *                       (read once).  An unknown name or one this CPU cannot
 *                       run is refused with a message on stderr and changes
 *                       nothing.  Without it, the GEMM variant is the first
 *                       runnable one of the kernel list, reordered for known
 *                       CPUs by the per-CPU table (dispatch/cpu_tables.inc:
 *                       e.g. AMD Zen 4/5 run VDPBF16PS at full rate and get
 *                       the avx512bf16 variant before the widening avx512
 *                       one; Intel Sapphire Rapids the other way round).
 *      OMP_NUM_THREADS  default thread count (see lpk_set_num_threads()).
 *
 * Tiers (feature bundles, lowest first):
 *      scalar      portable C, the reference
 *      hwy         Google Highway at its static target for the baseline flags:
 *                  NEON on aarch64; on x86-64 HWY_SCALAR with GCC < 12.3
 *                  (autovectorized to SSE2), HWY_EMU128 with clang
 *      avx2        AVX2 + FMA + F16C, OS saves YMM (XCR0 & 0x6)
 *      avx2aes     avx2 + AES-NI (CPUID.1:ECX[25]): 128-bit AES rounds for
 *                  the ARS generator (Haswell..Skylake, Zen 1/2, and AVX-512
 *                  CPUs without VAES such as Skylake-SP / Cascade Lake)
 *      avx2vaes    avx2 + AES-NI + VAES (CPUID.7.0:ECX[9]): 256-bit AES
 *                  rounds for the ARS generator (Zen 3, Ice Lake)
 *      avx512      AVX-512 F+BW+DQ+VL, OS saves ZMM (XCR0 & 0xE6)
 *      avx512vaes  avx512 + AES-NI + VAES (512-bit AES rounds)
 *      avx512vnni  avx512 + AVX512_VNNI (integer dot products)
 *      avx512bf16  avx512 + AVX512_BF16 (a cap here also allows avx512vnni)
 *      amx         avx512bf16 + AMX-TILE + AMX-BF16, XCR0 bits 17-18 and
 *                  arch_prctl(ARCH_REQ_XCOMP_PERM) granted
 *      neon        aarch64 Advanced SIMD (HWCAP_ASIMD)
 *      neonaes     neon + the AES instructions AESE/AESMC (HWCAP_AES)
 *      neondot     neon + dot product (HWCAP_ASIMDDP)
 *      neonbf16    neon + BF16 (HWCAP2_BF16)
 *      sve         neon + SVE (HWCAP_SVE), Highway-built variants; same
 *                  rank as neondot for capping
 *   A cap at tier T allows every tier of the same architecture up to T, in
 *   this order (x86: avx2 < avx2aes < avx2vaes < avx512 < avx512vaes <
 *   avx512vnni < avx512bf16 < amx; arm: neon < neonaes < neondot = sve <
 *   neonbf16).  So LPK_ISA=avx2 uses no AES instruction, LPK_ISA=avx2aes
 *   is an AVX2 CPU with AES-NI only, LPK_ISA=avx2vaes an AVX2 + VAES CPU
 *   without AVX-512; a cap at avx512 also allows avx2aes and avx2vaes
 *   kernels (a linear order cannot keep them apart; each still runs only
 *   where the CPU has its features), so an AVX-512 CPU without VAES
 *   (Skylake-SP) draws ARS bits with the avx2aes kernels.
 */
#ifndef LPK_H
#define LPK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define LPK_API
#else
#define LPK_API __attribute__((visibility("default")))
#endif

#define LPK_VERSION_MAJOR 0
#define LPK_VERSION_MINOR 2
#define LPK_VERSION_PATCH 0

/* A bfloat16 value as its bit pattern: the upper 16 bits of an IEEE binary32. */
typedef uint16_t lpk_bf16;

typedef enum {
    LPK_OK = 0,
    LPK_EINVAL,  /* bad argument: NULL, bad size, unknown name, overflow */
    LPK_ENOMEM,  /* allocation failed */
    LPK_ENOTSUP  /* the CPU/OS lacks what was asked for (e.g. a forced tier) */
} lpk_status;

typedef enum {
    LPK_ROUND_NEAREST = 0,   /* round to nearest, ties to even */
    LPK_ROUND_STOCHASTIC = 1,    /* unbiased stochastic rounding, Philox4x32-10 bits */
    LPK_ROUND_STOCHASTIC_ARS = 2 /* the same rounding, ARS-7 bits: the fast one */
} lpk_round;

/* ------------------------------------------------------------------------ */
/* Errors, dispatch, threads                                                 */

/* Message of this thread's last failed call ("" if none failed yet).  A
   successful call does not clear it: use lpk_last_status() to learn whether
   the last call failed.  The pointer stays valid until this thread's next
   lpk call. */
LPK_API const char *lpk_last_error(void);

/* Status of this thread's last call to a function that returns lpk_status
   or to lpk_cblas_sbgemm (which returns void): LPK_OK after a success.
   The other functions (queries such as lpk_isa(), lpk_last_error()) leave
   it as it is. */
LPK_API lpk_status lpk_last_status(void);

/* A constant string naming a status ("LPK_EINVAL: invalid argument"). */
LPK_API const char *lpk_status_str(lpk_status st);

/* The library's version at run time, "MAJOR.MINOR.PATCH"; the
   LPK_VERSION_* macros give the header's. */
LPK_API const char *lpk_version(void);

/* Name of the tier cap in use ("amx", "avx2", "neonbf16", ...), i.e. the
   highest tier variants may come from; "none" while LPK_ISA holds an invalid
   value that no lpk_set_isa() call has replaced. */
LPK_API const char *lpk_isa(void);

/* Caps the tier at `tier` (one of the names above, or "auto" for the best
   tier this CPU/OS supports) and re-selects every kernel.
   LPK_EINVAL: NULL or unknown name (the message lists the valid names).
   LPK_ENOTSUP: this CPU/OS lacks the tier (the message lists the available
   ones).  On failure the previous cap stays. */
LPK_API lpk_status lpk_set_isa(const char *tier);

/* Name of the variant that serves kernel `kernel` (e.g. "round.sr_f32_bf16")
   under the current cap; "none" while a refused LPK_ISA is pending; NULL for
   an unknown kernel name. */
LPK_API const char *lpk_kernel_variant(const char *kernel);

/* Threads for large calls.  n >= 1 sets the count; n == 0 restores the
   default (OpenMP's, i.e. OMP_NUM_THREADS or the core count).  Results never
   depend on the thread count.  LPK_EINVAL for n < 0. */
LPK_API lpk_status lpk_set_num_threads(int n);
LPK_API int lpk_get_num_threads(void);

/* Cache and core counts as seen by hwloc (sysconf fallback when lpk was
   built without hwloc).  Sizes in bytes, 0 when unknown. */
typedef struct {
    size_t l1d, l2, l3;  /* per-core L1d and L2; L3 as reported (shared) */
    int cores;           /* physical cores */
    int pus;             /* hardware threads */
    const char *source;  /* "hwloc" or "sysconf" */
} lpk_topology;
LPK_API lpk_status lpk_get_topology(lpk_topology *out);

/* ------------------------------------------------------------------------ */
/* Rounding: f32 <-> bf16                                                    */

/*
 * dst[i] = bf16(src[i]) for i in [0, n).
 *
 * LPK_ROUND_NEAREST: round to nearest, ties to even, on the bit pattern;
 *   denormal inputs are rounded like any other value (never flushed).
 * LPK_ROUND_STOCHASTIC: the result rounds away from zero (up in magnitude)
 *   with probability equal to the truncated fraction f/2^16, where f is the
 *   low 16 bits of the binary32 pattern, so E[result] == src[i] exactly.
 *   The 16 random bits for element i are a pure function of (seed, offset+i):
 *   with j = offset + i, Philox4x32-10 (Salmon et al., SC'11) is evaluated on
 *   counter {(uint32)(j>>3), (uint32)(j>>35), 0, 0} and key
 *   {(uint32)seed, (uint32)(seed>>32)}; its 128-bit output, read as eight
 *   little-endian uint16, gives element j the (j & 7)-th.  Element j rounds up
 *   iff f + r >= 2^16.  Results are therefore identical for every variant,
 *   every thread count, and however the caller splits the array (pass the
 *   offset of each piece).
 * LPK_ROUND_STOCHASTIC_ARS: the same rounding rule (f + r >= 2^16), with the
 *   16 random bits of element j = offset + i from ARS-7 instead (lpk_ars
 *   below): counter {lo64 = j >> 3, hi64 = 0}, key {lo64 = seed, hi64 = 0},
 *   i.e. ctr = {(uint32)(j>>3), (uint32)(j>>35), 0, 0} and
 *   key = {(uint32)seed, (uint32)(seed>>32), 0, 0} for lpk_ars; its 128-bit
 *   output, read as eight little-endian uint16, gives element j the
 *   (j & 7)-th.  Recommended where speed matters: with AES instructions
 *   (avx2aes, avx2vaes, avx512vaes, neonaes tiers) the bits cost a fraction of the
 *   memory traffic (perf/RESULTS.md); without them lpk computes AES in
 *   software, much slower than Philox.  The two generators give different
 *   bits; each is reproducible on its own (same tiers/threads/splits rule).
 *   The optimizer steps draw the same ARS bits with LPK_UPDATE_RNG_ARS (see
 *   there), HALP with lpk_halp_options.rng, and lpk_gemm_bf16 takes this
 *   mode as it takes LPK_ROUND_STOCHASTIC.
 * All modes: NaN stays NaN, quiet, with its sign (bf16 = top 16 bits with the
 *   quiet bit set); +-Inf and +-0 stay; a finite value becomes Inf only when
 *   rounding up from the largest finite bf16 magnitude.
 *
 * LPK_EINVAL: src or dst NULL with n > 0, unknown mode, n * 4 overflows,
 *   overlapping src and dst.
 */
LPK_API lpk_status lpk_f32_to_bf16(const float *src, lpk_bf16 *dst, size_t n,
                                   lpk_round mode, uint64_t seed,
                                   uint64_t offset);

/* dst[i] = (float)src[i]: exact (a bf16 is the top half of a binary32;
   NaN payloads, signalling or not, are kept bit for bit). */
LPK_API lpk_status lpk_bf16_to_f32(const lpk_bf16 *src, float *dst, size_t n);

/* ------------------------------------------------------------------------ */
/* GEMM: bf16 inputs, fp32 accumulation                                      */

typedef enum { LPK_NOTRANS = 0, LPK_TRANS = 1 } lpk_trans;

/*
 * C = alpha * op(A) * op(B) + beta * C, row-major.  op(A) is m x k, op(B) is
 * k x n, C is m x n with row stride ldc >= n.  A is stored m x k (lda >= k)
 * when ta == LPK_NOTRANS and k x m (lda >= m) when ta == LPK_TRANS; likewise
 * B is k x n (ldb >= n) or n x k (ldb >= k).
 *
 * BLAS rules: beta == 0 overwrites C (C is not read, so NaN/Inf in C do not
 * propagate); k == 0 or alpha == 0 scales C by beta and reads neither A nor
 * B (a NULL A/B is then accepted).
 *
 * Numerics: sums are fp32; a product of two bf16 is exact in fp32 unless it
 * overflows or underflows (bf16 has fp32's exponent range).  Every variant
 * satisfies, for each C element,
 *     |C - C_exact| <= (2k + 4) * 2^-24 * (|alpha| (|A||B|)_ij + |beta C_ij|)
 * where C_exact is the exact product of the same bf16 inputs (the bound the
 * tests check), provided that the inputs are normal (or zero), that every
 * nonzero product a_ip b_pj is at least 2^-126 (FLT_MIN) in magnitude, and
 * that no product, partial sum or result exceeds FLT_MAX.  Outside that
 * range:
 *   - overflow: an overflowing term becomes +-Inf, and NaN where it meets an
 *     overflowed term of the other sign.  Which terms meet depends on the
 *     variant's summation order, so variants may differ there (one +Inf,
 *     another NaN, e.g. for 3.29e38 * 3.29e38 in a sum with other terms);
 *   - underflow: a product below 2^-126 in magnitude is rounded to an fp32
 *     denormal (avx2, avx512, neon, scalar, hwy: gradual underflow) or lost
 *     (avx512bf16, amx, neonbf16 flush it), so each such product may add up
 *     to 2^-126 |alpha| to the error, and denormal inputs likewise.  The order of the k-sum depends on the variant and never on
 * the thread count: results are bit-identical for any number of threads.
 * Variant-specific hardware behaviour:
 *   avx2, avx512, neon (bf16 widened to fp32 while packing, FMA): IEEE under
 *     the default FP environment, denormals kept, NaN payloads propagate.
 *   avx512bf16 (VDPBF16PS) and amx (TDPBF16PS): MXCSR ignored, round to
 *     nearest even, denormal inputs and denormal results flushed to zero
 *     (a term with a denormal factor is lost, so the bound above is for
 *     normal inputs); TDPBF16PS sums the products of one instruction before
 *     rounding.  beta * C is added with AVX-512, so C's denormals survive.
 *   neonbf16 (BFMMLA, without FEAT_EBF16): products and sums rounded to odd,
 *     denormals flushed, default NaN only, FPCR ignored.
 *   NaN and Inf propagate as in IEEE arithmetic in every variant (Inf*0 = NaN).
 * Threads: OpenMP over blocks of C (lpk_set_num_threads / OMP_NUM_THREADS).
 * Memory: A and B are packed into per-thread buffers sized from the caches
 * (a few MiB per thread at most), kept across calls and grown when needed,
 * freed when the thread exits; LPK_ENOMEM (C untouched) if they cannot be
 * allocated.
 *
 * LPK_EINVAL: NULL C; A or B NULL or with ld too small, checked only when
 * they are read (m, n, k > 0 and alpha != 0: otherwise neither pointer nor
 * ld is looked at); ldc < n; bad transpose value; an extent overflowing
 * (see Sizes); C overlapping A or B (in-place products are not supported).
 * C is untouched.
 */
LPK_API lpk_status lpk_gemm_bf16f32(lpk_trans ta, lpk_trans tb, size_t m, size_t n, size_t k,
                                    float alpha, const lpk_bf16 *a, size_t lda,
                                    const lpk_bf16 *b, size_t ldb, float beta, float *c,
                                    size_t ldc);

/* Same with bf16 C: beta * C is read from bf16, and the fp32 result is
 * rounded to bf16 with `mode`.  LPK_ROUND_STOCHASTIC (Philox) and
 * LPK_ROUND_STOCHASTIC_ARS (ARS-7, recommended) draw the bits of element
 * (i, j) exactly as lpk_f32_to_bf16 does for index i*n + j with `seed`
 * (offset 0), so for the same fp32 results the output is the same for
 * every thread count and variant.  Uses an m x n fp32 scratch buffer
 * (LPK_ENOMEM if it cannot be allocated). */
LPK_API lpk_status lpk_gemm_bf16(lpk_trans ta, lpk_trans tb, size_t m, size_t n, size_t k,
                                 float alpha, const lpk_bf16 *a, size_t lda,
                                 const lpk_bf16 *b, size_t ldb, float beta, lpk_bf16 *c,
                                 size_t ldc, lpk_round mode, uint64_t seed);

/* Pre-packed B, for B reused across calls (weights across micro-batches):
 * the packing that lpk_gemm_bf16f32 does on every call is done once.
 * lpk_gemm_pack_b packs op(B) (k x n; B stored k x n with ldb >= n, or n x k
 * with ldb >= k when transposed) for the GEMM variant the current tier cap
 * selects; lpk_gemm_bf16f32_packed then computes
 * C = alpha * op(A) * B + beta * C bit-identically to lpk_gemm_bf16f32 with
 * the same B.  The packed object is immutable and may be shared by threads.
 * LPK_EINVAL: bad arguments as in lpk_gemm_bf16f32, a NULL `out`/`b`, n or k
 * different from the packing, or a packing made for another variant (the
 * tier cap changed since: pack again).  LPK_ENOMEM: allocation failed. */
typedef struct lpk_gemm_packed_b lpk_gemm_packed_b;
LPK_API lpk_status lpk_gemm_pack_b(lpk_trans tb, size_t k, size_t n, const lpk_bf16 *b,
                                   size_t ldb, lpk_gemm_packed_b **out);
LPK_API lpk_status lpk_gemm_bf16f32_packed(lpk_trans ta, size_t m, size_t n, size_t k,
                                           float alpha, const lpk_bf16 *a, size_t lda,
                                           const lpk_gemm_packed_b *b, float beta, float *c,
                                           size_t ldc);
LPK_API void lpk_gemm_packed_b_free(lpk_gemm_packed_b *b); /* NULL is a no-op */

/* Drop-in for OpenBLAS's cblas_sbgemm, same argument list and types:
 * order 101 (CblasRowMajor) or 102 (CblasColMajor); transposes 111
 * (CblasNoTrans), 112 (CblasTrans) or 113 (CblasConjTrans, = 112 for real
 * data); bf16 passed as uint16_t; blasint = int.  An OpenBLAS user switches
 * by renaming the call.  Errors (as BLAS's xerbla would report): nothing is
 * written, lpk_last_status() returns the status (LPK_OK after a success) and
 * lpk_last_error() names the wrong argument as the caller passed it (A, lda,
 * M, ... in either order), e.g. "ldA = 2 is smaller than a stored column (3)". */
LPK_API void lpk_cblas_sbgemm(int order, int transa, int transb, int m, int n, int k,
                              float alpha, const uint16_t *a, int lda, const uint16_t *b,
                              int ldb, float beta, float *c, int ldc);

/* ------------------------------------------------------------------------ */
/* Optimizer updates over bf16 weights (SGD, AdamW): nearest / SR / Kahan    */

/*
 * One fused, single-pass optimizer step over n parameters.
 *
 * Modes (how the new weight is written):
 *   LPK_UPDATE_NEAREST     the "16-bit FPU" model: weights, gradients and
 *                          optimizer state are bf16; every arithmetic op is
 *                          computed in fp32 from its (bf16 or fp32) operands
 *                          and its result rounded to bf16, nearest-even;
 *                          the new weight too.
 *   LPK_UPDATE_STOCHASTIC  the same, but the final weight write w + u is
 *                          rounded stochastically with the bits of element
 *                          offset + i, exactly as lpk_f32_to_bf16.
 *   LPK_UPDATE_KAHAN       the same ops; the increment u is added with a bf16
 *                          compensation buffer c (every op rounded to bf16):
 *                          y = u - c; s = w + y; c = (s - w) - y; w = s.
 *   LPK_UPDATE_FP32        the baseline: fp32 master weights and fp32 state,
 *                          all arithmetic in fp32 without intermediate
 *                          rounding; w receives bf16(master) (nearest) for
 *                          the next forward pass.
 *   LPK_UPDATE_F32_NEAREST, LPK_UPDATE_F32_STOCHASTIC, LPK_UPDATE_F32_KAHAN
 *                          "bf16 storage, fp32 arithmetic" (as optimi,
 *                          torchao's bf16 stochastic-rounding AdamW and
 *                          AnyPrecisionAdamW): every buffer is bf16, the
 *                          step computes in fp32 from the widened values
 *                          with exactly the expressions of LPK_UPDATE_FP32,
 *                          and each stored value is rounded once: the weight
 *                          nearest, stochastically or Kahan-compensated, the
 *                          state nearest (or stochastically with the flag
 *                          LPK_UPDATE_STATE_SR OR-ed into the mode).
 * Every variant is bit-identical to the scalar reference
 * (kernels/update/ref.c), which computes exactly the following.
 *
 * Notation.  [x] is one op: x computed in fp32 from its operands (bf16
 * operands widened exactly, an fp32 gradient used as given), its result
 * rounded to bf16 nearest-even.  No op is fused (no FMA).  Any NaN that a
 * rounding produces, and any NaN stored to an fp32 buffer, is the canonical
 * quiet NaN (bf16 0x7FC0, fp32 0x7FC00000), so results never depend on which
 * NaN operand the hardware propagates.  Denormals are never flushed.
 * g is grad[i] widened, or grad32[i]; w, c, m, v are the bf16 buffers.
 *
 * Per-call constants, fp32 scalars computed once (in double from the fp32
 * parameters, each rounded to fp32 once; never rounded to bf16):
 *   SGD:    one_minus_damp = 1 - dampening, neg_lr = -lr
 *   AdamW:  one_minus_beta1 = 1 - beta1, one_minus_beta2 = 1 - beta2,
 *           lr_weight_decay = lr * weight_decay,
 *           neg_step_size = -lr / (1 - beta1^step),
 *           inv_sqrt_bc2 = 1 / sqrt(1 - beta2^step)
 *
 * Final weight write with increment u (the 16-bit modes):
 *   NEAREST     w = [w + u]
 *   STOCHASTIC  w = SR(w + u): the fp32 sum rounded as lpk_f32_to_bf16 does
 *               with the bits of element offset + i (NaN -> 0x7FC0)
 *   KAHAN       y = [u - c]; s = [w + y]; c = [[s - w] - y]; w = s
 *
 * SGD, modes NEAREST / STOCHASTIC / KAHAN:
 *   if weight_decay != 0:  g = [g + [weight_decay * w]]
 *   d = g
 *   if momentum != 0:      b = [g] if step == 1, else
 *                          b = [[momentum * m] + [one_minus_damp * g]];  m = b
 *                          d = nesterov ? [g + [momentum * b]] : b
 *   u = [neg_lr * d]; final write.
 * SGD, FP32 (all fp32, W = master, M = m32):
 *   if weight_decay != 0:  g = g + weight_decay * W
 *   d = g
 *   if momentum != 0:      b = g if step == 1, else b = momentum * M + one_minus_damp * g
 *                          M = b;  d = nesterov ? g + momentum * b : b
 *   W = W + neg_lr * d;  w = bf16(W) nearest.
 *   (momentum == 0: m / m32 are neither read nor written.)
 *
 * AdamW, modes NEAREST / STOCHASTIC / KAHAN, in this order:
 *   dec = [lr_weight_decay * w]                        decay term
 *   m   = [[beta1 * m] + [one_minus_beta1 * g]]        first moment
 *   v   = [[beta2 * v] + [one_minus_beta2 * [g * g]]]  second moment
 *   dn  = [[[sqrt(v)] * inv_sqrt_bc2] + eps]           denominator
 *   st  = [neg_step_size * [m / dn]]                   step
 *   u   = weight_decay != 0 ? [st - dec] : st;  final write.
 * AdamW, FP32 (all fp32, W = master, M = m32, V = v32):
 *   M = beta1 M + one_minus_beta1 g;  V = beta2 V + one_minus_beta2 (g g);
 *   u = neg_step_size (M / (sqrt(V) inv_sqrt_bc2 + eps));
 *   if weight_decay != 0: u = u - lr_weight_decay W
 *   W = W + u;  w = bf16(W) nearest.
 * The weight decay acts on w (the bf16 weight; master in FP32 mode), and in
 * KAHAN mode it is part of the compensated increment.
 *
 * The fp32-arithmetic modes F32_NEAREST / F32_STOCHASTIC / F32_KAHAN.  All
 * arithmetic is fp32, each op rounded to fp32 (no FMA, no bf16 rounding in
 * between), on W = widen(w), M = widen(m), V = widen(v), C = widen(comp)
 * and g (as above):
 *   SGD:    if weight_decay != 0:  g = g + weight_decay * W
 *           d = g
 *           if momentum != 0:      B = g if step == 1, else
 *                                  B = momentum * M + one_minus_damp * g
 *                                  m = st(B);  d = nesterov ? g + momentum * B : B
 *                                  (nesterov uses B unrounded)
 *           u = neg_lr * d
 *   AdamW:  M' = beta1 * M + one_minus_beta1 * g
 *           V' = beta2 * V + one_minus_beta2 * (g * g)
 *           u  = neg_step_size * (M' / (sqrt(V') * inv_sqrt_bc2 + eps))
 *           if weight_decay != 0:  u = u - lr_weight_decay * W
 *           m = st(M');  v = st(V')
 *   (the expressions of LPK_UPDATE_FP32, op for op, with W, M, V in place of
 *   master, m32, v32), then the weight write, S = W + u in fp32:
 *   F32_NEAREST     w = rne(W + u)
 *   F32_STOCHASTIC  w = SR(W + u) with the bits of element offset + i from
 *                   `seed`, exactly as lpk_f32_to_bf16 (as STOCHASTIC)
 *   F32_KAHAN       (the weight represented is w - comp, as in KAHAN)
 *                   y = u - C;  S = W + y;  w = rne(S);
 *                   comp = rne((widen(w) - W) - y)   (new w, fp32 ops)
 * rne() is bf16 nearest-even; st() is rne(), or with LPK_UPDATE_STATE_SR,
 * SR() with the bits of element offset + i from seed ^ 0x9E3779B97F4A7C15
 * for m and from seed ^ 0xBF58476D1CE4E5B9 for v (streams independent of
 * the weight's).  Every NaN stored is 0x7FC0.  Only m, v (and comp) and w
 * are stored: no fp32 buffer is read or written.
 * LPK_UPDATE_STATE_SR (32) may be OR-ed into an F32_* mode only; any other
 * mode value is LPK_EINVAL.  (C++: cast the OR back to lpk_update_mode.)
 *
 * The generator of the random bits, chosen per call: without a flag every
 * bit above (the weight's, m's and v's streams) is Philox4x32-10 exactly as
 * documented (the layout of LPK_ROUND_STOCHASTIC).  LPK_UPDATE_RNG_ARS (64)
 * OR-ed into a mode that draws bits (LPK_UPDATE_STOCHASTIC,
 * LPK_UPDATE_F32_STOCHASTIC, or any F32_* mode with LPK_UPDATE_STATE_SR)
 * takes them from ARS-7 instead, with exactly the layout of
 * LPK_ROUND_STOCHASTIC_ARS: element j = offset + i gets the (j & 7)-th
 * little-endian uint16 of lpk_ars(ctr = {lo64 = j >> 3, hi64 = 0},
 * key = {lo64 = s, hi64 = 0}), s = seed for the weight, seed ^
 * 0x9E3779B97F4A7C15 for m and seed ^ 0xBF58476D1CE4E5B9 for v (the same
 * seed derivation as Philox).  Recommended: with AES instructions (the
 * avx2aes, avx2vaes, avx512vaes and neonaes tiers) the bits cost a fraction of the
 * memory traffic, where Philox costs more than the update itself on AVX2
 * (perf/RESULTS.md, "update"); on a CPU without AES they are computed in
 * software, slower than Philox but the same bits.  The flag with a mode
 * that draws no bits (NEAREST, KAHAN, FP32, F32_NEAREST / F32_KAHAN
 * without STATE_SR) is LPK_EINVAL.
 *
 * Threads and splitting: elements are independent; the stochastic bits of
 * element i are a function of (seed, offset + i) only, so results are the
 * same for every thread count and for a tensor updated in pieces (pass each
 * piece's offset).
 */
typedef enum {
    LPK_UPDATE_NEAREST = 0,
    LPK_UPDATE_STOCHASTIC = 1,
    LPK_UPDATE_KAHAN = 2,
    LPK_UPDATE_FP32 = 3,
    LPK_UPDATE_F32_NEAREST = 16,
    LPK_UPDATE_F32_STOCHASTIC = 17,
    LPK_UPDATE_F32_KAHAN = 18,
    LPK_UPDATE_STATE_SR = 32, /* flag, OR-ed into an F32_* mode */
    LPK_UPDATE_RNG_ARS = 64   /* flag: random bits from ARS-7 (recommended) */
} lpk_update_mode;

/* The buffers of one parameter tensor of n elements.  Buffers the mode does
 * not use are ignored (neither read, written nor checked); they may be NULL.
 *   w        bf16 weights, every mode (fp32 mode writes bf16(master) here)
 *   comp     bf16 Kahan compensation, LPK_UPDATE_KAHAN and F32_KAHAN only;
 *            the weight the pair represents is w - comp
 *   master   fp32 master weights, LPK_UPDATE_FP32 only
 *   grad / grad32   the gradient, bf16 or fp32: exactly one is non-NULL
 *   m, v     optimizer state in bf16 (every mode but LPK_UPDATE_FP32):
 *            SGD momentum buffer in m (when momentum != 0); AdamW moments
 *   m32, v32 the same state in fp32 (LPK_UPDATE_FP32 mode)
 * Optimizer state starts at zero for AdamW (step 1 reads m and v); the SGD
 * momentum buffer is initialised by step 1 (not read then). */
typedef struct {
    size_t n;
    lpk_bf16 *w;
    lpk_bf16 *comp;
    float *master;
    const lpk_bf16 *grad;
    const float *grad32;
    lpk_bf16 *m, *v;
    float *m32, *v32;
} lpk_opt_tensor;

/* SGD as torch.optim.SGD: g' = g + weight_decay * w; with momentum,
   b = g' on step 1, else b = momentum * b + (1 - dampening) * g';
   d = nesterov ? g' + momentum * b : b; w = w - lr * d.
   step counts from 1 (step 1 initializes the momentum buffer).
   Exact op order: see above. */
typedef struct {
    float lr, momentum, dampening, weight_decay;
    int nesterov;
    uint64_t step;
} lpk_sgd_params;

/* AdamW as torch.optim.AdamW: w = w - lr * weight_decay * w;
   m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
   w = w - lr * (m / (1 - beta1^step)) / (sqrt(v / (1 - beta2^step)) + eps).
   step counts from 1.  Exact op order: see above. */
typedef struct {
    float lr, beta1, beta2, eps, weight_decay;
    uint64_t step;
} lpk_adamw_params;

/* LPK_EINVAL, with a message naming the fault, and nothing written:
     NULL params or tensor; unknown mode (LPK_UPDATE_STATE_SR with a mode
       that is not F32_* included; LPK_UPDATE_RNG_ARS with a mode that draws
       no random bits); step == 0;
     SGD: lr, momentum, dampening or weight_decay not finite; nesterov with
       momentum == 0 or dampening != 0 (as torch);
     AdamW: lr, eps or weight_decay not finite; beta1 or beta2 outside [0, 1);
   and when n > 0: both or neither gradient; a buffer the mode needs is NULL
   (comp in the kahan modes; master in fp32 mode; m when momentum != 0 and
   m, v for AdamW in the bf16-state modes; m32 / v32 likewise in fp32
   mode); n so large that the byte sizes overflow; two used buffers overlap.
   With n == 0 only params, mode and step are checked.
   seed/offset are used by the stochastic modes and LPK_UPDATE_STATE_SR only
   (with the generator LPK_UPDATE_RNG_ARS names). */
LPK_API lpk_status lpk_sgd_step(const lpk_sgd_params *p, lpk_update_mode mode,
                                const lpk_opt_tensor *t, uint64_t seed, uint64_t offset);
LPK_API lpk_status lpk_adamw_step(const lpk_adamw_params *p, lpk_update_mode mode,
                                  const lpk_opt_tensor *t, uint64_t seed, uint64_t offset);

/* One step over a list of `count` tensors (a model's parameters), with the
   same params, mode and seed; offsets is NULL (every tensor's SR offset is
   0) or `count` offsets, one per tensor.  The result is bit-identical to
   lpk_sgd_step / lpk_adamw_step on each tensor with its offset, in any
   order; the call is one parallel region over all elements of the list
   (per-thread ranges cross tensor boundaries), so small tensors cost no
   fork/join each, and the result does not depend on the thread count.
   Every tensor is checked before anything is written, as the single-tensor
   steps check theirs, and the used buffers of all tensors together must
   not overlap (a gradient shared by two tensors counts as an overlap); the
   message names the tensor index ("tensor 3: ...").  count == 0 checks only
   params and mode; tensors may be NULL then.
   LPK_ENOMEM: the validation's workspace (O(count)) could not be allocated. */
LPK_API lpk_status lpk_sgd_step_multi(const lpk_sgd_params *p, lpk_update_mode mode,
                                      const lpk_opt_tensor *tensors, size_t count, uint64_t seed,
                                      const uint64_t *offsets);
LPK_API lpk_status lpk_adamw_step_multi(const lpk_adamw_params *p, lpk_update_mode mode,
                                        const lpk_opt_tensor *tensors, size_t count,
                                        uint64_t seed, const uint64_t *offsets);

/* Checkpoints, in the Kahan buffer's convention (the weight the buffers
   represent is w - comp): split sets w = bf16(w32) (nearest) and
   comp = bf16(w - w32) (nearest, fp32 subtraction), so w - comp is w32 to
   about 16 significant bits: |merge(split(x)) - x| <= 2^-17 |x| while comp
   is a normal number (plus the fp32 rounding of the merge); merge computes
   w32 = w - comp in fp32.  NaNs become the canonical quiet NaN.
   LPK_EINVAL: NULL with n > 0, n overflow, overlapping buffers. */
LPK_API lpk_status lpk_kahan_split(const float *w32, lpk_bf16 *w, lpk_bf16 *comp, size_t n);
LPK_API lpk_status lpk_kahan_merge(const lpk_bf16 *w, const lpk_bf16 *comp, float *w32,
                                   size_t n);

/* ------------------------------------------------------------------------ */
/* HALP: bit-centered SVRG                                                   */

/*
 * lpk_halp_train fits a linear model w (d floats) to n examples, the rows
 * x_i of the row-major n x d matrix X with labels y_i, by minimizing
 *     f(w) = (1/n) sum_i f_i(w),   f_i(w) = l(x_i . w, y_i) + lambda/2 ||w||^2
 *     LPK_LOSS_LSQ       l(s, y) = 1/2 (s - y)^2
 *     LPK_LOSS_LOGISTIC  l(s, y) = log(1 + exp(-y s)),  every y_i = +1 or -1
 * with HALP (De Sa, Leszczynski, Zhang, Marzoev, Aberger, Olukotun, Re,
 * "High-Accuracy Low-Precision Training", 2018) or one of the baselines of
 * its experiments.  With phi_i(s) = dl/ds (s, y_i), grad f_i(w) =
 * phi_i(x_i . w) x_i + lambda w; alpha = step; an epoch is one outer
 * iteration; b = bits; a "grid" is the fixed-point set
 * delta * {-2^(b-1), ..., 2^(b-1) - 1} and Q() rounds onto it stochastically
 * (unbiased) and saturates at its ends.
 *
 *   GD       w -= alpha grad f(w), one step per epoch.
 *   SGD      T steps per epoch: w -= alpha grad f_i(w) (i uniform).
 *   SVRG     per epoch: g = grad f(w~); z = 0; T steps
 *                z -= alpha (grad f_i(w~ + z) - grad f_i(w~) + g);
 *            then w~ += z (the last inner iterate, as in the paper).
 *   LP_SGD   SGD with w on a fixed grid: w = Q(w - alpha grad f_i(w)).
 *   LP_SVRG  SVRG with w and w~ on a fixed grid (no re-centering, no
 *            re-scaling): w = Q(w - alpha (grad f_i(w) - grad f_i(w~) + g)),
 *            and w~ = w after the T steps.
 *   HALP     SVRG whose z lives on a grid re-centered on w~ and re-scaled
 *            every epoch (bit centering): delta_k = ||g|| / (mu (2^(b-1)-1)),
 *            z = 0, T steps z = Q(z - alpha u), u as in SVRG; w~ += z.
 *            mu is (an estimate of) the strong convexity of f; with mu no
 *            larger than the true one, the grid's range +-||g||/mu per
 *            coordinate contains w* - w~ (see "Choosing mu" below).
 *
 * How it is computed (numbers that matter for reproducing results):
 *  - fp32 everywhere in GD, SGD, SVRG.  Full gradients (GD, SVRG, LP_SVRG,
 *    HALP) are fp32 passes over X: r_i = x_i . w~ and phi_i(r_i) x_i summed
 *    in fp32 within blocks of consecutive rows (at most 64, a function of n
 *    only), the block sums added in double.
 *    SVRG's inner loop runs in the same z-form as HALP's below, on fp32 rows
 *    (z = a z + c x_i + h), so that the two differ only in precision.
 *  - Low precision (LP_SGD, LP_SVRG, HALP): the rows of X are quantized
 *    once, before the first epoch, to int8 (bits = 8) or int16 (bits = 16),
 *    each row with its own scale s_i = max_j |x_ij| / (2^(b-1)-1), nearest
 *    rounding.  Inner steps read only these rows: x_i . z = s_i delta
 *    (xq_i . zq) with an exact integer dot product, and the step is, on the
 *    grid's integers,  zq = sat(R(a zq + c xq_i + h)),  a = 1 - alpha lambda,
 *    c = -alpha (phi_i(r_i + x_i.z) - phi_i(r_i)) s_i / delta,
 *    h = -alpha g / delta (HALP; r_i stored by the full pass; the difference
 *    of phi is evaluated stably in double, exactly x_i.z for least squares).
 *    R = stochastic rounding (R(v) = floor(v) + (r < v - floor(v)),
 *    r = r16 / 2^16) with 16 random bits per element from the generator
 *    o->rng of stream `seed`, the t-th inner step of the run (t = 0, 1, ...
 *    over all epochs) drawing:
 *      LPK_RNG_ARS (recommended): element k (0 <= k < d) of step t uses the
 *        16 bits of element j = t * D + k, D = ceil(d / 8) * 8, exactly as
 *        LPK_ROUND_STOCHASTIC_ARS draws them: ARS-7 block j >> 3 (counter
 *        {lo64 = j >> 3 = t * D / 8 + (k >> 3), hi64 = 0}, key {lo64 =
 *        seed, hi64 = 0}; lpk_ars), its (j & 7)-th little-endian uint16.
 *        Every element of every step has its own bits, as in the paper.
 *      LPK_RNG_PHILOX (0, the default of a zeroed struct; results of lpk
 *        before this option bit for bit): element k of step t uses the 16
 *        bits of element j = 64 t + (k % 64) of the Philox4x32-10 stream
 *        (as LPK_ROUND_STOCHASTIC): elements 64 apart share their bits
 *        within a step (each element is still rounded without bias).  Kept
 *        for reproducing earlier results: per-element Philox bits would
 *        cost more than the rest of the step (perf/RESULTS.md, "Fixed
 *        point: HALP with ARS bits").
 *  - The full-gradient pass of LP_SVRG and HALP reads the b-bit rows instead
 *    of X when every quantized row widens back to its fp32 row bit for bit,
 *    i.e. x_ij = k_ij s_i with integers |k_ij| <= 2^(b-1)-1 reaching that
 *    bound in every row, and s_i such that the fp32 operations above
 *    reproduce it (e.g. s_i a power of two): data that is b-bit to begin
 *    with.  The same numbers, so the same gradient bit for bit, for a
 *    fraction of the memory traffic.  fp32_full_pass = 1 forces the fp32
 *    rows; the trace says which rows were read.
 *  - LP_SGD and LP_SVRG use one delta for the whole run: lp_delta, or when
 *    lp_delta == 0, (||w0||_inf + ||grad f(w0)|| / mu) / (2^(b-1)-1), i.e.
 *    HALP's first scale widened to hold w0 (their grid holds w itself, not a
 *    correction).  w0 is rounded to nearest onto it.  LP_SGD evaluates
 *    x_i . w on the quantized rows, LP_SVRG and HALP only x_i . (w - w~).
 *  - HALP skips the inner loop of an epoch whose delta_k is 0 or below
 *    FLT_MIN (w~ is then a stationary point to fp32 accuracy).
 *  - Choosing mu: the grid spans +-||g||/mu per coordinate and the
 *    stochastic-rounding noise grows with its spacing, so mu should be close
 *    to the true strong convexity (the smallest eigenvalue of the Hessian at
 *    the optimum).  Much smaller (e.g. mu = lambda << that) makes the grid
 *    coarse enough for the noise to stall or diverge, much larger saturates
 *    z.  As the paper's analysis predicts, the bits needed grow with
 *    kappa sqrt(d), kappa = L_max / mu (L_max: the largest per-example
 *    smoothness, ||x_i||^2 + lambda for least squares, ||x_i||^2 / 4 +
 *    lambda for logistic): in the runs of examples/halp, 8 bits followed
 *    SVRG closely at ~1e2, converged more slowly from ~3e3 to ~2e4, and
 *    stalled or diverged from ~6e4 on; 16 bits followed SVRG in all.
 *  - Sampling: step t (counted over the run) draws i = floor(u n / 2^64),
 *    with replacement, where u = out[2j] | out[2j+1] << 32, j = t % 2, and
 *    out = lpk_philox4x32_10 of counter {lo32(t/2), hi32(t/2), 0x48414C50,
 *    0} and key {lo32(seed), hi32(seed)}.
 *  - Determinism: for given inputs and seed the result is bit-identical
 *    for every thread count (either rng).  Across ISA tiers it is
 *    bit-identical for LP_SGD (either rng); the other solvers use the fp32 dot product, whose summation
 *    order is the variant's own, so their last bits (and, through them,
 *    stochastic rounding decisions) may differ from tier to tier.
 *  - Threads (lpk_set_num_threads): the full-gradient pass, the data
 *    quantization and the trace evaluation split their rows over threads;
 *    inner loops are sequential, as the algorithms are (step t + 1's dot
 *    product needs step t's z; splitting one step's d = 1024 elements over
 *    two cores would cost a cross-core handoff of z per step, about as
 *    long as the step itself).
 *
 * Where this differs from the paper's Algorithm 2 (HALP):
 *  - The paper's analysis takes exact gradients of f_i; here the inner steps
 *    use the b-bit rows (in x_i . z and in the update), i.e. the inner
 *    problem's Hessian carries the data's quantization error.  u = g still
 *    holds exactly at z = 0, so the fixed point is w* and convergence stays
 *    linear; the per-epoch contraction factor cannot beat that error's
 *    relative size (an estimated ~1e-4 for 8-bit Gaussian rows), far below
 *    SVRG's own factor in the reproductions.
 *  - With rng = LPK_RNG_PHILOX only: stochastic rounding shares its random
 *    bits between elements 64 apart within a step (still unbiased per
 *    element; the paper draws every element independently, as
 *    LPK_RNG_ARS does).
 *  - The full gradient is fp32 with double block sums, and r_i = x_i . w~
 *    is kept from it, where the paper recomputes grad f_i(w~) per step.
 */
typedef enum { LPK_LOSS_LSQ = 0, LPK_LOSS_LOGISTIC = 1 } lpk_loss;

/* The generator of HALP's stochastic rounding (see R above): ARS-7 with
   per-element bits is the recommended one, fast where the CPU has AES
   instructions (avx2aes, avx2vaes, avx512vaes, neonaes tiers; software AES
   elsewhere, much slower); Philox (0) keeps earlier results bit for bit. */
typedef enum { LPK_RNG_PHILOX = 0, LPK_RNG_ARS = 1 } lpk_rng;

typedef enum {
    LPK_SOLVER_GD = 0,
    LPK_SOLVER_SGD = 1,
    LPK_SOLVER_SVRG = 2,
    LPK_SOLVER_LP_SGD = 3,
    LPK_SOLVER_LP_SVRG = 4,
    LPK_SOLVER_HALP = 5
} lpk_solver;

/* Zero-initialize, then set what you need.  Required: solver, loss, step;
   bits for LP_SGD / LP_SVRG / HALP; mu for HALP (and for LP_SGD / LP_SVRG
   when lp_delta == 0). */
typedef struct {
    lpk_solver solver;
    lpk_loss loss;
    int bits;          /* 8 or 16 (low-precision solvers; ignored otherwise) */
    float step;        /* alpha > 0 */
    float lambda;      /* L2 weight >= 0 */
    float mu;          /* strong-convexity estimate > 0 (see above) */
    float lp_delta;    /* LP_SGD / LP_SVRG grid spacing; 0 = automatic */
    size_t T;          /* inner steps per epoch (SGD-type solvers); 0 = n */
    int epochs;        /* outer iterations >= 0 */
    int fp32_full_pass;/* 1: full-gradient passes always read the fp32 X */
    uint64_t seed;     /* sampling and stochastic rounding */
    lpk_rng rng;       /* stochastic rounding's generator (LP solvers);
                          LPK_RNG_ARS recommended, 0 = Philox */
} lpk_halp_options;

/* One entry per epoch boundary: trace[0] at the initial point, trace[k]
   after epoch k.  objective and grad_norm are f and ||grad f|| at the
   current w (w~ for the SVRG family), evaluated in double on the fp32 X;
   that evaluation is not timed.  seconds: training time so far (trace[0]:
   the one-time setup: checks, quantizing X, the fixed grid of LP_SGD /
   LP_SVRG); inner_seconds: the part spent
   in inner loops (SGD-type solvers); delta: the grid spacing used during
   epoch k (HALP's delta_k, the fixed delta of LP_SGD / LP_SVRG, 0 for fp32
   solvers and in trace[0]); full_pass_bits: what the epoch's full-gradient
   pass read per element of X: 32 (fp32 rows), 8 or 16 (the quantized rows,
   when they are exact), 0 (no full pass: SGD, LP_SGD, trace[0]). */
typedef struct {
    double objective, grad_norm;
    double seconds, inner_seconds;
    double delta;
    int full_pass_bits;
} lpk_halp_trace;

/* Trains from the initial w (read) and writes the final one to w (the last
 * w~ for the SVRG family, the fp32 value of the grid point for LP_SGD).
 * trace: NULL, or epochs + 1 entries to fill.
 * LPK_EINVAL: NULL o/X/y/w; n or d == 0; n * d floats overflowing size_t;
 *   unknown solver or loss; bits not 8/16 (low-precision solvers); step not
 *   finite and > 0; lambda not finite and >= 0; mu not finite and > 0 where
 *   needed; lp_delta negative or not finite; epochs < 0; T * epochs too
 *   large (ARS: T * epochs * ceil(d / 8) * 8 past 2^64); rng not an
 *   lpk_rng; a NaN/Inf in X, y or w; a logistic label other than +-1; w or
 *   trace overlapping X, y or each other.
 * LPK_ENOMEM: workspace (quantized rows: n * d * bits/8 bytes, plus O(n + d)
 *   vectors) could not be allocated.
 * On error w and trace are untouched. */
LPK_API lpk_status lpk_halp_train(const lpk_halp_options *o, const float *X, const float *y,
                                  size_t n, size_t d, float *w, lpk_halp_trace *trace);

/* ARS-7 block (Salmon, Moraes, Dror, Shaw, SC'11; Random123's
   ars4x32_R(7, ctr, key)): out = ars(ctr, key), 128-bit counter and key as
   four little-endian 32-bit words each.  v = ctr ^ k; six rounds of
   k += W (two 64-bit lane adds, W = {0x9E3779B97F4A7C15,
   0xBB67AE8584CAA73B}), v = AESENC(v, k); then k += W, v = AESENCLAST(v, k).
   Seven rounds: SC'11 (Table 2) finds ARS free of statistical failures in
   TestU01's BigCrush from 5 rounds on and recommends 7 (Random123's
   default) for a safety margin, as lpk's Philox keeps 10 rounds where 7
   pass.  Exposed so callers can reproduce LPK_ROUND_STOCHASTIC_ARS bits
   (and for the known-answer tests).  LPK_EINVAL if a pointer is NULL. */
LPK_API lpk_status lpk_ars(const uint32_t ctr[4], const uint32_t key[4], uint32_t out[4]);

/* Philox4x32-10 block: out = philox(ctr, key).  Exposed so callers can
   reproduce lpk's random bits (and for the known-answer tests).
   LPK_EINVAL if a pointer is NULL. */
LPK_API lpk_status lpk_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                               uint32_t out[4]);

#ifdef __cplusplus
}
#endif
#endif /* LPK_H */
