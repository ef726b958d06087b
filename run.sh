#!/usr/bin/env bash
# The main job: installs dependencies, builds the release library, prints what
# lpk detects and chooses on this machine with a quick throughput table
# (lpk-info), then the rounding benchmark and a quick GEMM benchmark against
# oneDNN (JSON lines, also saved to build/results/).  Paper reproductions
# join here as they land.
set -euo pipefail
cd "$(dirname "$0")"
./toolchains/install-deps.sh
cmake --preset native-release > /dev/null
cmake --build --preset native-release
bin=build/native-release/perf
mkdir -p build/results
echo; "$bin/lpk-info"
echo; echo "== rounding benchmark, 1 thread (JSON lines; build/results/bench_round.jsonl)"
"$bin/bench_round" --threads 1 | tee build/results/bench_round.jsonl
echo; echo "== GEMM benchmark, quick shapes, 1 thread, vs oneDNN (build/results/bench_gemm.jsonl)"
"$bin/bench_gemm" --quick --threads 1 | tee build/results/bench_gemm.jsonl
