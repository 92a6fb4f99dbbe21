#!/bin/sh
# Learned trigger (issue 14 point 5): X-LT (LearnedTrigger on the function-preserving pair) and X-LR (random
# activations at X-LT's share), added to the 5-seed growth-rules experiment (docs/results.md); same configuration hash,
# finished jobs are skipped, so re-running resumes.
set -e
python3 results/restore-work-folder.py results/fashion-growth-rules.json runs/experiments/fashion-growth-rules
for done in results/fashion-growth-ablation.json results/fashion-equal-flops.json results/fashion-learned-trigger.json; do
  if [ -f "$done" ]; then python3 results/restore-work-folder.py "$done" runs/experiments/fashion-growth-rules; fi
done
${BIN:-examples/Experiments/bin/Release/net10.0}/motivation-experiments run --model FashionResNet --growth-model FashionResNetGrowing \
  --learned-trigger --name fashion-learned-trigger --train-limit 20000 --test-limit 10000 --epochs 2 --seeds 1,2,3,4,5 \
  --k 2 --batch 128 --optimizer sgd --lr 0.1 --momentum 0.9 --wd 5e-4 --schedule cosine --threads 2 \
  --work runs/experiments/fashion-growth-rules --out results
