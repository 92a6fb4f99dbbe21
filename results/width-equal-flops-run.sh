#!/bin/sh
# Equal-compute baselines for width growth (issue 14 point 1 for the width pair, docs/results.md "Width growth"):
# X-C=F (half-width ResNet-20 trained classically) and Y-C=F (full-width, classically), each for the number of steps
# whose training FLOPs are closest to the same seed's X-F run (function-preserving width growth), added to the
# fashion-width-growth experiment (same configuration hash, so every row is paired by seed with X-C, X-Y, X-F, Y-C).
#
# Every seed is one command holding the machine-wide experiment lock (LOCK; LOCK= runs without it), seeds cumulative
# (SEEDS, default 1,2,3,4,5: the command for seed s covers 1..s, finished jobs are skipped), so each command rewrites
# results/fashion-width-equal-flops.* with every seed finished so far. Do not wrap this script in flock yourself.
set -e
BIN=${BIN:-examples/Experiments/bin/Release/net10.0}
WORK=runs/experiments/fashion-width-growth
LOCK=${LOCK-/work/wt/science.lock}
python3 results/restore-work-folder.py results/fashion-width-growth.json $WORK
if [ -f results/fashion-width-equal-flops.json ]; then
  python3 results/restore-work-folder.py results/fashion-width-equal-flops.json $WORK
fi
done_seeds=""
for s in $(echo "${SEEDS:-1,2,3,4,5}" | tr ',' ' '); do
  done_seeds=${done_seeds:+$done_seeds,}$s
  echo "== seeds $done_seeds (finished jobs are skipped) $(date -u +%H:%M:%S) UTC"
  ${LOCK:+flock "$LOCK"} "$BIN/motivation-experiments" run --model FashionResNetWidth \
    --growth-model FashionResNetWidthGrowing --equal-flops \
    --name fashion-width-equal-flops --train-limit 20000 --test-limit 10000 --epochs 2 --seeds "$done_seeds" --k 2 --batch 128 \
    --optimizer sgd --lr 0.1 --momentum 0.9 --wd 5e-4 --schedule cosine --threads 2 \
    --work $WORK --out results
done
