import Foundation

/// A file of named weight matrices in DARB's regular-block format (`RegularBlockMatrix`), written by
/// `prune-cli export CKPT --format darb --out FILE`. Everything else of the model (biases, BatchNorm, dense layers) stays
/// in the checkpoint; this file holds the pruned weights compactly.
///
/// Layout, little-endian, no padding or alignment:
///
///     offset  bytes              field
///     0       4                  magic "PKRB"
///     4       4                  version, UInt32 = 1
///     8       4                  L, the number of layers, UInt32
///     then L times:
///             2                  name length in bytes, UInt16; then the UTF-8 name (state_dict key, "conv2.weight")
///             1                  D, the tensor rank, UInt8 (2 linear, 4 convolution); then D UInt32 dimensions
///                                (R = dims[0] rows, N = product of the others, the im2col order c, kh, kw)
///             2 R                block size b_r of each row, UInt16 (1...65535)
///             4 K                kept values, Float32, row after row, K = sum_r ceil(N / b_r) (derived, not stored)
///             ceil(S / 8)        offsets, S = sum_r ceil(N / b_r) ceil(log2 b_r) bits, packed row after row, least
///                                significant bit first (bit i of the stream is bit i % 8 of byte i / 8)
///
/// ```swift
/// try RegularBlockFile(layers: [.init(name: "fc1.weight", shape: [120, 400], matrix: matrix)]).write(to: "lenet.darb")
/// let layers = try RegularBlockFile.read(from: "lenet.darb").layers
/// ```
public struct RegularBlockFile: Equatable {
    /// One weight tensor.
    public struct Layer: Equatable {
        /// State_dict name of the weight.
        public var name: String
        /// The dense tensor's shape ([out, in] or [out, in, kh, kw]).
        public var shape: [Int]
        /// The [shape[0], rest] matrix.
        public var matrix: RegularBlockMatrix

        /// A layer; `matrix` must be [shape[0], product of the rest] (checked when writing).
        public init(name: String, shape: [Int], matrix: RegularBlockMatrix) { (self.name, self.shape, self.matrix) = (name, shape, matrix) }
    }

    /// "PKRB".
    public static let magic: [UInt8] = Array("PKRB".utf8)
    /// The layout above.
    public static let version: UInt32 = 1

    /// The layers, in file order.
    public var layers: [Layer]

    /// A file of `layers`.
    public init(layers: [Layer]) { self.layers = layers }

    /// The bytes of the layout above; throws naming the layer whose shape does not match its matrix.
    public func encoded() throws -> Data {
        var data = Data(Self.magic)
        Self.append(Self.version, to: &data)
        Self.append(UInt32(layers.count), to: &data)
        for layer in layers {
            let name = Array(layer.name.utf8)
            guard name.count <= Int(UInt16.max), (1...8).contains(layer.shape.count), layer.shape.allSatisfy({ $0 <= Int(UInt32.max) && $0 >= 0 }),
                  layer.shape.first == layer.matrix.rows, layer.shape.dropFirst().reduce(1, *) == layer.matrix.columns else {
                throw PruneKitError.shapeMismatch(operation: "regular-block file layer '\(layer.name)'",
                                                  expected: "shape [\(layer.matrix.rows), ...] with \(layer.matrix.columns) columns",
                                                  found: "\(layer.shape)")
            }
            Self.append(UInt16(name.count), to: &data); data.append(contentsOf: name)
            data.append(UInt8(layer.shape.count))
            for dimension in layer.shape { Self.append(UInt32(dimension), to: &data) }
            for size in layer.matrix.blockSizes { Self.append(UInt16(size), to: &data) }
            for value in layer.matrix.values { Self.append(value.bitPattern, to: &data) }
            data.append(contentsOf: layer.matrix.packedOffsets.prefix(layer.matrix.offsetBytes))
        }
        return data
    }

    /// Writes the file atomically.
    public func write(to path: String) throws {
        do { try encoded().write(to: URL(fileURLWithPath: path), options: .atomic) } catch let error as PruneKitError { throw error } catch {
            throw PruneKitError.fileError(path: path, message: "cannot write the regular-block file: \(error.localizedDescription)")
        }
    }

    /// Reads and checks a file; throws `malformedFile` naming the path, the field, what was expected and found.
    public static func read(from path: String) throws -> RegularBlockFile {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw PruneKitError.fileError(path: path, message: "cannot read: \(error.localizedDescription)")
        }
        return try decode(data, path: path)
    }

    /// Parses the layout above from `data` (`path` names it in errors).
    public static func decode(_ data: Data, path: String) throws -> RegularBlockFile {
        var reader = ByteReader(bytes: [UInt8](data), path: path)
        let magic = try reader.bytes(4, "magic")
        guard magic == Self.magic else { throw PruneKitError.malformedFile(path: path, expected: "magic 'PKRB'", found: "\(magic)") }
        let version = try reader.integer(UInt32.self, "version")
        guard version == Self.version else { throw PruneKitError.malformedFile(path: path, expected: "version \(Self.version)", found: "\(version)") }
        let count = Int(try reader.integer(UInt32.self, "layer count"))
        var layers: [Layer] = []
        for index in 0..<count {
            let nameLength = Int(try reader.integer(UInt16.self, "name length of layer \(index)"))
            guard let name = String(bytes: try reader.bytes(nameLength, "name of layer \(index)"), encoding: .utf8) else {
                throw PruneKitError.malformedFile(path: path, expected: "a UTF-8 name for layer \(index)", found: "invalid bytes")
            }
            let rank = Int(try reader.integer(UInt8.self, "rank of '\(name)'"))
            guard (1...8).contains(rank) else { throw PruneKitError.malformedFile(path: path, expected: "rank 1...8 for '\(name)'", found: "\(rank)") }
            let shape = try (0..<rank).map { _ in Int(try reader.integer(UInt32.self, "shape of '\(name)'")) }
            // Dimensions are UInt32: the product of the others is capped before anything is sized by it.
            let rows = shape[0], columns = shape.dropFirst().reduce(1) { product, dimension in
                let (value, overflow) = product.multipliedReportingOverflow(by: dimension)
                return overflow ? Int(UInt32.max) + 1 : min(value, Int(UInt32.max) + 1)
            }
            guard rows <= reader.remaining / 2, (1...Int(UInt32.max)).contains(columns) else {
                throw PruneKitError.malformedFile(path: path, expected: "a shape that fits the file for '\(name)'", found: "\(shape)")
            }
            let sizes = try (0..<rows).map { _ in Int(try reader.integer(UInt16.self, "block sizes of '\(name)'")) }
            guard sizes.allSatisfy({ $0 >= 1 }) else { throw PruneKitError.malformedFile(path: path, expected: "block sizes >= 1 in '\(name)'", found: "0") }
            let (valueStarts, bitStarts) = RegularBlockMatrix.rowStarts(columns: columns, blockSizes: sizes)
            guard valueStarts[rows] <= reader.remaining / 4 else {
                throw PruneKitError.malformedFile(path: path, expected: "\(valueStarts[rows]) values for '\(name)'", found: "\(reader.remaining) bytes left")
            }
            let values = try (0..<valueStarts[rows]).map { _ in Float(bitPattern: try reader.integer(UInt32.self, "values of '\(name)'")) }
            let offsets = try reader.bytes((bitStarts[rows] + 7) / 8, "offsets of '\(name)'")
            do {
                layers.append(Layer(name: name, shape: shape, matrix: try RegularBlockMatrix(rows: rows, columns: columns, blockSizes: sizes,
                                                                                            values: values, packedOffsets: offsets)))
            } catch {
                throw PruneKitError.malformedFile(path: path, expected: "valid offsets in '\(name)'", found: "\(error)")
            }
        }
        guard reader.remaining == 0 else { throw PruneKitError.malformedFile(path: path, expected: "end of file after \(count) layers", found: "\(reader.remaining) more bytes") }
        return RegularBlockFile(layers: layers)
    }

    private static func append<Value: FixedWidthInteger>(_ value: Value, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
}

/// A bounds-checked little-endian cursor over a file's bytes.
private struct ByteReader {
    let bytes: [UInt8], path: String
    var position = 0

    var remaining: Int { bytes.count - position }

    mutating func bytes(_ count: Int, _ field: String) throws -> [UInt8] {
        guard count >= 0, count <= remaining else {
            throw PruneKitError.malformedFile(path: path, expected: "\(count) bytes of \(field) at offset \(position)", found: "\(remaining) bytes left")
        }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    mutating func integer<Value: FixedWidthInteger>(_ type: Value.Type, _ field: String) throws -> Value {
        let raw = try bytes(MemoryLayout<Value>.size, field)
        return raw.reversed().reduce(Value.zero) { ($0 << 8) | Value($1) }
    }
}
