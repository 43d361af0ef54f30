import Foundation
import XCTest

/// Runs the built `prune-cli` (next to the test bundle) and captures exit code, stdout and stderr.
struct CLIRun {
    let status: Int32, output: String, error: String

    static var executable: URL {
        // The products folder (.build/<triple>/<configuration>) holds both the test bundle and prune-cli.
        // On Linux, Bundle's URL for the test code is that folder; on macOS it is the .xctest bundle inside it.
        var directory = Bundle(for: CLIMarker.self).bundleURL
        if directory.pathExtension == "xctest" { directory = directory.deletingLastPathComponent() }
        return directory.appendingPathComponent("prune-cli")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIRun {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            XCTFail("prune-cli not built at \(executable.path): run `swift build` before `swift test`")
            return CLIRun(status: -1, output: "", error: "")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let (out, err) = (Pipe(), Pipe())
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile(), errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIRun(status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self),
                      error: String(decoding: errData, as: UTF8.self))
    }
}

final class CLIMarker {}

/// The data folder for real-data tests: PRUNEKIT_DATA, else ./data; skip when neither exists, but when
/// PRUNEKIT_DATA is set and lacks the dataset, fail (CI sets it).
func realDataRoot(containing dataset: String) throws -> String {
    let environment = ProcessInfo.processInfo.environment["PRUNEKIT_DATA"]
    let root = environment ?? "./data"
    let folder = root + "/" + dataset
    if FileManager.default.fileExists(atPath: folder) { return root }
    if environment != nil { XCTFail("PRUNEKIT_DATA=\(root) has no \(dataset) folder"); return root }
    throw XCTSkip("no data found: set PRUNEKIT_DATA to a folder with \(dataset)/")
}
