#!/usr/bin/env bash
# Catalog models on a data set (DATA: ring, grid, mnist, ...) in legs of growing length, one thread each, resumable: rerun the
# script to continue where it stopped (checkpoint every 2,000 steps). STEPS lists the lengths ("10000 20000 50000"): each
# leg resumes the last, which with a constant learning rate is exactly one longer run, and each leg's metrics and samples
# are kept as metrics-N.json / samples-N.png beside the run. MODELS, SEEDS (default 0 1 2) and ROOT choose the runs;
# GAN_BIN is a copy of the build, so that a rebuild cannot replace the running files. Writes ROOT/table.md.
set -u
cd "$(dirname "$0")/../.."
data=${DATA:?DATA=ring, grid, mnist, ...}
models=${MODELS:?MODELS=<catalog names>}
seeds=${SEEDS:-0 1 2}
root=${ROOT:?ROOT=<folder of the runs>}
mkdir -p $root
gan="dotnet ${GAN_BIN:-samples/GanDsl.Samples/bin/Release/net10.0}/gan.dll"
done_steps() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['steps'])" "$1" 2>/dev/null || echo 0; }
for seed in $seeds; do
  for model in $models; do
    out=$root/$model-s$seed
    for steps in ${STEPS:?STEPS=<lengths>}; do
      [ -f $out/metrics-$steps.json ] && continue   # this leg is done
      if ! { [ -f $out/metrics.json ] && [ "$(done_steps $out/metrics.json)" -ge "$steps" ]; }; then
        resume=""; [ -f $out/checkpoint.ckpt ] && resume="--resume"
        $gan train --model $model --data $data --steps $steps --seed $seed --threads 1 --out $out --tensorboard none \
          --checkpoint-every 2000 --progress plain --log-every 10000 $resume >> $out.log 2>&1 || { echo "failed: $out at $steps" >> $root/failures.txt; break; }
      fi
      [ "$(done_steps $out/metrics.json)" -eq "$steps" ] && cp $out/metrics.json $out/metrics-$steps.json && cp $out/samples.png $out/samples-$steps.png
    done
  done
done
{
  # 2-D mixtures: PacGAN's mode metrics; images: Parzen (and its distance from real data) and FID.
  if [ "$data" = ring ] || [ "$data" = grid ]; then
    echo "| model | seed | steps | batch | modes | high-quality | reverse KL | steps/s (1 thread) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  else
    echo "| model | seed | steps | batch | Parzen | model − real | FID | steps/s (1 thread) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  fi
  for model in $models; do for seed in $seeds; do
    for m in $(ls $root/$model-s$seed/metrics-*.json 2>/dev/null | sort -V); do
      python3 - "$m" "$model" "$seed" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); model, seed = sys.argv[2], sys.argv[3]
def f(v, spec): return 'n/a' if v is None else format(v, spec)
if 'modes_captured' in d:
    print(f"| {model} | {seed} | {d['steps']} | {d['batch_size']} | {d['modes_captured']}/{d['modes_total']} | {100*d['high_quality_fraction']:.1f} % | {f(d.get('reverse_kl'), '.4f')} | {d['steps_per_second']} |")
else:
    print(f"| {model} | {seed} | {d['steps']} | {d['batch_size']} | {f(d.get('parzen_log_likelihood'), '.1f')} ± {f(d.get('parzen_standard_error'), '.1f')} | {f(d.get('parzen_minus_real'), '+.1f')} | {f(d.get('fid'), '.1f')} | {d['steps_per_second']} |")
PY
    done
  done; done
} > $root/table.md
cat $root/table.md
