import XCTest
@testable import PruneKitExperiments
import PruneKitCore
import PruneKitPruning

/// Plan parsing, validation errors naming the key path, grid expansion and stable cell ids (no data needed).
final class ExperimentPlanTests: XCTestCase {
    static let tinyPlan = """
        { "name": "tiny", "datasets": ["mnist"], "models": [{"name": "mlp", "training": {"epochs": 1, "batchSize": 64}}],
          "methods": [{"name": "l1"}, {"name": "random"}], "targets": {"flops": [0.5, 0.3]}, "seeds": [1, 2],
          "fineTuning": {"epochs": 1, "batchSize": 64}, "evaluation": {"trainLimit": 2000, "testLimit": 500},
          "latency": {"batchSizes": [1]} }
        """

    private func parse(_ text: String) throws -> ExperimentPlan {
        try ExperimentPlan.parse(Data(text.utf8), directory: "/tmp")
    }

    /// The error's key path, expected and found texts (fails unless `text` is rejected with invalidParameter).
    private func rejection(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (name: String, message: String) {
        do {
            _ = try parse(text).cells()
            XCTFail("plan accepted: \(text)", file: file, line: line)
        } catch let PruneKitError.invalidParameter(name, expected, found) {
            return (name, expected + " / " + found)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return ("", "")
    }

    func testTinyPlanExpandsToTheProductOfItsLists() throws {
        let cells = try parse(Self.tinyPlan).cells()
        XCTAssertEqual(cells.count, 8)   // 1 dataset x 1 model x 2 methods x 2 targets x 2 seeds
        XCTAssertEqual(cells.map(\.index), Array(0..<8))
        XCTAssertEqual(Set(cells.map(\.id)).count, 8)
        XCTAssertEqual(Set(cells.map(\.configuration.dense.id)).count, 2, "one dense model per seed, shared by 4 cells each")
        XCTAssertEqual(cells[0].configuration.fineTuning?.epochs, 1)
        XCTAssertEqual(cells[0].configuration.dense.training?.learningRate, 0.01, "no batch norm: the 0.01 recipe")
    }

    /// `normBiasWeightDecay` and `testFlip` reach the dense and fine-tuning configurations; absent, they keep the base's.
    func testRecipeKeysForBatchNormDecayAndFlipReachTheConfigurations() throws {
        let plan = Self.tinyPlan.replacingOccurrences(of: "\"training\": {\"epochs\": 1, \"batchSize\": 64}",
                                                      with: "\"training\": {\"epochs\": 1, \"normBiasWeightDecay\": 0, \"testFlip\": true}")
        let cells = try parse(plan).cells()
        XCTAssertEqual(cells[0].configuration.dense.training?.vectorWeightDecay, 0)
        XCTAssertEqual(cells[0].configuration.dense.training?.testTimeFlip, true)
        XCTAssertNil(cells[0].configuration.fineTuning?.vectorWeightDecay, "fine-tuning did not give the key")
        XCTAssertEqual(cells[0].configuration.fineTuning?.testTimeFlip, false)
        XCTAssertEqual(rejection(plan.replacingOccurrences(of: "\"testFlip\": true", with: "\"testFlip\": 1")).name, "models[0].training.testFlip")
    }

    func testIdsAreStableAndOnlyChangedCellsGetNewIds() throws {
        let before = try parse(Self.tinyPlan).cells()
        XCTAssertEqual(try parse(Self.tinyPlan).cells().map(\.id), before.map(\.id))
        let edited = try parse(Self.tinyPlan.replacingOccurrences(of: "[0.5, 0.3]", with: "[0.5, 0.2]")).cells()
        XCTAssertEqual(Set(before.map(\.id)).intersection(edited.map(\.id)).count, 4, "the flops=0.5 cells are unchanged")
        let relabelled = try parse(Self.tinyPlan.replacingOccurrences(of: #"{"name": "l1"}"#, with: #"{"name": "l1", "label": "L1 norm"}"#)).cells()
        XCTAssertEqual(relabelled.map(\.id), before.map(\.id), "a label is not configuration")
    }

    func testUnknownMethodNamesItsKeyPath() {
        let error = rejection(Self.tinyPlan.replacingOccurrences(of: #"{"name": "random"}"#, with: #"{"name": "l3"}"#))
        XCTAssertEqual(error.name, "methods[1].name")
        XCTAssertTrue(error.message.contains("unknown method 'l3'"), error.message)
    }

    func testKeyTypoNamesTheKey() {
        let error = rejection(Self.tinyPlan.replacingOccurrences(of: "\"fineTuning\"", with: "\"fineTunning\""))
        XCTAssertEqual(error.name, "fineTunning")
        XCTAssertTrue(error.message.contains("unknown key 'fineTunning'"), error.message)
        let nested = rejection(Self.tinyPlan.replacingOccurrences(of: "\"batchSize\": 64}}", with: "\"batchSise\": 64}}"))
        XCTAssertEqual(nested.name, "models[0].training.batchSise")
    }

    func testBadValuesNameTheirKeyPath() {
        XCTAssertEqual(rejection(Self.tinyPlan.replacingOccurrences(of: "[0.5, 0.3]", with: "[0.5, 1.5]")).name, "targets.flops[1]")
        XCTAssertEqual(rejection(Self.tinyPlan.replacingOccurrences(of: "\"seeds\": [1, 2]", with: "\"seeds\": [1, \"two\"]")).name, "seeds[1]")
        XCTAssertEqual(rejection(Self.tinyPlan.replacingOccurrences(of: "\"mnist\"]", with: "\"mnst\"]")).name, "datasets[0]")
        XCTAssertEqual(rejection(Self.tinyPlan.replacingOccurrences(of: #"{"name": "l1"}"#, with: #"{"name": "l1", "options": {"slimming-penalty": 1}}"#)).name,
                       "methods[0].options.slimming-penalty")
        XCTAssertEqual(rejection(Self.tinyPlan.replacingOccurrences(of: #"{"name": "random"}"#, with: #"{"name": "l1"}"#)).name, "methods[1].label")
    }

    func testSharedPruningOptionsReachTheConfigurationAndLeaveOtherIdsAlone() throws {
        let before = try parse(Self.tinyPlan).cells()
        let shared = #"{"name": "l1", "scope": "global", "ignore": ["fc1"], "maxRatio": 0.8, "roundTo": 8, "steps": 2}"#
        let cells = try parse(Self.tinyPlan.replacingOccurrences(of: #"{"name": "l1"}"#, with: shared)).cells()
        let config = try cells[0].configuration.pruningConfig()
        XCTAssertEqual(config.ignored, ["fc1"])
        XCTAssertEqual(config.maximumGroupRatio, 0.8)
        XCTAssertEqual(config.roundTo, 8)
        XCTAssertEqual(config.iterativeSteps, 2)
        XCTAssertEqual(config.scope, .global)
        // The random cells set none of them: their ids (and so their finished results) are untouched.
        XCTAssertEqual(Set(before.map(\.id)).intersection(cells.map(\.id)).count, 4)
        XCTAssertFalse(String(decoding: canonicalJSON(before[0].configuration), as: UTF8.self).contains("shared"))
        XCTAssertEqual(rejection(Self.tinyPlan.replacingOccurrences(of: #"{"name": "l1"}"#, with: #"{"name": "l1", "maxRatio": 0}"#)).name,
                       "methods[0].maxRatio")
        XCTAssertEqual(rejection(Self.tinyPlan.replacingOccurrences(of: #"{"name": "l1"}"#, with: #"{"name": "l1", "ignore": "fc1"}"#)).name,
                       "methods[0].ignore")
    }

    func testExplicitCellsAddToTheGridOnce() throws {
        let text = Self.tinyPlan.replacingOccurrences(of: "\"latency\"", with: """
            "cells": [{"method": "l1", "target": "ratio=0.25", "seed": 3}, {"method": "l1", "target": "flops=0.5", "seed": 1}], "latency"
            """)
        let cells = try parse(text).cells()
        XCTAssertEqual(cells.count, 9, "the second explicit cell repeats a grid cell")
        XCTAssertEqual(cells[8].configuration.target, .channelRatio(0.25))
        XCTAssertEqual(cells[8].configuration.seed, 3)
    }

    func testEveryDocumentedKeyIsAcceptedWhereItIsListed() {
        XCTAssertEqual(PlanKeys.allowed(under: "").sorted(), ["cells", "datasets", "evaluation", "fineTuning", "latency", "methods", "models",
                                                              "name", "seeds", "targets"])
        XCTAssertEqual(PlanKeys.allowed(under: "models[].training"), PlanKeys.recipeKeys.map(\.0))
        XCTAssertTrue(PlanKeys.listing.contains("methods[].options"))
    }

    func testShardsPartitionTheCells() throws {
        let cells = try parse(Self.tinyPlan).cells()
        let shards = (0..<3).map { ExperimentRunner.select(cells, shard: ($0, 3)).map(\.id) }
        XCTAssertEqual(shards.map(\.count), [3, 3, 2])
        XCTAssertEqual(Set(shards.flatMap { $0 }), Set(cells.map(\.id)))
    }

    func testStatisticUsesTheSampleDeviation() throws {
        let statistic = try XCTUnwrap(ExperimentReport.Statistic([1, 2, 3, 4]))
        XCTAssertEqual(statistic.mean, 2.5)
        XCTAssertEqual(statistic.deviation, (5.0 / 3).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(ExperimentReport.Statistic([7])?.deviation, 0)
        XCTAssertEqual(ExperimentReport.format(-0.00001, 4), "0.0000")
    }
}
