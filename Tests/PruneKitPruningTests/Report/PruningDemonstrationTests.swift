import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// The closing-note measurements, run on demand in a release build (skipped otherwise):
///
///     env -u OPENBLAS_CORETYPE PRUNEKIT_DEMO=latency swift test -c release -Xswiftc -enable-testing \
///         --filter PruningDemonstrationTests
///     env -u OPENBLAS_CORETYPE PRUNEKIT_DEMO=prune PRUNEKIT_DEMO_CHECKPOINT=runs/r56/best.safetensors \
///         PRUNEKIT_DEMO_OUT=runs/demo PRUNEKIT_DATA=../shared/datasets PRUNEKIT_DEMO_FINETUNE=2 swift test -c release ...
///
/// `latency` prunes a randomly initialised ResNet-56 to 50% FLOPs under several settings and times it;
/// `prune` prunes a trained checkpoint with L1 and with network slimming, fine-tunes, and writes the reports.
final class PruningDemonstrationTests: XCTestCase {
    private let environment = ProcessInfo.processInfo.environment

    private func settings(_ name: String, _ base: (inout PruningConfig) -> Void) -> (String, PruningConfig) {
        var config = PruningConfig()
        config.target = .flopsRatio(0.5)
        base(&config)
        return (name, config)
    }

    func testLatencyAtHalfTheFlops() throws {
        guard environment["PRUNEKIT_DEMO"] == "latency" else { throw XCTSkip("set PRUNEKIT_DEMO=latency") }
        let streams = ["layer1", "layer2", "layer3"]
        let all = [
            settings("l1 uniform, all groups") { _ in },
            settings("l1 uniform, block-internal only") { $0.ignored = streams },
            settings("l1 global, cap 0.8") { ($0.scope, $0.maximumGroupRatio) = (.global, 0.8) },
            settings("l1 global, cap 0.8, round-to 8") { ($0.scope, $0.maximumGroupRatio, $0.roundTo) = (.global, 0.8, 8) },
            settings("l1 global, cap 0.8, round-to 16") { ($0.scope, $0.maximumGroupRatio, $0.roundTo) = (.global, 0.8, 16) },
            settings("l1 global, internal, cap 0.8, round-to 8") { ($0.scope, $0.maximumGroupRatio, $0.roundTo, $0.ignored) = (.global, 0.8, 8, streams) },
        ]
        let chosen = environment["PRUNEKIT_DEMO_VARIANTS"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? Array(all.indices)
        let variants = chosen.map { all[$0] }
        for (name, config) in variants {
            let model = try Model(spec: .resNet(depth: 56), seed: 1)
            let dense = try model.copy()
            let session = try PruningSession(model: model, config: config, data: PruningData())
            try PruningPipeline.prune(session, with: CriterionPruner(importance: MagnitudeImportance(norm: 1)))
            let reduction = Double(session.denseCost.flops) / Double(try model.cost().flops)
            if environment["PRUNEKIT_DEMO_PROFILE"] != nil { try profile(dense, model, name) }
            for batch in [128, 1] {
                let comparison = try PruningReport.LatencyComparison.measure(dense: dense, pruned: model, batchSize: batch, threads: 2,
                                                                            warmup: 3, repetitions: batch == 1 ? 50 : 10)
                print(String(format: "%@: batch %d: dense %.2f ms, pruned %.2f ms, speedup %.2fx, FLOPs reduction %.2fx (%.2f of ideal)",
                             name, batch, comparison.denseMilliseconds, comparison.prunedMilliseconds, comparison.speedup, reduction,
                             comparison.speedup / reduction))
            }
        }
    }

    /// Thread-seconds per op category for one batch-128 pass of each model.
    private func profile(_ dense: Model, _ pruned: Model, _ name: String) throws {
        for (label, model) in [("dense", dense), ("pruned", pruned)] {
            _ = try LatencyMeter.measure(model, inputShape: model.spec.inputShape, batchSizes: [128], warmup: 1, repetitions: 1)
            _ = Profiler.snapshot(reset: true)
            Profiler.isEnabled = true
            _ = try LatencyMeter.measure(model, inputShape: model.spec.inputShape, batchSizes: [128], warmup: 0, repetitions: 3)
            Profiler.isEnabled = false
            let totals = Profiler.snapshot(reset: true).sorted { $0.value > $1.value }.prefix(8)
            print("\(name) \(label): " + totals.map { String(format: "%@ %.0f ms", $0.key, 1000 * $0.value) }.joined(separator: ", "))
        }
    }

    func testPruneTrainedResNet56() throws {
        guard environment["PRUNEKIT_DEMO"] == "prune", let path = environment["PRUNEKIT_DEMO_CHECKPOINT"] else {
            throw XCTSkip("set PRUNEKIT_DEMO=prune and PRUNEKIT_DEMO_CHECKPOINT")
        }
        let out = environment["PRUNEKIT_DEMO_OUT"] ?? "runs/demo"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let epochs = Int(environment["PRUNEKIT_DEMO_FINETUNE"] ?? "2") ?? 2
        let methods = (environment["PRUNEKIT_DEMO_METHODS"] ?? "l1,slimming").split(separator: ",").map(String.init)
        var train = try Dataset.load(.cifar10, split: .train, dataDirectory: environment["PRUNEKIT_DATA"])
        if let limit = environment["PRUNEKIT_DEMO_TRAIN_LIMIT"].flatMap({ Int($0) }), limit < train.count { train = try train.prefix(limit) }
        let test = try Dataset.load(.cifar10, split: .test, dataDirectory: environment["PRUNEKIT_DATA"])
        let trainLoader = try DataLoader(dataset: train, config: .training(for: .cifar10, batchSize: 128, seed: 7))
        let testLoader = try DataLoader(dataset: test, config: .evaluation(batchSize: 256))
        for method in methods {
            let model = try ModelCheckpoint.read(path: path).model
            var config = PruningConfig()
            config.target = .flopsRatio(0.5)
            config.slimming.training.epochs = Int(environment["PRUNEKIT_DEMO_SPARSITY"] ?? "1") ?? 1
            config.slimming.penalty = 1e-4
            if environment["PRUNEKIT_DEMO_GLOBAL"] != nil { config.scope = .global }
            config.roundTo = Int(environment["PRUNEKIT_DEMO_ROUND_TO"] ?? "1") ?? 1
            let label = method + (environment["PRUNEKIT_DEMO_LABEL"] ?? "")
            var options = PruningPipeline.Options()
            options.fineTuning = try PrunerRegistry.entry(named: method).recommendedFineTuning
            options.fineTuning!.epochs = epochs
            if method == "l1" { options.fineTuning!.learningRate = 0.01; options.fineTuning!.schedule = .cosine }
            (options.latencyBatchSizes, options.latencyThreads) = ([128, 1], 2)
            options.log = { print($0) }
            let report = try PruningPipeline.run(model: model, method: method, config: config,
                                                 data: PruningData(training: trainLoader, evaluation: testLoader), options: options)
            print(report)
            try report.jsonString().write(toFile: "\(out)/\(label)-report.json", atomically: true, encoding: .utf8)
            try ModelCheckpoint(model: model, metadata: ["pruning": "\(method) \(config.target)"]).write(to: "\(out)/\(label).safetensors")
            XCTAssertLessThanOrEqual(report.flopsRatio, 0.5)
        }
    }

    /// Dense vs pruned checkpoints, alternating rounds so that load from other processes hits both alike;
    /// reports the median over rounds of each round's median.
    func testLatencyOfCheckpoints() throws {
        guard environment["PRUNEKIT_DEMO"] == "checkpoints", let densePath = environment["PRUNEKIT_DEMO_CHECKPOINT"],
              let prunedPaths = environment["PRUNEKIT_DEMO_PRUNED"] else {
            throw XCTSkip("set PRUNEKIT_DEMO=checkpoints, PRUNEKIT_DEMO_CHECKPOINT and PRUNEKIT_DEMO_PRUNED (comma list)")
        }
        let dense = try ModelCheckpoint.read(path: densePath).model
        let rounds = Int(environment["PRUNEKIT_DEMO_ROUNDS"] ?? "5") ?? 5
        for path in prunedPaths.split(separator: ",").map(String.init) {
            let pruned = try ModelCheckpoint.read(path: path).model
            let reduction = Double(try dense.cost().flops) / Double(try pruned.cost().flops)
            for batch in [128, 1] {
                var speedups: [Double] = [], denseTimes: [Double] = [], prunedTimes: [Double] = []
                for _ in 0..<rounds {
                    let comparison = try PruningReport.LatencyComparison.measure(dense: dense, pruned: pruned, batchSize: batch, threads: 2,
                                                                                warmup: 2, repetitions: batch == 1 ? 50 : 7)
                    speedups.append(comparison.speedup)
                    denseTimes.append(comparison.denseMilliseconds)
                    prunedTimes.append(comparison.prunedMilliseconds)
                }
                let median = { (values: [Double]) in values.sorted()[values.count / 2] }
                print(String(format: "%@: batch %d: dense %.2f ms, pruned %.2f ms, speedup %.2fx (rounds %@), FLOPs reduction %.2fx (%.2f of ideal)",
                             path, batch, median(denseTimes), median(prunedTimes), median(speedups),
                             speedups.map { String(format: "%.2f", $0) }.joined(separator: " "), reduction, median(speedups) / reduction))
            }
        }
    }
}
