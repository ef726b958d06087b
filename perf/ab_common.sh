# SPDX-License-Identifier: Apache-2.0
# Shared by the perf/ab_*.sh scripts (sourced, POSIX sh, set -eu).

# ab_args USAGE DEFAULT_TIER "TIER..." "$@": answers -h / --help and a
# missing OLD; sets old, tier (the second argument when it names one of
# TIER..., else DEFAULT_TIER) and ab_shift (how many arguments that took).
ab_args() {
    ab_usage=$1 tier=$2 ab_tiers=$3
    shift 3
    case ${1:-} in
    -h | --help) echo "$ab_usage"; exit 0 ;;
    "") echo "$ab_usage" >&2; exit 2 ;;
    esac
    old=$1 ab_shift=1
    for t in $ab_tiers; do
        if [ "${2:-}" = "$t" ]; then
            tier=$t ab_shift=2
        fi
    done
}

# ab_tier: sets flags, the library's gcc flags for $tier, and exits 77
# (skipped) when /proc/cpuinfo lacks one of them (each -mX is CPU flag X).
ab_tier() {
    flags="-mavx2 -mfma -mf16c"
    case $tier in
    avx2vaes) flags="$flags -maes -mvaes" ;;
    avx512) flags="$flags -mavx512f -mavx512bw -mavx512dq -mavx512vl" ;;
    avx512vaes) flags="$flags -mavx512f -mavx512bw -mavx512dq -mavx512vl -maes -mvaes" ;;
    esac
    for f in $flags; do
        if ! grep -qw "${f#-m}" /proc/cpuinfo 2>/dev/null; then
            echo "SKIPPED: this CPU lacks ${f#-m} (tier $tier)"
            exit 77
        fi
    done
}

# ab_old ROOT: tmp, a directory removed on exit, with revision $old's
# kernels, dispatch and include unpacked in $tmp/old.
ab_old() {
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir "$tmp/old"
    git -C "$1" archive "$old" kernels dispatch include | tar -x -C "$tmp/old"
}
