#!/usr/bin/env bash
# PyTorch's view of PruneKit checkpoints: for zoo, pruned and structurally edited networks (block removal,
# factorised convs, ResNet-v2, a JSON-defined graph, EigenDamage, greedy, BPCP, SFP per-conv results, the last
# with channel scatters, SPP's column records and a DARB LeNet-5 with regular-block records), `prune-cli export
# --graph --probe` writes the graph and a
# probe batch with PruneKit's logits, and Scripts/pytorch_graph_model.py builds the nn.Module from the graph, loads
# the state_dict with strict=True and compares its logits (1e-3 of the largest). Any failure fails the script.
# Needs torch in python3: without it the script says so and exits 0, unless REQUIRE_TORCH=1 (then 1).
# Usage: Scripts/check-pytorch-graph.sh [DATA_DIR]   (CIFAR-10 for the two networks trained for 0 epochs here, MNIST
#        for DARB; default $PRUNEKIT_DATA, else ./data). SCRATCH_PATH=DIR builds in DIR instead of .build.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import torch" 2>/dev/null; then
  echo "check-pytorch-graph: torch does not import in python3; skipped" >&2
  [ "${REQUIRE_TORCH:-0}" = 1 ] && exit 1 || exit 0
fi
data="${1:-${PRUNEKIT_DATA:-./data}}"
scratch=(${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
swift build -c release "${scratch[@]}" --product prune-cli >/dev/null
cli="$(swift build -c release "${scratch[@]}" --show-bin-path)/prune-cli"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
check() {  # check NAME CKPT: export and compare
  "$cli" export "$2" --out "$work/$1.safetensors" --graph "$work/$1.json" --probe "$work/$1.probe.safetensors" >/dev/null
  python3 Scripts/pytorch_graph_model.py "$work/$1.json" "$work/$1.safetensors" "$work/$1.probe.safetensors"
}
check lenet5 Models/lenet5-mnist.safetensors
"$cli" prune Models/lenet5-mnist.safetensors --method darb --compression 16 --dataset mnist --data-dir "$data" --train-limit 256 \
  --test-limit 64 --latency-batch-sizes none --finetune-epochs 1 --out "$work/lenet5-darb" >/dev/null 2>&1
check lenet5-darb "$work/lenet5-darb/pruned.safetensors"
check resnet20 Models/resnet20-cifar10-jpeg.safetensors
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method l1 --flops 0.6 --latency-batch-sizes none --dataset cifar10 \
  --data-dir "$data" --test-limit 64 --finetune-epochs 0 --out "$work/r20-l1" >/dev/null
check resnet20-l1 "$work/r20-l1/pruned.safetensors"
"$cli" edit Models/resnet20-cifar10-jpeg.safetensors --remove-blocks layer1.1.add,layer2.0.add,layer3.2.add \
  --factorise layer2.1.conv1,layer3.0.conv2 --out "$work/r20-edited.safetensors" >/dev/null
check resnet20-edited "$work/r20-edited.safetensors"
for spec in "--model resnet-v2-56" "--model resnet20-b" "--model-spec Examples/graphs/small-residual.json"; do
  name=$(echo "$spec" | sed 's/.* //; s/.*\///; s/\.json//')
  "$cli" train $spec --dataset cifar10 --data-dir "$data" --test-limit 32 --epochs 0 --out "$work/$name" >/dev/null 2>&1
  check "$name" "$work/$name/last.safetensors"
done
quick=(--dataset cifar10 --data-dir "$data" --train-limit 256 --test-limit 64 --latency-batch-sizes none --finetune-epochs 0)
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method eigendamage --flops 0.6 --eigendamage-batches 2 "${quick[@]}" \
  --out "$work/r20-eigen" >/dev/null 2>&1
check resnet20-eigendamage "$work/r20-eigen/pruned.safetensors"
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method greedy --flops 0.7 --greedy-candidates 4 \
  --greedy-evaluation-images 128 --greedy-finetune-fraction 0 "${quick[@]}" --out "$work/r20-greedy" >/dev/null 2>&1
check resnet20-greedy "$work/r20-greedy/pruned.safetensors"
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method sfp --sfp-residual per-conv --ratio 0.3 --sfp-epochs 0 \
  "${quick[@]}" --out "$work/r20-sfp-per-conv" >/dev/null 2>&1
check resnet20-sfp-per-conv "$work/r20-sfp-per-conv/pruned.safetensors"
"$cli" prune Models/resnet20-cifar10-jpeg.safetensors --method spp --flops 0.6 --spp-epochs 1 --spp-iterations 2 \
  "${quick[@]}" --out "$work/r20-spp" >/dev/null 2>&1
check resnet20-spp "$work/r20-spp/pruned.safetensors"
"$cli" prune "$work/resnet-v2-56/last.safetensors" --method bpcp --ratio 0.2 --bpcp-search-epochs 1 --bpcp-block-finetune-epochs 0 \
  "${quick[@]}" --out "$work/v2-bpcp" >/dev/null 2>&1
check resnet-v2-56-bpcp "$work/v2-bpcp/pruned.safetensors"
"$cli" edit "$work/resnet-v2-56/last.safetensors" --remove-blocks layer1.0.add,layer2.3.add --out "$work/v2-edited.safetensors" >/dev/null
check resnet-v2-56-edited "$work/v2-edited.safetensors"
echo "check-pytorch-graph: every checkpoint loads strictly in PyTorch $(python3 -c 'import torch; print(torch.__version__)') with PruneKit's logits"
