import Foundation
import PruneKitCore

extension SafeTensors {
    /// Encodes `entries` (in this order) and `metadata` as safetensors bytes.
    ///
    /// Throws `PruneKitError.invalidArgument` when a name is repeated or equals `__metadata__`, when an
    /// `.int64` entry's value count does not match its shape or its shape has a negative extent, or when
    /// the header would exceed `maximumHeaderByteCount`.
    ///
    /// ```swift
    /// let bytes = try SafeTensors.encode([("x", .float32(Tensor(zeros: [2])))], metadata: ["epoch": "3"])
    /// ```
    public static func encode(_ entries: [(name: String, value: SafeTensorsValue)],
                              metadata: [String: String] = [:]) throws -> Data {
        try checkEncodable(entries)
        let header = headerBytes(entries, metadata: metadata)
        guard header.count <= maximumHeaderByteCount else {
            throw PruneKitError.invalidArgument(operation: "SafeTensors.encode",
                                                message: "header of \(header.count) bytes exceeds \(maximumHeaderByteCount)")
        }
        let bufferByteCount = entries.reduce(0) { $0 + $1.value.byteCount }
        var data = Data(count: 8 + header.count + bufferByteCount)
        data.withUnsafeMutableBytes { raw in
            let start = raw.baseAddress!  // count >= 16: the header is at least "{}" padded to 8 bytes
            start.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self)
            header.withUnsafeBytes { (start + 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            var offset = 8 + header.count
            for entry in entries {
                copyLittleEndianBytes(of: entry.value, to: start + offset)
                offset += entry.value.byteCount
            }
        }
        return data
    }

    /// Rejects what would produce an invalid or ambiguous file.
    private static func checkEncodable(_ entries: [(name: String, value: SafeTensorsValue)]) throws {
        var seen = Set<String>()
        for (name, value) in entries {
            guard name != metadataKey else {
                throw PruneKitError.invalidArgument(operation: "SafeTensors.encode",
                                                    message: "\"\(metadataKey)\" is reserved and cannot name a tensor")
            }
            guard seen.insert(name).inserted else {
                throw PruneKitError.invalidArgument(operation: "SafeTensors.encode",
                                                    message: "tensor \"\(name)\" given twice")
            }
            if case let .int64(shape, values) = value {
                var product = 1, overflow = false
                for extent in shape where !overflow { (product, overflow) = product.multipliedReportingOverflow(by: extent) }
                guard shape.allSatisfy({ $0 >= 0 }), !overflow, product == values.count else {
                    throw PruneKitError.invalidArgument(operation: "SafeTensors.encode",
                                                        message: "I64 tensor \"\(name)\" has shape \(shape) "
                                                            + "but \(values.count) values")
                }
            }
        }
    }

    /// The compact JSON header, space-padded so that 8 + its length is a multiple of 8 (data aligned).
    private static func headerBytes(_ entries: [(name: String, value: SafeTensorsValue)],
                                    metadata: [String: String]) -> [UInt8] {
        var members: [(key: String, value: HeaderJSON)] = []
        if !metadata.isEmpty {
            let sorted = metadata.sorted { $0.key < $1.key }.map { (key: $0.key, value: HeaderJSON.string($0.value)) }
            members.append((metadataKey, .object(sorted)))
        }
        var offset = 0
        for (name, value) in entries {
            let end = offset + value.byteCount
            members.append((name, .object([
                ("dtype", .string(value.dataType.rawValue)),
                ("shape", .array(value.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(offset), .integer(end)])),
            ])))
            offset = end
        }
        var bytes = Array(HeaderJSON.object(members).serialized().utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    /// Copies the entry's elements to `destination` as little-endian bytes (a plain copy on
    /// little-endian hosts; `destination` need not be aligned).
    private static func copyLittleEndianBytes(of value: SafeTensorsValue, to destination: UnsafeMutableRawPointer) {
        switch value {
        case let .float32(tensor):
            tensor.withUnsafeBufferPointer { source in
                for index in source.indices {
                    let bits = source[index].bitPattern.littleEndian
                    destination.storeBytes(of: bits, toByteOffset: 4 * index, as: UInt32.self)
                }
            }
        case let .int64(_, values):
            values.withUnsafeBufferPointer { source in
                for index in source.indices {
                    destination.storeBytes(of: source[index].littleEndian, toByteOffset: 8 * index, as: Int64.self)
                }
            }
        }
    }
}
