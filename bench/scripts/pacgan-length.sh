#!/usr/bin/env bash
# PacGAN's grid at growing lengths (docs/results-losses.md, "Length"): one catalog model and seed, trained in legs of
# LEGS updates (default 50,000 ... 400,000, the authors' length); the constant rate resumes each leg exactly as one longer
# run, and each leg's metrics and samples are kept as metrics-N.json / samples-N.png. Rerun to continue where it stopped.
#   MODEL=pacgan-baseline SEED=0 GAN_BIN=<a copy of the build> bash bench/scripts/pacgan-length.sh
set -u
cd "$(dirname "$0")/../.."
model=${MODEL:-pacgan-baseline}; seed=${SEED:-0}
out=runs/pacgan-trend/$model-s$seed
gan="dotnet ${GAN_BIN:-samples/GanDsl.Samples/bin/Release/net10.0}/gan.dll"   # a copy, so a rebuild cannot replace the running files
mkdir -p runs/pacgan-trend
for steps in ${LEGS:-50000 100000 150000 200000 300000 400000}; do
  [ -f $out/metrics-$steps.json ] && continue   # this leg is done
  resume=""; [ -f $out/checkpoint.ckpt ] && resume="--resume"
  $gan train --model $model --data grid --steps $steps --seed $seed --threads 1 --out $out --tensorboard none \
    --checkpoint-every 5000 --progress plain --log-every 10000 $resume >> $out.log 2>&1 || { echo "failed at $steps: see $out.log"; exit 1; }
  cp $out/metrics.json $out/metrics-$steps.json
  cp $out/samples.png $out/samples-$steps.png
done
