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
            XCTFail("prune-cli not built at \(executable.path): the CLI test target depends on it, so `swift test -c release` builds it first")
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
