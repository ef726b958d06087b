# SPDX-License-Identifier: Apache-2.0
# Makes python/lpk importable without installing it; the library comes from
# LPK_LIBRARY (ctest sets it to the build's liblpk.so) or lpk's own search.
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))


def pytest_report_header(config):
    import lpk
    return (f"lpk {lpk.version()} from {lpk.library_path}, isa {lpk.isa()}, "
            f"multi-tensor calls: {lpk.optim.HAS_MULTI}, "
            f"fp32-arith modes: {lpk.optim.HAS_FP32_ARITH}")
