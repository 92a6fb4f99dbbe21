#!/usr/bin/env python3
"""Mean and 95 % t-interval of the build time 20 models add, from a generator benchmark's console log: repeat r of
`with` paired with repeat r of `without` (lines `genbench FreshCompiler with repeat r/n: full Xs  unrelated edit Ys`).

usage: python3 tests/MotivationDsl.Benchmarks/scripts/genbench-paired-ci.py docs/benchmarks/generator-20261130-195842.log
"""
import re
import statistics as st
import sys

T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}  # by degrees of freedom
runs = {}
for line in open(sys.argv[1]):
    m = re.search(r'genbench (\w+) +(with|without) +repeat (\d+)/\d+: full ([\d.]+)s  unrelated edit ([\d.]+)s', line)
    if m:
        runs.setdefault(m.group(1), {}).setdefault(m.group(2), {})[m.group(3)] = (float(m.group(4)), float(m.group(5)))
for mode, arms in runs.items():
    for i, kind in ((0, "full compile"), (1, "unrelated edit")):
        d = [arms["with"][r][i] - arms["without"][r][i] for r in sorted(arms["with"]) if r in arms["without"]]
        mean, half = st.mean(d), T95[len(d) - 1] * st.stdev(d) / len(d) ** 0.5
        print(f"{mode} {kind}: {' '.join(f'{x:.1f}' for x in d)}; mean {mean:.2f} s, 95 % CI [{mean - half:.2f}, {mean + half:.2f}]")
