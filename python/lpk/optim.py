# SPDX-License-Identifier: Apache-2.0
"""torch.optim optimizers over bf16 parameters, one lpk call per param group.

    opt = lpk.optim.AdamW(model.parameters(), lr=1e-3, mode="kahan")
    opt = lpk.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, mode="stochastic", seed=7,
                        rng="ars")

Parameters (and their gradients) must be torch.bfloat16 CPU tensors;
parameters must be contiguous (they are updated in place; a non-contiguous
gradient is copied).

Modes (`mode=`, per param group; lpk.h defines each op):
  "nearest"                the "16-bit FPU": every op of the step rounded to
                           bf16 (nearest even), state m / v in bf16
  "stochastic"             the same, the weight write rounded stochastically
  "kahan"                  the same, the weight write Kahan-compensated with a
                           bf16 buffer (state["kahan_comp"], weight = w - comp)
  "fp32-master"            fp32 master weights and fp32 state; the bf16 param
                           receives bf16(master) after each step
  "fp32-arith-nearest"     bf16 weights and state, each step computed in fp32,
  "fp32-arith-stochastic"  each stored value rounded once: the weight with
  "fp32-arith-kahan"       nearest / SR / Kahan, the state with nearest (or
                           SR with state_sr=True).  Needs a liblpk that has
                           these modes (lpk.optim.HAS_FP32_ARITH).

Stochastic rounding is reproducible.  Each param group draws from one stream
of the generator group["rng"] keyed by group["seed"] (default: the
optimizer's `seed` plus the group's index).  rng="philox" (Philox4x32-10,
the default: earlier results bit for bit) or "ars" (ARS-7, LPK_UPDATE_RNG_ARS:
recommended, the bits cost a fraction of the step where the CPU has AES
instructions, where Philox's cost more than the step itself on AVX2; needs
a liblpk that has it, lpk.optim.HAS_ARS).  The generator applies wherever a
mode draws bits (the stochastic modes, state_sr) and is ignored elsewhere.
Element i of the group's p-th parameter uses, at that parameter's s-th step
(s = 1, 2, ...), the stream position
    state["sr_offset"] + i,   state["sr_offset"] = P_p + (s - 1) * N
where P_p is the number of elements of the parameters before it in the group
and N the group's total element count: a step of the group rounds like one
flat tensor of all its parameters at offset (s - 1) * N, so no two elements
of any step ever share random bits.  The offset is kept in the state (and in
state_dict()); it advances by N after each step.  Results do not depend on
the thread count or on whether the multi-tensor call is available.

One call per group and step: lpk_sgd_step_multi / lpk_adamw_step_multi when
the library exports them (lpk.optim.HAS_MULTI), else one call per tensor.
(Parameters of a group whose step counts differ, AdamW only, are updated in
one call per distinct step.)

State (per parameter, in state_dict()): "step" (int), "sr_offset" (int),
"mode" (the mode the buffers are for), and the buffers: SGD
"momentum_buffer" (when momentum != 0), AdamW "exp_avg" and "exp_avg_sq" (bf16,
or fp32 in fp32-master mode), "kahan_comp" (bf16; kahan modes),
"master_weight" (fp32; fp32-master).  load_state_dict() keeps every buffer's
dtype (torch.optim's would cast fp32 buffers to the bf16 of the parameter).
Changing a group's mode converts the state at the next step: the weight the
old buffers represent (master, or w - comp) becomes the new master / Kahan
pair, and moments change dtype (rounded to nearest).
"""
import ctypes
from itertools import chain

import torch

from . import _lib
from ._lib import LpkError
from .core import LpkTypeError, LpkValueError, check_rng

HAS_MULTI = _lib.HAS_MULTI
HAS_FP32_ARITH = _lib.HAS_F32_MODES
HAS_ARS = _lib.HAS_ARS

MODES = {
    "nearest": _lib.LPK_UPDATE_NEAREST,
    "stochastic": _lib.LPK_UPDATE_STOCHASTIC,
    "kahan": _lib.LPK_UPDATE_KAHAN,
    "fp32-master": _lib.LPK_UPDATE_FP32,
    "fp32-arith-nearest": _lib.LPK_UPDATE_F32_NEAREST,
    "fp32-arith-stochastic": _lib.LPK_UPDATE_F32_STOCHASTIC,
    "fp32-arith-kahan": _lib.LPK_UPDATE_F32_KAHAN,
}
_KAHAN = ("kahan", "fp32-arith-kahan")
_MASK64 = (1 << 64) - 1


def _check_mode(mode, state_sr):
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    if mode.startswith("fp32-arith") and not HAS_FP32_ARITH:
        raise LpkError(_lib.LPK_ENOTSUP, f"mode {mode!r} needs a liblpk with the fp32-arithmetic "
                       f"update modes; {_lib.library_path} (version "
                       f"{_lib.lpk_version().decode()}) refuses them")
    if state_sr and not mode.startswith("fp32-arith"):
        raise ValueError(f"state_sr=True applies to the fp32-arith modes only, not {mode!r}")


def _check_group(g, func):
    """A param group's mode, state_sr and generator, checked."""
    _check_mode(g["mode"], g["state_sr"])
    check_rng(g["rng"], func)


def _check_param(p, func):
    if p.device.type != "cpu":
        raise LpkValueError(f"parameter on device '{p.device}': lpk runs on the CPU", func)
    if p.dtype != torch.bfloat16:
        raise LpkTypeError(f"parameter of dtype {p.dtype}: lpk optimizers update "
                           f"torch.bfloat16 parameters (model.to(torch.bfloat16))", func)
    if p.layout != torch.strided:
        raise LpkTypeError(f"parameter of layout {p.layout}: only dense tensors", func)
    if not p.is_contiguous():
        raise LpkValueError(f"parameter of shape {tuple(p.shape)} with strides {p.stride()} "
                            f"is not contiguous: lpk updates it in place and needs it so", func)


def _grad_of(p, func):
    g = p.grad
    if g.is_sparse or g.layout != torch.strided:
        raise LpkTypeError("sparse gradients are not supported", func)
    if g.device.type != "cpu":
        raise LpkValueError(f"gradient on device '{g.device}'", func)
    if g.dtype not in (torch.bfloat16, torch.float32):
        raise LpkTypeError(f"gradient of dtype {g.dtype}: expected bfloat16 or float32", func)
    if g.shape != p.shape:
        raise LpkValueError(f"gradient of shape {tuple(g.shape)} for a parameter of shape "
                            f"{tuple(p.shape)}", func)
    if g.is_neg() or g.is_conj():
        g = g.resolve_neg()
    if not g.is_contiguous():
        g = g.contiguous()  # an input: a copy is read the same way
    return g


def _check_buf(st, key, p, dtype, func):
    b = st[key]
    if (not isinstance(b, torch.Tensor) or b.dtype != dtype or b.shape != p.shape
            or b.device.type != "cpu" or not b.is_contiguous()):
        desc = (f"{b.dtype} {tuple(b.shape)} on {b.device}, contiguous={b.is_contiguous()}"
                if isinstance(b, torch.Tensor) else type(b).__name__)
        raise LpkValueError(f"state[{key!r}] is {desc}; expected a contiguous {dtype} CPU tensor "
                            f"of shape {tuple(p.shape)} (a state_dict from another model?)", func)
    return b.data_ptr()


def _overlap_check(items, func):
    """Refuses parameters of one step that share memory (lpk updates each
    tensor independently; aliased ones would be updated twice)."""
    rng = sorted((p.data_ptr(), p.data_ptr() + p.numel() * p.element_size())
                 for p in items if p.numel() > 0)
    for (lo1, hi1), (lo2, hi2) in zip(rng, rng[1:]):
        if lo2 < hi1:
            raise LpkValueError("two parameters share memory (views of one tensor?); lpk "
                                "would update the shared elements twice", func)


class _LpkOptimizer(torch.optim.Optimizer):
    _state_keys = ()  # moment buffers, set by the subclass

    def __init__(self, params, defaults, mode, state_sr, seed, rng):
        _check_group(dict(mode=mode, state_sr=state_sr, rng=rng), type(self).__name__)
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= _MASK64:
            raise ValueError(f"seed {seed!r}: expected an integer in [0, 2^64)")
        defaults = dict(defaults, mode=mode, state_sr=bool(state_sr), seed=seed, rng=rng)
        super().__init__(params, defaults)

    def add_param_group(self, param_group):
        if "seed" not in param_group:
            param_group["seed"] = (self.defaults["seed"] + len(self.param_groups)) & _MASK64
        super().add_param_group(param_group)
        g = self.param_groups[-1]
        _check_group(g, type(self).__name__)
        for p in g["params"]:
            _check_param(p, type(self).__name__)

    # --- state -----------------------------------------------------------------
    def _wanted(self, group):
        """{key: dtype} of the buffers the group's mode needs: the optimizer's
        state (_state_wanted), then the weight's own (Kahan compensation,
        fp32 master copy)."""
        mode = group["mode"]
        out = self._state_wanted(group)
        if mode in _KAHAN:
            out["kahan_comp"] = torch.bfloat16
        if mode == "fp32-master":
            out["master_weight"] = torch.float32
        return out

    def _state_wanted(self, group):
        """{key: dtype} of the optimizer's state buffers (momentum, moments)."""
        raise NotImplementedError

    def _prepare_state(self, p, group, prefix):
        st = self.state[p]
        mode = group["mode"]
        if not st:
            st["step"] = 0
            st["sr_offset"] = prefix
            st["mode"] = mode
        if st.get("mode") != mode:
            self._convert_state(p, st, mode)
        created = set()
        for key, dtype in self._wanted(group).items():
            if key not in st:
                created.add(key)
                if key == "master_weight":
                    st[key] = p.detach().float()
                else:
                    st[key] = torch.zeros_like(p, dtype=dtype, memory_format=torch.contiguous_format)
        return st, created

    def _convert_state(self, p, st, mode):
        with torch.no_grad():
            if "master_weight" in st:
                w32 = st.pop("master_weight")
            elif "kahan_comp" in st:
                w32 = p.float() - st.pop("kahan_comp").float()
            else:
                w32 = None
            st.pop("kahan_comp", None)
            if w32 is not None:
                if mode == "fp32-master":
                    st["master_weight"] = w32
                    p.copy_(w32)
                elif mode in _KAHAN:
                    from .core import kahan_split
                    w, c = kahan_split(w32.contiguous())
                    p.copy_(w)
                    st["kahan_comp"] = c
                else:
                    p.copy_(w32)
            dt = torch.float32 if mode == "fp32-master" else torch.bfloat16
            for key in self._state_keys:
                if key in st:
                    st[key] = st[key].to(dt).contiguous()
            st["mode"] = mode

    def load_state_dict(self, state_dict):
        """As torch.optim.Optimizer.load_state_dict, but every buffer keeps its
        saved dtype (fp32 master weights and moments stay fp32)."""
        saved_groups = state_dict["param_groups"]
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in self.param_groups)))
        super().load_state_dict(state_dict)
        for k, v in state_dict["state"].items():
            p = id_map.get(k)
            if p is None:
                continue
            for key, val in v.items():
                if isinstance(val, torch.Tensor):
                    self.state[p][key] = val.detach().to(device=p.device).clone(
                        memory_format=torch.contiguous_format)
        for g in self.param_groups:
            g.setdefault("rng", "philox")  # a state_dict from before the option
            _check_group(g, type(self).__name__)

    # --- step -----------------------------------------------------------------
    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group):
        func = type(self).__name__ + ".step"
        _check_group(group, func)
        mode = MODES[group["mode"]] | (_lib.LPK_UPDATE_STATE_SR if group["state_sr"] else 0)
        draws = group["mode"] in ("stochastic", "fp32-arith-stochastic") or group["state_sr"]
        if group["rng"] == "ars" and draws:
            mode |= _lib.LPK_UPDATE_RNG_ARS
        n_group = sum(p.numel() for p in group["params"])
        prefix = 0
        buckets = {}  # call step -> [(p, state, struct fields, grad)]
        stepped = []
        for p in group["params"]:
            start, prefix = prefix, prefix + p.numel()
            if p.grad is None:
                continue
            _check_param(p, func)
            g = _grad_of(p, func)
            st, created = self._prepare_state(p, group, start)
            t = _lib.lpk_opt_tensor()
            t.n = p.numel()
            t.w = p.data_ptr()
            if g.dtype == torch.bfloat16:
                t.grad = g.data_ptr()
            else:
                t.grad32 = g.data_ptr()
            for key, dtype in self._wanted(group).items():
                setattr(t, self._field[key][dtype == torch.float32],
                        _check_buf(st, key, p, dtype, func))
            call_step = self._call_step(st["step"] + 1, created)
            buckets.setdefault(call_step, []).append((p, st, t, g))
            stepped.append(p)
        if not stepped:
            return
        _overlap_check(stepped, func)
        seed = group["seed"] & _MASK64
        for call_step in sorted(buckets):
            items = buckets[call_step]
            params = self._params(group, call_step)
            arr = (_lib.lpk_opt_tensor * len(items))(*(t for _, _, t, _ in items))
            offs = (ctypes.c_uint64 * len(items))(*(st["sr_offset"] & _MASK64
                                                   for _, st, _, _ in items))
            self._call(params, mode, arr, offs, len(items), seed, func)
            for _, st, _, _ in items:
                st["step"] += 1
                st["sr_offset"] = (st["sr_offset"] + n_group) & _MASK64

    def _call(self, params, mode, arr, offs, count, seed, func):
        multi, single = self._fns()
        pp = ctypes.byref(params)
        if multi is not None:
            _lib.check(multi(pp, mode, arr, count, seed, offs), func)
            return
        for i in range(count):
            _lib.check(single(pp, mode, ctypes.byref(arr[i]), seed, offs[i]), func)


class SGD(_LpkOptimizer):
    """torch.optim.SGD's semantics (momentum, dampening, nesterov,
    weight_decay) over bf16 parameters, computed by lpk (lpk_sgd_step):

        opt = lpk.optim.SGD(params, lr=0.1, momentum=0.9, mode="kahan")

    mode, state_sr, seed, rng: see the module documentation."""

    _state_keys = ("momentum_buffer",)
    _field = {"momentum_buffer": ("m", "m32"), "kahan_comp": ("comp", None),
              "master_weight": (None, "master")}

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, *, mode="nearest", state_sr=False, seed=0, rng="philox"):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults, mode, state_sr, seed, rng)

    def _state_wanted(self, group):
        out = {}
        if group["momentum"] != 0:
            fp32 = group["mode"] == "fp32-master"
            out["momentum_buffer"] = torch.float32 if fp32 else torch.bfloat16
        return out

    @staticmethod
    def _call_step(step, created):
        # SGD reads `step` only to tell step 1 (which initialises the momentum
        # buffer from the gradient, as torch does) from the others: a buffer
        # created now (momentum switched on later) is initialised the same way.
        return 1 if (step == 1 or "momentum_buffer" in created) else 2

    @staticmethod
    def _params(group, step):
        return _lib.lpk_sgd_params(float(group["lr"]), float(group["momentum"]),
                                   float(group["dampening"]), float(group["weight_decay"]),
                                   int(bool(group["nesterov"])), step)

    @staticmethod
    def _fns():
        return _lib.lpk_sgd_step_multi, _lib.lpk_sgd_step


class AdamW(_LpkOptimizer):
    """torch.optim.AdamW's semantics (decoupled weight decay, bias correction)
    over bf16 parameters, computed by lpk (lpk_adamw_step):

        opt = lpk.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                              weight_decay=1e-2, mode="fp32-arith-stochastic")

    mode, state_sr, seed, rng: see the module documentation."""

    _state_keys = ("exp_avg", "exp_avg_sq")
    _field = {"exp_avg": ("m", "m32"), "exp_avg_sq": ("v", "v32"),
              "kahan_comp": ("comp", None), "master_weight": (None, "master")}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 *, mode="nearest", state_sr=False, seed=0, rng="philox"):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0 or not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameters: {betas}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults, mode, state_sr, seed, rng)

    def _state_wanted(self, group):
        dt = torch.float32 if group["mode"] == "fp32-master" else torch.bfloat16
        return {"exp_avg": dt, "exp_avg_sq": dt}

    @staticmethod
    def _call_step(step, created):
        return step

    @staticmethod
    def _params(group, step):
        b1, b2 = group["betas"]
        return _lib.lpk_adamw_params(float(group["lr"]), float(b1), float(b2), float(group["eps"]),
                                     float(group["weight_decay"]), step)

    @staticmethod
    def _fns():
        return _lib.lpk_adamw_step_multi, _lib.lpk_adamw_step
