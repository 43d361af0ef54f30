import XCTest
import PruneKitTestSupport
@testable import PruneKitExperiments

/// End to end through the built prune-cli on a 2,000-image MNIST subset: an MLP, 2 methods x 2 targets x 2
/// seeds, one epoch each (about 2 s a run on one thread). The byte-compared file is results.csv (FLOPs,
/// parameters, accuracies); timings.csv holds the measured columns and is not compared.
final class ExperimentRunTests: XCTestCase {
    /// Plan file and data root, written once per test process.
    private static var fixture: (plan: String, dataRoot: String)?
    /// results.csv of one uninterrupted run, computed by the first test that needs it.
    private static var referenceTable: String?

    private func fixture() throws -> (plan: String, dataRoot: String) {
        if let fixture = Self.fixture { return fixture }
        let dataRoot = try realDataRoot(containing: "mnist")
        let plan = try ExperimentCLI.temporaryDirectory("plan") + "/plan.json"
        try ExperimentPlanTests.tinyPlan.write(toFile: plan, atomically: true, encoding: .utf8)
        Self.fixture = (plan, dataRoot)
        return (plan, dataRoot)
    }

    private func run(_ words: [String], file: StaticString = #filePath, line: UInt = #line) throws -> ExperimentCLI.Outcome {
        let outcome = try ExperimentCLI.run(words + ["--data-dir", try fixture().dataRoot])
        XCTAssertEqual(outcome.status, 0, "prune-cli \(words.joined(separator: " ")): \(outcome.error)", file: file, line: line)
        return outcome
    }

    private func table(_ directory: String) throws -> String {
        try String(contentsOfFile: directory + "/results.csv", encoding: .utf8)
    }

    private func reference() throws -> String {
        if let table = Self.referenceTable { return table }
        let out = try ExperimentCLI.temporaryDirectory("reference")
        _ = try run(["experiment", "run", try fixture().plan, "--out", out])
        Self.referenceTable = try table(out)
        return Self.referenceTable!
    }

    func testRunWritesTheTablePlotsAndSkipsFinishedCellsOnRerun() throws {
        let out = try ExperimentCLI.temporaryDirectory("end-to-end")
        _ = try run(["experiment", "run", try fixture().plan, "--out", out])
        XCTAssertEqual(ExperimentCLI.finishedCells(in: out), 8)
        let lines = try table(out).split(separator: "\n")
        XCTAssertEqual(lines.count, 5, "header + 2 methods x 2 targets")
        XCTAssertEqual(lines[0], Substring(ExperimentReport.resultColumns.joined(separator: ",")))
        XCTAssertTrue(lines[1].hasPrefix("mnist,mlp,l1,flops=0.3,2,0.29"), String(lines[1]))
        for file in ["results.json", "results.md", "timings.csv", "plots/mnist-mlp-accuracy.svg", "plots/mnist-mlp-speedup.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + file), file)
        }
        let accuracyPlot = try String(contentsOfFile: out + "/plots/mnist-mlp-accuracy.svg", encoding: .utf8)
        for label in [">l1<", ">random<", "dense ", "FLOPs kept (%)"] { XCTAssertTrue(accuracyPlot.contains(label), "accuracy plot lacks \(label)") }
        let speedupPlot = try String(contentsOfFile: out + "/plots/mnist-mlp-speedup.svg", encoding: .utf8)
        XCTAssertTrue(speedupPlot.contains("ideal (speedup = FLOPs reduction)"), "speedup plot lacks the diagonal")
        let timings = try String(contentsOfFile: out + "/timings.csv", encoding: .utf8)
        XCTAssertTrue(timings.hasPrefix("dataset,model,method,target,speedup_batch_1,dense-training_seconds,pruning_seconds"), timings)
        let again = try run(["experiment", "run", try fixture().plan, "--out", out])
        XCTAssertTrue(again.error.contains("8 selected, 8 already done"), again.error)
        XCTAssertEqual(try table(out), try reference(), "same seeds, same table to the bit")
    }

    func testKilledRunsResumeToTheSameTable() throws {
        let out = try ExperimentCLI.temporaryDirectory("kill")
        // kill -9 during the dense training (its folder exists, no cell has finished), right after the first
        // finished cell, and after the fifth; then let a fourth run finish.
        let moments: [(String, () -> Bool)] = [
            ("dense training", { FileManager.default.fileExists(atPath: out + "/dense") }),
            ("first cell", { ExperimentCLI.finishedCells(in: out) >= 1 }),
            ("fifth cell", { ExperimentCLI.finishedCells(in: out) >= 5 }),
        ]
        for (moment, reached) in moments {
            let process = try ExperimentCLI.start(["experiment", "run", try fixture().plan, "--out", out, "--data-dir", try fixture().dataRoot],
                                                  logTo: out + "/attempt-\(moment).log")
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && !reached() && Date() < deadline { usleep(1_000) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the run ended before it could be killed (\(moment))")
            XCTAssertLessThan(ExperimentCLI.finishedCells(in: out), 8, moment)
        }
        _ = try run(["experiment", "run", try fixture().plan, "--out", out])
        XCTAssertEqual(ExperimentCLI.finishedCells(in: out), 8)
        XCTAssertEqual(try table(out), try reference())
    }

    func testShardsIntoOneFolderGiveTheSameTable() throws {
        let out = try ExperimentCLI.temporaryDirectory("shards")
        let first = try run(["experiment", "run", try fixture().plan, "--out", out, "--shard", "0/2", "--no-report"])
        XCTAssertTrue(first.error.contains("8 cells, 4 selected"), first.error)
        _ = try run(["experiment", "run", try fixture().plan, "--out", out, "--shard", "1/2", "--no-report"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/results.csv"))
        _ = try ExperimentCLI.run(["experiment", "report", out])
        XCTAssertEqual(try table(out), try reference())
    }

    func testParallelJobsGiveTheSameTable() throws {
        let out = try ExperimentCLI.temporaryDirectory("jobs")
        _ = try run(["experiment", "run", try fixture().plan, "--out", out, "--jobs", "2", "--threads", "2"])
        XCTAssertEqual(try table(out), try reference())
    }

    func testListPrintsOneRunnableCommandPerCell() throws {
        let out = try ExperimentCLI.temporaryDirectory("list")
        let listing = try ExperimentCLI.run(["experiment", "list", try fixture().plan, "--out", out])
        XCTAssertEqual(listing.status, 0, listing.error)
        let commands = listing.output.split(separator: "\n")
        XCTAssertEqual(commands.count, 8)
        XCTAssertTrue(commands.allSatisfy { $0.contains(" experiment run ") && $0.contains(" --cell ") }, listing.output)
    }
}
