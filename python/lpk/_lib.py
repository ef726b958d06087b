# SPDX-License-Identifier: Apache-2.0
"""Loading liblpk and declaring its C API with ctypes (no compiler needed).

The library is looked up, first match wins:
  1. the LPK_LIBRARY environment variable (a path to liblpk.so / liblpk.so.0);
  2. next to this package (python/lpk/liblpk.so*), then the repository's
     build/native-release/ (python/../build/native-release/liblpk.so);
  3. the system: ctypes.util.find_library("lpk") (ldconfig, LD_LIBRARY_PATH).
The structs below mirror include/lpk.h field by field; ctypes applies the
platform's C alignment rules, as the compiler does.
"""
import ctypes
import ctypes.util
import os

c_size_t = ctypes.c_size_t
c_float = ctypes.c_float
c_int = ctypes.c_int
c_uint64 = ctypes.c_uint64
p_u16 = ctypes.POINTER(ctypes.c_uint16)
p_f32 = ctypes.POINTER(ctypes.c_float)

# lpk_status
LPK_OK, LPK_EINVAL, LPK_ENOMEM, LPK_ENOTSUP = 0, 1, 2, 3
# lpk_round (STOCHASTIC_ARS: the same SR with ARS-7 bits, in libraries that
# have it; HAS_ARS below)
LPK_ROUND_NEAREST, LPK_ROUND_STOCHASTIC, LPK_ROUND_STOCHASTIC_ARS = 0, 1, 2
# lpk_trans
LPK_NOTRANS, LPK_TRANS = 0, 1
# lpk_update_mode (16..18 and the STATE_SR flag: fp32-arithmetic modes, in
# libraries that have them; see optim.py, which probes for them)
LPK_UPDATE_NEAREST = 0
LPK_UPDATE_STOCHASTIC = 1
LPK_UPDATE_KAHAN = 2
LPK_UPDATE_FP32 = 3
LPK_UPDATE_F32_NEAREST = 16
LPK_UPDATE_F32_STOCHASTIC = 17
LPK_UPDATE_F32_KAHAN = 18
LPK_UPDATE_STATE_SR = 32
LPK_UPDATE_RNG_ARS = 64


c_void_p = ctypes.c_void_p


class lpk_opt_tensor(ctypes.Structure):
    # The pointers are declared void * (same size and alignment as the typed
    # pointers of lpk.h) so that addresses can be assigned as ints.
    _fields_ = [
        ("n", c_size_t),
        ("w", c_void_p),        # lpk_bf16 *
        ("comp", c_void_p),     # lpk_bf16 *
        ("master", c_void_p),   # float *
        ("grad", c_void_p),     # const lpk_bf16 *
        ("grad32", c_void_p),   # const float *
        ("m", c_void_p),        # lpk_bf16 *
        ("v", c_void_p),        # lpk_bf16 *
        ("m32", c_void_p),      # float *
        ("v32", c_void_p),      # float *
    ]


class lpk_sgd_params(ctypes.Structure):
    _fields_ = [
        ("lr", c_float),
        ("momentum", c_float),
        ("dampening", c_float),
        ("weight_decay", c_float),
        ("nesterov", c_int),
        ("step", c_uint64),
    ]


class lpk_adamw_params(ctypes.Structure):
    _fields_ = [
        ("lr", c_float),
        ("beta1", c_float),
        ("beta2", c_float),
        ("eps", c_float),
        ("weight_decay", c_float),
        ("step", c_uint64),
    ]


class LpkError(RuntimeError):
    """A call into liblpk failed, or Python-side argument checks refused it.

    status: the lpk_status (LPK_EINVAL, LPK_ENOMEM, LPK_ENOTSUP) as an int;
    message: lpk_last_error() of the failed call, or the Python-side reason.
    """

    def __init__(self, status, message, func=None):
        self.status = int(status)
        self.message = message
        self.func = func
        name = status_str(self.status) if _lib is not None else str(self.status)
        where = f"{func}: " if func else ""
        super().__init__(f"{where}{message} [{name}]")


def _candidates():
    env = os.environ.get("LPK_LIBRARY")
    if env:
        # An explicit choice is never silently replaced by another library.
        return [env], True
    here = os.path.dirname(os.path.abspath(__file__))
    names = ("liblpk.so", "liblpk.so.0", "liblpk.dylib")
    out = [os.path.join(here, n) for n in names]
    repo_build = os.path.normpath(os.path.join(here, os.pardir, os.pardir, "build",
                                               "native-release"))
    out += [os.path.join(repo_build, n) for n in names]
    out = [p for p in out if os.path.exists(p)]
    sys_name = ctypes.util.find_library("lpk")
    if sys_name:
        out.append(sys_name)
    return out, False


def _load():
    paths, explicit = _candidates()
    if explicit and not os.path.exists(paths[0]):
        raise OSError(f"LPK_LIBRARY={paths[0]} does not exist")
    errors = []
    for p in paths:
        try:
            return ctypes.CDLL(p), p
        except OSError as e:  # try the next candidate
            errors.append(f"{p}: {e}")
            if explicit:
                break
    raise OSError("liblpk not found: set LPK_LIBRARY to the path of liblpk.so, "
                  "or build it (cmake --build build/native-release), or install it"
                  + ("; tried " + "; ".join(errors) if errors else ""))


_lib = None
_lib, library_path = _load()


def _decl(name, restype, argtypes, required=True):
    fn = getattr(_lib, name, None)
    if fn is None:
        if required:
            raise OSError(f"{library_path} lacks {name}: too old a liblpk")
        return None
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


c_char_p = ctypes.c_char_p
lpk_last_error = _decl("lpk_last_error", c_char_p, [])
lpk_last_status = _decl("lpk_last_status", c_int, [])
lpk_status_str = _decl("lpk_status_str", c_char_p, [c_int])
lpk_version = _decl("lpk_version", c_char_p, [])
lpk_isa = _decl("lpk_isa", c_char_p, [])
lpk_set_isa = _decl("lpk_set_isa", c_int, [c_char_p])
lpk_kernel_variant = _decl("lpk_kernel_variant", c_char_p, [c_char_p])
lpk_set_num_threads = _decl("lpk_set_num_threads", c_int, [c_int])
lpk_get_num_threads = _decl("lpk_get_num_threads", c_int, [])
lpk_f32_to_bf16 = _decl("lpk_f32_to_bf16", c_int,
                        [ctypes.c_void_p, ctypes.c_void_p, c_size_t, c_int, c_uint64, c_uint64])
lpk_bf16_to_f32 = _decl("lpk_bf16_to_f32", c_int, [ctypes.c_void_p, ctypes.c_void_p, c_size_t])
_gemm_args = [c_int, c_int, c_size_t, c_size_t, c_size_t, c_float, ctypes.c_void_p, c_size_t,
              ctypes.c_void_p, c_size_t, c_float, ctypes.c_void_p, c_size_t]
lpk_gemm_bf16f32 = _decl("lpk_gemm_bf16f32", c_int, _gemm_args)
lpk_gemm_bf16 = _decl("lpk_gemm_bf16", c_int, _gemm_args + [c_int, c_uint64])
lpk_kahan_split = _decl("lpk_kahan_split", c_int,
                        [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, c_size_t])
lpk_kahan_merge = _decl("lpk_kahan_merge", c_int,
                        [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, c_size_t])
P_TENSOR = ctypes.POINTER(lpk_opt_tensor)
P_U64 = ctypes.POINTER(c_uint64)
lpk_sgd_step = _decl("lpk_sgd_step", c_int,
                     [ctypes.POINTER(lpk_sgd_params), c_int, P_TENSOR, c_uint64, c_uint64])
lpk_adamw_step = _decl("lpk_adamw_step", c_int,
                       [ctypes.POINTER(lpk_adamw_params), c_int, P_TENSOR, c_uint64, c_uint64])
# Multi-tensor calls (newer libraries): one call for a list of tensors.
lpk_sgd_step_multi = _decl("lpk_sgd_step_multi", c_int,
                           [ctypes.POINTER(lpk_sgd_params), c_int, P_TENSOR, c_size_t,
                            c_uint64, P_U64], required=False)
lpk_adamw_step_multi = _decl("lpk_adamw_step_multi", c_int,
                             [ctypes.POINTER(lpk_adamw_params), c_int, P_TENSOR, c_size_t,
                              c_uint64, P_U64], required=False)


def status_str(status):
    s = lpk_status_str(int(status))
    return s.decode() if s else f"lpk_status {status}"


def check(status, func):
    """Raises LpkError with lpk_last_error() unless status is LPK_OK."""
    if status != LPK_OK:
        msg = lpk_last_error()
        raise LpkError(status, msg.decode(errors="replace") if msg else "", func)


def _sgd_accepts(mode):
    """Whether the library accepts an update mode: with n == 0 only params,
    mode and step are checked (lpk.h), so an unknown mode is the only
    possible refusal."""
    p = lpk_sgd_params(0.1, 0.0, 0.0, 0.0, 0, 1)
    t = lpk_opt_tensor()
    return lpk_sgd_step(ctypes.byref(p), mode, ctypes.byref(t), 0, 0) == LPK_OK


HAS_MULTI = lpk_sgd_step_multi is not None and lpk_adamw_step_multi is not None
# the fp32-arithmetic update modes
HAS_F32_MODES = _sgd_accepts(LPK_UPDATE_F32_NEAREST | LPK_UPDATE_STATE_SR)
# the ARS generator (LPK_UPDATE_RNG_ARS, and LPK_ROUND_STOCHASTIC_ARS with n == 0)
HAS_ARS = (_sgd_accepts(LPK_UPDATE_STOCHASTIC | LPK_UPDATE_RNG_ARS)
           and lpk_f32_to_bf16(None, None, 0, LPK_ROUND_STOCHASTIC_ARS, 0, 0) == LPK_OK)
