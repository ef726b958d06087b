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
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/perf/ab_common.sh"
ab_args "$usage" avx2 "avx2 avx512" "$@"
shift "$ab_shift"
ab_tier
ab_old "$root"
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
