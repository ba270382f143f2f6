#!/usr/bin/env bash
# PacGAN's Table 1 on the 25-Gaussian grid (Lin et al. 2018): PacGAN4 and the plain GAN with the same networks and optimizer
# (catalog entries pacgan4, pacgan-baseline: simultaneous updates, constant rate), seeds 0-2, one thread each, resumable
# (checkpoint every 2,000 steps): rerun the script to continue where it stopped. STEPS (default 50,000, the catalog's)
# longer than a finished run extends it: the constant schedule resumes exactly as one longer run (PacGAN ran 400,000).
# STEPS may list growing lengths ("50000 100000 200000 400000"): each is a leg resumed from the last, and each leg's
# metrics and samples are kept as metrics-N.json / samples-N.png (docs/results-losses.md, "Length").
# MODELS, SEEDS and ROOT (default runs/pacgan-grid) choose the runs.
set -u
cd "$(dirname "$0")/../.."
root=${ROOT:-runs/pacgan-grid}
mkdir -p $root
gan="dotnet ${GAN_BIN:-samples/GanDsl.Samples/bin/Release/net10.0}/gan.dll"   # GAN_BIN: a copy of the build, so a rebuild cannot replace the running files
done_steps() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['steps'])" "$1" 2>/dev/null || echo 0; }
for seed in ${SEEDS:-0 1 2}; do
  for model in ${MODELS:-pacgan4 pacgan-baseline}; do
    out=$root/$model-s$seed
    for steps in ${STEPS:-50000}; do
      [ -f $out/metrics-$steps.json ] && continue   # this leg is done
      if ! { [ -f $out/metrics.json ] && [ "$(done_steps $out/metrics.json)" -ge "$steps" ]; }; then
        resume=""; [ -f $out/checkpoint.ckpt ] && resume="--resume"
        $gan train --model $model --data grid --steps $steps --seed $seed --threads 1 --out $out --tensorboard none \
          --checkpoint-every 2000 --progress plain --log-every 10000 $resume >> $out.log 2>&1 || { echo "failed: $out at $steps" >> $root/failures.txt; break; }
      fi
      [ "$(done_steps $out/metrics.json)" -eq "$steps" ] && cp $out/metrics.json $out/metrics-$steps.json && cp $out/samples.png $out/samples-$steps.png
    done
  done
done
{
  echo "| model | seed | steps | batch | modes | high-quality | reverse KL | steps/s (1 thread) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for model in ${MODELS:-pacgan4 pacgan-baseline}; do for seed in ${SEEDS:-0 1 2}; do
    for m in $(ls $root/$model-s$seed/metrics-*.json 2>/dev/null | sort -V); do
      [ -f $m ] && python3 -c "import json; d=json.load(open('$m')); rk=d['reverse_kl']; print(f\"| $model | $seed | {d['steps']} | {d['batch_size']} | {d['modes_captured']}/{d['modes_total']} | {100*d['high_quality_fraction']:.1f} % | {'n/a' if rk is None else format(rk, '.4f')} | {d['steps_per_second']} |\")"
    done
  done; done
} > $root/table.md
cat $root/table.md
