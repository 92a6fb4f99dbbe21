#!/bin/sh
# Width growth on Fashion-MNIST (issue 14 point 3, docs/results.md "Width growth"): ResNet-20 layout at half width
# (8/16/32) -> full width (16/32/64), option B shortcuts, under the paper's rule (FashionResNetWidth: X-Y) and
# function-preserving growth (FashionResNetWidthGrowing: X-F), with X-C and Y-C; same recipe as the growth-rules run.
# SEEDS (default 1,2,3,4,5) picks the seeds of this invocation; finished jobs are skipped, so re-running resumes, and
# jobs finished in an earlier session are restored from the committed results JSON first.
set -e
WORK=runs/experiments/fashion-width-growth
if [ -f results/fashion-width-growth.json ]; then
  python3 results/restore-work-folder.py results/fashion-width-growth.json $WORK
fi
${BIN:-examples/Experiments/bin/Release/net10.0}/motivation-experiments run --model FashionResNetWidth \
  --growth-model FashionResNetWidthGrowing \
  --name fashion-width-growth --train-limit 20000 --test-limit 10000 --epochs 2 --seeds ${SEEDS:-1,2,3,4,5} --k 2 --batch 128 \
  --optimizer sgd --lr 0.1 --momentum 0.9 --wd 5e-4 --schedule cosine --threads 2 \
  --work $WORK --out results
