# SPDX-License-Identifier: Apache-2.0
"""Rounding, GEMM and library queries over numpy arrays and torch tensors.

bf16 data is a torch.bfloat16 tensor or a numpy uint16 array holding the bit
patterns (numpy has no bfloat16 dtype); fp32 data is torch.float32 /
numpy float32.  Every argument is checked before the call: dtype, device (CPU
only), memory layout, sizes, and overlap between inputs and outputs.  What
is refused raises LpkTypeError (wrong type or dtype) or LpkValueError (the
rest), both LpkError subclasses with status LPK_EINVAL; a failure inside the
library raises LpkError with its status and lpk_last_error().

Layouts: elementwise functions need C-contiguous data (stochastic rounding
draws the bits of element offset + i in memory order, so a strided view
would be ambiguous).  gemm takes any 2-D row-major matrix with unit column
stride (slices included) and also a transposed view such as x.t() or x.T,
which it passes to lpk as the transposed stored matrix (never misread).
"""
from . import _lib
from ._lib import LpkError, check

try:
    import numpy as np
except ImportError:  # numpy is optional when torch is used
    np = None
try:
    import torch
except ImportError:
    torch = None


class LpkTypeError(LpkError, TypeError):
    """Wrong argument type or dtype (status LPK_EINVAL)."""

    def __init__(self, message, func=None):
        super().__init__(_lib.LPK_EINVAL, message, func)


class LpkValueError(LpkError, ValueError):
    """Bad shape, layout, device, size or overlap (status LPK_EINVAL)."""

    def __init__(self, message, func=None):
        super().__init__(_lib.LPK_EINVAL, message, func)


class _Arr:
    """A checked view of a numpy array or torch tensor: pointer, element
    kind ('bf16' or 'f32'), shape and strides in elements."""
    __slots__ = ("obj", "kind", "lib", "ptr", "shape", "strides", "itemsize", "numel")

    def extent(self):
        """[lo, hi) byte range the array's elements occupy."""
        if self.numel == 0:
            return (self.ptr, self.ptr)
        span = sum((s - 1) * st for s, st in zip(self.shape, self.strides))
        return (self.ptr, self.ptr + (span + 1) * self.itemsize)

    def contiguous(self):
        expect = 1
        for s, st in zip(reversed(self.shape), reversed(self.strides)):
            if s != 1 and st != expect:
                return False
            expect *= s
        return True


def _is_torch(x):
    return torch is not None and isinstance(x, torch.Tensor)


def _is_numpy(x):
    return np is not None and isinstance(x, np.ndarray)


def as_arr(x, name, kinds, func, writable=False):
    """Checks x and returns an _Arr.  kinds: the accepted element kinds."""
    a = _Arr()
    a.obj = x
    if _is_torch(x):
        if x.device.type != "cpu":
            raise LpkValueError(f"{name} is on device '{x.device}': lpk runs on the CPU "
                                f"(move it with .cpu())", func)
        if x.layout != torch.strided:
            raise LpkTypeError(f"{name} has layout {x.layout}: only dense (strided) tensors", func)
        if x.is_neg() or x.is_conj():
            raise LpkValueError(f"{name} is a lazily negated/conjugated view: call "
                                f".resolve_neg() first", func)
        kind = {torch.bfloat16: "bf16", torch.float32: "f32"}.get(x.dtype)
        if kind is None or kind not in kinds:
            raise LpkTypeError(f"{name} has dtype {x.dtype}; expected "
                               + " or ".join(_torch_names[k] for k in kinds), func)
        a.lib = "torch"
        a.ptr = x.data_ptr()
        a.shape = tuple(x.shape)
        a.strides = tuple(x.stride())
        a.itemsize = x.element_size()
        a.numel = x.numel()
    elif _is_numpy(x):
        kind = None
        if x.dtype == np.uint16:
            kind = "bf16"
        elif x.dtype == np.float32:
            kind = "f32"
        if kind is None or kind not in kinds:
            raise LpkTypeError(f"{name} has dtype {x.dtype}; expected "
                               + " or ".join(_numpy_names[k] for k in kinds), func)
        if not x.dtype.isnative:
            raise LpkTypeError(f"{name} is not in native byte order", func)
        if writable and not x.flags.writeable:
            raise LpkValueError(f"{name} is read-only", func)
        if any(st % x.itemsize for st in x.strides):
            raise LpkValueError(f"{name} has strides {x.strides} that are not a multiple "
                                f"of its element size", func)
        a.lib = "numpy"
        a.ptr = x.ctypes.data
        a.shape = tuple(x.shape)
        a.strides = tuple(st // x.itemsize for st in x.strides)
        a.itemsize = x.itemsize
        a.numel = int(x.size)
    else:
        raise LpkTypeError(f"{name} must be a numpy.ndarray or torch.Tensor, "
                           f"not {type(x).__name__}", func)
    if any(st < 0 for st, s in zip(a.strides, a.shape) if s > 1):
        raise LpkValueError(f"{name} has a negative stride", func)
    a.kind = kind
    return a


_torch_names = {"bf16": "torch.bfloat16", "f32": "torch.float32"}
_numpy_names = {"bf16": "numpy.uint16 (bf16 bit patterns)", "f32": "numpy.float32"}


def require_contiguous(a, name, func):
    if not a.contiguous():
        raise LpkValueError(f"{name} is not contiguous (shape {a.shape}, strides {a.strides}); "
                            f"pass .contiguous() / numpy.ascontiguousarray() of it", func)


def check_disjoint(func, *named):
    """Refuses any two of the named _Arr whose memory ranges overlap."""
    rng = [(n, a.extent()) for n, a in named if a is not None and a.numel > 0]
    for i in range(len(rng)):
        for j in range(i + 1, len(rng)):
            (n1, (lo1, hi1)), (n2, (lo2, hi2)) = rng[i], rng[j]
            if lo1 < hi2 and lo2 < hi1:
                raise LpkValueError(f"{n1} and {n2} overlap in memory", func)


def _empty_like(lib, shape, kind):
    if lib == "torch":
        return torch.empty(shape, dtype=torch.bfloat16 if kind == "bf16" else torch.float32)
    return np.empty(shape, dtype=np.uint16 if kind == "bf16" else np.float32)


_ROUND = {"nearest": _lib.LPK_ROUND_NEAREST, "stochastic": _lib.LPK_ROUND_STOCHASTIC}
RNGS = ("philox", "ars")


def check_rng(rng, func):
    """The generator name, checked: 'philox' (Philox4x32-10, the default:
    earlier results bit for bit) or 'ars' (ARS-7: the fast one, recommended;
    needs a liblpk that has it, HAS_ARS)."""
    if rng not in RNGS:
        raise LpkValueError(f"rng {rng!r}: expected 'philox' or 'ars'", func)
    if rng == "ars" and not _lib.HAS_ARS:
        raise LpkError(_lib.LPK_ENOTSUP, f"rng 'ars' needs a liblpk with the ARS generator; "
                       f"{_lib.library_path} (version {_lib.lpk_version().decode()}) lacks it",
                       func)
    return rng


def _round_mode(mode, func, rng="philox"):
    try:
        m = _ROUND[mode]
    except (KeyError, TypeError):
        raise LpkValueError(f"rounding mode {mode!r}: expected 'nearest' or 'stochastic'",
                            func) from None
    if check_rng(rng, func) == "ars" and m == _lib.LPK_ROUND_STOCHASTIC:
        m = _lib.LPK_ROUND_STOCHASTIC_ARS
    return m


def _u64(v, name, func):
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 2 ** 64:
        raise LpkValueError(f"{name} = {v!r}: expected an integer in [0, 2^64)", func)
    return v


def _out(out, x, kind, func):
    """The checked output array: `out` (same shape as x) or a new one."""
    if out is None:
        out = _empty_like(x.lib, x.shape, kind)
    o = as_arr(out, "out", (kind,), func, writable=True)
    if o.shape != x.shape:
        raise LpkValueError(f"out has shape {o.shape}, input {x.shape}", func)
    require_contiguous(o, "out", func)
    check_disjoint(func, ("input", x), ("out", o))
    return out, o


def f32_to_bf16(x, mode="nearest", seed=0, offset=0, out=None, rng="philox"):
    """bf16 of the fp32 array x: mode 'nearest' (ties to even) or
    'stochastic' (unbiased; element i uses the bits of (seed, offset+i) of the
    generator `rng`, so results are reproducible and independent of threads
    and splitting).  rng: 'philox' (Philox4x32-10, LPK_ROUND_STOCHASTIC; the
    default, earlier results bit for bit) or 'ars' (ARS-7,
    LPK_ROUND_STOCHASTIC_ARS: recommended, several times faster where the CPU
    has AES instructions).  Returns a torch.bfloat16 tensor for a tensor, a
    numpy uint16 array for an array (or fills `out`)."""
    func = "f32_to_bf16"
    m = _round_mode(mode, func, rng)
    seed, offset = _u64(seed, "seed", func), _u64(offset, "offset", func)
    a = as_arr(x, "x", ("f32",), func)
    require_contiguous(a, "x", func)
    out, o = _out(out, a, "bf16", func)
    check(_lib.lpk_f32_to_bf16(a.ptr, o.ptr, a.numel, m, seed, offset), func)
    return out


def bf16_to_f32(x, out=None):
    """fp32 of the bf16 array x (exact)."""
    func = "bf16_to_f32"
    a = as_arr(x, "x", ("bf16",), func)
    require_contiguous(a, "x", func)
    out, o = _out(out, a, "f32", func)
    check(_lib.lpk_bf16_to_f32(a.ptr, o.ptr, a.numel), func)
    return out


def _matrix(a, name, func):
    """(rows, cols, ld, stored_transposed) of a 2-D _Arr: row-major with unit
    column stride, or the transpose of such a matrix (x.t(), x.T)."""
    if len(a.shape) != 2:
        raise LpkValueError(f"{name} must be 2-D, has shape {a.shape}", func)
    r, c = a.shape
    s0, s1 = a.strides
    if (c <= 1 or s1 == 1) and (r <= 1 or s0 >= c):
        return r, c, (s0 if r > 1 else max(c, 1)), False
    if (r <= 1 or s0 == 1) and (c <= 1 or s1 >= r):
        return r, c, (s1 if c > 1 else max(r, 1)), True
    raise LpkValueError(f"{name} (shape {a.shape}, strides {a.strides}) is neither a row-major "
                        f"matrix with unit column stride nor the transpose of one; "
                        f"pass .contiguous() of it", func)


def gemm(a, b, c=None, *, trans_a=False, trans_b=False, alpha=1.0, beta=0.0,
         out_dtype=None, rounding="nearest", seed=0, rng="philox"):
    """C = alpha * op(a) @ op(b) + beta * C with bf16 a, b and fp32 accumulation
    (lpk_gemm_bf16f32 / lpk_gemm_bf16).  op(x) = x.T when trans_x.

    c: None (a new m x n result, fp32 unless out_dtype='bfloat16'; beta must be
    0) or an fp32 / bf16 row-major array written in place.  A bf16 C is
    rounded with `rounding` ('nearest' or 'stochastic', reproducible with
    `seed`, bits from `rng` as in f32_to_bf16).  a and b may be transposed
    views (x.t()): lpk then reads the stored matrix with its transpose flag
    flipped.  Returns C."""
    func = "gemm"
    check_rng(rng, func)
    A = as_arr(a, "a", ("bf16",), func)
    B = as_arr(b, "b", ("bf16",), func)
    ra, ca, lda, ta_stored = _matrix(A, "a", func)
    rb, cb, ldb, tb_stored = _matrix(B, "b", func)
    m, k = (ca, ra) if trans_a else (ra, ca)
    k2, n = (cb, rb) if trans_b else (rb, cb)
    if k != k2:
        raise LpkValueError(f"inner dimensions differ: op(a) is {m} x {k}, op(b) is {k2} x {n}",
                            func)
    ta = _lib.LPK_TRANS if (bool(trans_a) != ta_stored) else _lib.LPK_NOTRANS
    tb = _lib.LPK_TRANS if (bool(trans_b) != tb_stored) else _lib.LPK_NOTRANS
    if c is None:
        if beta != 0:
            raise LpkValueError("beta != 0 needs an existing c", func)
        kind = {None: "f32", "float32": "f32", "bfloat16": "bf16"}.get(
            out_dtype if isinstance(out_dtype, (str, type(None))) else str(out_dtype)
            .replace("torch.", ""))
        if kind is None:
            raise LpkValueError(f"out_dtype {out_dtype!r}: expected 'float32' or 'bfloat16'",
                                func)
        c = _empty_like("torch" if A.lib == "torch" or B.lib == "torch" else "numpy",
                        (m, n), kind)
    C = as_arr(c, "c", ("f32", "bf16"), func, writable=True)
    if C.shape != (m, n):
        raise LpkValueError(f"c has shape {C.shape}, the product is ({m}, {n})", func)
    rc, cc, ldc, tc = _matrix(C, "c", func)
    if tc and m > 1 and n > 1:
        raise LpkValueError("c must be row-major (unit column stride); it is a transposed view",
                            func)
    check_disjoint(func, ("a", A), ("c", C))
    check_disjoint(func, ("b", B), ("c", C))
    if C.kind == "f32":
        st = _lib.lpk_gemm_bf16f32(ta, tb, m, n, k, float(alpha), A.ptr, lda, B.ptr, ldb,
                                   float(beta), C.ptr, ldc)
    else:
        st = _lib.lpk_gemm_bf16(ta, tb, m, n, k, float(alpha), A.ptr, lda, B.ptr, ldb,
                                float(beta), C.ptr, ldc, _round_mode(rounding, func, rng),
                                _u64(seed, "seed", func))
    check(st, func)
    return c


def kahan_split(w32, w=None, comp=None):
    """(w, comp) bf16 pair representing fp32 w32 as w - comp (lpk_kahan_split)."""
    func = "kahan_split"
    X = as_arr(w32, "w32", ("f32",), func)
    require_contiguous(X, "w32", func)
    w, Wa = _out(w, X, "bf16", func)
    comp, Ca = _out(comp, X, "bf16", func)
    check_disjoint(func, ("w", Wa), ("comp", Ca))
    check(_lib.lpk_kahan_split(X.ptr, Wa.ptr, Ca.ptr, X.numel), func)
    return w, comp


def kahan_merge(w, comp, out=None):
    """fp32 w - comp (lpk_kahan_merge)."""
    func = "kahan_merge"
    Wa = as_arr(w, "w", ("bf16",), func)
    Ca = as_arr(comp, "comp", ("bf16",), func)
    require_contiguous(Wa, "w", func)
    require_contiguous(Ca, "comp", func)
    if Ca.shape != Wa.shape:
        raise LpkValueError(f"comp has shape {Ca.shape}, w {Wa.shape}", func)
    out, o = _out(out, Wa, "f32", func)
    check_disjoint(func, ("comp", Ca), ("out", o))
    check(_lib.lpk_kahan_merge(Wa.ptr, Ca.ptr, o.ptr, Wa.numel), func)
    return out


def version():
    """The loaded library's version string ("MAJOR.MINOR.PATCH")."""
    return _lib.lpk_version().decode()


def isa():
    """The tier cap in use ("amx", "avx512", ...)."""
    return _lib.lpk_isa().decode()


def set_isa(tier):
    """Caps the ISA tier ("auto", "avx2", "scalar", ...); LpkError if refused."""
    check(_lib.lpk_set_isa(str(tier).encode()), "set_isa")


def kernel_variant(kernel):
    """The variant serving a kernel (e.g. "update.adamw"), None if unknown."""
    r = _lib.lpk_kernel_variant(str(kernel).encode())
    return r.decode() if r is not None else None


def set_num_threads(n):
    """lpk's thread count (0 = OpenMP's default)."""
    check(_lib.lpk_set_num_threads(int(n)), "set_num_threads")


def get_num_threads():
    return int(_lib.lpk_get_num_threads())


def last_error():
    """lpk_last_error() of this thread."""
    r = _lib.lpk_last_error()
    return r.decode(errors="replace") if r else ""

