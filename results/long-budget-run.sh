#!/bin/sh
# The long budget (issue 14 point 4, docs/results.md "Long budget"): all 60,000 Fashion-MNIST training images, 10 epochs
# (4,690 SGD steps per classical job), examples/QuickStart's pair (FashionResNet: stride-2 stem, 8/16/32 channels,
# ResNet-20 -> ResNet-32) under both growth rules, rows X-C, X-Y, X-F, Y-C and the equal-compute rows X-C=F, Y-C=F
# (--equal-flops: the budget of X-F), seeds fixed in advance (SEEDS, default 1,2,3), full 10,000-image test set.
#
# Every seed is one command holding the machine-wide experiment lock (LOCK; LOCK= runs without it), so other jobs get
# turns between seeds; do NOT wrap this script in flock yourself (it would hold the lock for all seeds and wait on
# itself). Resumable: finished jobs are skipped, an interrupted job resumes from its last epoch checkpoint (at most one
# epoch is lost). The work folder and the results live OUTSIDE the git worktree (WORK, default
# /work/science/long-budget; results in OUT, default $WORK/results) so they survive across sessions; copy
# $OUT/fashion-60k-10ep.* into results/ to commit them. BIN: the runner's build output (build it outside a folder a
# running job uses: dotnet build -c Release examples/Experiments -o DIR).
set -e
BIN=${BIN:-$(pwd)/examples/Experiments/bin/Release/net10.0}
WORK=${WORK:-/work/science/long-budget}
OUT=${OUT:-$WORK/results}
LOCK=${LOCK-/work/wt/science.lock}
mkdir -p "$WORK" "$OUT"
done_seeds=""
for s in $(echo "${SEEDS:-1,2,3}" | tr ',' ' '); do
  done_seeds=${done_seeds:+$done_seeds,}$s
  echo "== seeds $done_seeds (finished jobs are skipped) $(date -u +%H:%M:%S) UTC"
  ${LOCK:+flock "$LOCK"} "$BIN/motivation-experiments" run --model MotivationDsl.Examples.QuickStart.FashionResNet \
    --growth-model QuickStartResNetGrowing --equal-flops --name fashion-60k-10ep --epochs 10 --seeds "$done_seeds" \
    --k 2 --batch 128 --optimizer sgd --lr 0.1 --momentum 0.9 --wd 5e-4 --schedule cosine --threads 2 \
    --work "$WORK/fashion-60k-10ep" --out "$OUT"
done
