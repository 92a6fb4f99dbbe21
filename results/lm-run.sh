#!/bin/sh
# Language-model experiment (docs/results.md, "Language model (byte-level, ...)"): GptFamily's ByteBase (2 x 128 x 4)
# -> ByteDeep (6 x 128 x 4) on python3-doc's text, byte level, under both growth rules (X-Y: the paper's map, the
# [ScalableModel] pair; X-F: function-preserving growth, the [Pair(..., Growth = FunctionPreserving)] of the same model),
# with X-C and Y-C at the same steps; seeds 1, 2, 3 fixed in advance. A small budget: 6 epochs of 800 windows of 128
# bytes (25 steps of batch 32 each: 150 steps, 614,400 training bytes per job), AdamW with one warm-up epoch and cosine
# decay, gradient clipping at 1. Also the equal-compute rows X-C=F and Y-C=F (classical runs at the X-F run's training FLOPs).
# Resumable: finished jobs are skipped, an interrupted one resumes from its last epoch. Each seed is its own command, so
# under the machine's experiment lock (flock) every seed is one lock-held step, the equal-compute rows last
# (EQUAL_FLOPS=0 leaves them out; they are not part of the configuration hash, so adding them later only adds jobs):
#   for s in 1 1,2 1,2,3; do SEEDS=$s EQUAL_FLOPS=0 flock /work/wt/science.lock sh results/lm-run.sh; done
#   flock /work/wt/science.lock sh results/lm-run.sh
set -e
EQ=--equal-flops
if [ "${EQUAL_FLOPS:-1}" = 0 ]; then EQ=; fi
# jobs finished in an earlier session (committed results) are not run again
if [ -f results/lm-byte-gpt.json ]; then
  python3 results/restore-work-folder.py results/lm-byte-gpt.json runs/experiments/lm-byte-gpt
fi
${BIN:-examples/Experiments/bin/Release/net10.0}/motivation-experiments run --model GptFamily --growth-model GptFamily \
  --name lm-byte-gpt --train-limit 800 --test-limit 512 --epochs 6 --seeds ${SEEDS:-1,2,3} --k 2 --batch 32 $EQ \
  --optimizer adamw --lr 0.002 --wd 0.1 --schedule cosine --warmup 1 --clip 1 --threads 1 \
  --work runs/experiments/lm-byte-gpt --out results
