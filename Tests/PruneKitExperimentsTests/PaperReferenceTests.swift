import Foundation
import XCTest
@testable import PruneKitExperiments
import PruneKitCore

/// `methods[].paper`: parsed with key-path errors, carried by the manifest (absent in old manifests), and shown in
/// results.md beside the measured drop, bold when the drop exceeds the paper's by more than 0.5 pt.
final class PaperReferenceTests: XCTestCase {
    private let plan = ExperimentPlanTests.tinyPlan.replacingOccurrences(
        of: #"{"name": "l1"}"#, with: #"{"name": "l1", "paper": {"drop": 0.5, "setting": "ResNet-56 CIFAR-10, Table 2"}}"#)

    func testPlanParsesThePaperReferenceAndRejectsBadOnes() throws {
        let parsed = try ExperimentPlan.parse(Data(plan.utf8), directory: "/tmp")
        XCTAssertEqual(parsed.paperReferences, ["l1": PaperReference(drop: 0.5, setting: "ResNet-56 CIFAR-10, Table 2")])
        let ids = try ExperimentPlan.parse(Data(ExperimentPlanTests.tinyPlan.utf8), directory: "/tmp").cells().map(\.id)
        XCTAssertEqual(try parsed.cells().map(\.id), ids, "a paper reference is not configuration")
        for (bad, path) in [(#""paper": {"drop": 0.5}"#, "methods[0].paper"), (#""paper": {"drop": "x", "setting": "s"}"#, "methods[0].paper.drop"),
                            (#""paper": {"setting": "s", "year": 2017}"#, "methods[0].paper.year")] {
            let text = ExperimentPlanTests.tinyPlan.replacingOccurrences(of: #"{"name": "l1"}"#, with: "{\"name\": \"l1\", \(bad)}")
            XCTAssertThrowsError(try ExperimentPlan.parse(Data(text.utf8), directory: "/tmp")) { error in
                guard case let PruneKitError.invalidParameter(name, _, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(name, path)
            }
        }
    }

    func testOldManifestsDecodeWithoutReferences() throws {
        let manifest = try JSONDecoder().decode(ExperimentManifest.self, from: Data(#"{"name": "old", "cells": []}"#.utf8))
        XCTAssertEqual(manifest.paperReferences, [:])
        let references = ["l1": PaperReference(drop: nil, setting: "no CIFAR-10 ResNet-20 row")]
        let current = ExperimentManifest(name: "new", cells: [], paperReferences: references)
        XCTAssertEqual(try JSONDecoder().decode(ExperimentManifest.self, from: JSONEncoder().encode(current)), current)
    }

    /// Dense 90.00, fine-tuned 88.80: drop 1.20 pt; a paper drop of 0.50 is exceeded by 0.70 (> 0.5: bold), 0.80 is not.
    func testDropAndTheFlagAgainstThePaper() throws {
        func row(paper: PaperReference?) throws -> ExperimentReport.Row {
            ExperimentReport.Row(dataset: "cifar10", model: "resnet20", method: "l1", target: "flops=0.5", seeds: 2,
                                 flopsKept: try XCTUnwrap(.init([0.5])), parametersKept: try XCTUnwrap(.init([0.5])),
                                 denseAccuracy: .init([90, 90]), prunedAccuracy: .init([40, 50]), fineTunedAccuracy: .init([88.6, 89.0]),
                                 speedup: [:], seconds: [:], paper: paper)
        }
        let exceeded = try row(paper: PaperReference(drop: 0.5, setting: "s"))
        XCTAssertEqual(try XCTUnwrap(exceeded.drop), 1.2, accuracy: 1e-9)
        XCTAssertTrue(exceeded.exceedsPaper())
        XCTAssertEqual(ExperimentReport.paperCell(exceeded), "**0.50**")
        let within = try row(paper: PaperReference(drop: 0.8, setting: "s"))
        XCTAssertFalse(within.exceedsPaper())
        XCTAssertEqual(ExperimentReport.paperCell(within), "0.80")
        XCTAssertEqual(ExperimentReport.paperCell(try row(paper: PaperReference(drop: nil, setting: "none"))), "none")
        XCTAssertEqual(ExperimentReport.paperCell(try row(paper: nil)), "-")
    }
}
