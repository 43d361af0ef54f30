import XCTest
@testable import PruneKitExperiments

/// Plan errors through the CLI: exit 64 and a message naming the key path; help lists every key.
final class ExperimentValidationTests: XCTestCase {
    private func status(of planText: String) throws -> ExperimentCLI.Outcome {
        let plan = try ExperimentCLI.temporaryDirectory("invalid") + "/plan.json"
        try planText.write(toFile: plan, atomically: true, encoding: .utf8)
        return try ExperimentCLI.run(["experiment", "run", plan, "--out", NSTemporaryDirectory() + "never-written"])
    }

    func testInvalidPlansExit64NamingTheKey() throws {
        let plan = ExperimentPlanTests.tinyPlan
        let cases: [(String, String)] = [
            (plan.replacingOccurrences(of: #"{"name": "random"}"#, with: #"{"name": "l3"}"#), "methods[1].name: expected one of l1"),
            (plan.replacingOccurrences(of: "[0.5, 0.3]", with: "[0.5, 0]"), "targets.flops[1]: expected a fraction of the dense FLOPs in (0, 1], found 0"),
            (plan.replacingOccurrences(of: "\"evaluation\"", with: "\"evalution\""), "evalution: expected one of the keys"),
            ("{ not json", "(root): expected a JSON document"),
        ]
        for (text, message) in cases {
            let outcome = try status(of: text)
            XCTAssertEqual(outcome.status, 64, outcome.error)
            XCTAssertTrue(outcome.error.contains(message), "expected '\(message)' in: \(outcome.error)")
        }
        XCTAssertTrue(try status(of: plan.replacingOccurrences(of: #"{"name": "random"}"#, with: #"{"name": "l3"}"#)).error
            .contains("found unknown method 'l3'"))
    }

    func testPlanHelpListsEveryKey() throws {
        for words in [["experiment", "plan", "--help"], ["experiment", "--help"]] {
            let help = try ExperimentCLI.run(words)
            XCTAssertEqual(help.status, 0)
            for key in PlanKeys.all { XCTAssertTrue(help.output.contains(key.path), "\(words): \(key.path) missing") }
        }
    }

    func testPlanCommandValidatesAndListsCells() throws {
        let plan = try ExperimentCLI.temporaryDirectory("valid") + "/plan.json"
        try ExperimentPlanTests.tinyPlan.write(toFile: plan, atomically: true, encoding: .utf8)
        let outcome = try ExperimentCLI.run(["experiment", "plan", plan])
        XCTAssertEqual(outcome.status, 0, outcome.error)
        XCTAssertTrue(outcome.output.contains("valid, 8 cells"), outcome.output)
    }
}
