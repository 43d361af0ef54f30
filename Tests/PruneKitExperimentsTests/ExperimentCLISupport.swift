import Foundation
import XCTest

/// Runs the built `prune-cli` (next to the test bundle, like the CLI tests) with one thread, so that results
/// are bit-reproducible whatever the machine's core count.
enum ExperimentCLI {
    struct Outcome {
        let status: Int32, output: String, error: String
    }

    static var executable: URL {
        var directory = Bundle(for: Marker.self).bundleURL
        if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent("prune-cli")
    }

    static let environment = ProcessInfo.processInfo.environment.merging(["PRUNEKIT_THREADS": "1"]) { $1 }

    /// A started process whose output goes to files (so that killing it cannot block on a full pipe).
    static func start(_ arguments: [String], logTo path: String) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        (process.standardOutput, process.standardError) = (handle, handle)
        try process.run()
        return process
    }

    /// Runs to completion and captures the output (through files: no pipe can fill up and block the child).
    static func run(_ arguments: [String]) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            XCTFail("prune-cli not built at \(executable.path): the test target depends on it")
            return Outcome(status: -1, output: "", error: "")
        }
        let base = NSTemporaryDirectory() + "prunekit-cli-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: base + ".out", contents: nil)
        FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer { try? FileManager.default.removeItem(atPath: base + ".out"); try? FileManager.default.removeItem(atPath: base + ".err") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        process.waitUntilExit()
        let read = { (path: String) in String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return Outcome(status: process.terminationStatus, output: read(base + ".out"), error: read(base + ".err"))
    }

    /// A fresh temporary folder.
    static func temporaryDirectory(_ name: String) throws -> String {
        let path = NSTemporaryDirectory() + "prunekit-experiments-\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Number of cells under DIR with a result.json.
    static func finishedCells(in directory: String) -> Int {
        let cells = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/cells")) ?? []
        return cells.filter { FileManager.default.fileExists(atPath: directory + "/cells/\($0)/result.json") }.count
    }

    final class Marker {}
}
