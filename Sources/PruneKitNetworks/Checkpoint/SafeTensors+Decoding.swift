import Foundation
import PruneKitCore

extension SafeTensors {
    /// Decodes and validates safetensors bytes; `path` only labels error messages.
    ///
    /// Every defect (short file, absurd header length, bad UTF-8 or JSON, wrong field types, unsupported
    /// dtype, negative extents, offsets that overlap, leave holes or disagree with the shape) throws
    /// `PruneKitError.malformedFile(path:expected:found:)`; no input traps.
    ///
    /// ```swift
    /// let file = try SafeTensors.decode(bytes, path: "download.safetensors")
    /// ```
    public static func decode(_ data: Data, path: String = "<memory>") throws -> SafeTensorsFile {
        try data.withUnsafeBytes { try decode(bytes: $0, path: path) }
    }

    /// Decodes bytes that stay valid for the duration of the call (a mapping or a `Data` buffer).
    static func decode(bytes: UnsafeRawBufferPointer, path: String) throws -> SafeTensorsFile {
        let headerByteCount = try readHeaderByteCount(bytes, path: path)
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerByteCount)])
        let buffer = UnsafeRawBufferPointer(rebasing: bytes[(8 + headerByteCount)...])
        let json = try HeaderJSONParser.parse(headerBytes, path: path)
        let header = try SafeTensorsHeader(json: json, bufferByteCount: buffer.count, path: path)
        let entries = try header.tensors.map { layout in
            (name: layout.name, value: try value(of: layout, in: buffer, path: path))
        }
        return SafeTensorsFile(path: path, entries: entries, metadata: header.metadata)
    }

    /// The first 8 bytes as a header length that fits in the file and under `maximumHeaderByteCount`.
    private static func readHeaderByteCount(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Int {
        guard bytes.count >= 8 else {
            throw PruneKitError.malformedFile(path: path, expected: "at least 8 bytes (the header length)",
                                              found: "\(bytes.count) bytes")
        }
        let length = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        guard length <= UInt64(maximumHeaderByteCount) else {
            throw PruneKitError.malformedFile(path: path,
                                              expected: "a header length of at most \(maximumHeaderByteCount) bytes",
                                              found: "\(length)")
        }
        guard Int(length) <= bytes.count - 8 else {
            throw PruneKitError.malformedFile(path: path,
                                              expected: "a header length of at most \(bytes.count - 8) bytes (file size - 8)",
                                              found: "\(length)")
        }
        return Int(length)
    }

    /// Copies one validated tensor's bytes from the data buffer into fresh storage, allocated so that running
    /// out of memory throws `allocationFailed` naming the tensor rather than trapping.
    private static func value(of layout: SafeTensorsHeader.TensorLayout, in buffer: UnsafeRawBufferPointer,
                              path: String) throws -> SafeTensorsValue {
        let source = UnsafeRawBufferPointer(rebasing: buffer[layout.begin..<layout.end])
        switch layout.dataType {
        case .float32:
            var tensor = try Tensor(allocating: layout.shape, zeroed: false, purpose: "\(path): tensor \"\(layout.name)\"")
            tensor.withUnsafeMutableBufferPointer { destination in
                for index in destination.indices {
                    let bits = source.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)
                    destination[index] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
            return .float32(tensor)
        case .int64:
            let count = source.count / 8
            let values = [Int64](unsafeUninitializedCapacity: count) { destination, initialized in
                for index in 0..<count {
                    destination[index] = Int64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: Int64.self))
                }
                initialized = count
            }
            return .int64(shape: layout.shape, values: values)
        }
    }
}
