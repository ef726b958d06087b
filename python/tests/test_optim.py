# SPDX-License-Identifier: Apache-2.0
"""lpk.optim.SGD / AdamW against torch: fp32-master vs torch.optim (2 ulp of
the fp32 master), the 16-bit-FPU modes bit for bit against the op sequence
of lpk.h written in torch bf16 ops, Kahan against an AnyPrecisionAdamW-style
compensated step, stochastic rounding against lpk.f32_to_bf16 with the
documented offsets; param groups, schedulers, state_dict, errors."""
import copy
import io
import math

import numpy as np
import pytest
import torch

import lpk
import lpk.optim as lo

F32 = torch.float32
BF16 = torch.bfloat16
MODES16 = ["nearest", "stochastic", "kahan", "fp32-master"]
ALL_MODES = MODES16 + (["fp32-arith-nearest", "fp32-arith-stochastic", "fp32-arith-kahan"]
                       if lo.HAS_FP32_ARITH else [])


def bits(t):
    return t.view(torch.int16)


def f32(x):
    """x rounded once to fp32, as a Python float (lpk.h's per-call constants)."""
    return float(np.float32(x))


def make_params(seed=0, shapes=((33, 17), (17,), (5, 3, 4), (1,))):
    g = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter((torch.randn(s, generator=g) * 0.5).to(BF16)) for s in shapes]


def grads_for(params, steps, seed=1):
    g = torch.Generator().manual_seed(seed)
    return [[(torch.randn(p.shape, generator=g) * 0.3).to(BF16) for p in params]
            for _ in range(steps)]


def run(opt, params, grads, sched=None):
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = g.clone()
        opt.step()
        if sched is not None:
            sched.step()


def ulp32(x):
    if not isinstance(x, torch.Tensor):
        x = torch.tensor(x)
    return torch.from_numpy(np.spacing(np.abs(x.detach().float().numpy())))


# --- fp32-master vs torch.optim ------------------------------------------------

SGD_CASES = [dict(lr=0.05), dict(lr=0.05, momentum=0.9, weight_decay=1e-2),
             dict(lr=0.02, momentum=0.9, dampening=0.1),
             dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3)]
ADAMW_CASES = [dict(lr=1e-3), dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
               dict(lr=1e-2, weight_decay=0.0)]


def _f32_hyper(cls, kw):
    """kw with torch's defaults filled in and every float rounded to fp32:
    lpk's parameter structs hold fp32, so torch gets the same values (with
    Python's double 0.999, torch's 1 - beta2 differs from lpk's
    1 - fp32(0.999) by 1.3e-5 relatively)."""
    full = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2) if cls is lo.AdamW else {}
    full.update(kw)
    return {k: tuple(f32(b) for b in v) if isinstance(v, tuple)
            else f32(v) if isinstance(v, float) else v for k, v in full.items()}


FP32_CASES = ([(lo.SGD, torch.optim.SGD, k) for k in SGD_CASES]
              + [(lo.AdamW, torch.optim.AdamW, k) for k in ADAMW_CASES])


@pytest.mark.parametrize("cls,tcls,kw", FP32_CASES)
def test_fp32_master_each_step_within_2ulp_of_torch(cls, tcls, kw):
    """20 steps; each starts torch from lpk's master and state, and the new
    master agrees within 2 fp32 ulp of max(|w_old|, |w_new|), plus the
    increment's own rounding differences: 2 ulp of lr (momentum |b_old| +
    |g|) for SGD, 4 ulp of |u| for AdamW (torch fuses some ops with FMA,
    divides by sqrt(bias_correction2) where lpk.h multiplies by its fp32
    inverse, and orders the decay differently; the increment term keeps
    cancellation in w_old + u or in the momentum sum from counting as a
    relative error of the result)."""
    params = make_params()
    ref = [torch.nn.Parameter(p.detach().float()) for p in params]
    opt = cls(params, mode="fp32-master", **kw)
    topt = tcls(ref, **_f32_hyper(cls, kw))
    lr, mom = kw["lr"], kw.get("momentum", 0.0)
    for gs in grads_for(params, 20):
        old = [r.detach().clone() for r in ref]
        bufs = [opt.state[p].get("momentum_buffer") for p in params]
        for p, r, g in zip(params, ref, gs):
            p.grad, r.grad = g.clone(), g.float()
        opt.step()
        topt.step()
        with torch.no_grad():
            for i, (p, r) in enumerate(zip(params, ref)):
                st, m = opt.state[p], opt.state[p]["master_weight"]
                tol = 2 * ulp32(torch.maximum(old[i].abs(), r.abs()))
                if cls is lo.AdamW:
                    tol += 4 * ulp32(r - old[i])
                else:
                    b = bufs[i].abs() if (mom and bufs[i] is not None) else 0.0
                    tol += 2 * ulp32(lr * (mom * b + gs[i].float().abs()))
                err = (m - r).abs() / tol
                assert err.max() <= 1, f"tensor {i}: {2 * err.max():.2f} x the tolerance"
                assert torch.equal(bits(p.detach()), bits(m.to(BF16)))
                # the next step starts both from lpk's state
                r.copy_(m)
                ts = topt.state[r]
                for key in ("momentum_buffer", "exp_avg", "exp_avg_sq"):
                    if ts.get(key) is not None:
                        ts[key].copy_(st[key])


@pytest.mark.parametrize("cls,tcls,kw", FP32_CASES)
def test_fp32_master_trajectory_vs_torch(cls, tcls, kw):
    """20 free-running steps against torch.optim with its own (double)
    hyperparameters: the masters stay within 2e-6 in relative norm."""
    params = make_params()
    ref = [torch.nn.Parameter(p.detach().float()) for p in params]
    opt, topt = cls(params, mode="fp32-master", **kw), tcls(ref, **kw)
    for gs in grads_for(params, 20):
        for p, r, g in zip(params, ref, gs):
            p.grad, r.grad = g.clone(), g.float()
        opt.step()
        topt.step()
    for p, r in zip(params, ref):
        m, r = opt.state[p]["master_weight"], r.detach()
        assert ((m - r).norm() / r.norm()).item() <= 2e-6


# --- the 16-bit FPU: lpk.h's op sequence in torch bf16 ops ----------------------
# torch computes a bf16 op between bf16 tensors in fp32 and rounds the result
# to bf16 (nearest even): exactly lpk.h's [.].  A Python scalar, however,
# torch 1.13 rounds to bf16 before a bf16 op, while lpk.h keeps its per-call
# constants in fp32, so ops with a constant are spelled [c * x] = r(c * x.float()).

def r(x):
    return x.to(BF16)


def cmul(c, x):  # [c * x], c an fp32 constant
    return r(f32(c) * x.float())


def cadd(x, c):  # [x + c]
    return r(x.float() + f32(c))


def sgd16_step(w, g, m, step, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
               nesterov=False):
    """Returns (d-increment u, new m) of lpk.h's SGD in the 16-bit modes."""
    omd = f32(1.0 - f32(dampening))
    if weight_decay != 0:
        g = g + cmul(weight_decay, w)
    d = g
    if momentum != 0:
        b = g.clone() if step == 1 else cmul(momentum, m) + cmul(omd, g)
        m = b
        d = g + cmul(momentum, b) if nesterov else b
    return cmul(-f32(lr), d), m


def adamw16_step(w, g, m, v, step, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
    b1, b2 = f32(betas[0]), f32(betas[1])
    lr, wd = f32(lr), f32(weight_decay)
    omb1, omb2 = f32(1.0 - b1), f32(1.0 - b2)
    lwd = f32(lr * wd)
    nss = f32(-lr / (1.0 - b1 ** step))
    isb2 = f32(1.0 / math.sqrt(1.0 - b2 ** step))
    dec = cmul(lwd, w)
    m = cmul(b1, m) + cmul(omb1, g)
    v = cmul(b2, v) + cmul(omb2, g * g)
    dn = cadd(cmul(isb2, v.sqrt()), f32(eps))
    st = cmul(nss, m / dn)
    u = st - dec if wd != 0 else st
    return u, m, v


class Ref16:
    """Reference optimizer state for one parameter list."""

    def __init__(self, params, kind, kw, mode, seed=0, rng="philox"):
        self.w = [p.detach().clone() for p in params]
        self.m = [torch.zeros_like(p, dtype=BF16) for p in params]
        self.v = [torch.zeros_like(p, dtype=BF16) for p in params]
        self.c = [torch.zeros_like(p, dtype=BF16) for p in params]  # AnyPrecision's sign
        self.kind, self.kw, self.mode, self.seed, self.rng = kind, kw, mode, seed, rng
        self.step_no = 0
        self.n = sum(p.numel() for p in params)

    def step(self, grads):
        self.step_no += 1
        prefix = 0
        for i, g in enumerate(grads):
            w = self.w[i]
            if self.kind == "sgd":
                u, self.m[i] = sgd16_step(w, g, self.m[i], self.step_no, **self.kw)
            else:
                u, self.m[i], self.v[i] = adamw16_step(w, g, self.m[i], self.v[i],
                                                       self.step_no, **self.kw)
            if self.mode == "nearest":
                self.w[i] = w + u
            elif self.mode == "stochastic":
                # SR(w + u) with the bits of element sr_offset + i, as
                # lpk.f32_to_bf16; sr_offset = prefix + (step - 1) * N
                off = prefix + (self.step_no - 1) * self.n
                self.w[i] = lpk.f32_to_bf16((w.float() + u.float()).contiguous(), "stochastic",
                                            seed=self.seed, offset=off, rng=self.rng)
            else:
                # AnyPrecisionAdamW's Kahan summation, every op in bf16:
                #   comp += u; p_old = p; p += comp; comp += p_old - p
                # (its comp is the negative of lpk's: lpk's weight is w - comp)
                comp = self.c[i] + u
                self.w[i] = w + comp
                self.c[i] = comp + (w - self.w[i])
            prefix += g.numel()


def with_ars(*values):
    """A parameter set that needs the ARS generator (skipped without it)."""
    return pytest.param(*values, marks=pytest.mark.skipif(
        not lo.HAS_ARS, reason="liblpk without the ARS generator: not tested"))


@pytest.mark.parametrize("mode,rng", [("nearest", "philox"), ("stochastic", "philox"),
                                      with_ars("stochastic", "ars"), ("kahan", "philox"),
                                      with_ars("nearest", "ars")])
@pytest.mark.parametrize("kind,kw", [("sgd", dict(lr=0.05)),
                                     ("sgd", dict(lr=0.05, momentum=0.9, weight_decay=1e-2)),
                                     ("sgd", dict(lr=0.02, momentum=0.9, dampening=0.25)),
                                     ("sgd", dict(lr=0.05, momentum=0.8, nesterov=True,
                                                  weight_decay=1e-3)),
                                     ("adamw", dict(lr=1e-3)),
                                     ("adamw", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6,
                                                    weight_decay=0.1)),
                                     ("adamw", dict(lr=3e-3, weight_decay=0.0))])
def test_16bit_modes_bit_exact(mode, rng, kind, kw):
    params = make_params()
    ref = Ref16(params, kind, kw, mode, seed=11, rng=rng)
    cls = lo.SGD if kind == "sgd" else lo.AdamW
    opt = cls(params, mode=mode, seed=11, rng=rng, **kw)
    for gs in grads_for(params, 20):
        for p, g in zip(params, gs):
            p.grad = g.clone()
        opt.step()
        ref.step(gs)
        for i, p in enumerate(params):
            st = opt.state[p]
            assert torch.equal(bits(p.detach()), bits(ref.w[i])), f"weight {i}"
            if kind == "adamw" or kw.get("momentum"):
                key = "exp_avg" if kind == "adamw" else "momentum_buffer"
                assert torch.equal(bits(st[key]), bits(ref.m[i]))
            if kind == "adamw":
                assert torch.equal(bits(st["exp_avg_sq"]), bits(ref.v[i]))
            if mode == "kahan":
                assert torch.equal(st["kahan_comp"].float(), -ref.c[i].float())


def test_sr_offsets_documented_and_split_independent():
    """sr_offset = P_p + (s - 1) N, and the step is the same with the params
    in one group or updated one tensor per call (the fallback)."""
    params = make_params()
    opt = lo.SGD(params, lr=0.05, mode="stochastic", seed=3)
    grads = grads_for(params, 3)
    n = sum(p.numel() for p in params)
    run(opt, params, grads)
    prefix = 0
    for p in params:
        assert opt.state[p]["sr_offset"] == prefix + 3 * n
        assert opt.state[p]["step"] == 3
        prefix += p.numel()
    # per-tensor fallback == multi-tensor call (when the library has it)
    params2 = make_params()
    opt2 = lo.SGD(params2, lr=0.05, mode="stochastic", seed=3)
    opt2._fns = lambda: (None, lpk._lib.lpk_sgd_step)
    run(opt2, params2, grads)
    for p, q in zip(params, params2):
        assert torch.equal(bits(p.detach()), bits(q.detach()))


def test_kahan_beats_nearest_on_tiny_updates():
    w0 = torch.full((4096,), 1.0, dtype=BF16)
    res = {}
    for mode in ["nearest", "stochastic", "kahan", "fp32-master"]:
        p = torch.nn.Parameter(w0.clone())
        opt = lo.SGD([p], lr=1.0, mode=mode)
        for _ in range(100):
            p.grad = torch.full_like(p, -1e-3)  # 1e-3 < half a bf16 ulp of 1.0 (2^-8)
            opt.step()
        w = p.detach().float()
        if mode == "kahan":
            w = w - opt.state[p]["kahan_comp"].float()
        if mode == "fp32-master":
            w = opt.state[p]["master_weight"]
        res[mode] = w.mean().item()
    assert res["nearest"] == 1.0
    assert abs(res["kahan"] - 1.1) < 4e-3
    assert abs(res["stochastic"] - 1.1) < 4e-3
    assert abs(res["fp32-master"] - 1.1) < 1e-4


# --- fp32-arithmetic modes (libraries that have them) ---------------------------
# lpk.h: bf16 storage, every op in fp32 (torch fp32 ops: one rounding each, no
# FMA), each stored value rounded once; state SR streams keyed by seed ^ K.

SEED_M, SEED_V = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9


def sr32(x, seed, off, rng="philox"):
    return lpk.f32_to_bf16(x.contiguous(), "stochastic", seed=seed, offset=off, rng=rng)


class RefF32:
    def __init__(self, params, kind, kw, mode, state_sr, seed, rng="philox"):
        self.w = [p.detach().clone() for p in params]
        self.m = [torch.zeros_like(p, dtype=BF16) for p in params]
        self.v = [torch.zeros_like(p, dtype=BF16) for p in params]
        self.c = [torch.zeros_like(p, dtype=BF16) for p in params]
        self.kind, self.kw, self.mode, self.sr, self.seed = kind, kw, mode, state_sr, seed
        self.rng = rng
        self.step_no, self.n = 0, sum(p.numel() for p in params)

    def st(self, x, seed, off):
        return sr32(x, seed, off, self.rng) if self.sr else r(x)

    def step(self, grads):
        self.step_no += 1
        s, kw, prefix = self.step_no, self.kw, 0
        for i, g in enumerate(grads):
            off = prefix + (s - 1) * self.n
            W, g = self.w[i].float(), g.float()
            if self.kind == "sgd":
                wd, mom = f32(kw.get("weight_decay", 0.0)), f32(kw.get("momentum", 0.0))
                omd = f32(1.0 - f32(kw.get("dampening", 0.0)))
                if wd != 0:
                    g = g + wd * W
                d = g
                if mom != 0:
                    B = g if s == 1 else mom * self.m[i].float() + omd * g
                    self.m[i] = self.st(B, self.seed ^ SEED_M, off)
                    d = g + mom * B if kw.get("nesterov") else B
                u = -f32(kw["lr"]) * d
            else:
                b1, b2 = (f32(b) for b in kw.get("betas", (0.9, 0.999)))
                lr, wd = f32(kw["lr"]), f32(kw.get("weight_decay", 1e-2))
                eps = f32(kw.get("eps", 1e-8))
                M = b1 * self.m[i].float() + f32(1.0 - b1) * g
                V = b2 * self.v[i].float() + f32(1.0 - b2) * (g * g)
                nss = f32(-lr / (1.0 - b1 ** s))
                isb2 = f32(1.0 / math.sqrt(1.0 - b2 ** s))
                u = nss * (M / (V.sqrt() * isb2 + eps))
                if wd != 0:
                    u = u - f32(lr * wd) * W
                self.m[i] = self.st(M, self.seed ^ SEED_M, off)
                self.v[i] = self.st(V, self.seed ^ SEED_V, off)
            if self.mode == "fp32-arith-nearest":
                self.w[i] = r(W + u)
            elif self.mode == "fp32-arith-stochastic":
                self.w[i] = sr32(W + u, self.seed, off, self.rng)
            else:
                y = u - self.c[i].float()
                self.w[i] = r(W + y)
                self.c[i] = r((self.w[i].float() - W) - y)
            prefix += g.numel()


@pytest.mark.skipif(not lo.HAS_FP32_ARITH, reason="liblpk without the fp32-arith update modes "
                    "(LPK_UPDATE_F32_*): not tested")
@pytest.mark.parametrize("mode", ["fp32-arith-nearest", "fp32-arith-stochastic",
                                  "fp32-arith-kahan"])
@pytest.mark.parametrize("state_sr,rng", [(False, "philox"), (True, "philox"),
                                          with_ars(True, "ars"), with_ars(False, "ars")])
@pytest.mark.parametrize("kind,kw", [("sgd", dict(lr=0.05, momentum=0.9, weight_decay=1e-2)),
                                     ("sgd", dict(lr=0.05, momentum=0.8, nesterov=True)),
                                     ("adamw", dict(lr=1e-2)),
                                     ("adamw", dict(lr=3e-3, betas=(0.8, 0.99), eps=1e-6,
                                                    weight_decay=0.0))])
def test_fp32_arith_modes_bit_exact(kind, kw, mode, state_sr, rng):
    params = make_params()
    ref = RefF32(params, kind, kw, mode, state_sr, seed=21, rng=rng)
    cls = lo.SGD if kind == "sgd" else lo.AdamW
    opt = cls(params, mode=mode, state_sr=state_sr, seed=21, rng=rng, **kw)
    for gs in grads_for(params, 20):
        for p, g in zip(params, gs):
            p.grad = g.clone()
        opt.step()
        ref.step(gs)
        for i, p in enumerate(params):
            st = opt.state[p]
            assert torch.equal(bits(p.detach()), bits(ref.w[i])), f"weight {i}"
            key = "exp_avg" if kind == "adamw" else "momentum_buffer"
            assert torch.equal(bits(st[key]), bits(ref.m[i])), key
            if kind == "adamw":
                assert torch.equal(bits(st["exp_avg_sq"]), bits(ref.v[i]))
            if mode == "fp32-arith-kahan":
                assert torch.equal(bits(st["kahan_comp"]), bits(ref.c[i]))


# --- groups, schedulers, state_dict -------------------------------------------------

def test_param_groups_and_scheduler_match_torch():
    params = make_params()
    ref = [torch.nn.Parameter(p.detach().float()) for p in params]
    groups = lambda ps: [{"params": ps[:2]}, {"params": ps[2:], "lr": 0.01, "momentum": 0.5}]
    opt = lo.SGD(groups(params), lr=0.1, momentum=0.9, mode="fp32-master")
    topt = torch.optim.SGD(groups(ref), lr=0.1, momentum=0.9)
    sch = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    tsch = torch.optim.lr_scheduler.StepLR(topt, step_size=3, gamma=0.5)
    for gs in grads_for(params, 10):
        for p, q, g in zip(params, ref, gs):
            p.grad, q.grad = g.clone(), g.float()
        opt.step()
        topt.step()
        sch.step()
        tsch.step()
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5 ** 3)
    assert opt.param_groups[0]["seed"] == 0 and opt.param_groups[1]["seed"] == 1
    for p, q in zip(params, ref):
        m, q = opt.state[p]["master_weight"], q.detach()
        assert ((m - q).norm() / q.norm()).item() <= 2e-6


def test_params_without_grad_are_skipped():
    params = make_params()
    opt = lo.AdamW(params, lr=1e-2, mode="kahan")
    before = params[1].detach().clone()
    for p in params:
        p.grad = None if p is params[1] else torch.ones_like(p)
    opt.step()
    assert torch.equal(params[1].detach(), before) and params[1] not in opt.state
    assert opt.state[params[0]]["step"] == 1


def _save(opt):
    buf = io.BytesIO()
    torch.save(opt.state_dict(), buf)
    buf.seek(0)
    return torch.load(buf)


@pytest.mark.skipif(not lo.HAS_ARS, reason="liblpk without the ARS generator: not tested")
def test_rng_travels_in_the_state_dict():
    """A group's generator is saved and loaded with it; a state_dict from
    before the option (no "rng") loads as Philox, its bits then."""
    params = make_params()
    grads = grads_for(params, 6)
    opt = lo.AdamW(params, lr=1e-2, mode="stochastic", seed=4, rng="ars")
    run(opt, params, grads[:3])
    saved, saved_w = _save(opt), [p.detach().clone() for p in params]
    run(opt, params, grads[3:])
    for rng_saved in ("ars", None):
        sd = copy.deepcopy(saved)
        if rng_saved is None:
            for g in sd["param_groups"]:
                del g["rng"]
        params2 = [torch.nn.Parameter(w.clone()) for w in saved_w]
        opt2 = lo.AdamW(params2, lr=1e-2, mode="stochastic", seed=4, rng="philox")
        opt2.load_state_dict(sd)
        assert all(g["rng"] == (rng_saved or "philox") for g in opt2.param_groups)
        run(opt2, params2, grads[3:])
        same = all(torch.equal(bits(p.detach()), bits(q.detach()))
                   for p, q in zip(params, params2))
        assert same == (rng_saved == "ars")


@pytest.mark.parametrize("mode", ALL_MODES)
@pytest.mark.parametrize("cls,kw", [(lo.SGD, dict(lr=0.05, momentum=0.9)),
                                    (lo.AdamW, dict(lr=1e-2))])
def test_state_dict_roundtrip_bit_identical(cls, kw, mode):
    params = make_params()
    grads = grads_for(params, 10)
    opt = cls(params, mode=mode, seed=9, **kw)
    run(opt, params, grads[:5])
    saved, saved_w = _save(opt), [p.detach().clone() for p in params]
    run(opt, params, grads[5:])

    params2 = [torch.nn.Parameter(w.clone()) for w in saved_w]
    opt2 = cls(params2, mode="nearest", seed=123, lr=0.5)  # all overwritten by the load
    opt2.load_state_dict(saved)
    for p in params2:
        for key, val in opt2.state[p].items():
            if key in ("master_weight",) or (mode == "fp32-master" and
                                              key in ("exp_avg", "exp_avg_sq",
                                                      "momentum_buffer")):
                assert val.dtype == F32, key
    run(opt2, params2, grads[5:])
    for p, q in zip(params, params2):
        assert torch.equal(bits(p.detach()), bits(q.detach()))
        s, t = opt.state[p], opt2.state[q]
        assert s.keys() == t.keys()
        for key in s:
            if isinstance(s[key], torch.Tensor):
                assert s[key].dtype == t[key].dtype and torch.equal(s[key], t[key]), key
            else:
                assert s[key] == t[key], key


def test_mode_change_converts_state():
    params = make_params()
    grads = grads_for(params, 4)
    opt = lo.AdamW(params, lr=1e-2, mode="fp32-master")
    run(opt, params, grads[:2])
    masters = [opt.state[p]["master_weight"].clone() for p in params]
    opt.param_groups[0]["mode"] = "kahan"
    run(opt, params, grads[2:3])
    for p, m in zip(params, masters):
        st = opt.state[p]
        assert "master_weight" not in st and st["exp_avg"].dtype == BF16
        assert st["mode"] == "kahan" and st["step"] == 3
        # the Kahan pair started from the master: w - comp is close to it
        assert ((p.detach().float() - st["kahan_comp"].float() - m).abs() < 0.05).all()


# --- errors ---------------------------------------------------------------------------

def test_errors():
    with pytest.raises(lpk.LpkTypeError, match="torch.bfloat16 parameters"):
        lo.SGD([torch.nn.Parameter(torch.zeros(3))], lr=0.1)
    with pytest.raises(lpk.LpkValueError, match="not contiguous"):
        lo.SGD([torch.nn.Parameter(torch.zeros(3, 4, dtype=BF16).t())], lr=0.1)
    with pytest.raises(lpk.LpkValueError, match="device 'meta'"):
        lo.SGD([torch.nn.Parameter(torch.zeros(3, dtype=BF16, device="meta"))], lr=0.1)
    with pytest.raises(ValueError, match="mode 'fp16'"):
        lo.AdamW(make_params(), mode="fp16")
    with pytest.raises(ValueError, match="state_sr"):
        lo.AdamW(make_params(), mode="kahan", state_sr=True)
    with pytest.raises(ValueError, match="Nesterov"):
        lo.SGD(make_params(), lr=0.1, nesterov=True)
    with pytest.raises(lpk.LpkValueError, match="rng 'pcg'"):
        lo.SGD(make_params(), lr=0.1, mode="stochastic", rng="pcg")
    with pytest.raises(lpk.LpkValueError, match="rng 'pcg'"):
        lo.SGD(make_params(), lr=0.1).add_param_group(dict(params=make_params(), rng="pcg"))
    if not lo.HAS_FP32_ARITH:
        with pytest.raises(lpk.LpkError, match="fp32-arithmetic"):
            lo.AdamW(make_params(), mode="fp32-arith-kahan")
    # the library's own refusal: status and lpk_last_error() come through
    params = make_params()
    opt = lo.SGD(params, lr=float("nan"))
    for p in params:
        p.grad = torch.ones_like(p)
    with pytest.raises(lpk.LpkError, match="lr") as ei:
        opt.step()
    assert ei.value.status == lpk.LPK_EINVAL
    # two parameters sharing memory
    base = torch.zeros(10, dtype=BF16)
    a, b = torch.nn.Parameter(base[:6]), torch.nn.Parameter(base[4:])
    opt = lo.SGD([a, b], lr=0.1)
    a.grad, b.grad = torch.ones(6, dtype=BF16), torch.ones(6, dtype=BF16)
    with pytest.raises(lpk.LpkValueError, match="share memory"):
        opt.step()
    # a loaded state that does not fit
    params = make_params()
    opt = lo.AdamW(params, mode="kahan")
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()
    sd = opt.state_dict()
    sd["state"][0]["exp_avg"] = torch.zeros(3, dtype=BF16)
    opt.load_state_dict(sd)
    with pytest.raises(lpk.LpkValueError, match="exp_avg"):
        opt.step()


def test_noncontiguous_gradient_is_read_correctly():
    p1 = torch.nn.Parameter(torch.randn(6, 5).to(BF16))
    p2 = torch.nn.Parameter(p1.detach().clone())
    g = torch.randn(5, 6).to(BF16)
    o1, o2 = lo.SGD([p1], lr=0.1), lo.SGD([p2], lr=0.1)
    p1.grad, p2.grad = g.t(), g.t().contiguous()
    o1.step()
    o2.step()
    assert torch.equal(bits(p1.detach()), bits(p2.detach()))
