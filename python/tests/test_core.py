# SPDX-License-Identifier: Apache-2.0
"""Rounding, GEMM and the argument checks of the Python layer."""
import numpy as np
import pytest
import torch

import lpk


def bits(t):
    return t.view(torch.int16) if isinstance(t, torch.Tensor) else t.view(np.int16)


def test_version():
    assert lpk.version().count(".") == 2
    assert lpk.version().split(".")[:2] == lpk.__version__.split(".")[:2]


def test_nearest_matches_torch():
    x = torch.randn(10007) * 3
    x[:4] = torch.tensor([0.0, -0.0, float("inf"), 1e-40])
    assert torch.equal(bits(lpk.f32_to_bf16(x)), bits(x.to(torch.bfloat16)))


def test_numpy_bit_patterns_and_roundtrip():
    x = np.random.default_rng(0).standard_normal(999).astype(np.float32)
    h = lpk.f32_to_bf16(x)
    assert h.dtype == np.uint16 and h.shape == x.shape
    back = lpk.bf16_to_f32(h)
    assert back.dtype == np.float32
    assert np.array_equal(back.view(np.uint32) >> 16, h.astype(np.uint32))
    t = torch.from_numpy(x).to(torch.bfloat16)
    assert np.array_equal(h, t.view(torch.int16).numpy().view(np.uint16))


RNGS = ["philox", pytest.param("ars", marks=pytest.mark.skipif(
    not lpk.HAS_ARS, reason="liblpk without the ARS generator: not tested"))]


@pytest.mark.parametrize("rng", RNGS)
def test_stochastic_reproducible_split_and_unbiased(rng):
    x = torch.full((1 << 16,), 1.0 + 2.0 ** -9)  # 1/4 of the way to the next bf16
    a = lpk.f32_to_bf16(x, "stochastic", seed=5, offset=100, rng=rng)
    b = lpk.f32_to_bf16(x, "stochastic", seed=5, offset=100, rng=rng)
    assert torch.equal(bits(a), bits(b))
    # pieces with their offsets give the same bits as the whole
    lo = lpk.f32_to_bf16(x[:1000].contiguous(), "stochastic", seed=5, offset=100, rng=rng)
    hi = lpk.f32_to_bf16(x[1000:].contiguous(), "stochastic", seed=5, offset=1100, rng=rng)
    assert torch.equal(bits(torch.cat([lo, hi])), bits(a))
    c = lpk.f32_to_bf16(x, "stochastic", seed=6, offset=100, rng=rng)
    assert not torch.equal(bits(a), bits(c))
    up = (a.float() > 1.0).double().mean().item()
    assert abs(up - 0.25) < 0.01


@pytest.mark.skipif(not lpk.HAS_ARS, reason="liblpk without the ARS generator: not tested")
def test_ars_is_the_c_generator_and_not_philox():
    """rng='ars' passes LPK_ROUND_STOCHASTIC_ARS (the C tests check its bits
    against Random123); its bits differ from Philox's; nearest ignores rng."""
    x = torch.randn(4099) * 5
    a = lpk.f32_to_bf16(x, "stochastic", seed=9, offset=7, rng="ars")
    ref = torch.empty(4099, dtype=torch.bfloat16)
    lpk._lib.check(lpk._lib.lpk_f32_to_bf16(x.data_ptr(), ref.data_ptr(), 4099,
                                            lpk._lib.LPK_ROUND_STOCHASTIC_ARS, 9, 7), "test")
    assert torch.equal(bits(a), bits(ref))
    p = lpk.f32_to_bf16(x, "stochastic", seed=9, offset=7)
    assert not torch.equal(bits(a), bits(p))
    assert torch.equal(bits(lpk.f32_to_bf16(x, rng="ars")), bits(lpk.f32_to_bf16(x)))
    with pytest.raises(lpk.LpkValueError, match="rng 'mt19937'"):
        lpk.f32_to_bf16(x, "stochastic", rng="mt19937")
    with pytest.raises(lpk.LpkValueError, match="rng"):
        lpk.gemm(torch.ones(2, 2).bfloat16(), torch.ones(2, 2).bfloat16(), rng=None)


def test_out_argument_and_dtype_errors():
    x = torch.randn(64)
    out = torch.empty(64, dtype=torch.bfloat16)
    assert lpk.f32_to_bf16(x, out=out) is out
    with pytest.raises(lpk.LpkTypeError, match="dtype torch.float64"):
        lpk.f32_to_bf16(x.double())
    with pytest.raises(lpk.LpkTypeError, match="float64"):
        lpk.f32_to_bf16(np.zeros(4))
    with pytest.raises(lpk.LpkTypeError, match="numpy.uint16"):
        lpk.bf16_to_f32(np.zeros(4, np.int32))
    with pytest.raises(lpk.LpkTypeError, match="torch.bfloat16"):
        lpk.bf16_to_f32(torch.zeros(4, dtype=torch.float16))
    with pytest.raises(lpk.LpkTypeError, match="list"):
        lpk.f32_to_bf16([1.0, 2.0])
    with pytest.raises(lpk.LpkValueError, match="shape"):
        lpk.f32_to_bf16(x, out=torch.empty(63, dtype=torch.bfloat16))
    with pytest.raises(lpk.LpkValueError, match="rounding mode"):
        lpk.f32_to_bf16(x, "up")
    with pytest.raises(lpk.LpkValueError, match="seed"):
        lpk.f32_to_bf16(x, "stochastic", seed=-1)
    with pytest.raises(lpk.LpkValueError, match="read-only"):
        ro = np.zeros(64, np.uint16)
        ro.flags.writeable = False
        lpk.f32_to_bf16(x.numpy(), out=ro)
    e = pytest.raises(lpk.LpkError, lpk.f32_to_bf16, x.double()).value
    assert e.status == lpk.LPK_EINVAL and isinstance(e, TypeError)


def test_contiguity_device_aliasing():
    x = torch.randn(8, 6)
    with pytest.raises(lpk.LpkValueError, match="not contiguous"):
        lpk.f32_to_bf16(x.t())
    with pytest.raises(lpk.LpkValueError, match="not contiguous"):
        lpk.f32_to_bf16(x.numpy()[:, ::2])
    with pytest.raises(lpk.LpkValueError, match="device 'meta'"):
        lpk.f32_to_bf16(torch.empty(4, device="meta"))
    buf = np.zeros(64, np.float32)
    with pytest.raises(lpk.LpkValueError, match="overlap"):
        lpk.f32_to_bf16(buf, out=buf.view(np.uint16)[:64])  # out inside the input
    with pytest.raises(lpk.LpkValueError, match="negated"):
        lpk.f32_to_bf16(torch._neg_view(x))


def _ref_gemm(a, b):
    return (a.double() @ b.double())


def _bound(a, b):
    k = a.shape[1]
    return (2 * k + 4) * 2.0 ** -24 * (a.double().abs() @ b.double().abs())


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_transposes_and_views(ta, tb):
    g = torch.Generator().manual_seed(1)
    m, n, k = 37, 29, 53
    A = torch.randn(m, k, generator=g).bfloat16()
    B = torch.randn(k, n, generator=g).bfloat16()
    exact = _ref_gemm(A, B)
    bound = _bound(A, B)
    a_arg = A.t().contiguous() if ta else A
    b_arg = B.t().contiguous() if tb else B
    c = lpk.gemm(a_arg, b_arg, trans_a=ta, trans_b=tb)
    assert c.dtype == torch.float32 and c.shape == (m, n)
    assert ((c.double() - exact).abs() <= bound).all()
    # transposed views (x.t()) are read as what they are, never misread
    c2 = lpk.gemm(A.t().contiguous().t(), B.t().contiguous().t())
    assert torch.equal(c2, lpk.gemm(A, B))
    c3 = lpk.gemm(a_arg.t(), b_arg.t(), trans_a=not ta, trans_b=not tb)
    assert ((c3.double() - exact).abs() <= bound).all()


def test_gemm_slices_numpy_beta_bf16_out():
    rng = np.random.default_rng(3)
    big = torch.from_numpy(rng.standard_normal((20, 30)).astype(np.float32)).bfloat16()
    A = big[2:12, 5:25]          # a slice: row stride 30, unit column stride
    B = torch.randn(20, 7).bfloat16()
    c = lpk.gemm(A, B)
    assert torch.equal(c, lpk.gemm(A.contiguous(), B))
    # numpy bit patterns in, numpy out
    An = A.contiguous().view(torch.int16).numpy().view(np.uint16)
    Bn = B.view(torch.int16).numpy().view(np.uint16)
    cn = lpk.gemm(An, Bn)
    assert isinstance(cn, np.ndarray) and np.array_equal(cn, c.numpy())
    # beta accumulates into an existing C
    C = torch.ones(10, 7)
    lpk.gemm(A, B, C, alpha=2.0, beta=0.5)
    assert torch.allclose(C, 2 * c + 0.5, rtol=1e-5, atol=1e-5)
    # bf16 output, nearest and stochastic
    cb = lpk.gemm(A, B, out_dtype="bfloat16")
    assert cb.dtype == torch.bfloat16 and torch.equal(bits(cb), bits(c.to(torch.bfloat16)))
    s1 = lpk.gemm(A, B, torch.empty(10, 7, dtype=torch.bfloat16), rounding="stochastic", seed=3)
    s2 = lpk.gemm(A, B, torch.empty(10, 7, dtype=torch.bfloat16), rounding="stochastic", seed=3)
    assert torch.equal(bits(s1), bits(s2))
    if lpk.HAS_ARS:  # the epilogue's ARS bits: those of f32_to_bf16 on the fp32 product
        sa = lpk.gemm(A, B, out_dtype="bfloat16", rounding="stochastic", seed=3, rng="ars")
        ra = lpk.f32_to_bf16(c.reshape(-1), "stochastic", seed=3, rng="ars").reshape(10, 7)
        assert torch.equal(bits(sa), bits(ra))
        assert not torch.equal(bits(sa), bits(s1))


def test_gemm_errors():
    A = torch.randn(4, 5).bfloat16()
    B = torch.randn(6, 3).bfloat16()
    with pytest.raises(lpk.LpkValueError, match="inner dimensions"):
        lpk.gemm(A, B)
    with pytest.raises(lpk.LpkTypeError, match="dtype torch.float32"):
        lpk.gemm(A.float(), B)
    with pytest.raises(lpk.LpkValueError, match="2-D"):
        lpk.gemm(A.reshape(2, 2, 5), B)
    with pytest.raises(lpk.LpkValueError, match="neither a row-major"):
        lpk.gemm(torch.randn(4, 10).bfloat16()[:, ::2], torch.randn(5, 3).bfloat16())
    B = torch.randn(5, 3).bfloat16()
    with pytest.raises(lpk.LpkValueError, match="c has shape"):
        lpk.gemm(A, B, torch.empty(4, 4))
    with pytest.raises(lpk.LpkValueError, match="transposed view"):
        lpk.gemm(A, B, torch.empty(3, 4).t())
    with pytest.raises(lpk.LpkValueError, match="beta"):
        lpk.gemm(A, B, beta=1.0)
    buf = torch.zeros(64, dtype=torch.bfloat16)
    with pytest.raises(lpk.LpkValueError, match="overlap"):
        lpk.gemm(buf[:20].view(4, 5), B, buf[10:].view(torch.float32)[:12].view(4, 3))


def test_library_error_carries_status_and_message():
    with pytest.raises(lpk.LpkError) as ei:
        lpk.set_isa("no-such-tier")
    assert ei.value.status == lpk.LPK_EINVAL
    assert ei.value.message and ei.value.message == lpk.last_error()
    assert "LPK_EINVAL" in str(ei.value)


def test_kahan_split_merge():
    x = torch.randn(1000)
    w, c = lpk.kahan_split(x)
    y = lpk.kahan_merge(w, c)
    assert ((y - x).abs() <= x.abs() * 2.0 ** -16).all()
    assert torch.equal(bits(w), bits(x.to(torch.bfloat16)))
