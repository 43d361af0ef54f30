#!/usr/bin/env python3
"""PyTorch's half of the bring-your-own-network round trip (Scripts/check-onnx-import.sh drives the PruneKit half).

Usage:
  pytorch_roundtrip.py train DATA_DIR OUT_DIR
      Trains a small residual CNN (below) on the first 6,000 MNIST training images for one epoch (seed 0), saves its
      state_dict (OUT_DIR/residual.pt) and exports it with `torch.onnx.export` three ways: the TorchScript exporter
      with batch norms folded into the convolutions (residual-folded.onnx), the same without constant folding, so that
      BatchNormalization nodes stay (residual-unfolded.onnx), and the default (dynamo) exporter (residual-dynamo.onnx).
  pytorch_roundtrip.py compare OUT_DIR PROBE.safetensors
      Runs the trained module (eval mode) on the probe's `input` (real test images as PruneKit normalises them) and
      compares with PruneKit's `logits` for the imported network: max |difference| < 1e-4 * max(1, max |logit|).
  pytorch_roundtrip.py state-dict GRAPH.json CKPT.safetensors OUT_DIR
      Builds the nn.Module of a PruneKit graph (Scripts/pytorch_graph_model.py), loads CKPT into it, changes every
      weight and batch-norm statistic with three seeded SGD steps in training mode, and writes the module's plain
      state_dict as safetensors without any metadata (OUT_DIR/plain.safetensors), the same with one key renamed and one
      tensor of the wrong shape (OUT_DIR/broken.safetensors), and the module itself (OUT_DIR/plain.pt).
  pytorch_roundtrip.py compare-graph GRAPH.json OUT_DIR PROBE.safetensors
      As `compare`, for the module of `state-dict`.
Exit status 0 on success, 1 with the reason on stderr. Needs torch (and onnx, onnxscript for the exports).
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

from pytorch_graph_model import GraphModel, read_safetensors

TOLERANCE = 1e-4
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


class ResidualBlock(nn.Module):
    """conv-BN-ReLU-conv-BN plus the identity, then ReLU (a basic ResNet block)."""

    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return torch.relu(x + self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))))


class ResidualNet(nn.Module):
    """1x28x28 -> stem 16 -> block -> strided conv 32 -> block -> max pool -> global average -> linear 10."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.stem_bn = nn.BatchNorm2d(16)
        self.block1 = ResidualBlock(16)
        self.down = nn.Conv2d(16, 32, 3, stride=2, padding=1)
        self.down_bn = nn.BatchNorm2d(32)
        self.block2 = ResidualBlock(32)
        self.pool = nn.MaxPool2d(2)
        self.classifier = nn.Linear(32, 10)

    def forward(self, x):
        x = self.block1(torch.relu(self.stem_bn(self.stem(x))))
        x = self.pool(self.block2(torch.relu(self.down_bn(self.down(x)))))
        return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def read_idx(path):
    """The array of a (gzipped) IDX file, as MNIST ships them."""
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    dimensions = data[3]
    shape = struct.unpack(">" + "I" * dimensions, data[4:4 + 4 * dimensions])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def mnist(data_dir, split, count):
    """The first `count` images of MNIST's split, normalised as PruneKit normalises them, and their labels."""
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, "mnist", f"{prefix}-images-idx3-ubyte.gz"))[:count]
    labels = read_idx(os.path.join(data_dir, "mnist", f"{prefix}-labels-idx1-ubyte.gz"))[:count]
    images = (torch.from_numpy(images.astype(np.float32)) / 255 - MNIST_MEAN) / MNIST_STD
    return images.unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def train(data_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    model = ResidualNet()
    images, labels = mnist(data_dir, "train", 6000)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.train()
    for start in range(0, len(images), 64):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(images[start:start + 64]), labels[start:start + 64])
        loss.backward()
        optimizer.step()
    model.eval()
    test_images, test_labels = mnist(data_dir, "test", 1000)
    with torch.no_grad():
        accuracy = (model(test_images).argmax(1) == test_labels).float().mean().item()
    print(f"PyTorch residual CNN: {sum(p.numel() for p in model.parameters())} parameters, "
          f"{100 * accuracy:.1f}% on 1,000 MNIST test images after one epoch on 6,000")
    torch.save(model.state_dict(), os.path.join(out_dir, "residual.pt"))
    example = test_images[:2]
    dynamic = {"input": {0: "batch"}, "logits": {0: "batch"}}
    for name, folding in (("folded", True), ("unfolded", False)):
        torch.onnx.export(model, (example,), os.path.join(out_dir, f"residual-{name}.onnx"), dynamo=False,
                          opset_version=17, input_names=["input"], output_names=["logits"], dynamic_axes=dynamic,
                          do_constant_folding=folding)
    torch.onnx.export(model, (example,), os.path.join(out_dir, "residual-dynamo.onnx"), dynamo=True,
                      input_names=["input"], output_names=["logits"], external_data=False,
                      dynamic_shapes=({0: torch.export.Dim("batch")},))
    return 0


def compare_logits(model, probe_path):
    probe = read_safetensors(probe_path)
    model.eval()
    with torch.no_grad():
        logits = model(probe["input"])
    expected = probe["logits"]
    difference = (logits - expected).abs().max().item()
    scale = max(1.0, expected.abs().max().item())
    if not difference < TOLERANCE * scale:
        sys.stderr.write(f"{probe_path}: PruneKit's logits of the imported network differ from PyTorch's by "
                         f"{difference:.3g} (tolerance {TOLERANCE * scale:.3g})\n")
        return 1
    print(f"{probe_path}: PruneKit reproduces PyTorch's logits on {len(expected)} test images "
          f"(largest difference {difference:.2g}, largest |logit| {expected.abs().max().item():.3g})")
    return 0


def compare(out_dir, probe_path):
    model = ResidualNet()
    model.load_state_dict(torch.load(os.path.join(out_dir, "residual.pt")), strict=True)
    return compare_logits(model, probe_path)


def write_plain_safetensors(state, path):
    """A safetensors file with only the tensors: no `__metadata__`, as `safetensors.torch.save_file` writes it."""
    types = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, tensor in state.items():
        raw = tensor.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": types[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def state_dict(graph_path, checkpoint_path, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(graph_path) as handle:
        model = GraphModel(json.load(handle))
    model.load_state_dict(read_safetensors(checkpoint_path), strict=True)
    generator = torch.Generator().manual_seed(0)
    shape = [8] + list(json.load(open(graph_path))["nodes"][0]["shape"])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    model.train()
    for _ in range(3):
        optimizer.zero_grad()
        inputs = torch.randn(shape, generator=generator)
        targets = torch.randint(0, 10, (8,), generator=generator)
        nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()
    state = model.state_dict()
    write_plain_safetensors(state, os.path.join(out_dir, "plain.safetensors"))
    torch.save(state, os.path.join(out_dir, "plain.pt"))
    broken = dict(state)
    names = [name for name in broken if name.endswith(".weight")]
    broken[names[0].replace(".weight", ".kernel")] = broken.pop(names[0])
    broken[names[1]] = broken[names[1]][:1].clone()
    write_plain_safetensors(broken, os.path.join(out_dir, "broken.safetensors"))
    print(f"{out_dir}/plain.safetensors: {len(state)} tensors of a PyTorch-trained module, no metadata; "
          f"broken.safetensors renames {names[0]} and cuts {names[1]} to one row")
    return 0


def compare_graph(graph_path, out_dir, probe_path):
    with open(graph_path) as handle:
        model = GraphModel(json.load(handle))
    model.load_state_dict(torch.load(os.path.join(out_dir, "plain.pt")), strict=True)
    return compare_logits(model, probe_path)


def main(arguments):
    commands = {"train": (train, 2), "compare": (compare, 2), "state-dict": (state_dict, 3),
                "compare-graph": (compare_graph, 3)}
    if not arguments or arguments[0] not in commands or len(arguments) - 1 != commands[arguments[0]][1]:
        sys.stderr.write(__doc__)
        return 2
    function, _ = commands[arguments[0]]
    return function(*arguments[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
