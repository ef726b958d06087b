#!/usr/bin/env bash
# Installs everything lpk builds and tests with, from Debian packages.
# Idempotent: apt runs only when a package is missing.  Root, or sudo.
#   native:  compilers, cmake, ninja, SLEEF, Highway, hwloc, cmocka, oneDNN
#            (benchmark comparison), gnuplot, the Fashion-MNIST dataset
#   cross:   aarch64 gcc/g++, qemu-user, and arm64 builds of SLEEF, Highway,
#            hwloc and cmocka through Debian multiarch
set -euo pipefail

NATIVE=(cmake ninja-build gcc g++ make pkg-config libsleef-dev libhwy-dev libhwloc-dev
        libcmocka-dev libdnnl-dev gnuplot-nox dataset-fashion-mnist)
CROSS=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user libc6:arm64
       libsleef-dev:arm64 libhwy-dev:arm64 libhwloc-dev:arm64 libcmocka-dev:arm64)

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${NATIVE[@]}" "${CROSS[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
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
