#!/usr/bin/env python3
"""Builds a PyTorch nn.Module from a PruneKit network graph and loads a PruneKit checkpoint into it strictly.

Usage: Scripts/pytorch_graph_model.py GRAPH.json MODEL.safetensors [PROBE.safetensors]

GRAPH.json is `prune-cli export CKPT --out MODEL.safetensors --graph GRAPH.json` ({"nodes": [...]}, any family,
after pruning or structural edits). Every parameterised node becomes a module at its dotted name (nn.Conv2d,
nn.BatchNorm2d/1d, nn.Linear; a factorised conv is a module with children rotation_in, core, rotation_out; a channel
scatter a module with the buffer `fill`), so the
state_dict keys are the checkpoint's, and `load_state_dict(strict=True)` must succeed: no missing, no unexpected key,
every shape equal. With PROBE (`--probe` of the same export: a seeded `input` and PruneKit's `logits`) the module is
run in eval mode and its logits must match PruneKit's to 1e-3 of their largest magnitude. Exit status 0 on success,
1 with the reason on stderr otherwise. Needs torch only (the safetensors format is read here by hand).
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_entries import read_entries


def read_safetensors(path):
    """name -> tensor for a safetensors file (F32 and I64 only, as PruneKit writes)."""
    types = {"F32": torch.float32, "I64": torch.int64}
    return {name: torch.frombuffer(bytearray(raw), dtype=types[dtype]).reshape(shape).clone()
            for name, (dtype, shape, raw) in read_entries(path).items()}


class ChannelScatter(nn.Module):
    """`channel_scatter`: input channel i goes to channel indices[i] of `out`; the others hold the buffer `fill` ([out])."""

    def __init__(self, out, indices):
        super().__init__()
        self.register_buffer("fill", torch.zeros(out))
        self.register_buffer("indices", torch.tensor(indices, dtype=torch.long), persistent=False)

    def forward(self, x):
        n, _, h, w = x.shape
        y = self.fill.view(1, -1, 1, 1).expand(n, -1, h, w).clone()
        return y.index_copy(1, self.indices, x)


class GraphModel(nn.Module):
    """A module that runs a PruneKit graph: nodes in order, each reading earlier nodes' outputs."""

    def __init__(self, graph):
        super().__init__()
        self.nodes = graph["nodes"]
        shapes = {}
        for node in self.nodes:
            op, name = node["op"], node["name"]
            source = shapes[node["inputs"][0]] if node.get("inputs") else None
            if op == "input":
                shapes[name] = list(node["shape"])
            elif op == "conv":
                k, s, p = node["kernel"], node.get("stride", 1), node.get("padding", 0)
                self._put(name, nn.Conv2d(source[0], node["out"], k, s, p, groups=node.get("groups", 1), bias=node.get("bias", False)))
                shapes[name] = [node["out"]] + [(x + 2 * p - k) // s + 1 for x in source[1:]]
            elif op == "factorised_conv":
                k, s, p = node["kernel"], node.get("stride", 1), node.get("padding", 0)
                container = nn.Module()
                container.add_module("rotation_in", nn.Conv2d(source[0], node["rank_in"], 1, bias=False))
                container.add_module("core", nn.Conv2d(node["rank_in"], node["rank_out"], k, s, p, bias=False))
                container.add_module("rotation_out", nn.Conv2d(node["rank_out"], node["out"], 1, bias=node.get("bias", False)))
                self._put(name, container)
                shapes[name] = [node["out"]] + [(x + 2 * p - k) // s + 1 for x in source[1:]]
            elif op == "linear":
                self._put(name, nn.Linear(source[0], node["out"], bias=node.get("bias", True)))
                shapes[name] = [node["out"]]
            elif op == "batch_norm":
                self._put(name, nn.BatchNorm2d(source[0]) if len(source) == 3 else nn.BatchNorm1d(source[0]))
                shapes[name] = source
            elif op in ("max_pool", "avg_pool"):
                k = node["kernel"]
                s = node.get("stride", k)
                shapes[name] = [source[0]] + [(x - k) // s + 1 for x in source[1:]]
            elif op == "global_avg_pool":
                shapes[name] = [source[0]]
            elif op == "flatten":
                shapes[name] = [source[0] * source[1] * source[2]] if len(source) == 3 else source
            elif op == "channel_pad":
                s = node.get("stride", 1)
                shapes[name] = [node["out"]] + [(x + s - 1) // s for x in source[1:]]
            elif op == "channel_scatter":
                self._put(name, ChannelScatter(node["out"], node["indices"]))
                shapes[name] = [node["out"]] + source[1:]
            elif op in ("relu", "add", "dropout"):
                shapes[name] = source
            else:
                raise ValueError(f"node '{name}': unknown op '{op}'")
        self.shapes = shapes

    def _put(self, dotted, module):
        parent = self
        parts = dotted.split(".")
        for part in parts[:-1]:
            if not hasattr(parent, part) or getattr(parent, part) is None:
                parent.add_module(part, nn.Module())
            parent = getattr(parent, part)
        parent.add_module(parts[-1], module)

    def _get(self, dotted):
        module = self
        for part in dotted.split("."):
            module = getattr(module, part)
        return module

    def forward(self, x):
        values = {}
        for node in self.nodes:
            op, name = node["op"], node["name"]
            inputs = [values[i] for i in node.get("inputs", [])]
            if op == "input":
                y = x
            elif op in ("conv", "linear", "batch_norm", "channel_scatter"):
                y = self._get(name)(inputs[0])
            elif op == "factorised_conv":
                part = self._get(name)
                y = part.rotation_out(part.core(part.rotation_in(inputs[0])))
            elif op == "relu":
                y = F.relu(inputs[0])
            elif op == "max_pool":
                y = F.max_pool2d(inputs[0], node["kernel"], node.get("stride", node["kernel"]))
            elif op == "avg_pool":
                y = F.avg_pool2d(inputs[0], node["kernel"], node.get("stride", node["kernel"]))
            elif op == "global_avg_pool":
                y = inputs[0].mean(dim=(2, 3))
            elif op == "flatten":
                y = torch.flatten(inputs[0], 1)
            elif op == "add":
                y = inputs[0]
                for other in inputs[1:]:
                    y = y + other
            elif op == "channel_pad":
                s, z = node.get("stride", 1), inputs[0]
                pad = node["out"] - z.shape[1]
                y = F.pad(z[:, :, ::s, ::s], (0, 0, 0, 0, pad // 2, pad - pad // 2))
            elif op == "dropout":
                y = F.dropout(inputs[0], node["p"], self.training)
            values[name] = y
        return values[self.nodes[-1]["name"]]


def main(arguments):
    if len(arguments) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    with open(arguments[0]) as handle:
        graph = json.load(handle)
    model = GraphModel(graph)
    state = read_safetensors(arguments[1])
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        sys.stderr.write(f"{arguments[1]}: strict load into the module of {arguments[0]} failed: {error}\n")
        return 1
    print(f"{arguments[1]}: loaded strictly into a {len(graph['nodes'])}-node module "
          f"({sum(p.numel() for p in model.parameters())} parameters)")
    for node in graph["nodes"]:  # DARB/BMWM records: at most one non-zero per block of b_r in each row (im2col order)
        sizes = node.get("sparsity", {}).get("blocks")
        if sizes is None:
            continue
        weight = state[node["name"] + ".weight"].reshape(len(sizes), -1)
        for row, size in enumerate(sizes):
            padded = torch.nn.functional.pad(weight[row], (0, (-weight.shape[1]) % size))
            if (padded.reshape(-1, size) != 0).sum(dim=1).max().item() > 1:
                sys.stderr.write(f"{arguments[1]}: {node['name']} row {row} has a block of {size} with more than one non-zero\n")
                return 1
        print(f"{arguments[1]}: {node['name']} keeps at most one non-zero per block ({len(set(sizes))} block sizes)")
    if len(arguments) == 3:
        probe = read_safetensors(arguments[2])
        model.eval()
        with torch.no_grad():
            logits = model(probe["input"])
        expected = probe["logits"]
        difference = (logits - expected).abs().max().item()
        scale = max(expected.abs().max().item(), 1e-6)
        if not difference <= 1e-3 * scale:
            sys.stderr.write(f"{arguments[2]}: PyTorch logits differ from PruneKit's by {difference:.3g} (largest |logit| {scale:.3g})\n")
            return 1
        print(f"{arguments[2]}: logits match PruneKit's (largest difference {difference:.2g}, largest |logit| {scale:.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
