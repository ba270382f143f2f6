#!/usr/bin/env bash
# The losses of issue 13 on the ring (PacGAN protocol: 8 Gaussians, std 0.01, 2,500 samples, high quality = within 3 std),
# beside the catalog GAN, each with the goodfellow2014 networks and its catalog defaults (20,000 steps, wgan-gp-ring 10,000
# with n_critic = 5), batch 256, seeds 0-2, one thread each, resumable: rerun the script to continue.
set -u
cd "$(dirname "$0")/../.."
root=runs/losses-ring
mkdir -p $root
gan="dotnet ${GAN_BIN:-samples/GanDsl.Samples/bin/Release/net10.0}/gan.dll"   # GAN_BIN: a copy of the build, so a rebuild cannot replace the running files
models="${MODELS:-goodfellow2014 lsgan-ring hinge-ring hinge-sn-ring rsgan ragan r1-ring wgan-gp-ring wgan-ring}"
for seed in 0 1 2; do
  for model in $models; do
    out=$root/$model-s$seed
    [ -f $out/metrics.json ] && continue
    resume=""; [ -f $out/checkpoint.ckpt ] && resume="--resume"
    $gan train --model $model --data ring --seed $seed --threads 1 --out $out --tensorboard none \
      --checkpoint-every 2000 --progress plain --log-every 5000 $resume > $out.log 2>&1 || echo "failed: $out" >> $root/failures.txt
  done
done
echo done > $root/DONE
{
  echo "| model | seed | steps | modes | high-quality | reverse KL | steps/s (1 thread) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for model in $models; do for seed in 0 1 2; do
    m=$root/$model-s$seed/metrics.json
    [ -f $m ] && python3 -c "import json; d=json.load(open('$m')); print(f\"| $model | $seed | {d.get('steps','')} | {d['modes_captured']}/{d['modes_total']} | {100*d['high_quality_fraction']:.1f} % | {'n/a' if d['reverse_kl'] is None else format(d['reverse_kl'], '.4f')} | {d['steps_per_second']} |\")"
  done; done
} > $root/table.md
cat $root/table.md
