import PruneKitCore

/// The validated JSON header of a safetensors file: metadata plus each tensor's dtype, shape and byte range.
///
/// Validation follows the reference implementation (huggingface/safetensors `Metadata::validate`) and
/// adds the checks it leaves to serde: every tensor entry is an object with a string `dtype`, an array of
/// non-negative integer `shape` extents and two non-negative integer `data_offsets`; the byte range is
/// inside the data buffer and exactly product(shape) × dtype size long; sorted by offset, the ranges
/// neither overlap nor leave holes and end exactly at the end of the buffer; names are unique; metadata
/// values are strings. Unknown keys inside a tensor entry are ignored, as serde does.
struct SafeTensorsHeader {
    /// Where one tensor lives in the data buffer (offsets relative to the buffer start, end exclusive).
    struct TensorLayout {
        let name: String
        let dataType: SafeTensorsDataType
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    /// The `__metadata__` map (empty when absent).
    let metadata: [String: String]
    /// Tensors sorted by data offset, which is file order.
    let tensors: [TensorLayout]

    /// Validates `json` against a data buffer of `bufferByteCount` bytes; errors name `path`.
    init(json: HeaderJSON, bufferByteCount: Int, path: String) throws {
        guard case let .object(members) = json else {
            throw Self.malformed(path, "a JSON object as the header",
                                 found: json.kindDescription)
        }
        var seen = Set<String>()
        var metadata: [String: String] = [:]
        var tensors: [TensorLayout] = []
        for (name, value) in members {
            guard seen.insert(name).inserted else {
                throw Self.malformed(path, "unique names in the header",
                                     found: "\"\(name)\" twice")
            }
            if name == "__metadata__" {
                metadata = try SafeTensorsHeader.parseMetadata(value, path: path)
            } else {
                tensors.append(try SafeTensorsHeader.parseTensor(name: name, value, bufferByteCount: bufferByteCount,
                                                                 path: path))
            }
        }
        self.metadata = metadata
        self.tensors = try SafeTensorsHeader.sortedCheckingCoverage(tensors, bufferByteCount: bufferByteCount,
                                                                    path: path)
    }

    // MARK: - Metadata

    /// `__metadata__` must be an object of string values (`null` is read as absent, as serde's `Option` does).
    private static func parseMetadata(_ value: HeaderJSON, path: String) throws -> [String: String] {
        if case .null = value { return [:] }
        guard case let .object(members) = value else {
            throw malformed(path, "__metadata__ to be an object of strings",
                            found: value.kindDescription)
        }
        var metadata: [String: String] = [:]
        for (key, item) in members {
            guard case let .string(text) = item else {
                throw malformed(path, "a string value for __metadata__ key \"\(key)\"",
                                found: item.kindDescription)
            }
            guard metadata.updateValue(text, forKey: key) == nil else {
                throw malformed(path, "unique keys in __metadata__",
                                found: "\"\(key)\" twice")
            }
        }
        return metadata
    }

    // MARK: - Tensor entries

    private static func parseTensor(name: String, _ value: HeaderJSON, bufferByteCount: Int,
                                    path: String) throws -> TensorLayout {
        let fields = try fieldsOfTensor(name: name, value, path: path)
        let dataType = try parseDataType(fields["dtype"]!, tensor: name, path: path)
        let shape = try integers(fields["shape"]!, field: "shape", tensor: name, path: path)
        let offsets = try integers(fields["data_offsets"]!, field: "data_offsets", tensor: name, path: path)
        guard offsets.count == 2 else {
            throw malformed(path, "2 data_offsets [begin, end] for tensor \"\(name)\"",
                            found: "\(offsets.count) values \(offsets)")
        }
        let layout = TensorLayout(name: name, dataType: dataType, shape: shape, begin: offsets[0], end: offsets[1])
        try checkByteRange(layout, bufferByteCount: bufferByteCount, path: path)
        return layout
    }

    /// The tensor entry as an object holding `dtype`, `shape` and `data_offsets` (other keys ignored).
    private static func fieldsOfTensor(name: String, _ value: HeaderJSON, path: String) throws -> [String: HeaderJSON] {
        guard case let .object(members) = value else {
            throw malformed(path, "an object with dtype, shape and data_offsets for tensor \"\(name)\"",
                            found: value.kindDescription)
        }
        var fields: [String: HeaderJSON] = [:]
        for (key, item) in members {
            guard fields.updateValue(item, forKey: key) == nil else {
                throw malformed(path, "unique keys in the entry of tensor \"\(name)\"",
                                found: "\"\(key)\" twice")
            }
        }
        for key in ["dtype", "shape", "data_offsets"] where fields[key] == nil {
            throw malformed(path, "a \"\(key)\" field for tensor \"\(name)\"",
                            found: "keys \(members.map(\.key))")
        }
        return fields
    }

    private static func parseDataType(_ value: HeaderJSON, tensor: String, path: String) throws -> SafeTensorsDataType {
        guard case let .string(text) = value else {
            throw malformed(path, "a string dtype for tensor \"\(tensor)\"",
                            found: value.kindDescription)
        }
        if let dataType = SafeTensorsDataType(rawValue: text) { return dataType }
        let found = SafeTensorsDataType.unsupportedNames.contains(text)
            ? "\(text) (a safetensors dtype PruneKit does not support)"
            : "unknown dtype \"\(text.prefix(40))\""
        throw malformed(path, "dtype F32 or I64 for tensor \"\(tensor)\"", found: found)
    }

    /// An array of non-negative integers (shape extents or offsets).
    private static func integers(_ value: HeaderJSON, field: String, tensor: String, path: String) throws -> [Int] {
        guard case let .array(elements) = value else {
            throw malformed(path, "an array of non-negative integers as the \(field) of tensor \"\(tensor)\"",
                            found: value.kindDescription)
        }
        return try elements.map { element in
            guard case let .integer(number) = element, number >= 0 else {
                throw malformed(path, "non-negative integers in the \(field) of tensor \"\(tensor)\"",
                                found: element.kindDescription)
            }
            return number
        }
    }

    /// `begin <= end <= bufferByteCount` and `end - begin == product(shape) * dtype size`, with overflow
    /// checked left to right like the reference (so `Tensor(zeros:)` can later multiply the shape safely).
    private static func checkByteRange(_ layout: TensorLayout, bufferByteCount: Int, path: String) throws {
        let name = layout.name, offsets = "data_offsets [\(layout.begin), \(layout.end)]"
        guard layout.begin <= layout.end else {
            throw malformed(path, "begin <= end in the data_offsets of tensor \"\(name)\"",
                            found: offsets)
        }
        guard layout.end <= bufferByteCount else {
            throw malformed(path, "data_offsets of tensor \"\(name)\" within the \(bufferByteCount)-byte data buffer",
                            found: offsets)
        }
        var byteCount = layout.dataType.byteSize
        for extent in [1] + layout.shape {
            let (product, overflow) = byteCount.multipliedReportingOverflow(by: extent)
            guard !overflow else {
                throw malformed(path, "a byte size that fits in Int for tensor \"\(name)\"",
                                found: "shape \(layout.shape)")
            }
            byteCount = product
        }
        guard layout.end - layout.begin == byteCount else {
            let expected = "\(byteCount) bytes for tensor \"\(name)\" (\(layout.dataType.rawValue), shape \(layout.shape))"
            throw malformed(path, expected,
                            found: "\(offsets), \(layout.end - layout.begin) bytes")
        }
    }

    // MARK: - Buffer coverage

    /// Sorts by offset (header order breaks ties between empty tensors) and checks that the ranges tile
    /// `[0, bufferByteCount)` exactly: no overlap, no hole, nothing left over.
    private static func sortedCheckingCoverage(_ tensors: [TensorLayout], bufferByteCount: Int,
                                               path: String) throws -> [TensorLayout] {
        let sorted = tensors.enumerated().sorted { lhs, rhs in
            (lhs.element.begin, lhs.element.end, lhs.offset) < (rhs.element.begin, rhs.element.end, rhs.offset)
        }.map(\.element)
        var cursor = 0
        var previous: String?
        for layout in sorted {
            if layout.begin < cursor {
                throw malformed(path, "tensor \"\(layout.name)\" to start at byte \(cursor) or later",
                                found: "it starts at byte \(layout.begin), overlapping tensor \"\(previous ?? "")\"")
            }
            if layout.begin > cursor {
                throw malformed(path, "tensors covering the data buffer without holes",
                                found: "unused bytes [\(cursor), \(layout.begin)) before tensor \"\(layout.name)\"")
            }
            cursor = layout.end
            previous = layout.name
        }
        guard cursor == bufferByteCount else {
            throw malformed(path, "tensors covering the whole \(bufferByteCount)-byte data buffer",
                            found: "\(bufferByteCount - cursor) unused bytes after the last tensor")
        }
        return sorted
    }

    /// `malformedFile` for `path`; keeps the throw sites short.
    private static func malformed(_ path: String, _ expected: String, found: String) -> PruneKitError {
        .malformedFile(path: path, expected: expected, found: found)
    }
}
