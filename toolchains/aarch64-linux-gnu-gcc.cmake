# SPDX-License-Identifier: Apache-2.0
# Cross build for Linux/aarch64 with Debian's gcc-aarch64-linux-gnu.
# arm64 libraries (SLEEF, hwloc, Highway, cmocka) come from Debian multiarch
# (toolchains/install-deps.sh); tests run under qemu-aarch64.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# The emulator.  Two arm64 glibcs live on a Debian host: the cross one in
# /usr/aarch64-linux-gnu/lib (libc6-arm64-cross, what the cross gcc links
# against, with libgomp/libstdc++) and the multiarch one in
# /usr/lib/aarch64-linux-gnu (libc6:arm64, pulled in by the -dev:arm64
# packages).  They are different builds.  With -L alone, qemu takes ld.so
# from the cross sysroot but ld.so finds libc.so.6 in the multiarch
# directory, and that mixed pair deadlocks the first OpenMP parallel region.
# LD_LIBRARY_PATH (set for the guest only, -E) keeps ld.so, libc, libm,
# libgomp and libstdc++ from the one cross glibc build; cmocka, hwloc, SLEEF
# and Highway still come from multiarch.
set(LPK_QEMU qemu-aarch64 -L /usr/aarch64-linux-gnu
    -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib CACHE STRING "emulator")
# Each test runs twice: an ARMv8.0 CPU without BF16 (cortex-a53: qemu models
# its AES extension, neonaes expected; tests mask AES off for neon) and
# -cpu max (FEAT_BF16, neonbf16 expected).
set(LPK_QEMU_CPUS "a53=cortex-a53=neonaes;max=max=neonbf16" CACHE STRING "tag=cpu=expected tier")
