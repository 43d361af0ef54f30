#!/usr/bin/env bash
# The main job: build, then report on the reference model PruneKit trained itself (Models/lenet5-mnist.safetensors,
# LeNet-5 Caffe 20-50-500, 3 epochs on MNIST). Data comes from --data-dir / $PRUNEKIT_DATA / ./data; MNIST is
# downloaded into ./data when none is found.
set -euo pipefail
cd "$(dirname "$0")/.."
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
