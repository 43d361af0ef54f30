import PruneKitCore

/// The decoded content of a safetensors file: named entries in file order plus string metadata.
///
/// Entries are ordered by data offset, which for files PruneKit writes is the order they were given
/// (PyTorch `state_dict` order). Lookups by name are O(1). The typed accessors throw
/// `PruneKitError.malformedFile` naming the file and the tensor, so a loader can write
/// `try file.tensor(named: "conv1.weight")` and get a useful message when a checkpoint does not fit.
///
/// ```swift
/// let file = try SafeTensors.read(path: "resnet56.safetensors")
/// let weight = try file.tensor(named: "conv1.weight")          // F32 entry as a Tensor
/// let steps = try file.int64Scalar(named: "bn1.num_batches_tracked")
/// let architecture = file.metadata["architecture"]
/// ```
public struct SafeTensorsFile {
    /// Where the bytes came from (the file path, or the label given to `SafeTensors.decode`).
    public let path: String
    /// Every entry, ordered by data offset.
    public let entries: [(name: String, value: SafeTensorsValue)]
    /// The `__metadata__` map of the header (empty when the file has none).
    public let metadata: [String: String]
    private let indexByName: [String: Int]

    /// Groups already-validated entries; names must be unique.
    init(path: String, entries: [(name: String, value: SafeTensorsValue)], metadata: [String: String]) {
        self.path = path
        self.entries = entries
        self.metadata = metadata
        indexByName = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($0.element.name, $0.offset) })
    }

    /// Entry names in file order.
    public var names: [String] { entries.map(\.name) }

    /// The entry called `name`, or nil when the file has none.
    public subscript(name: String) -> SafeTensorsValue? {
        indexByName[name].map { entries[$0].value }
    }

    /// The `F32` entry called `name` as a tensor; throws when it is missing or has another dtype.
    public func tensor(named name: String) throws -> Tensor {
        let value = try entry(named: name)
        guard let tensor = value.float32Tensor else { throw wrongType(name, value, expected: .float32) }
        return tensor
    }

    /// The `I64` entry called `name`; throws when it is missing or has another dtype.
    public func int64(named name: String) throws -> (shape: [Int], values: [Int64]) {
        let value = try entry(named: name)
        guard case let .int64(shape, values) = value else { throw wrongType(name, value, expected: .int64) }
        return (shape, values)
    }

    /// The single value of a one-element `I64` entry (shape `[]`, `[1]`, ...), such as
    /// `num_batches_tracked`; throws when it is missing, has another dtype or another element count.
    public func int64Scalar(named name: String) throws -> Int64 {
        let (shape, values) = try int64(named: name)
        guard values.count == 1 else {
            throw PruneKitError.malformedFile(path: path, expected: "one I64 element in tensor \"\(name)\"",
                                              found: "shape \(shape) with \(values.count) elements")
        }
        return values[0]
    }

    /// The entry called `name`; throws `malformedFile` listing how many entries the file has when missing.
    public func entry(named name: String) throws -> SafeTensorsValue {
        guard let value = self[name] else {
            throw PruneKitError.malformedFile(path: path, expected: "a tensor named \"\(name)\"",
                                              found: "no such tensor among \(entries.count) entries")
        }
        return value
    }

    private func wrongType(_ name: String, _ value: SafeTensorsValue, expected: SafeTensorsDataType) -> PruneKitError {
        .malformedFile(path: path, expected: "dtype \(expected.rawValue) for tensor \"\(name)\"",
                       found: "\(value.dataType.rawValue) with shape \(value.shape)")
    }
}
