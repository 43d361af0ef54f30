import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Checking a checkpoint's tensors against its architecture before the model is built.
///
/// The `spec` metadata is untrusted: without this check a file could ask for any model (a 10^8-class
/// LeNet-5 is a 200 GB weight) and the loader would allocate it before noticing that the file holds no
/// such tensor. Here the spec's geometry (validated against `ModelLimits`) gives every state_dict entry's
/// name and shape; the file must hold exactly those, with the right dtypes, plus optional `optimizer.*`
/// state. Since the file's data is already mapped, the model built afterwards is no larger than the file.
extension ModelCheckpoint {
    /// The spec in metadata entry `spec` with its validated geometry. A spec that does not validate (an unknown
    /// family, a broken depth rule, a field above `ModelLimits`) is a defect of the file: `malformedFile`
    /// naming `path`, whose text carries the spec's own message (the field and its value).
    ///
    /// ```swift
    /// let (spec, geometry) = try ModelCheckpoint.architecture(file.metadata["spec"]!, path: file.path)
    /// ```
    static func architecture(_ specText: String, path: String) throws -> (ModelSpec, [LayerCost]) {
        do {
            let spec = try ModelSpec(jsonData: Data(specText.utf8), source: path + " (metadata 'spec')")
            return (spec, try spec.validatedGeometry())
        } catch let error as PruneKitError {
            switch error {
            case .invalidArgument, .shapeMismatch:
                throw PruneKitError.malformedFile(path: path, expected: "a buildable architecture within PruneKit's limits "
                                                  + "in metadata 'spec'", found: error.description)
            default: throw error
            }
        }
    }

    /// Throws `malformedFile` naming `file.path` and the first tensor that is missing, has the wrong dtype or
    /// shape, or is not part of the architecture's state_dict (`optimizer.*` entries excepted).
    ///
    /// ```swift
    /// try ModelCheckpoint.checkTensors(of: file, against: spec.validatedGeometry(), spec: spec)
    /// ```
    static func checkTensors(of file: SafeTensorsFile, against geometry: [LayerCost], spec: ModelSpec) throws {
        let expected = geometry.flatMap(\.expectedStateDictionary)
        let architecture = "the \(spec.family.rawValue) in metadata 'spec'"
        for entry in expected {
            guard let value = file[entry.name] else {
                throw PruneKitError.malformedFile(path: file.path, expected: "tensor '\(entry.name)' of shape \(entry.shape), "
                                                  + "as \(architecture) requires", found: "no such tensor")
            }
            try check(value, against: entry, path: file.path, architecture: architecture)
        }
        let expectedNames = Set(expected.map(\.name))
        let unexpected = file.names.filter { !expectedNames.contains($0) && !$0.hasPrefix(optimizerPrefix) }
        if let first = unexpected.first {
            let others = unexpected.count > 1 ? " (and \(unexpected.count - 1) more)" : ""
            throw PruneKitError.malformedFile(path: file.path, expected: "only the \(expected.count) state_dict tensors of "
                                              + "\(architecture), plus optimizer.* state",
                                              found: "extra tensor '\(first)'\(others)")
        }
    }

    /// One entry's dtype and shape (an int64 scalar for `num_batches_tracked`).
    private static func check(_ value: SafeTensorsValue, against entry: LayerCost.ExpectedEntry, path: String,
                              architecture: String) throws {
        if entry.isCount {
            guard case let .int64(shape, values) = value, shape.isEmpty, values.count == 1 else {
                throw PruneKitError.malformedFile(path: path, expected: "'\(entry.name)' as an int64 scalar (shape [])",
                                                  found: "\(value.dataType.rawValue) of shape \(value.shape)")
            }
            return
        }
        guard value.dataType == .float32 else {
            throw PruneKitError.malformedFile(path: path, expected: "'\(entry.name)' as F32",
                                              found: "\(value.dataType.rawValue) of shape \(value.shape)")
        }
        guard value.shape == entry.shape else {
            throw PruneKitError.malformedFile(path: path, expected: "'\(entry.name)' of shape \(entry.shape), as "
                                              + architecture + " requires", found: "shape \(value.shape)")
        }
    }
}
