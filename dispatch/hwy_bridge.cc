/* SPDX-License-Identifier: Apache-2.0 */
// Highway's target detection behind the plain C interface of hwy_bridge.h.
// Only hwy::SupportedTargets() and the HWY_* target bits are used; nothing
// here executes SIMD code, and the static target reported is the one of
// lpk's baseline flags (this file gets no ISA flags).
#include "hwy_bridge.h"

#include <stdio.h>
#include <string.h>

#include <hwy/highway.h>

namespace {

struct Target {
    const char *name;  // as hwy::TargetName spells it
    int64_t bit;
};

// Every target of the installed Highway, best first within each
// architecture.  Names that newer versions add are listed when defined, so
// that a name this version lacks stays "unknown" (-1), not "unsupported".
const Target kTargets[] = {
#ifdef HWY_AVX10_2_512
    {"AVX10_2_512", HWY_AVX10_2_512},
#endif
#ifdef HWY_AVX3_SPR
    {"AVX3_SPR", HWY_AVX3_SPR},
#endif
#ifdef HWY_AVX10_2
    {"AVX10_2", HWY_AVX10_2},
#endif
#ifdef HWY_AVX3_ZEN4
    {"AVX3_ZEN4", HWY_AVX3_ZEN4},
#endif
    {"AVX3_DL", HWY_AVX3_DL},
    {"AVX3", HWY_AVX3},
    {"AVX2", HWY_AVX2},
    {"SSE4", HWY_SSE4},
    {"SSSE3", HWY_SSSE3},
#ifdef HWY_SSE2
    {"SSE2", HWY_SSE2},
#endif
#ifdef HWY_SVE2_128
    {"SVE2_128", HWY_SVE2_128},
#endif
#ifdef HWY_SVE_256
    {"SVE_256", HWY_SVE_256},
#endif
    {"SVE2", HWY_SVE2},
    {"SVE", HWY_SVE},
#ifdef HWY_NEON_BF16
    {"NEON_BF16", HWY_NEON_BF16},
#endif
    {"NEON", HWY_NEON},
#ifdef HWY_NEON_WITHOUT_AES
    {"NEON_WITHOUT_AES", HWY_NEON_WITHOUT_AES},
#endif
    {"RVV", HWY_RVV},
    {"PPC8", HWY_PPC8},
    {"WASM_EMU256", HWY_WASM_EMU256},
    {"WASM", HWY_WASM},
    {"EMU128", HWY_EMU128},
    {"SCALAR", HWY_SCALAR},
};

const Target *find(const char *name)
{
    if (!name)
        return nullptr;
    for (const Target &t : kTargets)
        if (strcmp(t.name, name) == 0)
            return &t;
    return nullptr;
}

}  // namespace

extern "C" {

const char *lpk_hwy_version(void)
{
#define LPK_STR_(x) #x
#define LPK_STR(x) LPK_STR_(x)
    return LPK_STR(HWY_MAJOR) "." LPK_STR(HWY_MINOR) "." LPK_STR(HWY_PATCH);
#undef LPK_STR
#undef LPK_STR_
}

uint64_t lpk_hwy_supported_targets(void)
{
    return static_cast<uint64_t>(hwy::SupportedTargets());
}

int lpk_hwy_target_supported(const char *name)
{
    const Target *t = find(name);
    if (!t)
        return -1;
    return (lpk_hwy_supported_targets() & static_cast<uint64_t>(t->bit)) != 0;
}

uint64_t lpk_hwy_target_bit(const char *name)
{
    const Target *t = find(name);
    return t ? static_cast<uint64_t>(t->bit) : 0;
}

const char *lpk_hwy_target_name(uint64_t bit)
{
    for (const Target &t : kTargets)
        if (static_cast<uint64_t>(t.bit) == bit)
            return t.name;
    return nullptr;
}

size_t lpk_hwy_supported_target_names(char *buf, size_t size)
{
    const uint64_t supported = lpk_hwy_supported_targets();
    size_t need = 0;
    if (buf && size)
        buf[0] = 0;
    // Lower bits are better targets: walk the bits upwards.
    for (uint64_t rest = supported; rest; rest &= rest - 1) {
        const uint64_t bit = rest & (~rest + 1);
        const char *name = lpk_hwy_target_name(bit);
        char unknown[32];
        if (!name) {
            snprintf(unknown, sizeof unknown, "0x%llx", (unsigned long long)bit);
            name = unknown;
        }
        const int w = snprintf(buf && need < size ? buf + need : nullptr,
                               buf && need < size ? size - need : 0, "%s%s",
                               need ? " " : "", name);
        need += static_cast<size_t>(w);
    }
    return need;
}

const char *lpk_hwy_static_target(void)
{
    const char *name = lpk_hwy_target_name(static_cast<uint64_t>(HWY_STATIC_TARGET));
    return name ? name : "unknown";
}

}  // extern "C"
