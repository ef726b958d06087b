/* SPDX-License-Identifier: Apache-2.0 */
/* Philox4x32-10 known-answer vectors (Random123 kat_vectors, the three
   "philox4x32 10" lines) and the element -> bits mapping of lpk.h. */
#include <string.h>

#include "testutil.h"
#include "common/philox.h"

static void test_kat(void **state)
{
    static const struct { uint32_t ctr[4], key[2], want[4]; } kat[] = {
        {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff},
         {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
         {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        uint32_t out[4] = {0};
        assert_int_equal(lpk_philox4x32_10(kat[i].ctr, kat[i].key, out), LPK_OK);
        for (int w = 0; w < 4; w++)
            assert_int_equal(out[w], kat[i].want[w]);
    }
}

/* Element j takes the (j & 7)-th uint16 of block j >> 3, whose counter
   carries all 61 bits of j >> 3. */
static void test_element_mapping(void **state)
{
    const uint64_t seed = 0x0123456789ABCDEFull;
    const uint64_t js[] = {0, 7, 8, 12345, (1ull << 35) - 1, 1ull << 35, ~0ull};
    for (size_t i = 0; i < sizeof js / sizeof js[0]; i++) {
        const uint64_t j = js[i], q = j >> 3;
        const uint32_t ctr[4] = {(uint32_t)q, (uint32_t)(q >> 32), 0, 0};
        const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        uint32_t out[4];
        assert_int_equal(lpk_philox4x32_10(ctr, key, out), LPK_OK);
        uint16_t halves[8];
        for (int w = 0; w < 4; w++) {
            halves[2 * w] = (uint16_t)out[w];
            halves[2 * w + 1] = (uint16_t)(out[w] >> 16);
        }
        assert_int_equal(lpk_sr_bits16(seed, j), halves[j & 7]);
    }
    /* Blocks 2^32 apart must differ: the high counter word is used. */
    assert_int_not_equal(lpk_sr_bits16(seed, 0), lpk_sr_bits16(seed, 1ull << 35));
}

static void test_null(void **state)
{
    uint32_t c[4] = {0}, k[2] = {0}, out[4] = {1, 2, 3, 4};
    assert_int_equal(lpk_philox4x32_10(NULL, k, out), LPK_EINVAL);
    assert_non_null(strstr(lpk_last_error(), "ctr"));
    assert_int_equal(lpk_philox4x32_10(c, k, NULL), LPK_EINVAL);
    assert_int_equal(lpk_philox4x32_10(c, NULL, out), LPK_EINVAL);
    assert_int_equal(out[0], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat),
        cmocka_unit_test(test_element_mapping),
        cmocka_unit_test(test_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
