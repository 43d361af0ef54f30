#!/usr/bin/env python3
"""Writes a small CNN in the form `torch.onnx.export` (TorchScript exporter, opset 17) gives it, and onnxruntime's
logits for a seeded probe, so that `prune-cli import` can be checked on an ONNX file PruneKit did not write.

Usage: Scripts/onnx_torch_style_model.py MODEL.onnx PROBE.safetensors

No torch is needed: the graph is built with onnx.helper the way the exporter lays it out for this module
(names, constant folding and all):

    class Net(nn.Module):            # input [N, 3, 8, 8], dynamic batch
        conv1 = Conv2d(3, 4, 3, padding=1) + BatchNorm2d(4), folded into conv1 (weights "onnx::Conv_*")
        layer1.0: conv1 (3x3, no bias) -> bn1 -> relu -> conv2 -> bn2, + identity, relu   (BN nodes kept)
        layer2.0: conv1 (3x3, stride 2, 4 -> 8) -> bn1 -> relu -> conv2 -> bn2,
                  + option-A shortcut F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, 2, 2)), relu
        pool = MaxPool2d(2) ; avgpool = AdaptiveAvgPool2d(1) ; x.view(x.size(0), -1) ; Dropout (an Identity in eval)
        fc = Linear(8, 5) as MatMul + Add (the exporter's form when the weight is transposed by constant folding)

The probe holds `input` [4, 3, 8, 8] (uniform in [-1, 1), numpy seed 0) and onnxruntime's `logits` [4, 5], in the
layout `prune-cli export --probe` writes, so Scripts/onnx_check_model.py can hold PruneKit's import to it.
"""
import json
import struct
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper


def build(random):
    nodes, initializers = [], []

    def weight(name, shape, low=-0.5, high=0.5):
        initializers.append(numpy_helper.from_array(random.uniform(low, high, shape).astype(np.float32), name))
        return name

    def constant(output, values):
        nodes.append(helper.make_node("Constant", [], [output], name=output.replace("onnx::", "/Constant_"),
                                      value=numpy_helper.from_array(np.array(values, dtype=np.int64), output)))
        return output

    def conv(scope, source, weight_name, shape, stride=1, bias=None):
        inputs = [source, weight(weight_name, shape)] + ([weight(bias, [shape[0]])] if bias else [])
        nodes.append(helper.make_node("Conv", inputs, [scope + "/Conv_output_0"], name=scope + "/Conv", dilations=[1, 1], group=1,
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[stride, stride]))
        return scope + "/Conv_output_0"

    def batch_norm(scope, module, source, channels):
        names = [weight(module + ".weight", [channels], 0.5, 1.5), weight(module + ".bias", [channels]),
                 weight(module + ".running_mean", [channels], -0.2, 0.2), weight(module + ".running_var", [channels], 0.5, 2)]
        nodes.append(helper.make_node("BatchNormalization", [source] + names, [scope + "/BatchNormalization_output_0"],
                                      name=scope + "/BatchNormalization", epsilon=1e-5, momentum=0.9))
        return scope + "/BatchNormalization_output_0"

    def unary(kind, scope, source, **attributes):
        nodes.append(helper.make_node(kind, [source], [scope + f"/{kind}_output_0"], name=scope + f"/{kind}", **attributes))
        return scope + f"/{kind}_output_0"

    def add(scope, first, second):
        nodes.append(helper.make_node("Add", [first, second], [scope + "/Add_output_0"], name=scope + "/Add"))
        return scope + "/Add_output_0"

    x = conv("/conv1", "input", "onnx::Conv_101", [4, 3, 3, 3], bias="onnx::Conv_102")
    stem = unary("Relu", "/relu", x)
    block = "/layer1/layer1.0"
    y = unary("Relu", block + "/relu", batch_norm(block + "/bn1", "layer1.0.bn1", conv(block + "/conv1", stem, "layer1.0.conv1.weight", [4, 4, 3, 3]), 4))
    y = batch_norm(block + "/bn2", "layer1.0.bn2", conv(block + "/conv2", y, "layer1.0.conv2.weight", [4, 4, 3, 3]), 4)
    out1 = unary("Relu", block + "/relu_1", add(block, y, stem))
    block = "/layer2/layer2.0"
    y = unary("Relu", block + "/relu", batch_norm(block + "/bn1", "layer2.0.bn1", conv(block + "/conv1", out1, "layer2.0.conv1.weight", [8, 4, 3, 3], 2), 8))
    y = batch_norm(block + "/bn2", "layer2.0.bn2", conv(block + "/conv2", y, "layer2.0.conv2.weight", [8, 8, 3, 3]), 8)
    big = 9223372036854775807
    nodes.append(helper.make_node("Slice", [out1, constant("onnx::Slice_201", [0]), constant("onnx::Slice_202", [big]),
                                            constant("onnx::Slice_203", [2]), constant("onnx::Slice_204", [2])],
                                  [block + "/shortcut/Slice_output_0"], name=block + "/shortcut/Slice"))
    nodes.append(helper.make_node("Slice", [block + "/shortcut/Slice_output_0", constant("onnx::Slice_205", [0]),
                                            constant("onnx::Slice_206", [big]), constant("onnx::Slice_207", [3]),
                                            constant("onnx::Slice_208", [2])],
                                  [block + "/shortcut/Slice_1_output_0"], name=block + "/shortcut/Slice_1"))
    nodes.append(helper.make_node("Pad", [block + "/shortcut/Slice_1_output_0", constant("onnx::Pad_209", [0, 2, 0, 0, 0, 2, 0, 0])],
                                  [block + "/shortcut/Pad_output_0"], name=block + "/shortcut/Pad", mode="constant"))
    out2 = unary("Relu", block + "/relu_1", add(block, y, block + "/shortcut/Pad_output_0"))
    pooled = unary("GlobalAveragePool", "/avgpool", unary("MaxPool", "/pool", out2, kernel_shape=[2, 2], strides=[2, 2], pads=[0, 0, 0, 0], ceil_mode=0))
    nodes.append(helper.make_node("Shape", [pooled], ["/Shape_output_0"], name="/Shape"))
    nodes.append(helper.make_node("Gather", ["/Shape_output_0", constant("/Constant_output_0", 0)], ["/Gather_output_0"], name="/Gather", axis=0))
    nodes.append(helper.make_node("Unsqueeze", ["/Gather_output_0", constant("onnx::Unsqueeze_210", [0])], ["/Unsqueeze_output_0"], name="/Unsqueeze"))
    nodes.append(helper.make_node("Concat", ["/Unsqueeze_output_0", constant("onnx::Concat_211", [-1])], ["/Concat_output_0"], name="/Concat", axis=0))
    nodes.append(helper.make_node("Reshape", [pooled, "/Concat_output_0"], ["/Reshape_output_0"], name="/Reshape", allowzero=0))
    dropped = unary("Identity", "/dropout", "/Reshape_output_0")
    nodes.append(helper.make_node("MatMul", [dropped, weight("onnx::MatMul_212", [8, 5])], ["/fc/MatMul_output_0"], name="/fc/MatMul"))
    nodes.append(helper.make_node("Add", [weight("fc.bias", [5]), "/fc/MatMul_output_0"], ["logits"], name="/fc/Add"))
    graph = helper.make_graph(nodes, "main_graph", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 3, 8, 8])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 5])], initializers)
    model = helper.make_model(graph, producer_name="pytorch", producer_version="2.5.0", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        raw = np.ascontiguousarray(array, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main(arguments):
    if len(arguments) != 2:
        sys.stderr.write(__doc__)
        return 2
    model_path, probe_path = arguments
    random = np.random.default_rng(0)
    model = build(random)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, model_path)
    images = random.uniform(-1, 1, [4, 3, 8, 8]).astype(np.float32)
    session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    (logits,) = session.run(["logits"], {"input": images})
    write_safetensors(probe_path, {"input": images, "logits": logits})
    print(f"{model_path}: PyTorch-style CNN, {len(model.graph.node)} nodes; logits[0] = {np.round(logits[0], 6).tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
