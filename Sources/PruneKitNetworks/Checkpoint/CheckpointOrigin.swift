import Foundation
import PruneKitCore

/// Which file a checkpoint was derived from, by name and content: the `pruned_from` metadata entry of a
/// pruned checkpoint, stored as compact JSON `{"file": "lenet5-mnist.safetensors", "sha256": "a7d3…"}`.
///
/// The file name says what to look for and the SHA-256 of the whole file proves it is the same bytes;
/// an absolute path did neither once a run folder moved to another machine.
///
/// ```swift
/// let origin = try CheckpointOrigin(describing: "Models/lenet5-mnist.safetensors")
/// metadata[CheckpointOrigin.prunedFromKey] = try origin.jsonText()
/// ```
public struct CheckpointOrigin: Codable, Equatable, Sendable {
    /// Metadata key under which pruned checkpoints record their dense source.
    public static let prunedFromKey = "pruned_from"
    /// The file's last path component.
    public var file: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String

    /// An origin with the given name and digest.
    public init(file: String, sha256: String) { (self.file, self.sha256) = (file, sha256) }

    /// Names and hashes the file at `path`; throws `.fileError` naming `path` when it cannot be read.
    public init(describing path: String) throws {
        self.init(file: URL(fileURLWithPath: path).lastPathComponent, sha256: try SHA256.hexDigest(ofFileAt: path))
    }

    /// Parses a `pruned_from` value; `source` names the file for errors.
    public init(jsonText: String, source: String) throws {
        do { self = try JSONDecoder().decode(CheckpointOrigin.self, from: Data(jsonText.utf8)) } catch {
            throw PruneKitError.malformedFile(path: source, expected: "'\(Self.prunedFromKey)' as {\"file\", \"sha256\"} JSON",
                                              found: jsonText)
        }
    }

    /// Compact JSON with sorted keys.
    public func jsonText() throws -> String { String(decoding: try compactJSON(self), as: UTF8.self) }
}
