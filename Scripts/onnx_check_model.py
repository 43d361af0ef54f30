#!/usr/bin/env python3
"""Checks a PruneKit ONNX export with onnx and onnxruntime against PruneKit's own logits.

Usage: Scripts/onnx_check_model.py MODEL.onnx PROBE.safetensors

MODEL.onnx is `prune-cli export CKPT --format onnx --out MODEL.onnx --probe PROBE.safetensors [--dataset NAME]`;
PROBE holds the probe `input` (seeded noise, or real test images with --dataset) and PruneKit's evaluation `logits`.
The model must pass `onnx.checker.check_model(full_check=True)` (which also runs ONNX shape inference), and
onnxruntime (CPU) must reproduce the logits on the whole probe batch and on its first image alone (the batch
dimension is symbolic): max |difference| < 1e-4 * max(1, max |logit|), i.e. absolute 1e-4 for logits up to 1 in
magnitude and relative to the largest logit above that. Exit status 0 on success, 1 with the reason on stderr.
Needs onnx, onnxruntime and numpy (the safetensors format is read here by hand).
"""
import sys

import numpy as np
import onnx
import onnxruntime

from safetensors_entries import read_entries

TOLERANCE = 1e-4


def read_safetensors(path):
    """name -> array for a safetensors file (F32 and I64 only, as PruneKit writes)."""
    types = {"F32": np.float32, "I64": np.int64}
    return {name: np.frombuffer(raw, dtype=types[dtype]).reshape(shape) for name, (dtype, shape, raw) in read_entries(path).items()}


def main(arguments):
    if len(arguments) != 2:
        sys.stderr.write(__doc__)
        return 2
    model_path, probe_path = arguments
    model = onnx.load(model_path)
    try:
        onnx.checker.check_model(model, full_check=True)
    except Exception as error:  # the checker raises ValidationError or InferenceError
        sys.stderr.write(f"{model_path}: onnx.checker rejects the model: {error}\n")
        return 1
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = 2, 1
    session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    probe = read_safetensors(probe_path)
    images, expected = np.ascontiguousarray(probe["input"]), probe["logits"]
    scale = max(1.0, float(np.abs(expected).max()))
    for label, batch, reference in (("batch", images, expected), ("first image", images[:1], expected[:1])):
        (logits,) = session.run(["logits"], {"input": batch})
        difference = float(np.abs(logits - reference).max())
        if not difference < TOLERANCE * scale:
            sys.stderr.write(f"{model_path}: onnxruntime logits ({label}, {len(batch)} images) differ from PruneKit's by "
                             f"{difference:.3g} >= {TOLERANCE} * {scale:.3g}\n")
            return 1
    (logits,) = session.run(["logits"], {"input": images})
    print(f"{model_path}: valid ONNX (opset {model.opset_import[0].version}, {len(model.graph.node)} nodes); onnxruntime "
          f"matches PruneKit on {len(images)} images: max |diff| {float(np.abs(logits - expected).max()):.2g}, "
          f"largest |logit| {float(np.abs(expected).max()):.3g}, same top-1 {float((logits.argmax(1) == expected.argmax(1)).mean()):.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
