#!/usr/bin/env python3
"""Mean and 95 % t-interval of the build time 20 models add, from a generator benchmark's console log: repeat r of
`with` paired with repeat r of `without` (lines `genbench FreshCompiler with repeat r/n: full Xs  unrelated edit Ys`).

usage: python3 tests/MotivationDsl.Benchmarks/scripts/genbench-paired-ci.py docs/benchmarks/generator-20261130-195842.log
"""
import re
import statistics as st
import sys

# Two-sided 95 % t quantiles by degrees of freedom (standard tables). The benchmark itself prints the same interval
# (DifferenceInterval); this script recomputes it from a committed console log.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
       11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086,
       21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042}
runs = {}
for line in open(sys.argv[1]):
    m = re.search(r'genbench (\w+) +(with|without) +repeat (\d+)/\d+: full ([\d.]+)s  unrelated edit ([\d.]+)s', line)
    if m:
        runs.setdefault(m.group(1), {}).setdefault(m.group(2), {})[m.group(3)] = (float(m.group(4)), float(m.group(5)))
for mode, arms in runs.items():
    for i, kind in ((0, "full compile"), (1, "unrelated edit")):
        d = [arms["with"][r][i] - arms["without"][r][i] for r in sorted(arms["with"]) if r in arms["without"]]
        if not 2 <= len(d) <= 31:
            sys.exit(f"error: {mode} {kind}: {len(d)} pairs in {sys.argv[1]}; this script handles 2 to 31")
        mean, half = st.mean(d), T95[len(d) - 1] * st.stdev(d) / len(d) ** 0.5
        print(f"{mode} {kind}: {' '.join(f'{x:.1f}' for x in d)}; mean {mean:.2f} s, 95 % CI [{mean - half:.2f}, {mean + half:.2f}]")
