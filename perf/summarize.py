#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turns the JSON lines of bench_round / bench_gemm into the Markdown tables of
perf/RESULTS.md.  usage: summarize.py FILE.jsonl [FILE.jsonl ...]
Given several runs of the same benchmark, every figure is the median over the
runs of each run's median (the host is shared: single runs swing by 30%)."""
import json
import sys
from collections import defaultdict


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else 0.5 * (xs[n // 2 - 1] + xs[n // 2])


def load(paths):
    """Rows with the same identity (all fields but the measured ones) are
    merged into one whose measured fields are medians over the runs."""
    measured = ("median_s", "gelem_s", "gb_s", "memcpy_gb_s", "ratio_memcpy", "gflops",
                "pct_peak", "lpk_best_over_onednn", "read_gb_s", "f32_input_bound_gelem_s",
                "gflops_1", "gflops_n", "median_pair_speedup")
    groups, order = defaultdict(list), []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                d = json.loads(line)
                key = json.dumps({k: v for k, v in d.items() if k not in measured + ("peak_gflops",)},
                                 sort_keys=True)
                if key not in groups:
                    order.append(key)
                groups[key].append(d)
    rows = []
    for key in order:
        ds = groups[key]
        d = dict(ds[0])
        for m in measured + ("peak_gflops",):
            if m in d:
                d[m] = median([x[m] for x in ds])
        d["runs"] = len(ds)
        rows.append(d)
    return rows


def round_table(rows):
    r = [d for d in rows if d.get("bench") == "round" and "skipped" not in d]
    if not r:
        return
    print("| op | variant | n | level | Gelem/s | GB/s | x memcpy |")
    print("|---|---|---:|---|---:|---:|---:|")
    reads = {d["n"]: d for d in rows if d.get("bench") == "read"}
    shown = set()
    for d in r:
        print(f"| {d['op']} | {d['variant']} | {d['n']} | {d['level']} | {d['gelem_s']:.2f} "
              f"| {d['gb_s']:.1f} | {d['ratio_memcpy']:.2f} |")
        if d["op"] == "memcpy" and d["n"] in reads and d["n"] not in shown:
            x = reads[d["n"]]
            shown.add(d["n"])
            print(f"| read only | {x['variant']} (bound for f32 input) | {x['n']} | {x['level']} "
                  f"| {x['f32_input_bound_gelem_s']:.2f} | {x['read_gb_s']:.1f} (read) | - |")


def gemm_table(rows):
    peaks = [d for d in rows if d.get("bench") == "peak"]
    if peaks:
        print("| measured peak (1 thread) | GFLOP/s |")
        print("|---|---:|")
        for d in peaks:
            print(f"| {d['instruction']} ({d['tier']}) | {d['gflops']:.0f} |")
        print()
    g = [d for d in rows if d.get("bench") == "gemm" and "skipped" not in d]
    if not g:
        return
    # one row per (shape, form, threads): every variant's GFLOP/s side by side
    variants = []
    for d in g:
        name = d["variant"] if d["tier"] != "onednn" else "oneDNN"
        if name not in variants:
            variants.append(name)
    table = defaultdict(dict)
    for d in g:
        key = (d["threads"], d["form"], d["m"], d["n"], d["k"])
        name = d["variant"] if d["tier"] != "onednn" else "oneDNN"
        table[key][name] = d["gflops"]
    short = [v.replace("lpk_gemm_ukr_", "") for v in variants]
    print("| threads | form | m | n | k | " + " | ".join(short) + " | best lpk / oneDNN |")
    print("|---:|---|---:|---:|---:|" + "---:|" * len(short) + "---:|")
    for key in sorted(table, key=lambda k: (k[0], k[1] != "square", k[1], k[2], k[3], k[4])):
        cells = table[key]
        # packing included on both sides: the pre-packed-B column is not lpk's best here
        best = max((v for n, v in cells.items()
                    if n != "oneDNN" and not n.startswith("B pre-packed")), default=0)
        ratio = f"{best / cells['oneDNN']:.2f}" if "oneDNN" in cells and cells["oneDNN"] else "-"
        vals = [f"{cells[v]:.0f}" if v in cells else "-" for v in variants]
        print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {key[4]} | " + " | ".join(vals)
              + f" | {ratio} |")


def scaling_table(rows):
    s = [d for d in rows if d.get("bench") == "gemm_scaling"]
    if not s:
        return
    print("| m = n = k | variant | threads | call pairs | 1 thread GFLOP/s | N threads GFLOP/s "
          "| median per-pair speed-up |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for d in s:
        print(f"| {d['m']} | {d['variant']} | {d['threads']} | {d['pairs']} | {d['gflops_1']:.0f} "
              f"| {d['gflops_n']:.0f} | {d['median_pair_speedup']:.2f} |")


if __name__ == "__main__":
    rows = load(sys.argv[1:])
    round_table(rows)
    print()
    gemm_table(rows)
    print()
    scaling_table(rows)
