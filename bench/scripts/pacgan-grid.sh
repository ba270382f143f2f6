#!/usr/bin/env bash
# PacGAN's Table 1 on the 25-Gaussian grid (Lin et al. 2018): PacGAN4 and the plain GAN with the same networks and optimizer
# (catalog entries pacgan4, pacgan-baseline: simultaneous updates, constant rate), seeds 0-2, one thread each, resumable
# (checkpoint every 2,000 steps): rerun the script to continue where it stopped. STEPS (default 50,000, the catalog's)
# longer than a finished run extends it: the constant schedule resumes exactly as one longer run (PacGAN ran 400,000).
# STEPS may list growing lengths ("50000 100000 200000 400000"): each is a leg resumed from the last, and each leg's
# metrics and samples are kept as metrics-N.json / samples-N.png (docs/results-losses.md, "Length").
# MODELS, SEEDS and ROOT (default runs/pacgan-grid) choose the runs. The loop itself is legs.sh.
DATA=grid MODELS="${MODELS:-pacgan4 pacgan-baseline}" SEEDS="${SEEDS:-0 1 2}" ROOT="${ROOT:-runs/pacgan-grid}" STEPS="${STEPS:-50000}" \
  exec bash "$(dirname "$0")/legs.sh"
