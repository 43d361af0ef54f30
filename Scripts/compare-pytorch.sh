#!/usr/bin/env bash
# PruneKit vs PyTorch, side by side: img/s for training and inference steps, peak RSS, and the ratio.
#
# Usage: Scripts/compare-pytorch.sh [--models "resnet20 resnet56 ..."] [--modes "train infer"] [--threads 2]
#                                   [--batch-size 128] [--steps 10] [--no-torch] [--no-wait] [--wait-timeout S]
#                                   [--pruned "resnet56 vgg16"] [--width-scale 0.707] [--checkpoints "a.safetensors ..."]
#                                   [--rounds 2] [--scratch-path DIR]
# Every measurement runs in its own process (so peak RSS is that model's), PruneKit then PyTorch for each
# configuration, one right after the other. Both run with OPENBLAS_CORETYPE unset: this machine kind presets
# Haswell kernels, which halve OpenBLAS sgemm speed on AVX-512 CPUs (../shared/SWIFT-BLAS.md §0).
# PyTorch is optional: it is used when `torch` imports in $PERF_PY (see ../shared/perf/setup.sh) or python3;
# otherwise only PruneKit's column is printed. Before each pair the script waits (up to 2 min) for a quiet
# machine when ../shared/perf/noise.py is available; only ratios from one run mean anything.
# --rounds N: every pair is measured N times, alternating which side goes first, and each side's fastest round
# is reported. This host runs both vCPUs at about half clock for seconds at a time, which only ever slows a
# measurement down; the fastest of a few rounds is each side's unthrottled speed, whichever side a slow spell hit.
# PyTorch runs in several forms and the fastest is the ratio's denominator (named in the "PT best" column): NCHW
# ("nchw"), channels_last model and input ("nhwc"), and for inference also torch.jit.freeze(torch.jit.trace(model))
# in both layouts ("jit-nchw", "jit-nhwc") where tracing works. "% peak" is PruneKit's GFLOP/s against the CPU's
# derived peak (CPUID FLOP/cycle x measured clock x threads), probed by each PruneKit run just before it times; the
# derivation from `prune-cli bench cpu` prints first.
# --scratch-path: SwiftPM build folder (default .build; PRUNEKIT_SCRATCH_PATH too).
# --pruned: PruneKit inference of those models narrowed uniformly (--width-scale, 0.707 = ~50% FLOPs) against
# their dense inference, passes alternating in one process (bench infer --versus-dense): the speedup, the FLOP
# ratio and their quotient (the target is >= 0.9). --checkpoints: the same for pruned checkpoints (bench CKPT).
set -euo pipefail
cd "$(dirname "$0")/.."
models="resnet20 resnet56 vgg16 wrn-16-4 lenet5 mlp"; modes="train infer"
threads=2; batch=128; steps=10; torch=1; wait=1; timeout=120; pruned=""; scale=0.707; checkpoints=""; rounds=2
scratch="${PRUNEKIT_SCRATCH_PATH:-.build}"
while [ $# -gt 0 ]; do
  case "$1" in
    --models) models="$2"; shift 2 ;; --modes) modes="$2"; shift 2 ;; --threads) threads="$2"; shift 2 ;;
    --batch-size) batch="$2"; shift 2 ;; --steps) steps="$2"; shift 2 ;;
    --no-torch) torch=0; shift ;; --no-wait) wait=0; shift ;; --wait-timeout) timeout="$2"; shift 2 ;;
    --pruned) pruned="$2"; shift 2 ;; --width-scale) scale="$2"; shift 2 ;; --checkpoints) checkpoints="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;; --scratch-path) scratch="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 64 ;;
  esac
done
shared="${PRUNEKIT_SHARED_PERF:-../shared/perf}"
python="${PERF_PY:-python3}"
if [ "$torch" = 1 ] && ! "$python" -c "import torch" 2>/dev/null; then
  echo "# torch is not importable with $python: PruneKit only (source $shared/setup.sh for the comparison)" >&2
  torch=0
fi
swift build -c release --scratch-path "$scratch" >&2
cli="$scratch/release/prune-cli"
out=$(mktemp -d)
echo "# OPENBLAS_CORETYPE unset for both sides (preset was: ${OPENBLAS_CORETYPE:-<none>}); threads $threads, batch $batch" >&2
pytorch_name() {
  case "$1" in
    resnet20) echo resnet20_A ;; resnet56) echo resnet56_A ;; resnet20-b) echo resnet20_B ;; resnet56-b) echo resnet56_B ;;
    vgg16) echo vgg16_bn ;; wrn-16-4) echo wrn16_4 ;; wrn-28-10) echo wrn28_10 ;; lenet5) echo lenet5_caffe ;;
    lenet5-classic) echo lenet5 ;; mlp) echo mlp_300_100 ;; *) echo "" ;;
  esac
}
quiet() {
  if [ "$wait" = 1 ] && [ -f "$shared/noise.py" ] && [ -x "$shared/cpu_probe" ]; then
    python3 "$shared/noise.py" wait 0.15 "$timeout" >&2 || true
  fi
}
run_prunekit() {  # model mode round
  env -u OPENBLAS_CORETYPE "$cli" bench "$2" --model "$1" --batch-size "$batch" --threads "$threads" \
    --steps "$steps" --json > "$out/pk-$1-$2-$3.json" 2>/dev/null || echo '{}' > "$out/pk-$1-$2-$3.json"
}
run_pytorch() {  # model mode round: every PyTorch form, one process each (pt-MODEL-MODE-VARIANT-ROUND.json)
  name=$(pytorch_name "$1")
  if [ "$torch" = 1 ] && [ -n "$name" ]; then
    variants="nchw nhwc"; [ "$2" = infer ] && variants="nchw nhwc jit-nchw jit-nhwc"
    for variant in $variants; do
      flags=""
      case "$variant" in *nhwc) flags="--memory-format channels_last" ;; esac
      case "$variant" in jit-*) flags="$flags --jit" ;; esac
      # shellcheck disable=SC2086  # $flags is a list of words
      env -u OPENBLAS_CORETYPE OMP_NUM_THREADS="$threads" "$python" Scripts/pytorch_bench.py "$name" "$2" \
        --threads "$threads" --batch "$batch" --steps "$steps" --models-dir "$shared" $flags \
        > "$out/pt-$1-$2-$variant-$3.json" 2> "$out/pt-$1-$2-$variant-$3.log" || {
          # keep the variant's own {"error": ...} line, else the last line of its stderr, for the report
          error=$(grep -h '"error"' "$out/pt-$1-$2-$variant-$3.json" || tail -n 1 "$out/pt-$1-$2-$variant-$3.log")
          python3 -c 'import json, sys; print(json.dumps({"failed": sys.argv[1][-160:]}))' "$error" > "$out/pt-$1-$2-$variant-$3.json"; }
    done
  fi
}
# The CPU's derived fp32 peak for these threads, measured once on a quiet machine before the pairs.
quiet
env -u OPENBLAS_CORETYPE "$cli" bench cpu --threads "$threads" --json > "$out/peak.json" 2>/dev/null || echo '{}' > "$out/peak.json"
for model in $models; do
  for mode in $modes; do
    for round in $(seq 1 "$rounds"); do
      quiet
      if [ $((round % 2)) = 1 ]; then run_prunekit "$model" "$mode" "$round"; run_pytorch "$model" "$mode" "$round"
      else run_pytorch "$model" "$mode" "$round"; run_prunekit "$model" "$mode" "$round"; fi
    done
  done
done
for model in $pruned; do
  quiet
  env -u OPENBLAS_CORETYPE "$cli" bench infer --model "$model" --batch-size "$batch" --threads "$threads" \
    --width-scale "$scale" --versus-dense --min-time 5 --json > "$out/pr-$model.json" 2>/dev/null || echo '{}' > "$out/pr-$model.json"
done
index=0
for checkpoint in $checkpoints; do
  quiet
  env -u OPENBLAS_CORETYPE "$cli" bench "$checkpoint" --batch-size "$batch,1" --threads "$threads" --json \
    > "$out/pr-checkpoint$index.json" 2>/dev/null || echo '{}' > "$out/pr-checkpoint$index.json"
  index=$((index + 1))
done
python3 - "$out" "$models" "$modes" "$threads" "$pruned" "$checkpoints" <<'PY'
import json, os, sys
out, models, modes, threads = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4])
pruned = sys.argv[5].split() + [f"checkpoint{i}" for i in range(len(sys.argv[6].split()))]
variants = {"train": ["nchw", "nhwc"], "infer": ["nchw", "nhwc", "jit-nchw", "jit-nhwc"]}
def load(path):
    try:
        with open(path) as f: return json.load(f)
    except Exception: return {}
def fastest(prefix):  # the round with the most img/s (see --rounds)
    rounds = [load(os.path.join(out, name)) for name in sorted(os.listdir(out))
              if name.startswith(prefix + "-") and name[len(prefix) + 1:-5].isdigit()]
    return max(rounds, key=lambda r: r.get("imagesPerSecond") or 0, default={})
peak_record = load(os.path.join(out, "peak.json"))
peak = peak_record.get("gflops") or 0.0  # GFLOP/s: FLOP/cycle/core x measured GHz x threads (prune-cli bench cpu)
print("# peak: " + peak_record.get("derivation", "unknown (prune-cli bench cpu failed): no % of peak"))
def percent_of_peak(pk):  # against the peak PruneKit probed in its own run, just before timing (the host's clock
    # drifts with contention), else against the one above
    if pk.get("percentOfPeak"): return pk["percentOfPeak"]
    return pk.get("gflops", 0) / peak * 100 if peak else 0
print(f"{'model':<10} {'mode':<5} {'PruneKit img/s':>14} {'PT nchw':>9} {'PT nhwc':>9} {'PT jit-nchw':>11} {'PT jit-nhwc':>11} "
      f"{'PT best':>8} {'ratio':>6} {'PK ms':>7} {'PK GFLOP/s':>10} {'% peak':>6} {'PK RSS MiB':>10} {'PT RSS MiB':>10}")
for m in models:
    for mode in modes:
        pk = fastest(f"pk-{m}-{mode}")
        pt = {v: fastest(f"pt-{m}-{mode}-{v}") for v in variants[mode]}
        best = max(pt, key=lambda v: pt[v].get("imagesPerSecond") or 0, default=None)
        a, b = pk.get("imagesPerSecond"), (pt[best].get("imagesPerSecond") if best else None)
        ratio = f"{a / b:6.2f}" if a and b else "     -"
        f = lambda v, fmt: (fmt % v) if v else "-"
        column = lambda v, width: f(pt.get(v, {}).get("imagesPerSecond"), f"%{width}.1f")
        print(f"{m:<10} {mode:<5} {f(a, '%14.1f'):>14} {column('nchw', 9):>9} {column('nhwc', 9):>9} {column('jit-nchw', 11):>11} "
              f"{column('jit-nhwc', 11):>11} {(best if b else '-'):>8} {ratio} {f(pk.get('millisecondsPerStep'), '%7.1f'):>7} "
              f"{f(pk.get('gflops'), '%10.1f'):>10} {f(percent_of_peak(pk), '%5.1f%%'):>6} "
              f"{f(pk.get('peakResidentMegabytes'), '%10.0f'):>10} {f(pt[best].get('peakResidentMegabytes') if b else 0, '%10.0f'):>10}")
print("# ratio = PruneKit img/s / the fastest PyTorch form's img/s (PT best); PT RSS is that form's peak RSS; "
      "% peak uses the peak each PruneKit run probed just before timing")
for name in sorted(os.listdir(out)):  # why a PyTorch form has no figure
    if name.startswith("pt-") and name.endswith(".json") and load(os.path.join(out, name)).get("failed"):
        print(f"# {name[3:-5]}: PyTorch failed: {load(os.path.join(out, name))['failed']}")
if pruned:
    print(f"\n{'pruned model':<18} {'dense ms':>9} {'pruned ms':>9} {'speedup':>7} {'FLOP ratio':>10} {'speedup/FLOP ratio':>18}")
for m in pruned:
    r = load(f"{out}/pr-{m}.json")
    if not r.get("latency"):
        print(f"{m:<18} (failed)"); continue
    ratio = r["flopsReduction"]
    for row in r["latency"]:
        speedup = row["denseMilliseconds"] / row["prunedMilliseconds"]
        name = f"{r['checkpoint']} b{row['batchSize']}"
        print(f"{name:<18} {row['denseMilliseconds']:9.2f} {row['prunedMilliseconds']:9.2f} {speedup:7.2f} {ratio:10.2f} {speedup / ratio:18.2f}")
PY
rm -rf "$out"
