#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# The install test (ctest: install).  Installs a build of lpk into a temporary
# prefix, then builds and runs a C and a C++ consumer (consumer.c,
# consumer.cpp) three ways, each against liblpk.so and liblpk.a:
#   (a) find_package(lpk CONFIG): lpk::lpk, lpk::lpk_static (CMakeLists.txt
#       here; configured once as a C-only project and once with C++)
#   (b) pkg-config: --cflags/--libs lpk, and --static --libs for liblpk.a
#   (c) plain flags: -I -L -llpk, and liblpk.a with the flags in README.md
# A consumer passes only if it exits 0 (it checks bf16 bit patterns, a GEMM
# and lpk_version()); the static ones must not need liblpk.so at run time,
# the shared ones must.
#
# Cross builds: the consumers are built with the same compilers/toolchain file
# and run under the emulator given after "--" (qemu-aarch64 ...).
#
# run-install-test.sh --source-dir S --build-dir B --libdir lib --version V
#     --cc CC [--cxx CXX] [--target TRIPLE] [--toolchain FILE]
#     [--pkg-config-libdir DIRS] [--expect-lpk-info] [--machine AArch64]
#     [-- EMULATOR ARGS...]
set -euo pipefail

# Must match the static-linking line in README.md (checked below).
README_STATIC_LIBS="-lsleef -lhwloc -lhwy -lstdc++ -lgomp -lpthread -lm"

src="" build="" libdir=lib version="" cc="" cxx="" target="" toolchain="" pclibdir=""
expect_info=0 machine=""
while [ $# -gt 0 ]; do
  case "$1" in
    --source-dir) src=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --libdir) libdir=$2; shift 2 ;;
    --version) version=$2; shift 2 ;;
    --cc) cc=$2; shift 2 ;;
    --cxx) cxx=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --toolchain) toolchain=$2; shift 2 ;;
    --pkg-config-libdir) pclibdir=$2; shift 2 ;;
    --expect-lpk-info) expect_info=1; shift ;;
    --machine) machine=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run-install-test: unknown argument $1" >&2; exit 2 ;;
  esac
done
emu=("$@")
[ -n "$src" ] && [ -n "$build" ] && [ -n "$cc" ] || { echo "run-install-test: --source-dir, --build-dir, --cc needed" >&2; exit 2; }
if [ -z "$cxx" ]; then cxx=$(command -v c++ || command -v g++ || true); fi
tflag=()
[ -n "$target" ] && tflag=(--target="$target")

t0=$(date +%s)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lpk-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
P=$tmp/prefix
L=$P/$libdir
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
step() { echo "--- $*"; }

step "cmake --install $build --prefix <tmp>/prefix"
cmake --install "$build" --prefix "$P" > "$tmp/install.log" || { cat "$tmp/install.log"; exit 1; }
for f in include/lpk.h "$libdir/liblpk.a" "$libdir/liblpk.so" "$libdir/liblpk.so.0" \
         "$libdir/pkgconfig/lpk.pc" "$libdir/cmake/lpk/lpkConfig.cmake" \
         "$libdir/cmake/lpk/lpkConfigVersion.cmake" "$libdir/cmake/lpk/lpkTargets.cmake" \
         share/doc/lpk/LICENSE; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
if [ "$expect_info" = 1 ]; then [ -x "$P/bin/lpk-info" ] || fail "not installed: bin/lpk-info"; fi
grep -q "^Version: $version\$" "$L/pkgconfig/lpk.pc" || fail "lpk.pc: Version is not $version"

# run NAME BINARY shared|static: runs it (under the emulator), checks how it links.
run() {
  local name=$1 bin=$2 kind=$3 out needed
  if [ ! -x "$bin" ]; then fail "$name: not built"; return; fi
  if [ -n "$machine" ] && ! readelf -h "$bin" | grep -q "Machine: *$machine"; then fail "$name: not built for $machine"; fi
  needed=$(readelf -d "$bin" | grep NEEDED || true)
  if [ "$kind" = shared ] && ! grep -q 'liblpk\.so' <<< "$needed"; then fail "$name: does not link liblpk.so"; fi
  if [ "$kind" = static ] && grep -q 'liblpk\.so' <<< "$needed"; then fail "$name: links liblpk.so"; fi
  if out=$("${emu[@]}" "$bin" 2>&1); then
    echo "$name: $out"
  else
    echo "$out"; fail "$name: exit status not 0"
  fi
}

# compile NAME LANG(c|cxx) KIND FLAGS...: builds consumer.LANG into $tmp/NAME and runs it.
compile() {
  local name=$1 lang=$2 kind=$3; shift 3
  local comp=$cc file=$src/tests/install/consumer.c exe=$tmp/${name//\//-}
  [ "$lang" = cxx ] && { comp=$cxx; file=$src/tests/install/consumer.cpp; }
  if ! $comp "${tflag[@]}" -O1 -DLPK_EXPECT_VERSION="$version" "$file" "$@" -o "$exe" > "$exe.log" 2>&1; then
    cat "$exe.log"; echo "command: $comp ${tflag[*]} $file $*"; fail "$name: build failed"; return
  fi
  run "$name" "$exe" "$kind"
}

# ---- (a) find_package(lpk CONFIG) -------------------------------------------
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$P" -DLPK_EXPECT_VERSION="$version")
if [ -n "$toolchain" ]; then
  cmake_args+=(-DCMAKE_TOOLCHAIN_FILE="$toolchain")
else
  cmake_args+=(-DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx")
fi
for variant in c cxx; do
  step "find_package(lpk CONFIG), $variant project"
  on=OFF; [ $variant = cxx ] && on=ON
  bdir=$tmp/cmake-$variant
  if cmake -S "$src/tests/install" -B "$bdir" "${cmake_args[@]}" -DLPK_CONSUMER_CXX=$on > "$tmp/cmake-$variant.log" 2>&1 &&
     cmake --build "$bdir" >> "$tmp/cmake-$variant.log" 2>&1; then
    langs=c; [ $variant = cxx ] && langs="c cxx"
    for l in $langs; do
      for k in shared static; do run "find_package/$variant-project/$l/$k" "$bdir/consumer_${l}_$k" $k; done
    done
  else
    cat "$tmp/cmake-$variant.log"; fail "find_package consumer ($variant project) did not build"
  fi
done

# ---- (b) pkg-config -----------------------------------------------------------
step "pkg-config"
if [ -n "$pclibdir" ]; then
  export PKG_CONFIG_LIBDIR="$L/pkgconfig:$pclibdir"
  export PKG_CONFIG_PATH=""
else
  export PKG_CONFIG_PATH="$L/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
fi
pkg-config --modversion lpk | grep -qx "$version" || fail "pkg-config --modversion lpk is not $version"
read -r -a pc_cflags <<< "$(pkg-config --cflags lpk)"
read -r -a pc_libs <<< "$(pkg-config --libs lpk)"
# liblpk.a: the --static flags, with -llpk naming the archive (liblpk.so lies beside it).
read -r -a pc_static <<< "$(pkg-config --static --libs lpk | sed 's/-llpk\b/-l:liblpk.a/')"
echo "pkg-config --static --libs lpk: $(pkg-config --static --libs lpk)"
for l in c cxx; do
  compile "pkg-config/$l/shared" $l shared "${pc_cflags[@]}" "${pc_libs[@]}" -Wl,-rpath,"$L"
  compile "pkg-config/$l/static" $l static "${pc_cflags[@]}" "${pc_static[@]}"
done

# ---- (c) plain flags, as in README.md -------------------------------------------
step "plain flags"
grep -qF -- "$README_STATIC_LIBS" "$src/README.md" || fail "README.md does not give the static flags '$README_STATIC_LIBS'"
read -r -a static_libs <<< "$README_STATIC_LIBS"
# A clang build links LLVM's libomp, not libgomp: README.md says to replace
# -lgomp by the directory and name lpk.pc gives (checked here the same way).
if pkg-config --static --libs lpk | grep -qw -- -lomp; then
  omp_dir=$(pkg-config --static --libs lpk | tr ' ' '\n' | grep -- '^-L.*llvm' | head -1)
  grep -qF -- "-L/usr/lib/llvm-14/lib -lomp" "$src/README.md" ||
    fail "README.md does not say how to link a clang (libomp) build"
  for i in "${!static_libs[@]}"; do
    [ "${static_libs[$i]}" = "-lgomp" ] && static_libs[$i]="-lomp"
  done
  [ -n "$omp_dir" ] && static_libs=("$omp_dir" "${static_libs[@]}")
fi
for l in c cxx; do
  compile "plain/$l/shared" $l shared -I"$P/include" -L"$L" -llpk -Wl,-rpath,"$L"
  compile "plain/$l/static" $l static -I"$P/include" "$L/liblpk.a" "${static_libs[@]}"
done

echo "install test: $fails failure(s), $(( $(date +%s) - t0 )) s"
[ "$fails" -eq 0 ]
