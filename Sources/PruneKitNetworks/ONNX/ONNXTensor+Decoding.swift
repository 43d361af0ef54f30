import PruneKitCore

/// Decoding TensorProto and ValueInfoProto (see `ONNXModel(decoding:source:)`).
///
/// TensorProto: dims 1, data_type 2 (FLOAT 1, INT64 7), segment 3, float_data 4, int64_data 7, name 8, raw_data 9,
/// data_location 14. Only float32 and int64 tensors with their data in the file are read; the element count (product of
/// the dims, checked for overflow) must equal the data's, so no allocation exceeds the bytes present.
/// ValueInfoProto: name 1, type 2 > TypeProto tensor_type 1 > elem_type 1, shape 2 > dim 1 > dim_value 1, dim_param 2.
extension ONNXTensor {
    /// The largest element count accepted (2^31, far above any PruneKit layer).
    static let maximumElementCount = 1 << 31

    /// A TensorProto of float32 or int64 data in `raw_data`, `float_data` or `int64_data`.
    init(decoding reader: inout ProtobufReader) throws {
        let start = reader.position
        var dimensions: [Int] = [], dataType = 0, name = "", floats: [Float] = [], integers: [Int] = []
        var raw: ArraySlice<UInt8>?
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            switch field {
            case 1: try reader.appendIntegers(type, to: &dimensions, field: "TensorProto.dims")
            case 2: try reader.require(type, .varint, field: "TensorProto.data_type"); dataType = try reader.integer()
            case 3, 13, 14:
                throw reader.error("tensor data stored in the file", found: "segmented or external data (TensorProto field \(field))")
            case 4: try reader.appendFloats(type, to: &floats, field: "TensorProto.float_data")
            case 7: try reader.appendIntegers(type, to: &integers, field: "TensorProto.int64_data")
            case 8: try reader.require(type, .lengthDelimited, field: "TensorProto.name"); name = try reader.string()
            case 9: try reader.require(type, .lengthDelimited, field: "TensorProto.raw_data"); raw = try reader.bytesValue()
            default: try reader.skip(type)
            }
        }
        var count = 1
        for extent in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            guard extent >= 0, !overflow, product <= Self.maximumElementCount else {
                throw reader.error("tensor '\(name)' with dims of at most \(Self.maximumElementCount) elements", found: "dims \(dimensions)", at: start)
            }
            count = product
        }
        let elementSize: Int
        switch dataType {
        case 1: elementSize = 4
        case 7: elementSize = 8
        default:
            throw reader.error("tensor '\(name)' of data type FLOAT (1) or INT64 (7): PruneKit imports float32 weights",
                               found: "data type \(dataType)", at: start)
        }
        if let raw {
            guard raw.count == count * elementSize else {
                throw reader.error("tensor '\(name)' with \(count) elements (\(count * elementSize) bytes of raw_data)", found: "\(raw.count) bytes", at: start)
            }
            raw.withUnsafeBytes { bytes in  // little-endian, read in place (the length was checked above)
                if dataType == 1 {
                    floats = (0..<count).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                } else {
                    integers = (0..<count).map { Int(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
                }
            }
        }
        let found = dataType == 1 ? floats.count : integers.count
        guard found == count else {
            throw reader.error("tensor '\(name)' with \(count) elements (dims \(dimensions))", found: "\(found) values", at: start)
        }
        if dataType == 1 { self.init(name: name, dimensions: dimensions, floats: floats) }
        else { self.init(name: name, dimensions: dimensions, integers: integers) }
    }
}

extension ONNXValueInfo {
    /// A ValueInfoProto of a float32 tensor (an unset elem_type or shape is accepted: no dimensions).
    init(decoding reader: inout ProtobufReader) throws {
        var name = "", dimensions: [Dimension] = []
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            switch (field, type) {
            case (1, .lengthDelimited): name = try reader.string()
            case (2, .lengthDelimited):
                var typeProto = try reader.message()
                dimensions = try Self.tensorDimensions(&typeProto, name: name)
            default: try reader.skip(type)
            }
        }
        self.init(name: name, dimensions: dimensions)
    }

    /// TypeProto > tensor_type: throws unless elem_type is FLOAT (1) or unset.
    private static func tensorDimensions(_ reader: inout ProtobufReader, name: String) throws -> [Dimension] {
        var dimensions: [Dimension] = []
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            guard field == 1, type == .lengthDelimited else { try reader.skip(type); continue }
            var tensor = try reader.message()
            while !tensor.isAtEnd {
                let (inner, innerType) = try tensor.key()
                switch (inner, innerType) {
                case (1, .varint):
                    let start = tensor.position
                    let elementType = try tensor.integer()
                    guard elementType == 1 else {
                        throw tensor.error("graph input/output '\(name)' of element type FLOAT (1)", found: "element type \(elementType)", at: start)
                    }
                case (2, .lengthDelimited):
                    var shape = try tensor.message()
                    dimensions = try shapeDimensions(&shape)
                default: try tensor.skip(innerType)
                }
            }
        }
        return dimensions
    }

    /// TensorShapeProto's dims: a dim_value, else a dim_param ("" when neither is set).
    private static func shapeDimensions(_ reader: inout ProtobufReader) throws -> [Dimension] {
        var dimensions: [Dimension] = []
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            guard field == 1, type == .lengthDelimited else { try reader.skip(type); continue }
            var entry = try reader.message()
            var dimension = Dimension.symbolic("")
            while !entry.isAtEnd {
                let (inner, innerType) = try entry.key()
                switch (inner, innerType) {
                case (1, .varint): dimension = .fixed(try entry.integer())
                case (2, .lengthDelimited): dimension = .symbolic(try entry.string())
                default: try entry.skip(innerType)
                }
            }
            dimensions.append(dimension)
        }
        return dimensions
    }
}
