/* SPDX-License-Identifier: Apache-2.0 */
/* Run with LPK_ISA=<value>; argv[1] is that value.  Checks that LPK_ISA is
   honoured when valid and supported, and otherwise refused with a message
   naming the valid / available tiers, every call failing (no fallback) until
   lpk_set_isa() picks a valid tier. */
#include <stdio.h>
#include <string.h>

#include "lpk_internal.h"

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
            return 1;                                                         \
        }                                                                     \
    } while (0)

int main(int argc, char **argv)
{
    CHECK(argc == 2);
    const char *want = argv[1];
    const int t = lpk_tier_from_name(want);
    float src[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    lpk_bf16 dst[4] = {7, 7, 7, 7};
    const lpk_status st = lpk_f32_to_bf16(src, dst, 4, LPK_ROUND_NEAREST, 0, 0);
    if (strcmp(want, "auto") == 0) {
        CHECK(st == LPK_OK);
        CHECK(strcmp(lpk_isa(), "none") != 0);
    } else if (t < 0) {
        CHECK(st == LPK_EINVAL);
        CHECK(strstr(lpk_last_error(), "unknown ISA tier 'bogus'") != NULL);
        CHECK(strstr(lpk_last_error(), "valid tiers") != NULL);
        CHECK(strstr(lpk_last_error(), "avx512bf16") != NULL);
    } else if (!lpk_tier_supported((lpk_tier)t)) {
        CHECK(st == LPK_ENOTSUP);
        CHECK(strstr(lpk_last_error(), "available here") != NULL);
        CHECK(strstr(lpk_last_error(), "scalar") != NULL);
    } else {
        CHECK(st == LPK_OK);
        CHECK(strcmp(lpk_isa(), want) == 0);
        for (size_t i = 0; i < lpk_nops; i++) {
            const lpk_variant *v = lpk_selected(lpk_ops[i]);
            CHECK(v != NULL);
            CHECK(lpk_tiers[v->tier].rank <= lpk_tiers[t].rank);
        }
    }
    if (st != LPK_OK) {
        /* Refused: nothing written, lpk_isa() says so, and every entry point
           keeps failing until a valid tier is set. */
        CHECK(dst[0] == 7 && dst[3] == 7);
        CHECK(strcmp(lpk_isa(), "none") == 0);
        CHECK(strcmp(lpk_kernel_variant("round.sr_f32_bf16"), "none") == 0);
        CHECK(lpk_kernel_variant("no.such.kernel") == NULL);
        /* every call that runs a kernel fails, the GEMM drop-in included */
        float c[4] = {7, 7, 7, 7};
        lpk_cblas_sbgemm(101, 111, 111, 2, 2, 2, 1.0f, dst, 2, dst, 2, 0.0f, c, 2);
        CHECK(lpk_last_status() == st && c[0] == 7.0f);
        float back[4] = {0};
        CHECK(lpk_bf16_to_f32(dst, back, 4) == st);
        CHECK(back[0] == 0.0f);
        CHECK(lpk_set_isa("scalar") == LPK_OK);
        CHECK(lpk_f32_to_bf16(src, dst, 4, LPK_ROUND_NEAREST, 0, 0) == LPK_OK);
        CHECK(dst[0] == 0x3F80);
    }
    printf("1 passed, 0 failed\n");
    return 0;
}
