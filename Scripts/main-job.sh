#!/usr/bin/env bash
# The main job: install the native libraries if missing, build, then report on and prune the reference model PruneKit trained itself (Models/lenet5-mnist.safetensors,
# LeNet-5 Caffe 20-50-500, 3 epochs on MNIST). Data comes from --data-dir / $PRUNEKIT_DATA / ./data; MNIST is
# downloaded into ./data when none is found.
set -euo pipefail
cd "$(dirname "$0")/.."
# On a fresh machine: OpenBLAS and zlib (apt-get update first; a fresh machine has no package lists).
Scripts/install-dependencies.sh
swift build -c release
cli=.build/release/prune-cli
root="${PRUNEKIT_DATA:-./data}"
if ! "$cli" data list --data-dir "$root" | grep -q "^mnist .*found"; then
  echo "MNIST not found under $root: fetching it into ./data" >&2
  "$cli" data fetch mnist --data-dir ./data
  root=./data
fi
# Timings with the CPU's own OpenBLAS kernels (this machine kind presets a slower choice).
run() { env -u OPENBLAS_CORETYPE "$cli" "$@"; }
run info Models/lenet5-mnist.safetensors
run eval Models/lenet5-mnist.safetensors --dataset mnist --data-dir "$root"
# Prune it with L1-norm filter pruning to half its FLOPs, fine-tune one epoch, and report widths, params,
# FLOPs, accuracy before/after and measured dense-vs-pruned latency.
run prune Models/lenet5-mnist.safetensors --method l1 --flops 0.5 --finetune-epochs 1 --dataset mnist --data-dir "$root" \
  --out runs/main-job-lenet5-l1
run eval runs/main-job-lenet5-l1/pruned.safetensors --data-dir "$root"
