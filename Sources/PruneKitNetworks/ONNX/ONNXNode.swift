/// One ONNX operation (`NodeProto`): an operator of the default domain reading and writing named values.
///
/// Field numbers: input 1, output 2, name 3, op_type 4, attribute 5.
///
/// ```swift
/// ONNXNode(name: "relu", operatorType: "Relu", inputs: ["bn1"], outputs: ["relu"])
/// ```
public struct ONNXNode: Equatable, Sendable {
    /// A unique name (PruneKit's node name, suffixed where one graph node becomes several).
    public var name: String
    /// The operator, e.g. "Conv", "Gemm".
    public var operatorType: String
    /// Names of the values read, in the operator's input order.
    public var inputs: [String]
    /// Names of the values written.
    public var outputs: [String]
    /// The operator's attributes.
    public var attributes: [ONNXAttribute]

    /// A node from its parts.
    public init(name: String, operatorType: String, inputs: [String], outputs: [String], attributes: [ONNXAttribute] = []) {
        (self.name, self.operatorType, self.inputs, self.outputs, self.attributes) = (name, operatorType, inputs, outputs, attributes)
    }

    /// Writes the node's fields to `writer`.
    public func encode(into writer: inout ProtobufWriter) {
        for input in inputs { writer.string(1, input) }
        for output in outputs { writer.string(2, output) }
        writer.string(3, name)
        writer.string(4, operatorType)
        for attribute in attributes { writer.message(5) { attribute.encode(into: &$0) } }
    }
}

/// A named operator attribute (`AttributeProto`) of the kinds PruneKit's exporter writes (float, int, ints) and its
/// importer reads (also string, e.g. Pad's mode, and tensor, a Constant's value).
///
/// Field numbers: name 1, f 2, i 3, s 4, t 5, ints 8, type 20 (AttributeType FLOAT = 1, INT = 2, STRING = 3,
/// TENSOR = 4, INTS = 7).
public struct ONNXAttribute: Equatable, Sendable {
    /// An attribute's value.
    public enum Value: Equatable, Sendable {
        /// A float (`f`), e.g. BatchNormalization's epsilon.
        case float(Float)
        /// An int64 (`i`), e.g. Conv's group.
        case integer(Int)
        /// A list of int64 (`ints`), e.g. Conv's pads.
        case integers([Int])
        /// A string (`s`, UTF-8), e.g. Pad's mode "constant".
        case string(String)
        /// A tensor (`t`), e.g. a Constant's value.
        case tensor(ONNXTensor)
    }

    /// The attribute's name, e.g. "kernel_shape".
    public var name: String
    /// Its value.
    public var value: Value

    /// An attribute from its parts.
    public init(_ name: String, _ value: Value) { (self.name, self.value) = (name, value) }

    /// Writes the attribute's fields to `writer`.
    public func encode(into writer: inout ProtobufWriter) {
        writer.string(1, name)
        switch value {
        case let .float(number):
            writer.float(2, number)
            writer.integer(20, 1)
        case let .integer(number):
            writer.integer(3, number)
            writer.integer(20, 2)
        case let .integers(numbers):
            writer.integers(8, numbers)
            writer.integer(20, 7)
        case let .string(text):
            writer.string(4, text)
            writer.integer(20, 3)
        case let .tensor(tensor):
            writer.message(5) { tensor.encode(into: &$0) }
            writer.integer(20, 4)
        }
    }
}
