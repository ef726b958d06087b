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
# Each test runs twice: a v8.0 CPU (neon expected) and -cpu max (neonbf16).
set(LPK_QEMU qemu-aarch64 -L /usr/aarch64-linux-gnu CACHE STRING "emulator")
set(LPK_QEMU_CPUS "a53=cortex-a53=neon;max=max=neonbf16" CACHE STRING "tag=cpu=expected tier")
