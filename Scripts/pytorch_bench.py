"""One PyTorch measurement in its own process, so that peak RSS belongs to one model and one mode.

Usage: python pytorch_bench.py MODEL train|infer --threads 2 --batch 128 --steps 10 --models-dir ../shared/perf
                              [--memory-format contiguous|channels_last] [--jit]
--memory-format channels_last converts model and input with .to(memory_format=torch.channels_last) (NHWC in memory,
oneDNN's preferred layout); --jit (inference only) times torch.jit.freeze(torch.jit.trace(model.eval(), x)).
A variant that fails prints {"error": ...} and exits 1.
Prints one JSON line: img/s and ms per step (median of timed steps after warm-up, as prune-cli bench),
and the process's peak RSS in MiB (ru_maxrss; for inference it includes the warm-up training steps). The step is the one of ../shared/perf/bench_models.py:
zero_grad + forward (BN in train mode) + cross-entropy + backward + SGD(momentum 0.9, wd 5e-4).
PyTorch is an optional comparison tool; PruneKit never imports it.
"""
import argparse, json, os, resource, statistics, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("model"); ap.add_argument("mode", choices=["train", "infer"])
ap.add_argument("--threads", type=int, default=2); ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--steps", type=int, default=10); ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--min-time", type=float, default=3.0)
ap.add_argument("--models-dir", default=os.path.join(os.path.dirname(__file__), "../../shared/perf"))
ap.add_argument("--memory-format", choices=["contiguous", "channels_last"], default="contiguous")
ap.add_argument("--jit", action="store_true")
args = ap.parse_args()
if args.jit and args.mode != "infer":
    ap.error("--jit applies to infer only")
sys.path.insert(0, os.path.abspath(args.models_dir))
import torch, torch.nn as nn  # noqa: E402
import models as M  # noqa: E402

torch.set_num_threads(args.threads)
ctor, shape = M.MODELS[args.model]
torch.manual_seed(0)
model = ctor()
x = torch.randn(args.batch, *shape)
y = torch.randint(0, 10, (args.batch,))
variant = ("jit-" if args.jit else "") + ("nhwc" if args.memory_format == "channels_last" else "nchw")
if args.memory_format == "channels_last":
    if x.dim() != 4:  # an MLP's flat input has no channels_last form; its timing would repeat NCHW's
        print(json.dumps(dict(model=args.model, mode=args.mode, variant=variant, error="input is not 4-D"))); sys.exit(1)
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
if args.mode == "train":
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()
else:
    # Warm the allocator with a few training steps first, as ../shared/perf/bench_models.py does (it trains, then
    # infers, in one process): in a process that has only run inference, glibc returns and re-faults PyTorch's
    # large buffers every step and inference ran 1.2-2x slower (../shared/perf/README.md), which would flatter PruneKit.
    model.train()
    for _ in range(args.warmup):
        model.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
    model.eval()
    runner = model
    if args.jit:
        try:
            with torch.no_grad():
                runner = torch.jit.freeze(torch.jit.trace(model, x))
        except Exception as error:  # noqa: BLE001 - report any tracing failure as this variant's result
            print(json.dumps(dict(model=args.model, mode=args.mode, variant=variant, error=str(error)[:200]))); sys.exit(1)

    def step():
        with torch.no_grad():
            runner(x)
# Warm-up as ../shared/perf/bench_models.py: at least --warmup steps, then more until 1 s or 50 steps (oneDNN
# builds its primitives and the allocator settles in the first steps; 3 steps alone left LeNet-5 training slow).
warm, warm_end = 0, time.perf_counter() + 1.0
while warm < args.warmup or (warm < 50 and time.perf_counter() < warm_end):
    step(); warm += 1
times, start = [], time.perf_counter()
while len(times) < args.steps or (time.perf_counter() - start < args.min_time and len(times) < 2000):
    t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
ms = 1e3 * statistics.median(times)
print(json.dumps(dict(model=args.model, mode=args.mode, variant=variant, threads=torch.get_num_threads(), batchSize=args.batch,
                      millisecondsPerStep=ms, imagesPerSecond=args.batch * 1e3 / ms, steps=len(times),
                      peakResidentMegabytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      torch=torch.__version__, capability=torch.backends.cpu.get_cpu_capability())))
