#!/usr/bin/env python3
"""Paired-by-seed difference of two rows of a results JSON (docs/results.md's reading rule).

usage: python3 results/paired-difference.py results/fashion-width-growth.json X-Y-B X-C [Y-C X-C ...]
(rows as pairs: A B -> A minus B; row names as in the generated tables: X-C, X-Y-B, X-Y-M, X-F-B, X-F-M, Y-C, ...)
Prints: | A - B | mean | spread | per seed | first row better in | reads | (pp; bits per byte for a language model,
where lower is better)
"""
import json
import statistics
import sys

d = json.load(open(sys.argv[1]))
rows = {r["row"]: dict(zip(r["seeds"], r["values"])) for r in d["rows"]}
scale = 1 if d["config"].get("task") == "languageModel" else 100
higher = scale == 100
args = sys.argv[2:]
for a, b in zip(args[::2], args[1::2]):
    seeds = sorted(set(rows[a]) & set(rows[b]))
    diff = [scale * (rows[a][s] - rows[b][s]) for s in seeds]
    mean, sd = statistics.mean(diff), statistics.stdev(diff) if len(diff) > 1 else float("nan")
    wins = sum(1 for x in diff if (x > 0) == higher and x != 0)
    reads = "not distinguishable" if len(diff) < 2 or not abs(mean) > sd else ("better" if (mean > 0) == higher else "worse")
    n = 2 if higher else 4  # percentage points to 2 decimals, bits per byte to 4
    print(f"| {a} - {b} | {mean:+.{n}f} | {sd:.{n}f} | {' / '.join(f'{x:+.{n}f}' for x in diff)} | {wins} of {len(diff)} | {reads} |")
