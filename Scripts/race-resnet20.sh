#!/usr/bin/env bash
# The 30-minute ResNet-20 race: PruneKit and PyTorch each train ResNet-20 (option-A shortcuts) on the CIFAR-10 files in
# DATA_DIR with the same recipe (PruneKit's default for batch-norm networks, mirrored in Scripts/pytorch_train_cifar.py)
# for as many epochs as their own measured speed fits in the budget, one after the other on the same cores; the test
# accuracy (flip-averaged) at the end and the wall time are what count.
#
# Usage: Scripts/race-resnet20.sh [--data-dir DIR] [--minutes 30] [--threads 2] [--pk-epochs N] [--pt-epochs N]
#                                 [--no-malloc-tuning] [--out DIR] [--scratch-path DIR] [--train-limit N]
# --train-limit N: both sides train on the first N images only (a quick check of the script, not a race).
# Epochs: unless given, floor(0.95 x budget x img/s / 50,000), img/s from each side's own training run over 6,400 images
# (data path included; `bench train` on random input was 9% faster than PruneKit's real epochs on Zen 4); the 5% is
# left for start-up and the final evaluation.
# PyTorch runs channels_last with glibc's malloc thresholds raised (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_,
# MALLOC_TOP_PAD_), which made it 16% faster at training ResNet-20 here; --no-malloc-tuning runs it plain.
# Both run with OPENBLAS_CORETYPE unset. PyTorch comes from $PERF_PY or python3 (see ../shared/perf/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${PRUNEKIT_DATA:-./data}/cifar-10-jpeg"; minutes=30; threads=2; pk_epochs=""; pt_epochs=""; malloc=1
out="runs/race-resnet20"; scratch="${PRUNEKIT_SCRATCH_PATH:-.build}"; limit=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data-dir) data="$2"; shift 2 ;; --minutes) minutes="$2"; shift 2 ;; --threads) threads="$2"; shift 2 ;;
    --pk-epochs) pk_epochs="$2"; shift 2 ;; --pt-epochs) pt_epochs="$2"; shift 2 ;; --no-malloc-tuning) malloc=0; shift ;;
    --out) out="$2"; shift 2 ;; --scratch-path) scratch="$2"; shift 2 ;; --train-limit) limit=(--train-limit "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
python="${PERF_PY:-python3}"
shared="${PRUNEKIT_SHARED_PERF:-../shared/perf}"
[ -f "$data/data_batch_1.bin" ] || [ -f "$data/data_batch_1.bin.gz" ] || {
  echo "race-resnet20: expected the CIFAR-10 binary batches in $data (--data-dir), found no data_batch_1.bin[.gz]" >&2; exit 66; }
"$python" -c "import torch" 2>/dev/null || { echo "race-resnet20: torch does not import with $python" >&2; exit 69; }
swift build -c release --scratch-path "$scratch" --product prune-cli >&2
cli="$scratch/release/prune-cli"
tuned=(); [ "$malloc" = 1 ] && tuned=(MALLOC_MMAP_THRESHOLD_=1000000000000 MALLOC_TRIM_THRESHOLD_=1000000000000 MALLOC_TOP_PAD_=1000000000)
mkdir -p "$out"
# The whole text as JSON (prune-cli pretty-prints), else its last line (the Python scripts print one JSON line last).
json() { python3 -c "
import json,sys
t=sys.stdin.read().strip()
try: d=json.loads(t)
except ValueError: d=json.loads(t.splitlines()[-1])
print($1)"; }
epochs_for() { python3 -c "import math; print(max(1, math.floor(0.95 * $minutes * 60 * $1 / 50000)))"; }
if [ -z "$pk_epochs" ]; then
  rm -rf "$out/probe"
  speed=$(env -u OPENBLAS_CORETYPE "$cli" train --model resnet20 --dataset cifar10 --data-dir "$(dirname "$data")" --train-limit 6400 \
    --test-limit 64 --epochs 1 --threads "$threads" --out "$out/probe" --json 2>/dev/null | json "d['history'][0]['imagesPerSecond']")
  pk_epochs=$(epochs_for "$speed"); echo "# PruneKit: $speed img/s over a 6,400-image epoch -> $pk_epochs epochs" >&2
fi
if [ -z "$pt_epochs" ]; then
  speed=$(env -u OPENBLAS_CORETYPE "${tuned[@]}" OMP_NUM_THREADS="$threads" "$python" Scripts/pytorch_train_cifar.py --data-dir "$data" \
    --train-limit 6400 --test-limit 64 --epochs 1 --threads "$threads" --models-dir "$shared" 2>/dev/null | json "d['trainImagesPerSecond']")
  pt_epochs=$(epochs_for "$speed"); echo "# PyTorch: $speed img/s over a 6,400-image epoch -> $pt_epochs epochs" >&2
fi
rm -rf "$out/prunekit"
begin=$(date +%s.%N)
env -u OPENBLAS_CORETYPE "$cli" train --model resnet20 --dataset cifar10 --data-dir "$(dirname "$data")" --epochs "$pk_epochs" \
  --eval-every "$pk_epochs" --threads "$threads" "${limit[@]}" --out "$out/prunekit" --json > "$out/prunekit.json" 2> "$out/prunekit.log"
pk_seconds=$(python3 -c "import time; print(f'{time.time() - $begin:.0f}')")
pk_accuracy=$(json "100 * d['finalTestAccuracy']" < "$out/prunekit.json")
begin=$(date +%s.%N)
env -u OPENBLAS_CORETYPE "${tuned[@]}" OMP_NUM_THREADS="$threads" "$python" Scripts/pytorch_train_cifar.py --data-dir "$data" \
  --epochs "$pt_epochs" --threads "$threads" "${limit[@]}" --models-dir "$shared" > "$out/pytorch.json" 2> "$out/pytorch.log"
pt_seconds=$(python3 -c "import time; print(f'{time.time() - $begin:.0f}')")
pt_accuracy=$(json "100 * d['testAccuracy']" < "$out/pytorch.json")
printf '%-9s %6s %12s %14s\n' side epochs "wall (s)" "test accuracy"
printf '%-9s %6s %12s %13.2f%%\n' PruneKit "$pk_epochs" "$pk_seconds" "$pk_accuracy"
printf '%-9s %6s %12s %13.2f%%\n' PyTorch "$pt_epochs" "$pt_seconds" "$pt_accuracy"
echo "# budget $minutes min = $((minutes * 60)) s; logs and results in $out" >&2
