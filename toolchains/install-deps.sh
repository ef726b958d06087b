#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what each lpk command needs, from Debian packages.
# Idempotent: apt runs only when a package is missing.  Root, or sudo.
#   install-deps.sh lib    the library alone: compilers, cmake, ninja,
#                          pkg-config, SLEEF, Highway, hwloc
#   install-deps.sh main   what ./run.sh needs: lib + cmocka, oneDNN, OpenBLAS, BLIS
#                          (benchmark peers), gnuplot, the Fashion-MNIST data
#                          set, python3-torch / numpy (the optimizer benchmark)
#   install-deps.sh test   what ./test.sh needs (the default): main + cmocka,
#                          clang with its sanitizer/libFuzzer runtimes and
#                          LLVM's OpenMP runtime, Random123 (the original ARS
#                          and Philox as oracle), pytest, and the aarch64 cross
#                          toolchain, qemu-user and arm64 builds of SLEEF,
#                          Highway, hwloc and cmocka through Debian multiarch
#   install-deps.sh --help
set -euo pipefail

LIB=(cmake ninja-build gcc g++ make pkg-config libsleef-dev libhwy-dev libhwloc-dev)
MAIN=(libcmocka-dev libdnnl-dev libopenblas-dev libblis-dev gnuplot-nox dataset-fashion-mnist
      python3-torch python3-numpy)
TEST=(clang libclang-rt-14-dev libomp-14-dev librandom123-dev python3-pytest
      gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user libc6:arm64
      libsleef-dev:arm64 libhwy-dev:arm64 libhwloc-dev:arm64 libcmocka-dev:arm64)

profile=${1:-test}
case "$profile" in
  lib) want=("${LIB[@]}") ;;
  main) want=("${LIB[@]}" "${MAIN[@]}") ;;
  test) want=("${LIB[@]}" "${MAIN[@]}" "${TEST[@]}") ;;
  -h|--help) echo "usage: toolchains/install-deps.sh [lib|main|test]"; sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-deps: unknown profile '$profile' (lib, main, test)" >&2; exit 2 ;;
esac

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${want[@]}"; do
  # one line per installed architecture (amd64 and arm64 builds of a -dev
  # package under multiarch): present if any of them is installed
  status=$(dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null || true)
  grep -qx 'install ok installed' <<<"$status" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps ($profile): all packages present"
  exit 0
fi
echo "install-deps ($profile): installing ${missing[*]}"
if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' &&
   ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${SUDO[@]}" dpkg --add-architecture arm64
fi
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
