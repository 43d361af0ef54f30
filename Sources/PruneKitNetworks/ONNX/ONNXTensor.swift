/// A constant ONNX tensor (`TensorProto`): float32 weights or int64 operands (Slice/Pad/Gather), stored row-major
/// in `raw_data` as little-endian fixed-width values.
///
/// Field numbers: dims 1, data_type 2 (FLOAT = 1, INT64 = 7), name 8, raw_data 9.
///
/// ```swift
/// ONNXTensor(name: "conv1.weight", dimensions: [16, 3, 3, 3], floats: weight.scalars)
/// ONNXTensor(name: "pad.pads", dimensions: [8], integers: [0, 4, 0, 0, 0, 4, 0, 0])
/// ```
public struct ONNXTensor: Equatable, Sendable {
    /// The element values.
    public enum Elements: Equatable, Sendable {
        /// float32 values.
        case float([Float])
        /// int64 values.
        case int64([Int])
    }

    /// The name nodes read it by.
    public var name: String
    /// The shape; empty for a scalar.
    public var dimensions: [Int]
    /// The values, row-major; their count is the product of `dimensions`.
    public var elements: Elements

    /// A float32 tensor.
    public init(name: String, dimensions: [Int], floats: [Float]) {
        (self.name, self.dimensions, elements) = (name, dimensions, .float(floats))
    }

    /// An int64 tensor.
    public init(name: String, dimensions: [Int], integers: [Int]) {
        (self.name, self.dimensions, elements) = (name, dimensions, .int64(integers))
    }

    /// Writes the tensor's fields to `writer`.
    public func encode(into writer: inout ProtobufWriter) {
        writer.integers(1, dimensions)
        var raw = ProtobufWriter()
        switch elements {
        case let .float(values):
            writer.integer(2, 1)
            for value in values { raw.appendLittleEndian(value.bitPattern) }
        case let .int64(values):
            writer.integer(2, 7)
            for value in values {
                let bits = UInt64(bitPattern: Int64(value))
                raw.appendLittleEndian(UInt32(truncatingIfNeeded: bits))
                raw.appendLittleEndian(UInt32(truncatingIfNeeded: bits >> 32))
            }
        }
        writer.string(8, name)
        writer.bytes(9, raw.bytes)
    }
}

/// A typed graph input or output (`ValueInfoProto` with a `TypeProto.Tensor` of float32): a name and a shape whose
/// dimensions are numbers or symbols (the batch dimension is the symbol "batch").
///
/// Field numbers: ValueInfoProto name 1, type 2; TypeProto tensor_type 1; TypeProto.Tensor elem_type 1, shape 2;
/// TensorShapeProto dim 1; Dimension dim_value 1, dim_param 2.
public struct ONNXValueInfo: Equatable, Sendable {
    /// One dimension of the shape.
    public enum Dimension: Equatable, Sendable {
        /// A fixed extent.
        case fixed(Int)
        /// A named extent fixed at run time, e.g. "batch".
        case symbolic(String)
    }

    /// The value's name.
    public var name: String
    /// Its float32 tensor shape.
    public var dimensions: [Dimension]

    /// A float32 value of shape `dimensions`.
    public init(name: String, dimensions: [Dimension]) { (self.name, self.dimensions) = (name, dimensions) }

    /// Writes the value info's fields to `writer`.
    public func encode(into writer: inout ProtobufWriter) {
        writer.string(1, name)
        writer.message(2) { type in
            type.message(1) { tensor in
                tensor.integer(1, 1)  // elem_type FLOAT
                tensor.message(2) { shape in
                    for dimension in dimensions {
                        shape.message(1) { entry in
                            switch dimension {
                            case let .fixed(extent): entry.integer(1, extent)
                            case let .symbolic(symbol): entry.string(2, symbol)
                            }
                        }
                    }
                }
            }
        }
    }
}
