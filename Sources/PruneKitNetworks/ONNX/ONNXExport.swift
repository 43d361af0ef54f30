import PruneKitCore

/// Options of `ONNXExport`.
public struct ONNXExportOptions: Equatable, Sendable {
    /// Fold every batch norm that reads a convolution (or linear layer) read by nothing else into that layer's weight
    /// and bias (`BatchNormFolding`: W' = a W, b' = a b + beta - mean a, a = gamma / sqrt(var + eps)) instead of
    /// writing a BatchNormalization node. Other batch norms stay nodes.
    public var foldBatchNorm: Bool

    /// Options with the defaults (batch norms exported as nodes).
    public init(foldBatchNorm: Bool = false) { self.foldBatchNorm = foldBatchNorm }
}

/// Translates a `NetworkGraph` with its state_dict into an ONNX model (opset 17) for inference: input "input"
/// [batch] + the graph's input shape, output "logits" [batch, classes], `batch` a symbolic dimension. Initializers
/// keep the state_dict names (`layer1.0.conv1.weight`).
///
/// Operators per node kind: conv -> Conv (kernel_shape, strides, pads, group; B when it has a bias);
/// factorised_conv -> three Convs (`name.rotation_in`, `name.core`, `name.rotation_out`); linear -> Gemm (transB = 1);
/// batch_norm -> BatchNormalization in inference mode with the running statistics (or folded, see the options);
/// relu -> Relu; max_pool / avg_pool -> MaxPool / AveragePool; global_avg_pool -> GlobalAveragePool + Flatten;
/// flatten -> Flatten (axis 1); add -> Add (a chain for more than two operands); channel_pad (ResNet option A) ->
/// Slice with steps S on H and W (when S > 1) + Pad of the channels; channel_scatter -> Pad one zero channel, Gather the
/// channels (the scattered ones from the input, the others from the zero channel), Add the fill; dropout -> nothing
/// (evaluation). Column-sparse and block-sparse weights are dense tensors holding their zeros.
///
/// Shape contract: the ONNX model maps [N] + `graph.inputShape` to [N, classes], as `Model` does.
///
/// ```swift
/// let onnx = try ONNXExport(graph: try model.currentSpec().networkGraph(), tensors: tensors).model()
/// try AtomicFile.write(Data(onnx.serialized()), to: "resnet20.onnx")
/// ```
public struct ONNXExport {
    /// The network to translate.
    public let graph: NetworkGraph
    /// The state_dict tensors by name (`name.weight`, `name.running_var`, `name.fill`, ...).
    public let tensors: [String: Tensor]
    /// Batch-norm epsilon by node name; absent: 1e-5 (PyTorch's and PruneKit's default).
    public let batchNormEpsilons: [String: Float]
    /// How to translate.
    public let options: ONNXExportOptions

    /// An export of `graph` with the weights `tensors`.
    public init(graph: NetworkGraph, tensors: [String: Tensor], batchNormEpsilons: [String: Float] = [:],
                options: ONNXExportOptions = .init()) {
        (self.graph, self.tensors, self.batchNormEpsilons, self.options) = (graph, tensors, batchNormEpsilons, options)
    }

    /// The ONNX model. Throws naming the node when the graph is invalid (`inferShapes`) or a tensor it needs is missing
    /// or of the wrong shape.
    public func model() throws -> ONNXModel {
        var writer = try ONNXGraphWriter(self)
        return ONNXModel(graph: try writer.write())
    }
}

extension Model {
    /// This model (its current widths and weights) as an ONNX model (`ONNXExport`).
    public func onnxModel(options: ONNXExportOptions = .init()) throws -> ONNXModel {
        var tensors: [String: Tensor] = [:]
        for (name, value) in stateDictionary() { if case let .tensor(tensor) = value { tensors[name] = tensor } }
        let epsilons = namedLayers.compactMapValues { ($0 as? BatchNorm)?.epsilon }
        return try ONNXExport(graph: try currentGraph(), tensors: tensors, batchNormEpsilons: epsilons,
                              options: options).model()
    }
}
