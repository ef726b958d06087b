#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every test of lpk: installs dependencies, then builds and runs ctest in
#   native-release   all optional dependencies
#   native-debug     AddressSanitizer + UBSan
#   native-minimal   no Highway, SLEEF, hwloc or OpenMP (optional deps absent)
#   aarch64          gcc cross build, every test under qemu-aarch64 twice:
#                    -cpu cortex-a53 (v8.0: neon) and -cpu max (neonbf16, sve)
#   aarch64-clang    the same with clang --target=aarch64-linux-gnu
#   native-clang     native release built with clang (LLVM libomp)
#   native-clang-debug  clang, AddressSanitizer + UBSan
#   native-fuzz      libFuzzer targets (tests/fuzz), each for ~20 s against
#                    the scalar tier, library under ASan + UBSan
# Ends with one line "tests: N passed, M failed"; exit status 0 only if all pass.
set -uo pipefail
cd "$(dirname "$0")"
if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '2,/^# Ends with/p' "$0" | sed 's/^# \{0,1\}//'
  echo "usage: ./test.sh [PRESET...]   (default: every preset above)"
  exit 0
fi
./toolchains/install-deps.sh || exit 1
presets=(native-release native-debug native-minimal aarch64 aarch64-clang native-clang
         native-clang-debug native-fuzz)
[ $# -gt 0 ] && presets=("$@")
passed=0; failed=0; skipped=0; status=0
mkdir -p build
for p in "${presets[@]}"; do
  echo "=== $p"
  if ! cmake --preset "$p" > "build/configure-$p.log" 2>&1; then
    cat "build/configure-$p.log"; echo "configure failed: $p"; failed=$((failed + 1)); status=1; continue
  fi
  grep -E '^-- lpk:' "build/configure-$p.log"
  if ! cmake --build --preset "$p"; then
    echo "build failed: $p"; failed=$((failed + 1)); status=1; continue
  fi
  ctest --preset "$p" -j2 2>&1 | tee "build/ctest-$p.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "build/ctest-$p.log" | tail -1)
  total=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
  nfail=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/')
  if [ -z "$line" ]; then status=1; failed=$((failed + 1)); continue; fi
  # ctest counts a skipped test (SKIP_RETURN_CODE) in its total: never as passed here
  nskip=$(sed -n '/The following tests did not run:/,/^$/p' "build/ctest-$p.log" | grep -c '(Skipped)' || true)
  [ "$nskip" -gt 0 ] && echo "skipped in $p: $nskip (not counted as passed)"
  passed=$((passed + total - nfail - nskip)); failed=$((failed + nfail)); skipped=$((skipped + nskip))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
