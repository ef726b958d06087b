/* SPDX-License-Identifier: Apache-2.0 */
/* The stochastic-rounding loop of the rounding family (f32 -> bf16 with the
   bits of element offset + i), written once for the x86 files.  An ISA file
   defines
     SR_NAME            the kernel's name
     SR_KEYS, SR_KEYS_INIT(&k, seed)   its Philox key schedule
     SR_STEP            elements per block (a multiple of 8)
     SR_RUN(s, d, m, j, &k)            m (a multiple of SR_STEP) elements
                        from element index j (a multiple of 8)
     SR_PART(s, d, m, seed, j, &k)     any m < SR_STEP elements from j (a
                        multiple of 8)
   (static inline functions with explicit arguments), includes this file,
   and gets
     void SR_NAME(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed,
                  uint64_t offset).
   The scalar definition (common/bf16.h) up to the first Philox block
   boundary of offset + i, then whole blocks, then SR_PART.  Regular stores
   at every size: unlike the nearest and ARS loops (stream-inl.h,
   sr_ars-inl.h), the Philox loops are bound by the generator, not by DRAM,
   and non-temporal stores with the four-way walk and prefetching measured
   slower at 64M elements (Zen 4, 1 thread: avx2 2.3-2.5 against 2.8-2.9
   Gelem/s, avx512 3.0-3.5 against 3.3-3.7; perf/RESULTS.md, "SR against
   nearest, and Philox SR against its old layout").
   Each element's bits depend on offset + i only. */
#if !defined(SR_NAME) || !defined(SR_PART)
#error "define SR_NAME and its parameters before including sr-inl.h"
#endif
#include "../common/bf16.h"

void SR_NAME(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed, uint64_t offset)
{
    size_t i = 0;
    for (; i < n && ((offset + i) & 7); i++)
        dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), lpk_sr_bits16(seed, offset + i));
    SR_KEYS keys;
    SR_KEYS_INIT(&keys, seed);
    const size_t m = (n - i) / SR_STEP * SR_STEP;
    SR_RUN(src + i, dst + i, m, offset + i, &keys);
    i += m;
    if (i < n)
        SR_PART(src + i, dst + i, n - i, seed, offset + i, &keys);
}

#undef SR_NAME
#undef SR_KEYS
#undef SR_KEYS_INIT
#undef SR_STEP
#undef SR_RUN
#undef SR_PART
