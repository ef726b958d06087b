#!/usr/bin/env bash
# The main job: installs dependencies, builds the release library, prints what
# lpk detects and chooses on this machine with a quick throughput table
# (lpk-info), then the rounding benchmark and a quick GEMM benchmark against
# oneDNN (JSON lines, also saved to build/results/), then the paper
# reproductions in their quick modes (tables, JSON lines and PNG plots under
# build/results/; the full runs and their figures are in perf/RESULTS.md).
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
echo; echo "== GEMM thread scaling, 1 vs 2 threads, alternating call pairs (build/results/bench_gemm_scaling.jsonl)"
"$bin/bench_gemm" --scaling 10 --threads 1,2 --sizes 1024,2048 | tee build/results/bench_gemm_scaling.jsonl
echo; echo "== optimizer-update benchmark, quick, 1 thread, vs memcpy (build/results/bench_update.jsonl)"
"$bin/bench_update" --quick | tee build/results/bench_update.jsonl
echo; echo "== fixed-point (HALP) kernels, d = 1024, int8 vs fp32 step (build/results/bench_fixed.jsonl)"
"$bin/bench_fixed" --sizes 1024 | tee build/results/bench_fixed.jsonl
ex=build/native-release/examples
echo; echo "== HALP (De Sa et al. 2018): synthetic least squares, 100 x 1000 (build/results/halp_lsq.*)"
"$ex/halp/halp_lsq" --quick build/results
echo; echo "== HALP: logistic regression on Fashion-MNIST, two classes (build/results/halp_logistic.*)"
"$ex/halp/halp_logistic" --quick build/results
echo; echo "== HALP: epoch time, 8-bit HALP vs fp32 SVRG (build/results/halp_speed.*)"
"$ex/halp/halp_speed" --quick build/results
echo; echo "== Revisiting BFloat16 Training: MLP on Fashion-MNIST, fp32 vs pure bf16 with nearest / SR / Kahan updates"
echo "   (quick: 10k images, 8 epochs, 1 seed; the full run is in perf/RESULTS.md; build/results/bf16_mlp*)"
"$ex/bf16_mlp/bf16_mlp" --quick build/results
