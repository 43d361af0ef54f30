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
    /// Throws `malformedFile` naming `source` when the JSON does not decode (for a bare graph, what the graph
    /// expected: the node and the attribute), or the `validate()` error.
    public init(jsonData data: Data, source: String = "JSON") throws {
        let graphFile = Self.isBareGraph(data)
        let expected = graphFile ? "a network graph ({\"nodes\": [...]}, see GraphNode's JSON form)"
            : "a model spec (JSON object with family, depth, inputShape, classCount, widths, ...)"
        do {
            if graphFile {
                let graph = try JSONDecoder().decode(NetworkGraph.self, from: data)
                let name = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
                self = try ModelSpec(name: name.isEmpty ? "graph" : name, graph: graph)
                return
            }
            self = try JSONDecoder().decode(ModelSpec.self, from: data)
        } catch let error as PruneKitError {
            throw PruneKitError.malformedFile(path: source, expected: expected, found: "\(error)")
        } catch {
            let found = Self.integerBeyondInt(in: data).map { "\($0.path) = \($0.text), an integer beyond Int" } ?? "\(error)"
            throw PruneKitError.malformedFile(path: source, expected: expected, found: found)
        }
        try validate()
    }

    /// Whether `data` is a bare `{"nodes": [...]}` graph file (a user's architecture): a JSON object with `nodes` and
    /// no `family`.
    static func isBareGraph(_ data: Data) -> Bool {
        guard let json = try? data.withUnsafeBytes({ try HeaderJSONParser.parse($0, path: "") }), case let .object(members) = json else {
            return false
        }
        return members.contains { $0.key == "nodes" } && !members.contains { $0.key == "family" }
    }

    /// The first integer in `data` that does not fit in `Int`, with its path (`classCount`, `widths.0.width`),
    /// so that the error names it; JSONDecoder only reports "not valid JSON" for one.
    static func integerBeyondInt(in data: Data) -> (path: String, text: String)? {
        guard let json = try? data.withUnsafeBytes({ try HeaderJSONParser.parse($0, path: "") }) else { return nil }
        func search(_ value: HeaderJSON, _ path: String) -> (path: String, text: String)? {
            switch value {
            case let .number(text) where !text.contains(where: { ".eE".contains($0) }): return (path, text)
            case let .object(members):
                return members.lazy.compactMap { search($0.value, path.isEmpty ? $0.key : path + "." + $0.key) }.first
            case let .array(elements):
                return elements.indices.lazy.compactMap { search(elements[$0], path + ".\($0)") }.first
            default: return nil
            }
        }
        return search(json, "")
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
