#!/usr/bin/env bash
# Does D win early? The conditional GAN with the paper's dropout in G and D (cgan-paper) against dropout in D only
# (cgan-paper-d-dropout) on the full MNIST, over seeds: each run is the 30,000-update catalog run (same schedules),
# stopped after step STOP (default 6,000), one torch thread. Prints D's and G's losses at 3,000 and STOP and the
# validation Parzen at STOP (docs/results-reproduce.md, "Dropout in D only"). Rerun to skip the runs already done.
# SEEDS (default 1 2 3), MODELS, ROOT (default runs/cgan-sweep), GAN_BIN (a copy of the build, so a rebuild cannot
# replace the running files).
set -u
cd "$(dirname "$0")/../.."
root=${ROOT:-runs/cgan-sweep}
stop=${STOP:-6000}
gan="dotnet ${GAN_BIN:-samples/GanDsl.Samples/bin/Release/net10.0}/gan.dll"
mkdir -p $root
for seed in ${SEEDS:-1 2 3}; do for model in ${MODELS:-cgan-paper-d-dropout cgan-paper}; do
  out=$root/$model-s$seed; log=$out.log
  [ -f $log ] && grep -q "step  *$stop/" $log && continue
  rm -rf $out
  $gan train --model $model --seed $seed --threads 1 --steps 30000 --validate-every 2000 --out $out \
    --checkpoint-every 100000 --progress plain --log-every 1000 --tensorboard none --no-eval > $log 2>&1 &
  pid=$!
  while kill -0 $pid 2>/dev/null; do
    if grep -q "step  *$stop/" $log; then sleep 20; kill $pid; break; fi   # the validation at $stop comes after its line
    sleep 10
  done
  wait $pid 2>/dev/null
done; done
echo "| model | seed | loss_D / loss_G at 3,000 | at $stop | validation Parzen at $stop |"
echo "|---|---:|---:|---:|---:|"
for log in $root/*-s*.log; do
  name=$(basename $log .log); model=${name%-s*}; seed=${name##*-s}
  echo "| $model | $seed | $(grep -E "^step +3000/" $log | awk '{print $4" / "$6}') | $(grep -E "^step +$stop/" $log | awk '{print $4" / "$6}') | $(grep "step $stop:" $log | awk '{print $6}') |"
done | tee $root/table.md
