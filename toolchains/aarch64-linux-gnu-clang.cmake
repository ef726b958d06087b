# SPDX-License-Identifier: Apache-2.0
# Cross build for Linux/aarch64 with clang (--target=aarch64-linux-gnu).
# Same sysroot, libraries and emulator as the gcc toolchain; clang finds the
# cross binutils and libgcc of Debian's gcc-aarch64-linux-gnu by itself.
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-linux-gnu-gcc.cmake)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
# No OpenMP here: clang generates OpenMP code for LLVM's libomp only, which
# Debian does not ship for arm64 beside the amd64 one (the two packages
# conflict), and clang's -fopenmp=libgomp links libgomp but leaves every
# pragma unexpanded (the build would claim threads it does not have).  The
# preset builds with LPK_WITH_OPENMP=OFF; threads on aarch64 are tested by
# the gcc cross preset.
