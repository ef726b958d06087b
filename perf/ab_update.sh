#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A/B of the update kernels (update.sgd / update.adamw) of one x86 tier:
# revision OLD against the working tree, in one process (perf/ab_update.c
# says how).  Both kernel files are compiled with gcc and the library's
# flags for the tier (-O3 -ffp-contract=off), each against its own
# revision's headers; the two revisions must agree on kernels/update/update.h.
# usage: perf/ab_update.sh OLD [avx2vaes|avx512vaes] [ab_update options]
#   e.g. perf/ab_update.sh HEAD~1 avx2vaes --layout adjacent --pairs 7
# Exits 77 (skipped) when this CPU lacks the tier.
set -eu
usage="usage: perf/ab_update.sh OLD [avx2vaes|avx512vaes] [--n N] [--pairs P] [--layout adjacent|apart] [--only TEXT]"
case ${1:-} in
-h | --help) echo "$usage"; exit 0 ;;
"") echo "$usage" >&2; exit 2 ;;
esac
old=$1
shift
tier=avx2vaes
if [ $# -gt 0 ] && { [ "$1" = avx2vaes ] || [ "$1" = avx512vaes ]; }; then
    tier=$1
    shift
fi
case $tier in
avx2vaes) flags="-mavx2 -mfma -mf16c -maes -mvaes" need="avx2 fma f16c aes vaes" ;;
avx512vaes) flags="-mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512dq -mavx512vl -maes -mvaes"
            need="avx512f avx512bw avx512dq avx512vl fma f16c aes vaes" ;;
esac
for f in $need; do
    if ! grep -qw "$f" /proc/cpuinfo 2>/dev/null; then
        echo "SKIPPED: this CPU lacks $f (tier $tier)"
        exit 77
    fi
done
root=$(cd "$(dirname "$0")/.." && pwd)
if ! git -C "$root" diff --quiet "$old" -- kernels/update/update.h; then
    echo "ab_update: kernels/update/update.h differs between $old and the tree" >&2
    exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/old"
git -C "$root" archive "$old" kernels dispatch include | tar -x -C "$tmp/old"
for side in old new; do
    src=$tmp/old
    [ $side = new ] && src=$root
    # shellcheck disable=SC2086
    gcc -O3 -ffp-contract=off -std=gnu11 $flags -I"$src/include" -I"$src/kernels" \
        -I"$src/dispatch" -Dlpk_update_sgd__$tier=sgd_$side \
        -Dlpk_update_adamw__$tier=adamw_$side -c "$src/kernels/update/$tier.c" -o "$tmp/$side.o"
done
gcc -O2 -std=gnu11 -I"$root/include" -I"$root/kernels" -I"$root/dispatch" \
    "$root/perf/ab_update.c" "$tmp/old.o" "$tmp/new.o" -o "$tmp/ab_update"
"$tmp/ab_update" "$@"
