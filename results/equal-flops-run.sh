#!/bin/sh
# Equal-compute baselines (X-C=F, Y-C=F) added to the 5-seed growth-rules experiment (docs/results.md).
# The work folder is rebuilt from the committed results JSON; finished jobs are skipped, so re-running resumes.
set -e
python3 results/restore-work-folder.py results/fashion-growth-rules.json runs/experiments/fashion-growth-rules
${BIN:-examples/Experiments/bin/Release/net10.0}/motivation-experiments run --model FashionResNet --growth-model FashionResNetGrowing \
  --name fashion-equal-flops --train-limit 20000 --test-limit 10000 --epochs 2 --seeds 1,2,3,4,5 --k 2 --batch 128 \
  --optimizer sgd --lr 0.1 --momentum 0.9 --wd 5e-4 --schedule cosine --threads 2 --equal-flops \
  --work runs/experiments/fashion-growth-rules --out results
