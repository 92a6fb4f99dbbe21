#!/bin/sh
# Growth ablation cells (X-FR: first-l + random, X-LI: last-to-last + identity) added to the 5-seed growth-rules
# experiment (docs/results.md); same configuration hash, finished jobs are skipped, so re-running resumes.
set -e
python3 results/restore-work-folder.py results/fashion-growth-rules.json runs/experiments/fashion-growth-rules
# jobs of this experiment finished in an earlier session (committed results) are not run again
if [ -f results/fashion-growth-ablation.json ]; then
  python3 results/restore-work-folder.py results/fashion-growth-ablation.json runs/experiments/fashion-growth-rules
fi
${BIN:-examples/Experiments/bin/Release/net10.0}/motivation-experiments run --model FashionResNet --growth-model FashionResNetGrowing \
  --ablation-first-random FashionResNetFirstRandom --ablation-last-identity FashionResNetLastIdentity \
  --name fashion-growth-ablation --train-limit 20000 --test-limit 10000 --epochs 2 --seeds 1,2,3,4,5 --k 2 --batch 128 \
  --optimizer sgd --lr 0.1 --momentum 0.9 --wd 5e-4 --schedule cosine --threads 2 \
  --work runs/experiments/fashion-growth-rules --out results
