#!/usr/bin/env bash
# Real-data training against `bench train`: does the data path (decode, augmentation, batching, normalisation, on a
# background thread) keep up with compute? For each model, ROUNDS alternating pairs of
#   prune-cli train --epochs 1 on the first N CIFAR-10 training images (the epoch's img/s, every step counted), and
#   prune-cli bench train on random input (median step),
# both at the training recipe's batch size (64), 2 threads, OPENBLAS_CORETYPE unset. Prints each pair's img/s and
# train/bench ratio, then the median ratio per model (1.00 = no data-path cost; the issue's bound is 0.95).
# Usage: Scripts/measure-data-path.sh [DATA_DIR] [ROUNDS]   (DATA_DIR default $PRUNEKIT_DATA, else ./data; ROUNDS 3)
#        MODELS="resnet20 resnet56" and IMAGES="25600 12800" (one count per model) change what is measured;
#        SCRATCH_PATH=DIR builds in DIR instead of .build.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-${PRUNEKIT_DATA:-./data}}"; rounds="${2:-3}"
read -r -a models <<< "${MODELS:-resnet20 resnet56}"
read -r -a images <<< "${IMAGES:-25600 12800}"
scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release "${scratch[@]}" --product prune-cli >/dev/null
cli="$(swift build -c release "${scratch[@]}" --show-bin-path)/prune-cli"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
for index in "${!models[@]}"; do
  model="${models[$index]}"; count="${images[$index]}"; ratios=()
  for round in $(seq 1 "$rounds"); do
    rm -rf "$work/run"
    train=$(env -u OPENBLAS_CORETYPE "$cli" train --model "$model" --dataset cifar10 --data-dir "$data" --train-limit "$count" \
      --test-limit 64 --epochs 1 --threads 2 --out "$work/run" --json 2>/dev/null | json "d['history'][0]['imagesPerSecond']")
    bench=$(env -u OPENBLAS_CORETYPE "$cli" bench train --model "$model" --batch-size 64 --threads 2 --min-time 10 --json 2>/dev/null \
      | json "d['imagesPerSecond']")
    ratio=$(python3 -c "print(f'{$train / $bench:.3f}')")
    ratios+=("$ratio")
    printf '%-9s round %d: train epoch %7.1f img/s (%d images), bench train %7.1f img/s, ratio %s\n' "$model" "$round" "$train" "$count" "$bench" "$ratio"
  done
  printf '%-9s median train/bench ratio over %d rounds: %s\n' "$model" "$rounds" "$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")"
done
