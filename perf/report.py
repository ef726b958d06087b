#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Readable tables from the JSON lines of lpk's benchmarks (bench_round,
bench_update, bench_fixed, bench_gemm, bench_optim.py, ...).

usage: report.py [--title TEXT] [--all] FILE.jsonl [FILE.jsonl ...]

One table per benchmark: the identifying fields (op, mode, variant, tier,
shape or size, threads) and the measured rate with its reference (x memcpy,
% of peak, x oneDNN / OpenBLAS / torch) where the row has one.  Rows marked
"skipped" are folded into one line per table.  Without --all, variants other
than the dispatcher's choice, the public API and the peers are left out
when a file has more than 40 rows of one benchmark."""
import json
import sys
from collections import OrderedDict

ID_FIELDS = ("op", "case", "mode", "which", "form", "output", "variant", "tier", "m", "n", "k", "shape",
             "level", "threads", "dtype", "params")
# Measured fields: these, and any numeric field whose name says it is a rate
# or a ratio.
RATE_TOKENS = ("gelem", "gflops", "ratio", "speedup", "over_", "pct", "x_", "_ms", "gb_s")
RATE_FIELDS = ("gelem_s", "gflops", "gb_s", "ms", "median_ms", "speedup", "pct_peak",
               "ratio_memcpy", "x_memcpy", "over_torch", "ratio_torch", "lpk_best_over_onednn",
               "over_best_sgemm", "median_pair_speedup", "gflops_1", "gflops_n")


def fmt(v):
    if isinstance(v, float):
        if v == 0:
            return "0"
        a = abs(v)
        if a >= 100:
            return "%.0f" % v
        if a >= 1:
            return "%.2f" % v
        return "%.3g" % v
    return str(v)


def load(paths):
    rows = []
    for p in paths:
        with open(p) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        pass
    return rows


def keep(row, many):
    if not many:
        return True
    v = str(row.get("variant", ""))
    return ("public" in v or "memcpy" in v or "oneDNN" in v or "onednn" in v
            or "openblas" in v.lower() or "blis" in v.lower() or "torch" in v
            or row.get("chosen") or row.get("selected") or "__" not in v)


def table(name, rows, show_all):
    skipped = [r for r in rows if "skipped" in r]
    rows = [r for r in rows if "skipped" not in r]
    many = not show_all and len(rows) > 40
    rows = [r for r in rows if keep(r, many)]
    if not rows and not skipped:
        return
    print("\n%s" % name)
    if rows:
        cols = [c for c in ID_FIELDS if any(c in r for r in rows)]
        rates = [c for c in RATE_FIELDS if any(c in r for r in rows)]
        extra = OrderedDict()
        for r in rows:
            for c, v in r.items():
                if (c not in rates and c not in cols and isinstance(v, (int, float))
                        and any(t in c for t in RATE_TOKENS) and not c.startswith("cpu_")
                        and c not in ("memcpy_gb_s",)):
                    extra[c] = 1
        rates += list(extra)
        cols += rates
        cells = [[fmt(r.get(c, "")) for c in cols] for r in rows]
        width = [max(len(c), *(len(x[i]) for x in cells)) for i, c in enumerate(cols)]
        print("  " + "  ".join(c.rjust(w) if c in rates else c.ljust(w)
                               for c, w in zip(cols, width)))
        for x in cells:
            print("  " + "  ".join(v.rjust(w) if c in rates else v.ljust(w)
                                   for v, c, w in zip(x, cols, width)))
    if skipped:
        tiers = sorted({str(r.get("variant", "?")).rsplit("__", 1)[-1] for r in skipped})
        print("  SKIPPED: %d rows for tiers not available here (%s)" % (len(skipped),
                                                                      ", ".join(tiers)))
    if many:
        print("  (other variants' rows left out: --all shows them)")


def main(argv):
    title, show_all, paths = None, False, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__)
            return 0
        if a == "--all":
            show_all = True
        elif a == "--title" and i + 1 < len(argv):
            i += 1
            title = argv[i]
        else:
            paths.append(a)
        i += 1
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    groups = OrderedDict()
    for r in load(paths):
        groups.setdefault(str(r.get("bench", r.get("example", "results"))), []).append(r)
    if title:
        print(title)
    for name, rows in groups.items():
        table(name, rows, show_all)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
