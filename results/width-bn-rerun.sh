#!/bin/sh
# Width growth's BatchNorm check for seeds whose final checkpoints are gone (docs/results.md, "The motivated wide model's
# BatchNorm statistics"): re-runs the four width jobs of each seed (X-C, X-Y, X-F, Y-C; the recipe of
# results/width-growth-run.sh) in a private work folder, then `recalibrate-bn` on that seed's jobs. The committed
# results are never overwritten: the runner writes to $W/results and the recalibration to $W/bn-seed<s>, and the work
# folder gets only config.json from results/fashion-width-growth.json (the committed records of the re-run seeds are
# moved to $W/records-committed, to compare the re-run's accuracies with). Takes the experiment lock once per seed (do
# not wrap it in flock); resumable (finished jobs are skipped, an interrupted job resumes from its last epoch).
#   BIN=/work/science/bin-sci7 SEEDS="1 2 3" sh results/width-bn-rerun.sh
# A seed is not started when the lock is taken at or after CUTOFF (HHMM UTC; default: never).
W=${W:-/work/science/width-bn-rerun}
BIN=${BIN:-examples/Experiments/bin/Release/net10.0}
CUTOFF=${CUTOFF:-2500}
set -e
if [ ! -f $W/fashion-width-growth/config.json ]; then
  python3 results/restore-work-folder.py results/fashion-width-growth.json $W/fashion-width-growth > /dev/null
  mkdir -p $W/records-committed
  for s in ${SEEDS:-1 2 3}; do mv $W/fashion-width-growth/runs/*-seed$s.json $W/records-committed/; done
fi
set +e
for s in ${SEEDS:-1 2 3}; do
  flock /work/wt/science.lock sh -c "
    if [ \$(date -u +%H%M) -ge $CUTOFF ]; then echo \"seed $s not started: past $CUTOFF UTC (\$(date -u +%H:%M))\"; exit 3; fi
    echo \"seed $s lock taken \$(date -u +%H:%M:%S)\"
    $BIN/motivation-experiments run --model FashionResNetWidth --growth-model FashionResNetWidthGrowing \
      --name fashion-width-growth --train-limit 20000 --test-limit 10000 --epochs 2 --seeds $s --k 2 --batch 128 \
      --optimizer sgd --lr 0.1 --momentum 0.9 --wd 5e-4 --schedule cosine --threads 2 \
      --work $W/fashion-width-growth --out $W/results &&
    $BIN/motivation-experiments recalibrate-bn --work $W/fashion-width-growth --batches 100 \
      --jobs x-c-seed$s,x-y-seed$s,x-f-seed$s,y-c-seed$s --out $W/bn-seed$s &&
    echo \"seed $s done \$(date -u +%H:%M:%S)\"" || { echo "seed $s exit $?"; exit 1; }
done
