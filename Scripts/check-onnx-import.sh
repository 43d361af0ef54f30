#!/usr/bin/env bash
# Bring your own network, end to end: a small residual CNN is defined and trained in PyTorch
# (Scripts/pytorch_roundtrip.py), exported by `torch.onnx.export` three ways (TorchScript exporter with batch norms
# folded, the same with BatchNormalization nodes kept, and the default dynamo exporter), imported with
# `prune-cli import`, and PruneKit's logits on 16 real MNIST test images must equal PyTorch's (max |difference| <
# 1e-4 * max(1, max |logit|)). The folded and unfolded imports are then pruned by L1 to half their FLOPs, exported to
# ONNX again and run in onnxruntime against PruneKit's logits (Scripts/onnx_check_model.py). A plain PyTorch
# state_dict (safetensors without PruneKit metadata) of a ResNet-20 changed by PyTorch's SGD imports with
# `--model resnet20` and reproduces PyTorch's logits; one with a renamed key and a cut tensor is refused with both named.
# Python: the venv of Scripts/check-onnx.sh ($ONNX_VENV, default .build/onnx-venv, made with the system's packages
# visible, where torch comes from) plus onnxscript for the dynamo exporter. Without torch, onnx, onnxruntime or
# onnxscript the script says so loudly and exits 0, unless REQUIRE_ONNX=1 (then 1).
# Usage: Scripts/check-onnx-import.sh [DATA_DIR]   (MNIST and CIFAR-10; default $PRUNEKIT_DATA, else ./data).
#        SCRATCH_PATH=DIR builds in DIR instead of .build.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-${PRUNEKIT_DATA:-./data}}"
venv="${ONNX_VENV:-.build/onnx-venv}"
skip() {
  echo "check-onnx-import: SKIPPED: $1" >&2
  [ "${REQUIRE_ONNX:-0}" = 1 ] && exit 1 || exit 0
}
[ -x "$venv/bin/python" ] || { python3 -m venv --system-site-packages "$venv" >/dev/null 2>&1 || skip "python3 -m venv fails (install python3-venv)"; }
"$venv/bin/python" -c "import torch" 2>/dev/null || skip "torch does not import in $venv (it is taken from the system's python3)"
if ! "$venv/bin/python" -c "import onnx, onnxruntime, onnxscript, numpy" 2>/dev/null; then
  "$venv/bin/pip" install --quiet onnx onnxruntime onnxscript numpy >&2 || skip "pip cannot install onnx, onnxruntime, onnxscript and numpy"
fi
python="$venv/bin/python"
scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release "${scratch[@]}" --product prune-cli >/dev/null
cli="$(swift build -c release "${scratch[@]}" --show-bin-path)/prune-cli"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
probe() {  # probe CKPT DATASET PROBE: PruneKit's logits for the first 16 test images
  "$cli" export "$1" --out "$work/scratch.safetensors" --probe "$3" --dataset "$2" --data-dir "$data" >/dev/null
}
"$python" Scripts/pytorch_roundtrip.py train "$data" "$work/torch" 2> >(grep -v -i "warn\|torchvision\|^\[torch.onnx\]\|return cls" >&2)
quick=(--dataset mnist --data-dir "$data" --train-limit 256 --test-limit 64 --latency-batch-sizes none --finetune-epochs 0)
for form in folded unfolded dynamo; do
  "$cli" import "$work/torch/residual-$form.onnx" --out "$work/$form.safetensors"
  probe "$work/$form.safetensors" mnist "$work/$form.probe.safetensors"
  "$python" Scripts/pytorch_roundtrip.py compare "$work/torch" "$work/$form.probe.safetensors"
  [ "$form" = dynamo ] && continue
  "$cli" prune "$work/$form.safetensors" --method l1 --flops 0.5 "${quick[@]}" --out "$work/$form-l1" >/dev/null 2>&1
  "$cli" info "$work/$form-l1/pruned.safetensors" | grep -i "flops\|parameters" | head -2
  "$cli" export "$work/$form-l1/pruned.safetensors" --format onnx --out "$work/$form-l1.onnx" \
    --probe "$work/$form-l1.probe.safetensors" --dataset mnist --data-dir "$data" >/dev/null
  "$python" Scripts/onnx_check_model.py "$work/$form-l1.onnx" "$work/$form-l1.probe.safetensors"
done
# A plain state_dict: PyTorch changes a PruneKit ResNet-20 and writes safetensors without metadata.
"$cli" export Models/resnet20-cifar10-jpeg.safetensors --out "$work/r20.safetensors" --graph "$work/r20.json" >/dev/null
"$python" Scripts/pytorch_roundtrip.py state-dict "$work/r20.json" "$work/r20.safetensors" "$work/plain"
"$cli" import "$work/plain/plain.safetensors" --model resnet20 --dataset cifar10 --out "$work/plain.imported.safetensors"
probe "$work/plain.imported.safetensors" cifar10 "$work/plain.probe.safetensors"
"$python" Scripts/pytorch_roundtrip.py compare-graph "$work/r20.json" "$work/plain" "$work/plain.probe.safetensors"
if "$cli" import "$work/plain/broken.safetensors" --model resnet20 --dataset cifar10 --out "$work/broken.imported.safetensors" 2>"$work/broken.err"; then
  echo "check-onnx-import: a state_dict with a renamed key and a cut tensor was accepted" >&2; exit 1
fi
grep -q "conv1.kernel" "$work/broken.err" && grep -q "bn1.weight" "$work/broken.err" \
  || { echo "check-onnx-import: the refusal does not name both faults:" >&2; cat "$work/broken.err" >&2; exit 1; }
echo "check-onnx-import: refused broken.safetensors: $(head -c 300 "$work/broken.err" | tr '\n' ' ')"
echo "check-onnx-import: PyTorch -> ONNX -> PruneKit -> L1 -> ONNX round trips and the plain state_dict import pass"
