#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Optimizer-step benchmark: lpk.optim (one fused pass per tensor, one call per
param group) against torch.optim with foreach=True, on the same bf16
parameter list: the 144 tensors of a 12-layer transformer block stack
(d = 768, MLP 3072; qkv, proj, fc1, fc2 weights and biases, two LayerNorms:
85M parameters), at 1 and 2 threads (torch.set_num_threads and
lpk.set_num_threads).

  SGD(momentum=0.9) and AdamW: torch foreach on bf16 params vs lpk "nearest"
    (both round every stored value to bf16; lpk's fp32-arith-nearest too when
    the library has it).
  Kahan and stochastic rounding, which torch.optim cannot express: the
    torch-ops recipes training code uses vs lpk's modes:
      kahan  AnyPrecisionAdamW's compensated update (bf16 state, in-place
             bf16 ops, per tensor) / its SGD analogue, vs lpk "kahan"
      sr     torchao-style: the step in fp32, state stored bf16 (nearest),
             weight rounded stochastically with 16 random bits from
             torch.randint, vs lpk "stochastic" (and fp32-arith-* when present)

Every figure is the median of --reps timed steps (after one warm-up step) of
optimizer.step() with the gradients in place; GB/s counts the bytes a single
fused pass must move (bf16: w, g, state read; w, state written), and
"x copy" puts it next to the copy bandwidth torch gets in the same run
(Tensor.copy_ of 256 MiB bf16, same thread count): a fused pass at "x copy"
1.0 moves its bytes as fast as that copy does (lpk's passes stream their
stores past the caches, so they can exceed 1.0).
Output: one JSON line per measurement (stdout, or --json FILE) and a table.

usage: PYTHONPATH=python LPK_LIBRARY=build/native-release/liblpk.so \\
         /usr/bin/python3 perf/bench_optim.py [--reps 5] [--threads 1,2] [--layers 12]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "python"))
import lpk  # noqa: E402
import lpk.optim as lo  # noqa: E402

BF16 = torch.bfloat16


def transformer_shapes(layers, d=768, ff=3072):
    per = [(3 * d, d), (3 * d,), (d, d), (d,), (d,), (d,), (d,), (d,),
           (ff, d), (ff,), (d, ff), (d,)]
    return per * layers


def make_params(shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    ps = []
    for s in shapes:
        p = torch.nn.Parameter((torch.randn(s, generator=g) * 0.02).to(BF16))
        p.grad = (torch.randn(s, generator=g) * 1e-3).to(BF16)
        ps.append(p)
    return ps


# --- torch-ops recipes (what training code writes without lpk) ----------------

class AnyPrecisionKahanAdamW(torch.optim.Optimizer):
    """AnyPrecisionAdamW (torchdistx) with bf16 state and Kahan summation."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["exp_avg"] = torch.zeros_like(p)
                    st["exp_avg_sq"] = torch.zeros_like(p)
                    st["compensation"] = torch.zeros_like(p)
                st["step"] += 1
                step, m, v, comp, g = st["step"], st["exp_avg"], st["exp_avg_sq"], \
                    st["compensation"], p.grad
                if wd:
                    p.mul_(1 - lr * wd)
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                step_size = lr / (1 - b1 ** step)
                denom = (v.sqrt() / (1 - b2 ** step) ** 0.5).add_(eps)
                comp.addcdiv_(m, denom, value=-step_size)
                tmp = p.detach().clone()
                p.add_(comp)
                comp.add_(tmp.sub_(p))


class KahanSGD(torch.optim.Optimizer):
    """The same compensated write for SGD with momentum (bf16 ops)."""

    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom = group["lr"], group["momentum"]
            for p in group["params"]:
                st = self.state[p]
                if not st:
                    st["momentum_buffer"] = p.grad.clone()
                    st["compensation"] = torch.zeros_like(p)
                else:
                    st["momentum_buffer"].mul_(mom).add_(p.grad)
                comp = st["compensation"]
                comp.add_(st["momentum_buffer"], alpha=-lr)
                tmp = p.detach().clone()
                p.add_(comp)
                comp.add_(tmp.sub_(p))


def sr_to_bf16_(dst, x32):
    """torchao's _fp32_to_bf16_sr: add 16 random bits below the bf16 lsb."""
    r = torch.randint(0, 1 << 16, x32.shape, dtype=torch.int32)
    bits = x32.view(torch.int32)
    frac = bits & 0xFFFF
    trunc = bits & -65536
    bits = torch.where(r < frac, trunc + 0x10000, trunc)
    dst.copy_(bits.view(torch.float32))


class SRAdamW(torch.optim.Optimizer):
    """torchao AdamW(bf16_stochastic_round=True): fp32 arithmetic, bf16 state."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
            for p in group["params"]:
                st = self.state[p]
                if not st:
                    st["step"] = 0
                    st["exp_avg"] = torch.zeros_like(p)
                    st["exp_avg_sq"] = torch.zeros_like(p)
                st["step"] += 1
                step = st["step"]
                g = p.grad.float()
                p32 = p.float()
                p32.mul_(1 - lr * wd)
                m = st["exp_avg"].float().lerp_(g, 1 - b1)
                v = st["exp_avg_sq"].float().lerp_(g.square(), 1 - b2)
                st["exp_avg"].copy_(m)
                st["exp_avg_sq"].copy_(v)
                denom = (v.sqrt_() / (1 - b2 ** step) ** 0.5).add_(eps)
                p32.addcdiv_(m, denom, value=-lr / (1 - b1 ** step))
                sr_to_bf16_(p, p32)


class SRSGD(torch.optim.Optimizer):
    """SGD with momentum in fp32 arithmetic, bf16 buffer, SR weight write."""

    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, mom = group["lr"], group["momentum"]
            for p in group["params"]:
                st = self.state[p]
                g = p.grad.float()
                if not st:
                    b = g
                    st["momentum_buffer"] = p.grad.clone()
                else:
                    b = st["momentum_buffer"].float().mul_(mom).add_(g)
                    st["momentum_buffer"].copy_(b)
                sr_to_bf16_(p, p.float().add_(b, alpha=-lr))


# --- cases -----------------------------------------------------------------------

SGD_KW = dict(lr=1e-2, momentum=0.9)
ADAMW_KW = dict(lr=1e-3, weight_decay=1e-2)


def cases():
    f32a = lo.HAS_FP32_ARITH
    out = [
        # (group, name, constructor, bytes per parameter of one fused pass)
        ("sgd", "torch foreach", lambda ps: torch.optim.SGD(ps, foreach=True, **SGD_KW), 10),
        ("sgd", "lpk nearest", lambda ps: lo.SGD(ps, mode="nearest", **SGD_KW), 10),
        ("adamw", "torch foreach", lambda ps: torch.optim.AdamW(ps, foreach=True, **ADAMW_KW), 14),
        ("adamw", "lpk nearest", lambda ps: lo.AdamW(ps, mode="nearest", **ADAMW_KW), 14),
        ("sgd-kahan", "torch recipe", lambda ps: KahanSGD(ps, **SGD_KW), 14),
        ("sgd-kahan", "lpk kahan", lambda ps: lo.SGD(ps, mode="kahan", **SGD_KW), 14),
        ("sgd-sr", "torch recipe", lambda ps: SRSGD(ps, **SGD_KW), 10),
        ("sgd-sr", "lpk stochastic", lambda ps: lo.SGD(ps, mode="stochastic", **SGD_KW), 10),
        ("adamw-kahan", "torch recipe", lambda ps: AnyPrecisionKahanAdamW(ps, **ADAMW_KW), 18),
        ("adamw-kahan", "lpk kahan", lambda ps: lo.AdamW(ps, mode="kahan", **ADAMW_KW), 18),
        ("adamw-sr", "torch recipe", lambda ps: SRAdamW(ps, **ADAMW_KW), 14),
        ("adamw-sr", "lpk stochastic", lambda ps: lo.AdamW(ps, mode="stochastic", **ADAMW_KW), 14),
    ]
    if lo.HAS_ARS:  # the recommended generator
        out += [
            ("sgd-sr", "lpk stochastic ars",
             lambda ps: lo.SGD(ps, mode="stochastic", rng="ars", **SGD_KW), 10),
            ("adamw-sr", "lpk stochastic ars",
             lambda ps: lo.AdamW(ps, mode="stochastic", rng="ars", **ADAMW_KW), 14),
        ]
    if f32a and lo.HAS_ARS:
        out += [
            ("sgd-sr", "lpk fp32-arith-stochastic ars",
             lambda ps: lo.SGD(ps, mode="fp32-arith-stochastic", rng="ars", **SGD_KW), 10),
            ("adamw-sr", "lpk fp32-arith-stochastic ars",
             lambda ps: lo.AdamW(ps, mode="fp32-arith-stochastic", rng="ars", **ADAMW_KW), 14),
        ]
    if f32a:
        out += [
            ("sgd", "lpk fp32-arith-nearest",
             lambda ps: lo.SGD(ps, mode="fp32-arith-nearest", **SGD_KW), 10),
            ("adamw", "lpk fp32-arith-nearest",
             lambda ps: lo.AdamW(ps, mode="fp32-arith-nearest", **ADAMW_KW), 14),
            ("sgd-kahan", "lpk fp32-arith-kahan",
             lambda ps: lo.SGD(ps, mode="fp32-arith-kahan", **SGD_KW), 14),
            ("sgd-sr", "lpk fp32-arith-stochastic",
             lambda ps: lo.SGD(ps, mode="fp32-arith-stochastic", **SGD_KW), 10),
            ("adamw-kahan", "lpk fp32-arith-kahan",
             lambda ps: lo.AdamW(ps, mode="fp32-arith-kahan", **ADAMW_KW), 18),
            ("adamw-sr", "lpk fp32-arith-stochastic",
             lambda ps: lo.AdamW(ps, mode="fp32-arith-stochastic", **ADAMW_KW), 14),
        ]
    order = ["sgd", "adamw", "sgd-kahan", "sgd-sr", "adamw-kahan", "adamw-sr"]
    return sorted(out, key=lambda c: order.index(c[0]))


def time_steps(opt, reps):
    opt.step()  # warm-up: allocates the state
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        opt.step()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), ts


def copy_gbps(reps):
    """Bytes moved per second (read + write) by Tensor.copy_ of 256 MiB of
    bf16, median of reps, at the current torch thread count."""
    src = torch.ones(128 << 20, dtype=torch.bfloat16)
    dst = torch.empty_like(src)
    dst.copy_(src)
    ts = []
    for _ in range(max(reps, 3)):
        t0 = time.perf_counter()
        dst.copy_(src)
        ts.append(time.perf_counter() - t0)
    return 2 * src.numel() * 2 / statistics.median(ts) / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=5, help="timed steps per case (median; >= 5)")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--layers", type=int, default=12, help="transformer layers (12: 85M params)")
    ap.add_argument("--only", default="", help="comma-separated case groups (sgd, adamw, ...)")
    ap.add_argument("--json", default=None, help="write the JSON lines here instead of stdout")
    a = ap.parse_args()
    shapes = transformer_shapes(a.layers)
    n = sum(torch.Size(s).numel() for s in shapes)
    threads = [int(t) for t in a.threads.split(",")]
    only = set(filter(None, a.only.split(",")))
    jf = open(a.json, "w") if a.json else sys.stdout
    meta = dict(bench="optim", params=n, tensors=len(shapes), torch=torch.__version__,
                lpk=lpk.version(), isa=lpk.isa(), multi=lo.HAS_MULTI,
                fp32_arith=lo.HAS_FP32_ARITH, variant=lpk.kernel_variant("update.adamw"))
    print(json.dumps(dict(meta, kind="meta")), file=jf, flush=True)
    rows = []
    for t in threads:
        torch.set_num_threads(t)
        lpk.set_num_threads(t)
        cbw = copy_gbps(a.reps)
        print(json.dumps(dict(bench="optim", case="copy", impl="torch copy_", threads=t,
                              gbps=cbw)), file=jf, flush=True)
        for group, name, make, bpp in cases():
            if only and group not in only:
                continue
            ps = make_params(shapes)
            opt = make(ps)
            med, ts = time_steps(opt, a.reps)
            rec = dict(bench="optim", case=group, impl=name, threads=t, params=n,
                       median_s=med, times_s=ts, gbps=bpp * n / med / 1e9,
                       bytes_per_param=bpp, copy_gbps=cbw)
            print(json.dumps(rec), file=jf, flush=True)
            rows.append(rec)
            del opt, ps
    # table: each case's speed-up over the torch row of its group and thread count
    print(f"\nOptimizer step, {n / 1e6:.1f}M bf16 parameters in {len(shapes)} tensors; "
          f"lpk {meta['lpk']} ({meta['isa']}, multi-tensor call: {meta['multi']}), "
          f"torch {meta['torch']}; median of {a.reps}")
    print(f"{'case':<12} {'implementation':<30} {'thr':>3} {'ms/step':>9} {'GB/s':>6} "
          f"{'x copy':>6} {'vs torch':>8}")
    base = {(r["case"], r["threads"]): r["median_s"] for r in rows
            if r["impl"].startswith("torch")}
    for r in rows:
        b = base.get((r["case"], r["threads"]))
        sp = f"{b / r['median_s']:.2f}x" if b else "-"
        print(f"{r['case']:<12} {r['impl']:<30} {r['threads']:>3} {r['median_s'] * 1e3:>9.1f} "
              f"{r['gbps']:>6.1f} {r['gbps'] / r['copy_gbps']:>6.2f} {sp:>8}")


if __name__ == "__main__":
    main()
