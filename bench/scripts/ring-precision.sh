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
