import PruneKitCore

/// Translates an ONNX model (`ONNXModel(decoding:source:)`) of a plain CNN into a `NetworkGraph` and its state_dict:
/// the inverse of `ONNXExport`, and the reader of what `torch.onnx.export` writes for such a network, with or without
/// batch norms folded into the convolutions: the TorchScript exporter (opset 13-18) and the default dynamo exporter
/// (opset 18-20 in torch 2.13). Opsets 19-23 changed these operators only by admitting more element types (and
/// AveragePool's dilations, checked), so they are read as 18.
///
/// Operators -> node kinds: Conv -> conv (square kernel, equal strides, symmetric pads, dilations 1; B -> bias);
/// BatchNormalization (inference form) -> batch_norm; Relu -> relu; MaxPool / AveragePool (no padding, floor mode)
/// -> max_pool / avg_pool; GlobalAveragePool, or ReduceMean over axes [2, 3], then Flatten or Reshape [N, -1] ->
/// global_avg_pool; Flatten (axis 1) or
/// Reshape [N, -1] of a feature map -> flatten; Gemm (alpha = beta = 1, transA = 0) and MatMul (+ Add of a bias) ->
/// linear; Add of two computed values -> add; Slice of H and W with step S (start 0, to the end) + Pad of the channels
/// -> channel_pad (ResNet option A); Pad of one zero channel + Gather of the channels + Add of a constant ->
/// channel_scatter; Identity and Dropout -> nothing; Constant -> a constant operand; Shape, Gather [0], Unsqueeze and
/// Concat with constants -> the constant shape [0, -1] of `x.view(x.size(0), -1)` for a Reshape. Anything else throws
/// naming the node (name and index), its operator and what is supported.
///
/// Names: a parameterised node takes its module name from its weight's initializer (`layer1.0.conv1.weight` ->
/// `layer1.0.conv1`), else from the exporter's node path (`/layer1/layer1.0/conv1/Conv` -> `layer1.0.conv1`); its
/// tensors are then `name.weight`, `name.bias`, `name.running_mean`, ... (batch-norm epsilon must be 1e-5, PruneKit's).
///
/// Shape contract: the graph maps [N] + the ONNX input's [C, H, W] to [N, classes], as the ONNX model does.
///
/// ```swift
/// let onnx = try ONNXModel(decoding: bytes, source: "resnet20.onnx")
/// let imported = try ONNXImport(onnx, source: "resnet20.onnx")
/// let model = try imported.model(name: "resnet20")     // weights loaded, ready for eval or pruning
/// ```
public struct ONNXImport {
    /// The operator-set versions accepted.
    public static let operatorSetVersions = 13...23
    /// The operators accepted, for error messages.
    public static let supportedOperators = ["Conv", "BatchNormalization", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "ReduceMean",
                                            "Flatten", "Reshape", "Gemm", "MatMul", "Add", "Slice", "Pad", "Gather", "Identity",
                                            "Dropout", "Constant", "Shape", "Unsqueeze", "Concat"]

    /// The network.
    public let graph: NetworkGraph
    /// Its state_dict tensors by name (`name.weight`, `name.running_var`, `name.fill`, ...), without the batch-norm
    /// counters `name.num_batches_tracked`.
    public let tensors: [String: Tensor]

    /// The import of `onnx`; `source` names the file in errors.
    public init(_ onnx: ONNXModel, source: String) throws {
        guard Self.operatorSetVersions.contains(onnx.operatorSetVersion) else {
            throw PruneKitError.invalidArgument(operation: "ONNX import", message: "\(source): opset \(onnx.operatorSetVersion) of the default domain; "
                                                + "supported: \(Self.operatorSetVersions.lowerBound)-\(Self.operatorSetVersions.upperBound)")
        }
        var reader = try ONNXGraphReader(onnx.graph, source: source)
        try reader.read()
        (graph, tensors) = (NetworkGraph(nodes: reader.nodes), reader.tensors)
        _ = try graph.inferShapes()
    }

    /// A model of the imported graph (spec family `graph`, named `name`) holding the imported weights (batch-norm
    /// counters 0).
    public func model(name: String) throws -> Model {
        let model = try Model(spec: ModelSpec(name: name, graph: graph), seed: 0)
        try model.loadStateDictionary(source: name) { key in
            if key.hasSuffix(".num_batches_tracked") { return .count(0) }
            return tensors[key].map { .tensor($0) }
        }
        return model
    }
}
