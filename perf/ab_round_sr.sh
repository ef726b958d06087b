#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A/B of the Philox SR kernel of one x86 tier: revision OLD against the
# working tree, in one process (perf/ab_round_sr.c says how).  Both kernel
# files are compiled with gcc -O2 and the tier's flags, each against its own
# revision's headers.
# usage: perf/ab_round_sr.sh OLD [avx2|avx512] [ab_round_sr options]
#   e.g. perf/ab_round_sr.sh f29cc36 avx2 --pairs 15
# Exits 77 (skipped) when this CPU lacks the tier.
set -eu
usage="usage: perf/ab_round_sr.sh OLD [avx2|avx512] [--sizes n1,n2,...] [--pairs P]"
case ${1:-} in
-h | --help) echo "$usage"; exit 0 ;;
"") echo "$usage" >&2; exit 2 ;;
esac
old=$1
shift
tier=avx2
if [ $# -gt 0 ] && { [ "$1" = avx2 ] || [ "$1" = avx512 ]; }; then
    tier=$1
    shift
fi
case $tier in
avx2) flags="-mavx2 -mfma -mf16c" need="avx2 fma f16c" ;;
avx512) flags="-mavx512f -mavx512bw -mavx512dq -mavx512vl -mfma -mf16c"
        need="avx512f avx512bw avx512dq avx512vl fma f16c" ;;
esac
for f in $need; do
    if ! grep -qw "$f" /proc/cpuinfo 2>/dev/null; then
        echo "SKIPPED: this CPU lacks $f (tier $tier)"
        exit 77
    fi
done
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/old"
git -C "$root" archive "$old" kernels dispatch include | tar -x -C "$tmp/old"
ren() { # $1 = old | new
    echo "-Dlpk_round_sr_f32_bf16__$tier=sr_$1 -Dlpk_round_rne_f32_bf16__$tier=rne_$1" \
         "-Dlpk_round_bf16_f32__$tier=widen_$1"
}
for side in old new; do
    src=$tmp/old
    [ $side = new ] && src=$root
    # shellcheck disable=SC2046
    gcc -O2 $flags -I"$src/include" -I"$src/kernels" -I"$src/dispatch" $(ren $side) \
        -c "$src/kernels/round/$tier.c" -o "$tmp/$side.o"
done
gcc -O2 "$root/perf/ab_round_sr.c" "$tmp/old.o" "$tmp/new.o" -o "$tmp/ab_round_sr"
"$tmp/ab_round_sr" "$@"
