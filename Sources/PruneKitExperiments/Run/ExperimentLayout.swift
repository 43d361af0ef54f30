import Foundation
import PruneKitCore
import PruneKitNetworks

/// Where an experiment keeps its files under the output folder DIR:
///
///     DIR/experiment.json              the expanded cells (the report reads it)
///     DIR/dense/<dense id>/            last.safetensors (resumable), model.safetensors, dense.json when done
///     DIR/cells/<cell id>/             configuration.json, log.txt, pruned.safetensors, report.json,
///                                      result.json (written last, atomically: the cell is done when it exists)
///     DIR/results.{csv,json,md}, DIR/plots/*.svg
///
/// ```swift
/// let layout = ExperimentLayout(root: "runs/lenet")
/// let done = FileManager.default.fileExists(atPath: layout.resultPath(cell: cell.id))
/// ```
public struct ExperimentLayout: Sendable {
    /// DIR.
    public let root: String

    /// The layout under `root`.
    public init(root: String) { self.root = root }

    /// DIR/experiment.json.
    public var experimentPath: String { root + "/experiment.json" }
    /// DIR/dense/<id>.
    public func denseDirectory(_ id: String) -> String { root + "/dense/" + id }
    /// DIR/dense/<id>/dense.json: present once the dense model is trained.
    public func denseResultPath(_ id: String) -> String { denseDirectory(id) + "/dense.json" }
    /// DIR/dense/<id>/model.safetensors: the trained dense model the cells prune.
    public func denseModelPath(_ id: String) -> String { denseDirectory(id) + "/model.safetensors" }
    /// DIR/cells/<id>.
    public func cellDirectory(_ id: String) -> String { root + "/cells/" + id }
    /// DIR/cells/<id>/result.json: present once the cell is done.
    public func resultPath(cell id: String) -> String { cellDirectory(id) + "/result.json" }

    /// Whether the cell's result exists.
    public func isDone(cell id: String) -> Bool { FileManager.default.fileExists(atPath: resultPath(cell: id)) }

    /// Creates `path` and its parents.
    func createDirectory(_ path: String) throws {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw PruneKitError.fileError(path: path, message: "cannot create the folder (\(error.localizedDescription))")
        }
    }

    /// Writes `value` as pretty sorted-key JSON, atomically.
    func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        try AtomicFile.write(canonicalJSON(value, pretty: true) + Data("\n".utf8), to: path)
    }

    /// Reads JSON written by `writeJSON`.
    func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PruneKitError.fileError(path: path, message: "cannot read the file")
        }
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw PruneKitError.malformedFile(path: path, expected: "a \(type) JSON document", found: "\(error)")
        }
    }
}

/// A log that appends lines to a file (and passes them on), for a run that is interrupted and resumed.
final class AppendingLog {
    private let handle: FileHandle?
    private let forward: (String) -> Void

    init(path: String, forward: @escaping (String) -> Void) {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
        self.forward = forward
    }

    deinit { try? handle?.close() }

    func write(_ line: String) {
        handle?.write(Data((line + "\n").utf8))
        forward(line)
    }
}
