import Foundation
import PruneKitCore
import PruneKitNetworks

/// Loads a plain PyTorch state_dict saved as safetensors (`safetensors.torch.save_file(model.state_dict(), path)`,
/// no PruneKit metadata) into a model of a given architecture.
///
/// Every entry of the architecture's state_dict (`Model.stateDictionary()`) must be in the file as float32 with the
/// same shape, and the file may hold nothing else; all mismatches (missing, unexpected, wrong shape or dtype with
/// expected and found) are reported in one error. As PyTorch writes them: BN `running_mean` / `running_var` are
/// float32 [C] buffers, `num_batches_tracked` an int64 scalar (absent in old files: taken as 0); keys prefixed
/// `module.` (a `DataParallel` model) are accepted when every key has the prefix.
///
/// ```swift
/// let file = try SafeTensors.read(path: "resnet20_torch.safetensors")
/// let model = try StateDictionaryImport(file: file).model(spec: .resNet(depth: 20))
/// ```
public struct StateDictionaryImport {
    /// The file's tensors by name (a `module.` prefix removed).
    public let entries: [String: SafeTensorsValue]
    /// The file, for error messages.
    public let path: String

    /// An import of `file`'s tensors.
    public init(file: SafeTensorsFile) {
        let prefix = "module."
        let stripped = !file.names.isEmpty && file.names.allSatisfy { $0.hasPrefix(prefix) }
        entries = Dictionary(file.entries.map { (stripped ? String($0.name.dropFirst(prefix.count)) : $0.name, $0.value) },
                             uniquingKeysWith: { first, _ in first })
        path = file.path
    }

    /// A model of `spec` holding the file's weights; throws `malformedFile` listing every mismatch.
    public func model(spec: ModelSpec) throws -> Model {
        let model = try Model(spec: spec, seed: 0)
        let expected = model.stateDictionary()
        let problems = mismatches(expected)
        guard problems.isEmpty else {
            throw PruneKitError.malformedFile(path: path, expected: "the \(expected.count) state_dict entries of \(spec.name)",
                                              found: "\(problems.count) mismatches:\n  " + problems.joined(separator: "\n  "))
        }
        try model.loadStateDictionary(source: path) { name in
            switch entries[name] {
            case let .int64(_, values)?: return .count(Int(values[0]))
            case let value?: return value.float32Tensor.map { .tensor($0) }
            case nil: return name.hasSuffix(".num_batches_tracked") ? .count(0) : nil
            }
        }
        return model
    }

    /// One line per missing, mistyped, misshapen or unexpected entry, in state_dict order, then the unexpected ones.
    func mismatches(_ expected: [(name: String, value: StateDictionaryValue)]) -> [String] {
        var problems: [String] = []
        for (name, value) in expected {
            let found = entries[name]
            switch (value, found) {
            case (.count, nil): continue
            case (.count, let found?):
                if case let .int64(shape, _) = found, shape.isEmpty { continue }
                problems.append("'\(name)': expected an int64 scalar, found \(found.dataType.rawValue) of shape \(found.shape)")
            case let (.tensor(tensor), nil):
                problems.append("'\(name)': missing (expected float32 of shape \(tensor.shape))")
            case let (.tensor(tensor), found?):
                guard found.dataType == .float32, found.shape == tensor.shape else {
                    problems.append("'\(name)': expected F32 of shape \(tensor.shape), found \(found.dataType.rawValue) of shape \(found.shape)")
                    continue
                }
            }
        }
        let known = Set(expected.map(\.name))
        for name in entries.keys.sorted() where !known.contains(name) {
            problems.append("'\(name)': unexpected (shape \(entries[name]!.shape)), not part of the architecture")
        }
        return problems
    }
}
