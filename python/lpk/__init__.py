# SPDX-License-Identifier: Apache-2.0
"""lpk from Python: bf16 rounding, bf16 GEMM and torch optimizers over bf16
parameters (SGD, AdamW with nearest / stochastic / Kahan / fp32 modes), on
top of liblpk through ctypes (no compiler needed).

The library: LPK_LIBRARY=/path/to/liblpk.so, else one next to this package
or in the repository's build/native-release/, else the system's (see
lpk._lib).  Arrays: torch tensors or numpy arrays; bf16 is torch.bfloat16 or
numpy uint16 bit patterns.  Errors raise LpkError (status, message).

    import lpk, torch
    y = lpk.f32_to_bf16(x, mode="stochastic", seed=1, rng="ars")  # ARS-7 bits: fast
    c = lpk.gemm(a, b.t())                  # transposed views are handled
    opt = lpk.optim.AdamW(model.parameters(), lr=1e-3, mode="kahan")
"""
from ._lib import (HAS_ARS, LPK_OK, LPK_EINVAL, LPK_ENOMEM, LPK_ENOTSUP, LpkError,
                   library_path, status_str)
from .core import (LpkTypeError, LpkValueError, bf16_to_f32, f32_to_bf16, gemm, get_num_threads,
                   isa, kahan_merge, kahan_split, kernel_variant, last_error, set_isa,
                   set_num_threads, version)

__version__ = "0.2.0"

try:  # the optimizers need torch; the rest works with numpy alone
    from . import optim
except ImportError as _e:  # pragma: no cover
    if "torch" not in str(_e):
        raise

__all__ = ["LpkError", "LpkTypeError", "LpkValueError", "LPK_OK", "LPK_EINVAL", "LPK_ENOMEM",
           "LPK_ENOTSUP", "bf16_to_f32", "f32_to_bf16", "gemm", "kahan_split", "kahan_merge",
           "version", "isa", "set_isa", "kernel_variant", "set_num_threads", "get_num_threads",
           "last_error", "status_str", "library_path", "optim", "HAS_ARS"]
