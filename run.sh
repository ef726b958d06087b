#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: installs what it needs, builds the release library, and
# prints short tables: what lpk detects and chooses here, throughput against
# memcpy / the measured peak / the peers (oneDNN, OpenBLAS, BLIS, torch), and
# the paper reproductions in their quick modes.  Every step's full output
# (JSON lines, logs, plots) goes to build/results/.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'EOF'
usage: ./run.sh [--quick] [--only STEP[,STEP...]] [--help]
  Installs the Debian packages the main job needs (toolchains/install-deps.sh
  main), builds build/native-release, and runs these steps, each printing a
  short table (full output in build/results/<step>.*):
    info      features, tiers, the kernel chosen for each op (lpk-info)
    round     f32 <-> bf16 rounding vs memcpy (nearest, SR Philox, SR ARS)
    gemm      bf16 GEMM vs oneDNN, OpenBLAS/BLIS sgemm and the measured peak, 1 and 2
              threads; the bf16-output (SR) epilogue vs fp32 output
    update    optimizer steps (SGD, AdamW, every mode) vs memcpy
    fixed     HALP's fixed-point kernels, int8 vs fp32
    optim     lpk's optimizer step vs torch.optim on a transformer's shapes
    halp      HALP reproductions: least squares, logistic, epoch time
    mlp       pure-bf16 MLP on Fashion-MNIST: fp32 vs nearest / SR / Kahan
  --quick   smaller sizes where a step has them
  --only    run only these steps
Long steps show a progress line with the time left (estimated from the last
run, kept in build/results/.timings).
EOF
}

quick=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --quick) quick=1 ;;
    --only) shift; only=",${1:-},"; ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

./toolchains/install-deps.sh main
echo "== building build/native-release"
mkdir -p build
cmake --preset native-release > build/configure-run.log 2>&1 || { cat build/configure-run.log; exit 1; }
cmake --build --preset native-release | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
[ -x build/native-release/perf/lpk-info ] || { echo "build failed"; exit 1; }

bin=build/native-release/perf
ex=build/native-release/examples
out=build/results
mkdir -p "$out"
timings="$out/.timings"
touch "$timings"

# step NAME DEFAULT_SECONDS COMMAND...: runs COMMAND with its output in
# $out/NAME.log, showing a progress line with the time left while it runs.
step() {
  local name=$1 est=$2
  shift 2
  local last
  last=$(awk -v n="$name" '$1 == n { print $2 }' "$timings" | tail -1)
  [ -n "$last" ] && est=$last
  echo
  echo "== $name (about ${est} s; log: $out/$name.log)"
  local t0=$SECONDS
  "$@" > "$out/$name.log" 2>&1 &
  local pid=$! tick=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    tick=$((tick + 1))
    local el=$((SECONDS - t0)) left=$((est - SECONDS + t0))
    [ "$left" -lt 1 ] && left=1
    if [ -t 1 ]; then
      printf '\r   %s: %d s elapsed, ~%d s left   ' "$name" "$el" "$left"
    elif [ $((tick % 15)) -eq 0 ]; then
      echo "   $name: $el s elapsed, ~$left s left"
    fi
  done
  local rc=0
  wait "$pid" || rc=$?
  [ -t 1 ] && printf '\r%60s\r' ''
  local took=$((SECONDS - t0))
  { grep -v "^$name " "$timings" || true; echo "$name $took"; } > "$timings.new"
  mv "$timings.new" "$timings"
  if [ "$rc" -ne 0 ]; then
    echo "   $name FAILED (exit $rc); last lines of $out/$name.log:"
    tail -20 "$out/$name.log"
    return 1
  fi
  echo "   done in $took s"
}

want() { case "$only" in ""|*",$1,"*) return 0 ;; *) return 1 ;; esac; }
# The non-JSON lines of a log (the programs' own tables, without the
# per-epoch ones, which are in the log and the plots), or a JSON report.
show_text() {
  grep -v '^{' "$1" | grep -v '^plot:' |
    awk '/^\| epoch/ { skip = 1 } /^$/ { skip = 0 } !skip' | cat -s || true
}
show_json() { grep '^{' "$1" > "${1%.log}.jsonl" || true; python3 perf/report.py "${1%.log}.jsonl"; }

status=0
sizes_round=65536,1048576,67108864
[ "$quick" -eq 1 ] && sizes_round=65536,16777216

want info && { if step info 5 "$bin/lpk-info" --no-bench; then sed -n '/^CPU\/OS/,$p' "$out/info.log"; else status=1; fi; }
want round && { if step round 30 "$bin/bench_round" --threads 1 --sizes "$sizes_round"; then
  show_json "$out/round.log"; else status=1; fi; }
# GEMM vs peers and peaks, then the bf16-output epilogue's cost (SR included)
gemm() { "$bin/bench_gemm" --quick --threads 1,2 && "$bin/bench_gemm" --epilogue 3 --threads 1 --sizes 1024; }
want gemm && { if step gemm 70 gemm; then show_json "$out/gemm.log"; else status=1; fi; }
want update && { if step update 40 "$bin/bench_update" --quick; then show_json "$out/update.log"; else status=1; fi; }
want fixed && { if step fixed 15 "$bin/bench_fixed" --sizes 1024; then show_json "$out/fixed.log"; else status=1; fi; }
if want optim && [ -f perf/bench_optim.py ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  optim_args=(--reps 5 --threads 1,2)
  [ "$quick" -eq 1 ] && optim_args=(--reps 3 --threads 1 --layers 4)
  if step optim 90 env LPK_LIBRARY="$PWD/build/native-release/liblpk.so" PYTHONPATH="$PWD/python" \
      /usr/bin/python3 perf/bench_optim.py "${optim_args[@]}" --json "$out/optim.jsonl"; then
    show_text "$out/optim.log"; else status=1; fi
fi
halp() {
  "$ex/halp/halp_lsq" --quick "$out" && "$ex/halp/halp_logistic" --quick "$out" &&
    "$ex/halp/halp_speed" --quick "$out"
}
want halp && { if step halp 60 halp; then show_text "$out/halp.log"; else status=1; fi; }
want mlp && { if step mlp 120 "$ex/bf16_mlp/bf16_mlp" --quick "$out"; then show_text "$out/mlp.log"; else status=1; fi; }

echo
echo "== results, JSON lines and plots: $out/ (full runs and history: perf/RESULTS.md)"
exit $status
