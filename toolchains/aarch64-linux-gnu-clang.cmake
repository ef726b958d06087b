# Cross build for Linux/aarch64 with clang (--target=aarch64-linux-gnu).
# Same sysroot, libraries and emulator as the gcc toolchain; clang finds the
# cross binutils and libgcc of Debian's gcc-aarch64-linux-gnu by itself.
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-linux-gnu-gcc.cmake)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET aarch64-linux-gnu)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
# clang's default OpenMP runtime is LLVM's libomp, which Debian does not ship
# for arm64 alongside the cross toolchain; GCC's libgomp implements the same
# entry points for what lpk uses (parallel for), so link that one.
set(OpenMP_C_FLAGS "-fopenmp=libgomp" CACHE STRING "OpenMP flags (clang + libgomp)")
set(OpenMP_C_LIB_NAMES gomp CACHE STRING "OpenMP libraries")
set(OpenMP_CXX_FLAGS "-fopenmp=libgomp" CACHE STRING "OpenMP flags (clang + libgomp)")
set(OpenMP_CXX_LIB_NAMES gomp CACHE STRING "OpenMP libraries")
set(OpenMP_gomp_LIBRARY /usr/aarch64-linux-gnu/lib/libgomp.so.1 CACHE FILEPATH "GCC's libgomp (arm64)")
