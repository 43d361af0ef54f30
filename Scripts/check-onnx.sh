#!/usr/bin/env bash
# onnxruntime's view of PruneKit's ONNX export: LeNet-5 and ResNet-20 (Models/), ResNet-20 pruned with l1 at 50% of
# the FLOPs, ResNet-20 with residual blocks removed and convolutions factorised (`edit`), an SFP per-conv result
# (channel scatters), EigenDamage, greedy and SPP results, a DARB LeNet-5, untrained ResNet-v2-56, VGG-11 and WRN-16-4
# (structure only), ResNet-20-B, MLP and classic LeNet-5 (untrained), and a BPCP prune of that ResNet-v2 are exported with
# `prune-cli export --format onnx --probe --dataset` (16 real test images and PruneKit's logits), with and without
# --fold-batch-norm. Scripts/onnx_check_model.py runs onnx.checker and onnxruntime on them: max |logit difference|
# < 1e-4 * max(1, max |logit|) (absolute up to 1, relative to the largest logit above). Each export is then imported
# back (`prune-cli import`), the imported checkpoint exported again, and that re-export checked against the original
# probe the same way; so is a PyTorch-style file from Scripts/onnx_torch_style_model.py.
# Python packages go into a venv (python3 -m venv --system-site-packages, so that Scripts/check-onnx-import.sh sees the
# system's torch there; onnx, onnxruntime, numpy from PyPI), kept in $ONNX_VENV (default .build/onnx-venv) between runs.
# Without python3-venv or PyPI the script says so loudly and exits 0, unless
# REQUIRE_ONNX=1 (then 1).
# Usage: Scripts/check-onnx.sh [DATA_DIR]   (MNIST and CIFAR-10; default $PRUNEKIT_DATA, else ./data).
#        SCRATCH_PATH=DIR builds in DIR instead of .build.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-${PRUNEKIT_DATA:-./data}}"
venv="${ONNX_VENV:-.build/onnx-venv}"
skip() {
  echo "check-onnx: SKIPPED: $1" >&2
  [ "${REQUIRE_ONNX:-0}" = 1 ] && exit 1 || exit 0
}
if ! "$venv/bin/python" -c "import onnx, onnxruntime, numpy" 2>/dev/null; then
  python3 -m venv --system-site-packages "$venv" >/dev/null 2>&1 || skip "python3 -m venv fails (install python3-venv)"
  "$venv/bin/pip" install --quiet onnx onnxruntime numpy >&2 || skip "pip cannot install onnx, onnxruntime and numpy"
fi
python="$venv/bin/python"
scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release "${scratch[@]}" --product prune-cli >/dev/null
cli="$(swift build -c release "${scratch[@]}" --show-bin-path)/prune-cli"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
check() {  # check NAME CKPT DATASET: export with and without folding, compare each; then import each export back
  for fold in "" --fold-batch-norm; do
    "$cli" export "$2" --format onnx $fold --out "$work/$1$fold.onnx" --probe "$work/$1.probe.safetensors" \
      --dataset "$3" --data-dir "$data" >/dev/null 2>&1
    "$python" Scripts/onnx_check_model.py "$work/$1$fold.onnx" "$work/$1.probe.safetensors"
    # The round trip: `prune-cli import` the .onnx into a checkpoint, export that again and hold onnxruntime's logits of
    # the re-export to the ORIGINAL checkpoint's probe (same test images, same tolerance): the import kept the function.
    "$cli" import "$work/$1$fold.onnx" --out "$work/$1$fold.imported.safetensors" >/dev/null
    "$cli" export "$work/$1$fold.imported.safetensors" --format onnx --out "$work/$1$fold.reimported.onnx" >/dev/null
    "$python" Scripts/onnx_check_model.py "$work/$1$fold.reimported.onnx" "$work/$1.probe.safetensors"
  done
}
check lenet5 Models/lenet5-mnist.safetensors mnist
check resnet20 Models/resnet20-cifar10-jpeg.safetensors cifar10
quick=(--dataset cifar10 --data-dir "$data" --train-limit 256 --test-limit 64 --latency-batch-sizes none --finetune-epochs 0)
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method l1 --flops 0.5 "${quick[@]}" --out "$work/r20-l1" >/dev/null 2>&1
check resnet20-l1 "$work/r20-l1/pruned.safetensors" cifar10
"$cli" edit Models/resnet20-cifar10-jpeg.safetensors --remove-blocks layer1.1.add,layer2.0.add,layer3.2.add \
  --factorise layer2.1.conv1,layer3.0.conv2 --out "$work/r20-edited.safetensors" >/dev/null
check resnet20-edited "$work/r20-edited.safetensors" cifar10
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method sfp --sfp-residual per-conv --ratio 0.3 --sfp-epochs 0 \
  "${quick[@]}" --out "$work/r20-sfp" >/dev/null 2>&1
check resnet20-sfp-per-conv "$work/r20-sfp/pruned.safetensors" cifar10
# The other method families' forms: EigenDamage's bottleneck, greedy's narrowed blocks, SPP's column-sparse convs,
# DARB's regular-block zeros (a LeNet-5), and BPCP's removed blocks with pruned channels (after the ResNet-v2 below).
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method eigendamage --flops 0.6 --eigendamage-batches 2 "${quick[@]}" \
  --out "$work/r20-eigen" >/dev/null 2>&1
check resnet20-eigendamage "$work/r20-eigen/pruned.safetensors" cifar10
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method greedy --flops 0.7 --greedy-candidates 4 \
  --greedy-evaluation-images 128 --greedy-finetune-fraction 0 "${quick[@]}" --out "$work/r20-greedy" >/dev/null 2>&1
check resnet20-greedy "$work/r20-greedy/pruned.safetensors" cifar10
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method spp --flops 0.6 --spp-epochs 1 --spp-iterations 2 \
  "${quick[@]}" --out "$work/r20-spp" >/dev/null 2>&1
check resnet20-spp "$work/r20-spp/pruned.safetensors" cifar10
"$cli" prune Models/lenet5-mnist.safetensors --method darb --compression 16 --dataset mnist --data-dir "$data" --train-limit 256 \
  --test-limit 64 --latency-batch-sizes none --finetune-epochs 0 --out "$work/lenet5-darb" >/dev/null 2>&1
check lenet5-darb "$work/lenet5-darb/pruned.safetensors" mnist
# Pre-activation (batch norms that stay nodes), max pools, dropout, projection shortcuts, and the MNIST MLP and classic
# LeNet-5: with LeNet-5 and ResNet-20 above, one of each zoo family (the deeper ResNets and VGGs repeat these nodes).
for entry in resnet-v2-56:cifar10 vgg11:cifar10 wrn-16-4:cifar10 resnet20-b:cifar10 mlp:mnist lenet5-classic:mnist; do
  model=${entry%%:*} dataset=${entry#*:}
  "$cli" train --model "$model" --dataset "$dataset" --data-dir "$data" --test-limit 32 --epochs 0 --out "$work/$model" >/dev/null 2>&1
  check "$model" "$work/$model/last.safetensors" "$dataset"
done
"$cli" prune "$work/resnet-v2-56/last.safetensors" --method bpcp --ratio 0.2 --bpcp-search-epochs 1 --bpcp-block-finetune-epochs 0 \
  "${quick[@]}" --out "$work/v2-bpcp" >/dev/null 2>&1
check resnet-v2-56-bpcp "$work/v2-bpcp/pruned.safetensors" cifar10
# A file PruneKit did not write: a small CNN in torch.onnx.export's form (scope names, folded batch norm, Constant
# operands, x.view(x.size(0), -1), MatMul + Add), imported and held to onnxruntime's logits of the original.
"$python" Scripts/onnx_torch_style_model.py "$work/torch-style.onnx" "$work/torch-style.probe.safetensors" >/dev/null
"$cli" import "$work/torch-style.onnx" --out "$work/torch-style.safetensors" >/dev/null
"$cli" export "$work/torch-style.safetensors" --format onnx --out "$work/torch-style.reimported.onnx" >/dev/null
"$python" Scripts/onnx_check_model.py "$work/torch-style.reimported.onnx" "$work/torch-style.probe.safetensors"
echo "check-onnx: every export passes onnx.checker and matches PruneKit's logits in onnxruntime $("$python" -c 'import onnxruntime; print(onnxruntime.__version__)')"
