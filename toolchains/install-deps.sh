#!/usr/bin/env bash
# Installs everything lpk builds and tests with, from Debian packages.
# Idempotent: apt runs only when a package is missing.  Root, or sudo.
#   native:  compilers (gcc; clang with its sanitizer/libFuzzer runtimes and
#            LLVM's OpenMP runtime), cmake, ninja, SLEEF, Highway, hwloc, cmocka, oneDNN
#            (benchmark comparison), gnuplot, the Fashion-MNIST dataset,
#            Random123 (tests: the original ARS and Philox as oracle),
#            python3-torch, python3-numpy, python3-pytest (the Python package's tests)
#   cross:   aarch64 gcc/g++, qemu-user, and arm64 builds of SLEEF, Highway,
#            hwloc and cmocka through Debian multiarch
set -euo pipefail

NATIVE=(cmake ninja-build gcc g++ make pkg-config libsleef-dev libhwy-dev libhwloc-dev
        libcmocka-dev libdnnl-dev gnuplot-nox dataset-fashion-mnist
        clang libclang-rt-14-dev libomp-14-dev librandom123-dev
        python3-torch python3-numpy python3-pytest)
CROSS=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user libc6:arm64
       libsleef-dev:arm64 libhwy-dev:arm64 libhwloc-dev:arm64 libcmocka-dev:arm64)

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${NATIVE[@]}" "${CROSS[@]}"; do
  # one line per installed architecture (amd64 and arm64 builds of a -dev
  # package under multiarch): present if any of them is installed
  status=$(dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null || true)
  grep -qx 'install ok installed' <<<"$status" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${SUDO[@]}" dpkg --add-architecture arm64
fi
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
