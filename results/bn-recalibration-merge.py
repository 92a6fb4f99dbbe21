#!/usr/bin/env python3
"""Merges `motivation-experiments recalibrate-bn` reports of one experiment that were run on different seeds (e.g. seeds
4-5 in one session, seeds 1-3 re-run in another), and prints the tables of docs/results.md's BatchNorm subsection over
all their seeds: per row as trained -> re-estimated with the change paired by seed, and the experiment's comparisons
with every model re-estimated (paired by seed; reading rule of docs/results.md: better / worse when |mean| > the paired
spread, the sample std). With --out FILE it also writes the merged report JSON (same schema, "command" lists the
parts). A job/model evaluated in two reports, or reports of different configuration hashes, is an error.

usage: python3 results/bn-recalibration-merge.py [--out merged.json] REPORT.json REPORT.json ...
"""
import json
import statistics
import sys

ROWS = {("classicalBase", "base"): "X-C", ("motivated", "base"): "X-Y-B", ("motivated", "motivated"): "X-Y-M",
        ("motivatedFunctionPreserving", "base"): "X-F-B", ("motivatedFunctionPreserving", "motivated"): "X-F-M",
        ("classicalLarge", "motivated"): "Y-C"}
COMPARISONS = [("X-F-M", "Y-C"), ("X-F-B", "X-C"), ("X-Y-M", "Y-C"), ("X-Y-B", "X-C"), ("X-F-M", "X-Y-M")]


def paired(a, b):
    seeds = sorted(set(a) & set(b))
    d = [a[s] - b[s] for s in seeds]
    mean = statistics.mean(d)
    sd = statistics.stdev(d) if len(d) > 1 else float("nan")
    reads = "not distinguishable" if len(d) < 2 or not abs(mean) > sd else ("better" if mean > 0 else "worse")
    return seeds, d, mean, sd, sum(1 for x in d if x > 0), reads


def main(argv):
    out = None
    if argv[:1] == ["--out"]:
        out, argv = argv[1], argv[2:]
    if not argv:
        sys.exit(__doc__)
    reports = [json.load(open(p)) for p in argv]
    hashes = {r["configHash"] for r in reports}
    if len(hashes) != 1:
        sys.exit(f"error: the reports are of different experiments (configuration hashes {sorted(hashes)})")
    results, seen = [], set()
    for p, r in zip(argv, reports):
        for x in r["results"]:
            key = (x["job"], x["role"])
            if key in seen:
                sys.exit(f"error: {x['job']} ({x['role']}) is in more than one report ({p})")
            seen.add(key)
            results.append(x)
    trained, recal = {}, {}
    for x in results:
        row = ROWS[(x["kind"], x["role"])]
        trained.setdefault(row, {})[x["seed"]] = 100 * x["asTrained"]["accuracy"]
        recal.setdefault(row, {})[x["seed"]] = 100 * x["recalibrated"]["accuracy"]
    print(f"experiment {hashes.pop()}, {len(results)} models from {len(argv)} reports")
    print("| row | seeds | as trained -> re-estimated, per seed (%) | change mean pp | spread | better in | reads |")
    print("|---|---|---|---|---|---|---|")
    for row in ROWS.values():
        if row not in recal:
            continue
        seeds, d, mean, sd, wins, reads = paired(recal[row], trained[row])
        per = " / ".join(f"{trained[row][s]:.2f} -> {recal[row][s]:.2f}" for s in seeds)
        print(f"| {row} | {', '.join(map(str, seeds))} | {per} | {mean:+.2f} | {sd:.2f} | {wins} of {len(d)} | {reads} |")
    print()
    print("| difference (both re-estimated) | seeds | per seed (pp) | mean pp | spread | first row better in | reads |")
    print("|---|---|---|---|---|---|---|")
    for a, b in COMPARISONS:
        if a in recal and b in recal and set(recal[a]) & set(recal[b]):
            seeds, d, mean, sd, wins, reads = paired(recal[a], recal[b])
            print(f"| {a} - {b} | {', '.join(map(str, seeds))} | {' / '.join(f'{x:+.2f}' for x in d)} | {mean:+.2f} | "
                  f"{sd:.2f} | {wins} of {len(d)} | {reads} |")
    if out:
        merged = dict(reports[0])
        merged["command"] = [r["command"] for r in reports]
        merged["results"] = sorted(results, key=lambda x: (x["seed"], x["job"], x["role"]))
        json.dump(merged, open(out, "w"), indent=2)


if __name__ == "__main__":
    main(sys.argv[1:])
