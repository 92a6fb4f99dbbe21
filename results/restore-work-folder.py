#!/usr/bin/env python3
"""Rebuilds an experiment's work folder (config.json + runs/<job>-seed<s>.json) from its committed results JSON, so
that jobs can be added to a finished experiment (e.g. --equal-flops) on a machine that does not have the original
folder. The runner then checks every record's config hash against the configuration, as for any resume.
usage: results/restore-work-folder.py results/NAME.json runs/experiments/NAME"""
import json, os, sys

SLUG = {"classicalBase": "x-c", "motivated": "x-y", "motivatedFunctionPreserving": "x-f", "classicalLarge": "y-c",
        "randomAblation": "x-r", "emaAblation": "x-e", "classicalBaseEqualFlops": "x-c-eq", "classicalLargeEqualFlops": "y-c-eq",
        "ablationFirstRandom": "x-fr", "ablationLastIdentity": "x-li", "learnedTrigger": "x-l", "learnedTriggerRandom": "x-lr"}

src, work = sys.argv[1], sys.argv[2]
d = json.load(open(src))
os.makedirs(os.path.join(work, "runs"), exist_ok=True)
cfg = os.path.join(work, "config.json")
if not os.path.exists(cfg):
    json.dump({"hash": d["configHash"], "config": d["config"]}, open(cfg, "w"), indent=2)
for r in d["runs"]:
    path = os.path.join(work, "runs", f"{SLUG[r['kind']]}-seed{r['seed']}.json")
    if not os.path.exists(path):
        json.dump(r, open(path, "w"), indent=2)
        print("restored", path)
