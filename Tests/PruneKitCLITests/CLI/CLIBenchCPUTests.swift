import Foundation
import XCTest
import PruneKitTestSupport

/// `bench cpu` and the "% of peak" that `bench train|infer` carries.
final class CLIBenchCPUTests: XCTestCase {
    func testBenchCPUHelpIsGolden() throws {
        let run = try CLIRun.run(["bench", "cpu", "--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.output, """
            Print the CPU's fp32 peak GFLOP/s and how it was derived (CPUID table x measured clock x threads).

            usage: prune-cli bench cpu [--threads N] [--probe-time S] [--json]

            options:
              --threads <value>     Worker threads (default: PRUNEKIT_THREADS or all cores).
              --probe-time <value>  Seconds the clock probe runs on every thread at once (default 0.3).
              --json                Print the derivation as JSON on stdout (gflops, flopsPerCycle, clock, cpu, derivation).
              --help                Show this help.

            """)
    }

    /// The JSON's peak is its own arithmetic: flopsPerCycle x mean probed GHz x threads, with one rate per thread.
    func testBenchCPUJSONIsConsistent() throws {
        let run = try CLIRun.run(["bench", "cpu", "--threads", "2", "--probe-time", "0.05", "--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let clock = try XCTUnwrap(object["clock"] as? [String: Any])
        let rates = try XCTUnwrap(clock["threadGigahertz"] as? [Double])
        let flopsPerCycle = try XCTUnwrap(object["flopsPerCycle"] as? Int)
        XCTAssertEqual(object["threads"] as? Int, 2)
        XCTAssertEqual(rates.count, 2)
        XCTAssertTrue([8, 16, 32, 64].contains(flopsPerCycle), "\(flopsPerCycle)")
        let gflops = try XCTUnwrap(object["gflops"] as? Double)
        XCTAssertEqual(gflops, Double(flopsPerCycle) * rates.reduce(0, +) / 2 * 2, accuracy: 1e-9 * gflops)
        XCTAssertTrue((object["derivation"] as? String ?? "").hasSuffix(String(format: "= %.0f GFLOP/s", gflops)))
        let text = try CLIRun.run(["bench", "cpu", "--threads", "1", "--probe-time", "0.05"])
        XCTAssertEqual(text.status, 0, text.error)
        XCTAssertTrue(text.output.hasPrefix("peak: ") && text.output.contains("FLOP/cycle x "), text.output)
    }

    /// `bench infer --json` carries the peak and gflops as a percentage of it; the text output quotes both.
    func testBenchInferCarriesPercentOfPeak() throws {
        let arguments = ["bench", "infer", "--model", "lenet5", "--batch-size", "2", "--steps", "2", "--min-time", "0", "--threads", "1"]
        let run = try CLIRun.run(arguments + ["--json"])
        XCTAssertEqual(run.status, 0, run.error)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let peak = try XCTUnwrap(object["peak"] as? [String: Any])
        let (gflops, peakGflops) = (try XCTUnwrap(object["gflops"] as? Double), try XCTUnwrap(peak["gflops"] as? Double))
        XCTAssertGreaterThan(peakGflops, 0)
        XCTAssertEqual(try XCTUnwrap(object["percentOfPeak"] as? Double), 100 * gflops / peakGflops, accuracy: 1e-9)
        XCTAssertTrue(run.error.contains("peak: "), run.error)
        let text = try CLIRun.run(arguments)
        XCTAssertEqual(text.status, 0, text.error)
        let lines = text.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.filter { $0.hasPrefix("peak: ") }.count, 1, text.output)
        XCTAssertTrue(lines.contains { $0.contains("GFLOP/s (") && $0.contains("% of peak)") }, text.output)
    }
}
