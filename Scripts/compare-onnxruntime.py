#!/usr/bin/env python3
"""Times onnxruntime (CPU, 2 threads: intra_op 2, inter_op 1) on a PruneKit ONNX export and prints images/s.

Usage: Scripts/compare-onnxruntime.py MODEL.onnx [--batch-sizes 1,128] [--seconds 5] [--warmup 3] [--check]

MODEL.onnx is `prune-cli export CKPT --format onnx --out MODEL.onnx [--fold-batch-norm]`. For each batch size the
input is uniform noise of the model's shape ([N] + its fixed per-image dimensions); after `--warmup` runs, batches run
until `--seconds` have passed (at least 3 runs), and the median batch time gives ms/batch and images/s, to set beside
`prune-cli eval` / `bench` numbers taken with PRUNEKIT_THREADS=2 on the same machine. `--check` runs each batch size
once and prints the output shape instead of timing (a smoke test that does not load the machine).
Needs onnxruntime and numpy (Scripts/check-onnx.sh's venv has both).
"""
import argparse
import statistics
import sys
import time

import numpy as np
import onnxruntime


def session_for(path):
    """A CPU session with 2 intra-op threads and 1 inter-op thread, graph optimisations on (onnxruntime's default)."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 2, 1
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def median_batch_seconds(session, feed, seconds, warmup):
    """Median wall time of one run after `warmup` runs, over runs filling `seconds` (at least 3)."""
    for _ in range(warmup):
        session.run(None, feed)
    times, start = [], time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < seconds:
        begin = time.perf_counter()
        session.run(None, feed)
        times.append(time.perf_counter() - begin)
    return statistics.median(times), len(times)


def main(arguments):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model")
    parser.add_argument("--batch-sizes", default="1,128")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--check", action="store_true")
    options = parser.parse_args(arguments)
    session = session_for(options.model)
    model_input = session.get_inputs()[0]
    per_image = list(model_input.shape[1:])
    if not all(isinstance(dimension, int) for dimension in per_image):
        sys.stderr.write(f"{options.model}: input {model_input.shape} needs fixed per-image dimensions\n")
        return 1
    generator = np.random.default_rng(0)
    print(f"{options.model}: onnxruntime {onnxruntime.__version__}, CPU, intra_op 2, inter_op 1, input [N] + {per_image}")
    for batch in (int(size) for size in options.batch_sizes.split(",")):
        feed = {model_input.name: generator.uniform(-1, 1, [batch] + per_image).astype(np.float32)}
        if options.check:
            (logits,) = session.run(None, feed)
            print(f"batch {batch}: output {list(logits.shape)} (--check: not timed)")
            continue
        seconds, runs = median_batch_seconds(session, feed, options.seconds, options.warmup)
        print(f"batch {batch}: {1000 * seconds:.3f} ms median over {runs} runs, {batch / seconds:.0f} img/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
