/* SPDX-License-Identifier: Apache-2.0 */
// Rounding family written once with Google Highway ops, compiled for
// Highway's STATIC target of the including file's flags (no dynamic dispatch:
// a variant never runs instructions beyond the flags its file is built with,
// so the tier that registers it keeps lpk's LPK_ISA cap honest):
//   hwy.cc  baseline flags   -> tier hwy  (aarch64: HWY_NEON; x86-64: HWY_SCALAR
//                               with GCC < 12.3, HWY_EMU128 with clang, as
//                               Highway 1.0.3 has no SSE2 target)
//   sve.cc  armv8.2-a+sve    -> tier sve  (HWY_SVE, any vector length)
// A file includes this header once, then LPK_ROUND_HWY_DEFINE(suffix) emits
// the three extern "C" variants lpk_round_*__<suffix>.
//
// Numerics: bit-identical to ref.c, by the same integer arithmetic on the
// binary32 pattern u (kernels/common/bf16.h):
//   NaN (|u| > 0x7F800000)  -> (u | 0x400000) >> 16  (quiet, sign and top
//                              payload kept)
//   nearest                 -> (u + 0x7FFF + ((u >> 16) & 1)) >> 16
//   stochastic              -> (u + r16) >> 16
// Denormals are ordinary bit patterns here (nothing is flushed), and the sums
// cannot wrap for non-NaN u (the largest, 0xFF800000, has room).
//
// Stochastic bits: Philox4x32-10 as in common/philox.h, one Philox block per
// 64-bit lane.  Each 32-bit Philox word c0..c3 lives in the low half of a
// u64 lane; MulEven (32x32 -> 64 of the low halves) gives hi and lo of a
// round's products at once.  The high halves of c1/c3 are never cleaned:
// MulEven and the xors only propagate low halves, so only the final words are
// masked.  Block b of a vector serves elements 8b..8b+7; loading the input as
// u64 with LoadInterleaved4 puts floats 8b+2w, 8b+2w+1 in lane b of vector
// s_w, next to Philox word w, whose 16-bit halves are exactly their random
// bits (little-endian uint16 order).  The results go back with
// StoreInterleaved2 of u64 lanes (both through aligned u64 buffers).  Heads
// until (offset + i) % 8 == 0 and tails are scalar, one Philox block per 8
// elements.
#ifndef LPK_ROUND_HWY_INL_H
#define LPK_ROUND_HWY_INL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hwy/highway.h>

extern "C" {
#include "round.h"
#include "../common/bf16.h"
#include "../common/philox.h"
}

#if HWY_TARGET != HWY_STATIC_TARGET
#error "hwy-inl.h is for static dispatch only"
#endif

HWY_BEFORE_NAMESPACE();
namespace lpk_round_hwy {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// u32 view of a u64 vector for MulEven.  HWY_SCALAR has one lane per vector
// whatever the type, and its BitCast keeps the low 32 bits: the half MulEven
// reads on every target.
#if HWY_TARGET == HWY_SCALAR
template <class D64>
using Half32 = hn::Sisd<uint32_t>;
#else
template <class D64>
using Half32 = hn::Repartition<uint32_t, D64>;
#endif

// ---- one element per lane (u32 lanes, or u64 lanes holding a u32) --------

// Selects (u | quiet bit) in NaN lanes, else t; then the bf16 half.  u < 2^32
// and the NaN test |u| > 0x7F800000 fits a signed compare in any lane width.
template <class D>
HWY_INLINE hn::Vec<D> Finish(D d, hn::Vec<D> u, hn::Vec<D> t)
{
    const hn::RebindToSigned<D> di;
    using TI = hn::TFromD<decltype(di)>;
    const auto quiet = hn::Or(u, hn::Set(d, 0x400000u));
#if HWY_TARGET == HWY_SCALAR
    // GCC turns the one-lane IfThenElse into a branch and the loop stays
    // scalar; this branch-free select (sign of 0x7F800000 - |u|, all ones
    // for NaN) lets it vectorize the loop with the baseline SSE2 / NEON.
    const auto mag = hn::And(u, hn::Set(d, 0x7FFFFFFFu));
    const auto nan = hn::BitCast(
        d, hn::ShiftRight<sizeof(TI) * 8 - 1>(hn::BitCast(di, hn::Sub(hn::Set(d, 0x7F800000u), mag))));
    return hn::ShiftRight<16>(hn::Or(hn::And(nan, quiet), hn::AndNot(nan, t)));
#else
    const auto mag = hn::BitCast(di, hn::And(u, hn::Set(d, 0x7FFFFFFFu)));
    const auto nan = hn::RebindMask(d, hn::Gt(mag, hn::Set(di, TI{0x7F800000})));
    return hn::ShiftRight<16>(hn::IfThenElse(nan, quiet, t));
#endif
}

template <class D>
HWY_INLINE hn::Vec<D> Rne(D d, hn::Vec<D> u)
{
    const auto lsb = hn::And(hn::ShiftRight<16>(u), hn::Set(d, 1u));
    return Finish(d, u, hn::Add(hn::Add(u, hn::Set(d, 0x7FFFu)), lsb));
}

// ---- Philox4x32-10 on blocks q (u64 lanes) ---------------------------------

struct Keys {
    uint64_t k0[10], k1[10];
};

inline void KeysInit(Keys *k, uint64_t seed)
{
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        k->k0[r] = k0;
        k->k1[r] = k1;
        k0 += LPK_PHILOX_W0;
        k1 += LPK_PHILOX_W1;
    }
}

// Words c0..c3 of the blocks q; valid in the low 32 bits of each lane.
template <class D64>
HWY_INLINE void Philox(D64 d64, hn::Vec<D64> q, const Keys &k, hn::Vec<D64> &x0,
                       hn::Vec<D64> &x1, hn::Vec<D64> &x2, hn::Vec<D64> &x3)
{
    const Half32<D64> d32;
    const auto m0 = hn::Set(d32, LPK_PHILOX_M0);
    const auto m1 = hn::Set(d32, LPK_PHILOX_M1);
    auto c0 = q;
    auto c1 = hn::ShiftRight<32>(q);
    auto c2 = hn::Zero(d64);
    auto c3 = hn::Zero(d64);
    for (int r = 0; r < 10; r++) {
        const auto p0 = hn::MulEven(hn::BitCast(d32, c0), m0);
        const auto p1 = hn::MulEven(hn::BitCast(d32, c2), m1);
        c0 = hn::Xor(hn::Xor(hn::ShiftRight<32>(p1), c1), hn::Set(d64, k.k0[r]));
        c2 = hn::Xor(hn::Xor(hn::ShiftRight<32>(p0), c3), hn::Set(d64, k.k1[r]));
        c1 = p1;
        c3 = p0;
    }
    x0 = c0;
    x1 = c1;
    x2 = c2;
    x3 = c3;
}

// Elements 8b+2w, 8b+2w+1: s holds their bits (low, high half), x Philox
// word w.  Returns their two bf16 in the low 32 bits (little-endian order).
template <class D64>
HWY_INLINE hn::Vec<D64> Sr2(D64 d64, hn::Vec<D64> s, hn::Vec<D64> x)
{
    const auto m16 = hn::Set(d64, 0xFFFFull);
    const auto u0 = hn::And(s, hn::Set(d64, 0xFFFFFFFFull));
    const auto u1 = hn::ShiftRight<32>(s);
    const auto r0 = hn::And(x, m16);
    const auto r1 = hn::And(hn::ShiftRight<16>(x), m16);
    const auto h0 = Finish(d64, u0, hn::Add(u0, r0));
    const auto h1 = Finish(d64, u1, hn::Add(u1, r1));
    return hn::Or(h0, hn::ShiftLeft<16>(h1));
}

// ---- scalar heads and tails ---------------------------------------------------

// Elements [i, end) of the stochastic conversion, one Philox block per group
// of (up to) 8 elements that share it.
inline void SrScalar(const float *src, lpk_bf16 *dst, size_t i, size_t end, uint64_t seed,
                     uint64_t offset)
{
    while (i < end) {
        uint64_t j = offset + i;
        uint32_t w[4];
        lpk_philox_sr_block(seed, j >> 3, w);
        do {
            const uint32_t r = (w[(j & 7) >> 1] >> (16 * (j & 1))) & 0xFFFFu;
            dst[i] = lpk_bf16_sr(lpk_f32_bits(src[i]), r);
            i++;
            j++;
        } while (i < end && (j & 7));
    }
}

// ---- the variants ------------------------------------------------------------

inline void RoundRne(const float *src, lpk_bf16 *dst, size_t n)
{
    const hn::ScalableTag<float> df;
    const hn::RebindToUnsigned<decltype(df)> du;
    const hn::RebindToSigned<decltype(df)> di;
    const hn::Rebind<uint16_t, decltype(di)> d16;
    const size_t N = hn::Lanes(du);
    size_t i = 0;
    for (; i + N <= n; i += N) {
        const auto u = hn::BitCast(du, hn::LoadU(df, src + i));
        // results are < 2^16: the saturating i32 -> u16 narrowing is exact
        const auto h = hn::DemoteTo(d16, hn::BitCast(di, Rne(du, u)));
        hn::StoreU(h, d16, dst + i);
    }
    for (; i < n; i++)
        dst[i] = lpk_bf16_rne(lpk_f32_bits(src[i]));
}

inline void RoundSr(const float *src, lpk_bf16 *dst, size_t n, uint64_t seed, uint64_t offset)
{
    const hn::ScalableTag<uint64_t> d64;
    const size_t N = hn::Lanes(d64); // blocks per vector
    // scalar head up to the first element with (offset + i) % 8 == 0
    size_t i = (size_t)(-offset & 7);
    if (i > n)
        i = n;
    SrScalar(src, dst, 0, i, seed, offset);
    Keys keys;
    KeysInit(&keys, seed);
    const auto iota = hn::Iota(d64, 0);
    const auto qmask = hn::Set(d64, (uint64_t)LPK_PHILOX_QMASK);
    // The interleaved loads and stores take u64 lanes, but src is only
    // 4-byte and dst 2-byte aligned: Highway's EMU128/SCALAR versions
    // dereference the uint64_t pointer (misaligned: UB, which UBSan reports
    // under clang), so the bits go through u64 buffers; memcpy keeps them
    // identical.
    HWY_ALIGN uint64_t in[4 * hn::MaxLanes(d64)];
    HWY_ALIGN uint64_t out[2 * hn::MaxLanes(d64)];
    for (; i + 8 * N <= n; i += 8 * N) {
        // j = offset + i wraps modulo 2^64, so block indices modulo 2^61
        const auto q = hn::And(hn::Add(hn::Set(d64, (offset + i) >> 3), iota), qmask);
        hn::Vec<decltype(d64)> x0, x1, x2, x3, s0, s1, s2, s3;
        Philox(d64, q, keys, x0, x1, x2, x3);
        memcpy(in, src + i, 8 * N * sizeof(float));
        hn::LoadInterleaved4(d64, in, s0, s1, s2, s3);
        const auto o0 = Sr2(d64, s0, x0), o1 = Sr2(d64, s1, x1);
        const auto o2 = Sr2(d64, s2, x2), o3 = Sr2(d64, s3, x3);
        hn::StoreInterleaved2(hn::Or(o0, hn::ShiftLeft<32>(o1)), hn::Or(o2, hn::ShiftLeft<32>(o3)),
                              d64, out);
        memcpy(dst + i, out, 8 * N * sizeof(lpk_bf16));
    }
    SrScalar(src, dst, i, n, seed, offset);
}

inline void RoundWiden(const lpk_bf16 *src, float *dst, size_t n)
{
    const hn::ScalableTag<float> df;
    const hn::RebindToUnsigned<decltype(df)> du;
    const hn::Rebind<uint16_t, decltype(du)> d16;
    const size_t N = hn::Lanes(du);
    size_t i = 0;
    for (; i + N <= n; i += N) {
        const auto w = hn::ShiftLeft<16>(hn::PromoteTo(du, hn::LoadU(d16, src + i)));
        hn::StoreU(hn::BitCast(df, w), df, dst + i);
    }
    for (; i < n; i++)
        dst[i] = lpk_bits_f32((uint32_t)src[i] << 16);
}

}  // namespace
}  // namespace HWY_NAMESPACE
}  // namespace lpk_round_hwy
HWY_AFTER_NAMESPACE();

#define LPK_ROUND_HWY_DEFINE(suffix)                                                      \
    extern "C" void lpk_round_rne_f32_bf16__##suffix(const float *src, lpk_bf16 *dst,     \
                                                     size_t n)                            \
    {                                                                                     \
        lpk_round_hwy::HWY_NAMESPACE::RoundRne(src, dst, n);                              \
    }                                                                                     \
    extern "C" void lpk_round_sr_f32_bf16__##suffix(const float *src, lpk_bf16 *dst,      \
                                                    size_t n, uint64_t seed,              \
                                                    uint64_t offset)                      \
    {                                                                                     \
        lpk_round_hwy::HWY_NAMESPACE::RoundSr(src, dst, n, seed, offset);                 \
    }                                                                                     \
    extern "C" void lpk_round_bf16_f32__##suffix(const lpk_bf16 *src, float *dst, size_t n) \
    {                                                                                     \
        lpk_round_hwy::HWY_NAMESPACE::RoundWiden(src, dst, n);                            \
    }

#endif
