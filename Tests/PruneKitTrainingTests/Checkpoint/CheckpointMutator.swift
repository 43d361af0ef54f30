import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// Seeded mutants of a valid checkpoint for `CheckpointFuzzTests`: byte-level damage (truncation, the header
/// length, flipped bytes), header-level damage (dtype names, offsets, shapes), consistent files whose tensors
/// disagree with the spec (missing, extra, reshaped, retyped), and metadata damage (the spec's JSON text,
/// absurd or ill-typed spec fields, the training state). Every mutant is a pure function of the base bytes
/// and the generator's state, so a failure reproduces from its index.
struct CheckpointMutator {
    /// The kinds of mutation, drawn in turn.
    enum Kind: String, CaseIterable {
        case truncate, headerLength, headerByteFlip, dataByteFlip
        case dtypeName, dataOffsets, headerShape
        case dropTensor, extraTensor, reshapeTensor, retypeTensor
        case specText, specField, specWidths, trainingMetadata
    }

    /// Kinds after which no mutant may load: each one breaks the file or its agreement with the spec.
    static let alwaysRejected: Set<Kind> = [.truncate, .dropTensor, .extraTensor, .reshapeTensor, .retypeTensor]

    let base: Data
    let file: SafeTensorsFile
    var generator: SplitMix64

    init(base: Data, seed: UInt64) throws {
        self.base = base
        file = try SafeTensors.decode(base, path: "base")
        generator = SplitMix64(seed: seed)
    }

    /// The next mutant of kind `kind`.
    mutating func mutant(_ kind: Kind) throws -> Data {
        switch kind {
        case .truncate: return base.prefix(pick(base.count))
        case .headerLength: return replacingHeaderLength()
        case .headerByteFlip: return flippingByte(in: 8..<(8 + headerLength))
        case .dataByteFlip: return flippingByte(in: (8 + headerLength)..<base.count)
        case .dtypeName, .dataOffsets, .headerShape: return try editingHeader(kind)
        case .dropTensor, .extraTensor, .reshapeTensor, .retypeTensor: return try editingEntries(kind)
        case .specText, .specField, .specWidths, .trainingMetadata: return try editingMetadata(kind)
        }
    }

    // MARK: - Bytes

    private var headerLength: Int { Int(base.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }) }

    private mutating func pick(_ upperBound: Int) -> Int { generator.nextInt(below: max(upperBound, 1)) }

    private mutating func replacingHeaderLength() -> Data {
        let candidates: [UInt64] = [0, 1, 7, UInt64(headerLength - 1), UInt64(headerLength + 1), UInt64(headerLength + 8),
                                    UInt64(base.count), UInt64(SafeTensors.maximumHeaderByteCount) + 1, UInt64(Int.max),
                                    .max, generator.next()]
        var data = base
        let length = candidates[pick(candidates.count)].littleEndian
        withUnsafeBytes(of: length) { data.replaceSubrange(0..<8, with: $0) }
        return data
    }

    private mutating func flippingByte(in range: Range<Int>) -> Data {
        var data = base
        let index = range.lowerBound + pick(range.count)
        data[index] ^= UInt8(1 + pick(255))
        return data
    }

    // MARK: - The header's JSON

    /// Re-serialises the header after changing one tensor's dtype, offsets or shape; the data stays.
    private mutating func editingHeader(_ kind: Kind) throws -> Data {
        var header = try JSONSerialization.jsonObject(with: base[8..<(8 + headerLength)]) as! [String: Any]
        let name = file.names[pick(file.names.count)]
        var entry = header[name] as! [String: Any]
        switch kind {
        case .dtypeName:
            let names: [Any] = ["F16", "BF16", "F64", "I64", "F32", "I8", "BOOL", "f32", "", "ZZZ", 32]
            entry["dtype"] = names[pick(names.count)]
        case .dataOffsets:
            var offsets = entry["data_offsets"] as! [Int]
            offsets[pick(2)] += [-4, -1, 1, 4, 1 << 40, Int.max / 2, -(1 << 40)][pick(7)]
            let choices: [Any] = [offsets, [offsets[1], offsets[0]], [offsets[0]], [Int](), ["0", 4] as [Any]]
            entry["data_offsets"] = choices[pick(choices.count)]
        default:
            entry["shape"] = absurdShape(entry["shape"] as! [Int])
        }
        header[name] = entry
        return Self.file(header: try JSONSerialization.data(withJSONObject: header), data: base[(8 + headerLength)...])
    }

    private mutating func absurdShape(_ shape: [Int]) -> Any {
        var changed = shape
        if !changed.isEmpty { changed[pick(changed.count)] = [0, 1, -1, 1_000_000, 1 << 62, Int.max][pick(6)] }
        let choices: [Any] = [changed, shape + [1], Array(shape.dropLast()), [Int.max, Int.max, 0], ["2"], [1.5]]
        return choices[pick(choices.count)]
    }

    static func file(header: Data, data: Data.SubSequence) -> Data {
        let padded = header + Data(repeating: 0x20, count: (8 - header.count % 8) % 8)
        return withUnsafeBytes(of: UInt64(padded.count).littleEndian) { Data($0) } + padded + data
    }

    // MARK: - Entries, re-encoded consistently

    private mutating func editingEntries(_ kind: Kind) throws -> Data {
        var entries = file.entries
        let stateIndices = entries.indices.filter { !entries[$0].name.hasPrefix(ModelCheckpoint.optimizerPrefix) }
        let index = stateIndices[pick(stateIndices.count)]
        let (name, value) = entries[index]
        switch kind {
        case .dropTensor:
            entries.remove(at: index)
        case .extraTensor:
            let extra = [name + ".extra", "fc9.weight", "layer9.0.conv1.weight", "", "conv1.weight.momentum"][pick(5)]
            entries.insert((extra, .float32(Tensor(zeros: [pick(4) + 1]))), at: pick(entries.count + 1))
        case .reshapeTensor:
            let count = value.elementCount
            var shape = [[count], [1, count], [count, 1], value.shape + [1]][pick(4)]
            if shape == value.shape { shape += [1] }
            entries[index].value = value.dataType == .float32
                ? .float32(Tensor(zeros: shape)) : .int64(shape: shape, values: Array(repeating: 0, count: count))
        default:
            entries[index].value = value.dataType == .float32
                ? .int64(shape: value.shape, values: Array(repeating: 7, count: value.elementCount))
                : .float32(Tensor(zeros: value.shape))
        }
        return try SafeTensors.encode(entries, metadata: file.metadata)
    }

    // MARK: - Metadata

    private mutating func editingMetadata(_ kind: Kind) throws -> Data {
        var metadata = file.metadata
        let spec = metadata["spec"]!
        switch kind {
        case .specText:
            var bytes = Array(spec.utf8)
            if pick(2) == 0 { bytes = Array(bytes.prefix(pick(bytes.count))) } else { bytes[pick(bytes.count)] = UInt8(32 + pick(95)) }
            metadata["spec"] = String(decoding: bytes, as: UTF8.self)
        case .specField: metadata["spec"] = try Self.replacing(in: spec, field: fieldMutation())
        case .specWidths: metadata["spec"] = try widthMutation(spec)
        default:
            let key = ["training_state", "train_config", "spec", "format"][pick(4)]
            metadata[key] = ["{}", "[]", "{\"completedEpochs\": -1}", "null", "", "{\"seed\": 1e400}"][pick(6)]
        }
        return try SafeTensors.encode(file.entries, metadata: metadata)
    }

    /// A spec field and the JSON text to put there.
    private mutating func fieldMutation() -> (field: String, json: String) {
        let huge = "100000000000000000000000"
        let choices: [(String, [String])] = [
            ("classCount", ["100000000", "-1", "0", huge, "\(Int.max)", "\(Int.min)", "\"10\"", "1e8", "65537"]),
            ("depth", ["1000000", "-5", "0", huge, "\(Int.max)", "\(Int.min)", "8", "20", "null"]),
            ("inputShape", ["[1, 1000000, 1000000]", "[1000000000, 28, 28]", "[1, -28, 28]", "[]", "[1, 28]", "[1, \(huge), 28]",
                            "[1, 28, 28, 1]", "[\(Int.max), \(Int.max), \(Int.max)]", "[3, 16384, 16384]"]),
            ("family", ["\"resnet\"", "\"wrn\"", "\"vgg\"", "\"mlp\"", "\"lenet5-classic\"", "\"nope\"", "7"]),
            ("widthFactor", ["1000000", "\(Int.max)", "-1", "4"]),
            ("shortcut", ["\"A\"", "\"B\"", "\"C\""]),
            ("dropoutProbability", ["2.0", "-1", "0.5", "1e400"]),
        ]
        let (field, values) = choices[pick(choices.count)]
        return (field, values[pick(values.count)])
    }

    private mutating func widthMutation(_ spec: String) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(spec.utf8)) as! [String: Any]
        var widths = object["widths"] as! [[String: Any]]
        let index = pick(widths.count)
        switch pick(5) {
        case 0: widths.remove(at: index)
        case 1: widths.append(widths[index])
        case 2: widths[index]["name"] = "layer99.conv1"
        default: widths[index]["width"] = "@@WIDTH@@"
        }
        object["widths"] = widths
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        let absurd = ["1000000000", "-3", "0", "100000000000000000000000", "\(Int.max)", "65536", "\"4\""][pick(7)]
        return text.replacingOccurrences(of: "\"@@WIDTH@@\"", with: absurd)
    }

    /// `spec` with `field` set to the JSON text `json` (inserted textually, so integers beyond Int survive).
    static func replacing(in spec: String, field: (field: String, json: String)) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(spec.utf8)) as! [String: Any]
        object[field.field] = "@@VALUE@@"
        let text = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        return text.replacingOccurrences(of: "\"@@VALUE@@\"", with: field.json)
    }
}
