/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: f32 <-> bf16 conversions, every tier bit-exact against
   the scalar one.

   From the input: n (0..299), the mode (nearest, stochastic with Philox or
   ARS bits, or an invalid
   value), seed and offset (including offsets that wrap 2^64), the
   misalignment of src and dst, raw binary32 patterns for src.  Per tier:
     - lpk_f32_to_bf16: same status and same bits as scalar; nothing written
       on error; the same bits again when the array is converted in two
       pieces (offset of the second piece = offset + split), as lpk.h
       promises for stochastic rounding;
     - lpk_bf16_to_f32 of raw bf16 patterns: same bits as scalar (exact,
       NaN payloads kept), and of the converted values;
     - refused calls: overlapping src/dst, NULL with n > 0, n whose byte
       size overflows: LPK_EINVAL and nothing written. */
#include "fuzz_common.h"

/* the families whose variants differ between the tiers compared */
static const char *const round_families[] = {"round.", NULL};

#define NMAX 299
#define GUARD 0xA5A5u

typedef struct {
    lpk_status st;
    lpk_bf16 h[NMAX + 8];  /* f32 -> bf16 result, guards around it */
    float f[NMAX + 8];     /* bf16 -> f32 of the raw patterns */
    float g[NMAX + 8];     /* bf16 -> f32 of h */
} result;

static void run_tier(const float *src0, const lpk_bf16 *raw0, size_t n, lpk_round mode,
                     uint64_t seed, uint64_t offset, size_t mis_s, size_t mis_d, size_t split,
                     result *r)
{
    /* exact-size blocks so ASan sees any read or write past the end */
    float *sblock = malloc((n + mis_s) * sizeof(float) + 1);
    lpk_bf16 *dblock = malloc((n + mis_d) * sizeof(lpk_bf16) + 1);
    lpk_bf16 *rblock = malloc((n + mis_d) * sizeof(lpk_bf16) + 1);
    float *fblock = malloc((n + mis_s) * sizeof(float) + 1);
    float *src = sblock + mis_s, *fdst = fblock + mis_s;
    lpk_bf16 *dst = dblock + mis_d, *raw = rblock + mis_d;
    memcpy(src, src0, n * sizeof(float));
    memcpy(raw, raw0, n * sizeof(lpk_bf16));
    for (size_t i = 0; i < n + mis_d; i++)
        dblock[i] = GUARD;
    for (size_t i = 0; i < n + mis_s; i++)
        fblock[i] = lpk_bits_f32(0xDEADBEEFu);

    r->st = lpk_f32_to_bf16(src, dst, n, mode, seed, offset);
    FUZZ_CHECK(r->st == LPK_OK || r->st == LPK_EINVAL, "f32_to_bf16: status %d", (int)r->st);
    for (size_t i = 0; i < mis_d; i++)
        FUZZ_CHECK(dblock[i] == GUARD, "f32_to_bf16 wrote before dst");
    if (r->st != LPK_OK)
        for (size_t i = 0; i < n; i++)
            FUZZ_CHECK(dst[i] == GUARD, "f32_to_bf16 failed (%s) but wrote dst[%zu]",
                       lpk_last_error(), i);
    FUZZ_CHECK(fuzz_diff(src, src0, n * sizeof(float)) < 0, "f32_to_bf16 wrote to src");
    memcpy(r->h, dst, n * sizeof(lpk_bf16));

    if (r->st == LPK_OK && n > 0) {
        /* the same array in two pieces */
        for (size_t i = 0; i < n; i++)
            dst[i] = GUARD;
        FUZZ_CHECK(lpk_f32_to_bf16(src, dst, split, mode, seed, offset) == LPK_OK, "piece 1");
        FUZZ_CHECK(lpk_f32_to_bf16(src + split, dst + split, n - split, mode, seed,
                                   offset + split) == LPK_OK,
                   "piece 2");
        const long d = fuzz_diff(dst, r->h, n * sizeof(lpk_bf16));
        FUZZ_CHECK(d < 0, "f32_to_bf16 mode %d split at %zu of %zu (offset %llu): element %ld "
                          "differs (0x%04x vs 0x%04x whole)",
                   (int)mode, split, n, (unsigned long long)offset, d / 2, dst[d / 2],
                   r->h[d / 2]);
    }

    FUZZ_CHECK(lpk_bf16_to_f32(raw, fdst, n) == LPK_OK, "bf16_to_f32: %s", lpk_last_error());
    memcpy(r->f, fdst, n * sizeof(float));
    if (r->st == LPK_OK) {
        FUZZ_CHECK(lpk_bf16_to_f32(r->h, fdst, n) == LPK_OK, "bf16_to_f32: %s", lpk_last_error());
        memcpy(r->g, fdst, n * sizeof(float));
    }
    for (size_t i = 0; i < mis_s; i++)
        FUZZ_CHECK(lpk_f32_bits(fblock[i]) == 0xDEADBEEFu, "bf16_to_f32 wrote before dst");
    free(sblock);
    free(dblock);
    free(rblock);
    free(fblock);
}

/* Calls that must be refused with LPK_EINVAL and write nothing. */
static void run_refused(const float *src0, size_t n, lpk_round mode, uint64_t seed, size_t shift)
{
    if (n == 0)
        return;
    /* dst inside src: overlap by construction */
    const size_t bytes = n * sizeof(float);
    uint8_t *buf = malloc(bytes), *copy = malloc(bytes);
    memcpy(buf, src0, bytes);
    memcpy(copy, buf, bytes);
    /* dst starts s < n bf16 into src's n floats and ends inside the block */
    lpk_bf16 *dst = (lpk_bf16 *)buf + (shift % n);
    const size_t dn = n - (shift % n) / 2;
    FUZZ_CHECK(lpk_f32_to_bf16((const float *)buf, dst, dn, mode, seed, 0) == LPK_EINVAL,
               "overlapping src/dst accepted (n %zu, dst at byte %zu)", dn,
               (size_t)((uint8_t *)dst - buf));
    FUZZ_CHECK(fuzz_diff(buf, copy, bytes) < 0, "refused f32_to_bf16 wrote");
    /* src and dst start at the same float */
    float *fdst = (float *)buf + (shift % n);
    FUZZ_CHECK(lpk_bf16_to_f32((const lpk_bf16 *)fdst, fdst, n - shift % n) == LPK_EINVAL,
               "overlapping bf16_to_f32 accepted");
    FUZZ_CHECK(fuzz_diff(buf, copy, bytes) < 0, "refused bf16_to_f32 wrote");
    /* NULL with n > 0, sizes that overflow */
    lpk_bf16 h[4] = {GUARD, GUARD, GUARD, GUARD};
    float f[4];
    FUZZ_CHECK(lpk_f32_to_bf16(NULL, h, n, mode, seed, 0) == LPK_EINVAL, "NULL src accepted");
    FUZZ_CHECK(lpk_f32_to_bf16(src0, NULL, n, mode, seed, 0) == LPK_EINVAL, "NULL dst accepted");
    FUZZ_CHECK(lpk_bf16_to_f32(NULL, f, n) == LPK_EINVAL, "NULL src accepted");
    const size_t huge = SIZE_MAX / 2 + 1 + (shift & 0xFFFF);
    FUZZ_CHECK(lpk_f32_to_bf16(src0, h, huge, mode, seed, 0) == LPK_EINVAL, "n %zu accepted",
               huge);
    FUZZ_CHECK(lpk_bf16_to_f32(h, f, huge) == LPK_EINVAL, "n %zu accepted", huge);
    FUZZ_CHECK(h[0] == GUARD && h[3] == GUARD, "refused call wrote");
    free(buf);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *tiers[LPK_TIER_COUNT];
    static size_t ntiers;
    if (!ntiers)
        ntiers = fuzz_tiers(round_families, tiers);

    fuzz_in in;
    fuzz_in_init(&in, data, size);
    const uint8_t flags = fuzz_u8(&in);
    const size_t n = fuzz_u16(&in) % (NMAX + 1);
    lpk_round mode = (flags & 1) ? ((flags & 2) ? LPK_ROUND_STOCHASTIC_ARS : LPK_ROUND_STOCHASTIC)
                                 : LPK_ROUND_NEAREST;
    if ((flags & 0x30) == 0x30)
        mode = (lpk_round)(3 + fuzz_u8(&in) % 3); /* invalid: must be refused */
    const uint64_t seed = fuzz_u64(&in);
    uint64_t offset = fuzz_u64(&in);
    if (flags & 2)
        offset = (uint64_t)0 - (offset & 0xFF); /* wraps 2^64 inside the array */
    else if (flags & 4)
        offset &= 0xFFFF;
    const size_t mis_s = (flags >> 6) & 3, mis_d = fuzz_u8(&in) % 5;
    const size_t split = n ? fuzz_u16(&in) % (n + 1) : 0;
    const size_t shift = fuzz_u16(&in);

    float src[NMAX + 1];
    lpk_bf16 raw[NMAX + 1];
    for (size_t i = 0; i < n; i++) {
        const uint32_t u = fuzz_u32(&in);
        src[i] = lpk_bits_f32(u);
        raw[i] = (lpk_bf16)(u >> 16 ^ u);
    }

    static result ref, got;
    fuzz_set_tier("scalar");
    run_tier(src, raw, n, mode, seed, offset, mis_s, mis_d, split, &ref);
    if (flags & 8)
        run_refused(src, n, mode, seed, shift);
    for (size_t t = 1; t < ntiers; t++) {
        fuzz_set_tier(tiers[t]);
        run_tier(src, raw, n, mode, seed, offset, mis_s, mis_d, split, &got);
        FUZZ_CHECK(got.st == ref.st, "%s: f32_to_bf16 status %d, scalar %d", tiers[t],
                   (int)got.st, (int)ref.st);
        long d = fuzz_diff(got.h, ref.h, n * sizeof(lpk_bf16));
        FUZZ_CHECK(d < 0,
                   "%s: f32_to_bf16 (n %zu, mode %d, seed 0x%llx, offset %llu, mis %zu/%zu): "
                   "element %ld of 0x%08x: 0x%04x, scalar 0x%04x",
                   tiers[t], n, (int)mode, (unsigned long long)seed, (unsigned long long)offset,
                   mis_s, mis_d, d / 2, lpk_f32_bits(src[d / 2]), got.h[d / 2], ref.h[d / 2]);
        d = fuzz_diff(got.f, ref.f, n * sizeof(float));
        FUZZ_CHECK(d < 0, "%s: bf16_to_f32 element %ld of 0x%04x: 0x%08x, scalar 0x%08x",
                   tiers[t], d / 4, raw[d / 4], lpk_f32_bits(got.f[d / 4]),
                   lpk_f32_bits(ref.f[d / 4]));
        if (ref.st == LPK_OK) {
            d = fuzz_diff(got.g, ref.g, n * sizeof(float));
            FUZZ_CHECK(d < 0, "%s: bf16_to_f32 of the converted element %ld differs", tiers[t],
                       d / 4);
        }
        if (flags & 8)
            run_refused(src, n, mode, seed, shift);
    }
    /* the widening is exact: it is the pattern shifted left by 16 */
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(lpk_f32_bits(ref.f[i]) == (uint32_t)raw[i] << 16,
                   "bf16_to_f32(0x%04x) = 0x%08x", raw[i], lpk_f32_bits(ref.f[i]));
    return 0;
}
