#!/usr/bin/env python3
"""Does motivation pay at equal compute? (docs/results.md, "the answer so far"; issue 14).

Reads the committed results JSON files of one experiment (same configuration hash; runs merged by job) and, for every
motivated row (a base or motivated model of a motivated run), compares it, paired by seed, with the best classical row
(by mean) among those that spent at most 3 % more training FLOPs (forward + backward, the runner's accounting). A
classical row with fewer FLOPs counts: if it is better, the motivated run did not pay at equal compute either. Reading
rule of docs/results.md: better / worse when |mean paired difference| > the paired spread (sample std), else not
distinguishable. Higher accuracy is better; for a language model (bits per byte) lower is better.

With --recalibrated REPORT.json (repeatable; `motivation-experiments recalibrate-bn` reports of the same experiment)
it adds, for every motivated row with re-estimated BatchNorm statistics, a row "... (BN re-estimated)" over the seeds
the reports cover, against the same classical rows as recorded.

usage: python3 results/answer-so-far.py results/fashion-equal-flops.json results/fashion-growth-ablation.json ...
       python3 results/answer-so-far.py results/fashion-width-growth.json results/fashion-width-equal-flops.json \
         --recalibrated results/fashion-width-growth-bn-recalibration.json
"""
import json
import statistics
import sys

CLASSICAL = {"X-C": ("classicalBase", "base"), "Y-C": ("classicalLarge", "motivated"),
             "X-C=F": ("classicalBaseEqualFlops", "base"), "Y-C=F": ("classicalLargeEqualFlops", "motivated")}
MOTIVATED = {"X-Y": "motivated", "X-F": "motivatedFunctionPreserving", "X-FR": "ablationFirstRandom",
             "X-LI": "ablationLastIdentity", "X-L": "learnedTrigger", "X-LR": "learnedTriggerRandom"}


def main(args):
    paths, reports = [], []
    while args:
        if args[0] == "--recalibrated":
            reports.append(json.load(open(args[1])))
            args = args[2:]
        else:
            paths.append(args[0])
            args = args[1:]
    runs, hashes, lm = {}, set(), False
    recal = {}
    for rep in reports:
        for x in rep["results"]:
            recal[(x["kind"], x["seed"], x["role"])] = 100 * x["recalibrated"]["accuracy"]
    for p in paths:
        d = json.load(open(p))
        hashes.add(d["configHash"])
        lm = lm or d["config"].get("task") == "languageModel"
        for r in d["runs"]:
            runs[(r["kind"], r["seed"])] = r
    if len(hashes) != 1 or any(rep["configHash"] not in hashes for rep in reports):
        sys.exit(f"error: the files are of different experiments (configuration hashes {sorted(hashes)})")
    higher = not lm

    def value(r, role):
        if lm:
            return r.get(role + "BitsPerByte")
        v = r.get(role + "Accuracy")
        return None if v is None else 100 * v

    def row(kind, role):
        return {s: (value(r, role), r["trainingFlops"]) for (k, s), r in runs.items() if k == kind and value(r, role) is not None}

    def recalibrated_row(kind, role):
        return {s: (recal[(kind, s, role)], r["trainingFlops"]) for (k, s), r in runs.items() if k == kind and (kind, s, role) in recal}

    classical = {name: row(kind, role) for name, (kind, role) in CLASSICAL.items()}
    classical = {n: v for n, v in classical.items() if v}
    unit = "bpb" if lm else "pp"
    mfmt = ".4f" if lm else ".2f"  # means as in the results tables: bits per byte to 4 decimals, accuracy % to 2
    print(f"experiment {sorted(hashes)[0]} ({'bits per byte, lower is better' if lm else 'test accuracy %, higher is better'})")
    print(f"| motivated row | mean | training TFLOPs | best classical at <= its FLOPs | its mean | its TFLOPs | per seed ({unit}) | mean {unit} | spread | better in | reads |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    variants = [("", row)] + ([(" (BN re-estimated)", recalibrated_row)] if reports else [])
    for name, kind in MOTIVATED.items():
        for (suffix, role), (label, source) in ((sr, v) for v in variants for sr in (("-B", "base"), ("-M", "motivated"))):
            m = source(kind, role)
            if not m:
                continue
            suffix += label
            flops = statistics.mean(f for _, f in m.values())
            mean_m = statistics.mean(v for v, _ in m.values())
            cands = [(n, c) for n, c in classical.items() if statistics.mean(f for _, f in c.values()) <= 1.03 * flops]
            if not cands:
                print(f"| {name}{suffix} | {mean_m:{mfmt}} | {flops / 1e12:.3f} | (no classical row at <= its FLOPs) | | | | | | | |")
                continue
            key = (lambda nc: statistics.mean(v for v, _ in nc[1].values()))
            best, c = max(cands, key=key) if higher else min(cands, key=key)
            seeds = sorted(set(m) & set(c))
            d = [m[s][0] - c[s][0] for s in seeds]
            mean_d = statistics.mean(d)
            sd = statistics.stdev(d) if len(d) > 1 else float("nan")
            wins = sum(1 for x in d if (x > 0 if higher else x < 0))
            reads = "not distinguishable" if len(d) < 2 or not abs(mean_d) > sd else (
                "better" if (mean_d > 0) == higher else "worse")
            fmt = "{:+.4f}" if lm else "{:+.2f}"
            print(f"| {name}{suffix} | {mean_m:{mfmt}} | {flops / 1e12:.3f} | {best} | {key((best, c)):{mfmt}} | "
                  f"{statistics.mean(f for _, f in c.values()) / 1e12:.3f} | {' / '.join(fmt.format(x) for x in d)} | "
                  f"{fmt.format(mean_d)} | {sd:.4f} | {wins} of {len(d)} | {reads} |")


if __name__ == "__main__":
    main(sys.argv[1:])
