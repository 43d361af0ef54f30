import Foundation
import PruneKitCore

/// Reading and writing specs as JSON (the files in `Models/`, and the architecture in checkpoint metadata).
extension ModelSpec {
    /// Pretty-printed JSON with sorted keys, so that the same spec always gives the same bytes.
    ///
    /// ```swift
    /// try ModelZoo.spec(named: "resnet20").jsonData().write(to: URL(fileURLWithPath: "resnet20.json"))
    /// ```
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes and validates a spec; `source` names the data in errors (a path, "checkpoint metadata").
    /// Throws `malformedFile` when the JSON does not decode, or the `validate()` error.
    public init(jsonData data: Data, source: String = "JSON") throws {
        do {
            self = try JSONDecoder().decode(ModelSpec.self, from: data)
        } catch {
            throw PruneKitError.malformedFile(path: source, expected: "a model spec (JSON object with family, depth, "
                                              + "inputShape, classCount, widths, ...)", found: "\(error)")
        }
        try validate()
    }

    /// Reads and validates the spec at `path` (`fileError` when it cannot be read).
    ///
    /// ```swift
    /// let spec = try ModelSpec(contentsOfFile: "Models/wrn-16-4.json")
    /// ```
    public init(contentsOfFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PruneKitError.fileError(path: path, message: "cannot read the model spec")
        }
        try self.init(jsonData: data, source: path)
    }

    /// Writes `jsonData()` plus a final newline to `path`.
    public func write(toFile path: String) throws {
        do {
            try (jsonData() + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
        } catch {
            throw PruneKitError.fileError(path: path, message: "cannot write the model spec: \(error)")
        }
    }
}
