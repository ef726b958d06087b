// SPDX-License-Identifier: Apache-2.0
// The C++ consumer of the install test: lpk.h included from C++ (extern "C"),
// the library linked by a C++ program.  Same checks as consumer.c, with
// standard containers; exits non-zero on any mismatch.
#include <lpk.h>

#include <cfloat>
#include <cstdio>
#include <string>
#include <vector>

#define STR2(x) #x
#define STR(x) STR2(x)

namespace {
int fails = 0;

void check(bool ok, const std::string &what)
{
    if (!ok) {
        std::fprintf(stderr, "consumer++: FAIL: %s (%s)\n", what.c_str(), lpk_last_error());
        ++fails;
    }
}
} // namespace

int main()
{
    const std::vector<float> x = {1.0f, 1.00390625f, 1.01171875f, -2.5f, 3.14159265f,
                                  0.1f, 1e-40f,      -0.0f,       FLT_MAX};
    const std::vector<lpk_bf16> want = {0x3f80, 0x3f80, 0x3f82, 0xc020, 0x4049,
                                        0x3dcd, 0x0001, 0x8000, 0x7f80};
    std::vector<lpk_bf16> h(x.size());
    check(lpk_f32_to_bf16(x.data(), h.data(), x.size(), LPK_ROUND_NEAREST, 0, 0) == LPK_OK,
          "lpk_f32_to_bf16 nearest");
    for (size_t i = 0; i < x.size(); ++i)
        check(h[i] == want[i], "bf16 pattern of element " + std::to_string(i));

    std::vector<float> back(h.size());
    check(lpk_bf16_to_f32(h.data(), back.data(), h.size()) == LPK_OK, "lpk_bf16_to_f32");
    check(back[2] == 1.015625f, "bf16 -> f32 value");

    // 2x2 GEMM, exact in fp32: [1 2; 3 4] * [5 6; 7 8] = [19 22; 43 50].
    const std::vector<float> af = {1, 2, 3, 4}, bf = {5, 6, 7, 8};
    std::vector<lpk_bf16> a(4), b(4);
    std::vector<float> c(4, -1.0f);
    lpk_f32_to_bf16(af.data(), a.data(), 4, LPK_ROUND_NEAREST, 0, 0);
    lpk_f32_to_bf16(bf.data(), b.data(), 4, LPK_ROUND_NEAREST, 0, 0);
    check(lpk_gemm_bf16f32(LPK_NOTRANS, LPK_NOTRANS, 2, 2, 2, 1.0f, a.data(), 2, b.data(), 2, 0.0f,
                           c.data(), 2) == LPK_OK,
          "lpk_gemm_bf16f32");
    check(c == std::vector<float>({19, 22, 43, 50}), "GEMM result");

    const std::string hdr = std::to_string(LPK_VERSION_MAJOR) + "." +
                            std::to_string(LPK_VERSION_MINOR) + "." +
                            std::to_string(LPK_VERSION_PATCH);
    check(hdr == lpk_version(), "lpk_version() == LPK_VERSION_*");
#ifdef LPK_EXPECT_VERSION
    check(std::string(STR(LPK_EXPECT_VERSION)) == lpk_version(), "lpk_version() == project version");
#endif

    if (fails) {
        std::fprintf(stderr, "consumer (C++): %d check(s) failed\n", fails);
        return 1;
    }
    std::printf("consumer (C++): ok, lpk %s, tier %s\n", lpk_version(), lpk_isa());
    return 0;
}
