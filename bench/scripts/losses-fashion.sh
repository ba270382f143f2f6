#!/usr/bin/env bash
# The DCGAN-sized losses of issue 13 on Fashion-MNIST (the full set), beside today's dcgan at the same length: 3,000
# generator steps of batch 64 (the length of docs/results-images.md's dcgan row), seed 0 (SEEDS to add more), linear
# schedule, one torch thread each, then the project's FID (10,000 samples against the test set) and Parzen. Resumable:
# rerun the script to continue (checkpoint every 500 steps).
set -u
cd "$(dirname "$0")/../.."
root=runs/losses-fashion
mkdir -p $root
gan="dotnet ${GAN_BIN:-samples/GanDsl.Samples/bin/Release/net10.0}/gan.dll"   # GAN_BIN: a copy of the build, so a rebuild cannot replace the running files
models="${MODELS:-lsgan r1 hinge-sn dcgan wgan-gp}"
for seed in ${SEEDS:-0}; do
  for model in $models; do
    out=$root/$model-s$seed
    [ -f $out/metrics.json ] && continue
    resume=""; [ -f $out/checkpoint.ckpt ] && resume="--resume"
    $gan train --model $model --data fashion-mnist --steps ${STEPS:-3000} --seed $seed --threads 1 --out $out --tensorboard none \
      --checkpoint-every 500 --progress plain --log-every 500 $resume >> $out.log 2>&1 || echo "failed: $out" >> $root/failures.txt
  done
done
{
  echo "| model | seed | steps × batch | FID (floor) | Parzen LL | steps/s (1 thread) |"
  echo "|---|---:|---:|---:|---:|---:|"
  for model in $models; do for seed in ${SEEDS:-0}; do
    m=$root/$model-s$seed/metrics.json
    [ -f $m ] && python3 - "$m" "$model" "$seed" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def num(x, f): return format(x, f) if isinstance(x, (int, float)) else 'n/a'
print(f"| {sys.argv[2]} | {sys.argv[3]} | {d.get('steps')} × {d.get('batch_size')} | {num(d.get('fid'), '.2f')} ({num(d.get('fid_real_vs_real'), '.2f')}) | {num(d.get('parzen_log_likelihood'), '.1f')} | {d.get('steps_per_second')} |")
PY
  done; done
} > $root/table.md
cat $root/table.md
