/// An ONNX model (onnx.proto `ModelProto`): one graph, IR version 8, the default-domain operator set 17, producer
/// "PruneKit". `serialized()` gives the bytes of a `.onnx` file.
///
/// Field numbers follow onnx/onnx.proto: ModelProto ir_version 1, producer_name 2, graph 7, opset_import 8;
/// OperatorSetIdProto domain 1, version 2. Fields are written in field-number order, as protobuf's own serialisers do.
///
/// ```swift
/// let model = ONNXModel(graph: try ONNXExport(options: .init()).graph(of: networkGraph, tensors: stateDictionary))
/// try AtomicFile.write(Data(model.serialized()), to: "model.onnx")
/// ```
public struct ONNXModel: Equatable, Sendable {
    /// The computation.
    public var graph: ONNXGraph
    /// `ir_version`: 8 (onnx 1.10, the first IR with opset 17 support in common runtimes).
    public var irVersion = 8
    /// Version of the default ("" = ai.onnx) operator set the nodes bind to.
    public var operatorSetVersion = 17
    /// `producer_name`.
    public var producerName = "PruneKit"

    /// A model of `graph` with the defaults above.
    public init(graph: ONNXGraph) { self.graph = graph }

    /// The protobuf encoding of the model: the content of a `.onnx` file.
    public func serialized() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.integer(1, irVersion)                       // ir_version
        writer.string(2, producerName)                     // producer_name
        writer.message(7) { graph.encode(into: &$0) }      // graph
        writer.message(8) { operatorSet in                 // opset_import
            operatorSet.string(1, "")                      //   domain: the default ai.onnx set
            operatorSet.integer(2, operatorSetVersion)     //   version
        }
        return writer.bytes
    }
}

/// An ONNX graph (`GraphProto`): nodes in topological order, constant tensors, and the typed inputs and outputs.
///
/// Field numbers: node 1, name 2, initializer 5, input 11, output 12.
public struct ONNXGraph: Equatable, Sendable {
    /// The graph's name.
    public var name: String
    /// The operations, each after the nodes producing its inputs.
    public var nodes: [ONNXNode]
    /// Weights and other constants, read by name.
    public var initializers: [ONNXTensor]
    /// The graph inputs (not initializers).
    public var inputs: [ONNXValueInfo]
    /// The graph outputs.
    public var outputs: [ONNXValueInfo]

    /// A graph from its parts.
    public init(name: String, nodes: [ONNXNode], initializers: [ONNXTensor], inputs: [ONNXValueInfo], outputs: [ONNXValueInfo]) {
        (self.name, self.nodes, self.initializers, self.inputs, self.outputs) = (name, nodes, initializers, inputs, outputs)
    }

    /// Writes the graph's fields (not a length prefix) to `writer`.
    public func encode(into writer: inout ProtobufWriter) {
        for node in nodes { writer.message(1) { node.encode(into: &$0) } }
        writer.string(2, name)
        for tensor in initializers { writer.message(5) { tensor.encode(into: &$0) } }
        for input in inputs { writer.message(11) { input.encode(into: &$0) } }
        for output in outputs { writer.message(12) { output.encode(into: &$0) } }
    }
}
