#!/usr/bin/env bash
# Ring GAN (goodfellow2014, 20,000 steps, batch 256) in fp32 and bf16, seeds 0-2, one thread each, resumable.
set -u
cd "$(dirname "$0")/../.."
mkdir -p runs/precision
gan="dotnet ${GAN_BIN:-samples/GanDsl.Samples/bin/Release/net10.0}/gan.dll"   # GAN_BIN: a copy of the build, so a rebuild cannot replace the running files
for seed in 0 1 2; do
  for p in fp32 bf16; do
    out=runs/precision/ring-$p-s$seed
    [ -f $out/metrics.json ] && continue
    resume=""; [ -f $out/checkpoint.ckpt ] && resume="--resume"
    $gan train --model goodfellow2014 --data ring --seed $seed --precision $p --threads 1 --out $out --tensorboard none \
      --checkpoint-every 2000 --progress plain --log-every 5000 $resume > $out.log 2>&1 || echo "failed: $out" >> runs/precision/failures.txt
  done
done
echo done > runs/precision/DONE
# The table (docs/results-precision.md): modes, high-quality fraction and reverse KL of each run.
{
  echo "| seed | precision | modes | high-quality | reverse KL | steps/s (1 thread) |"
  echo "|---:|---|---:|---:|---:|---:|"
  for seed in 0 1 2; do for p in fp32 bf16; do
    m=runs/precision/ring-$p-s$seed/metrics.json
    [ -f $m ] && python3 -c "import json,sys; d=json.load(open('$m')); print(f\"| $seed | $p | {d['modes_captured']}/{d['modes_total']} | {100*d['high_quality_fraction']:.1f} % | {d['reverse_kl']:.4f} | {d['steps_per_second']} |\")"
  done; done
} > runs/precision/table.md
cat runs/precision/table.md
