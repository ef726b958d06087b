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
usage="usage: perf/ab_update.sh OLD [avx2vaes|avx512vaes] [--n N] [--pairs P] [--layout adjacent|apart] [--only TEXT] [--tiny P]"
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/perf/ab_common.sh"
ab_args "$usage" avx2vaes "avx2vaes avx512vaes" "$@"
shift "$ab_shift"
ab_tier
if ! git -C "$root" diff --quiet "$old" -- kernels/update/update.h; then
    echo "ab_update: kernels/update/update.h differs between $old and the tree" >&2
    exit 2
fi
ab_old "$root"
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
