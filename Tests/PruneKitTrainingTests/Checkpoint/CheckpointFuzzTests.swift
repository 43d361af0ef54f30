import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// Hostile checkpoints: 3,000 seeded mutants (`CheckpointMutator`) of two small checkpoints, a narrowed
/// LeNet-5 with training state and a narrowed ResNet-8 (option B, BatchNorm, int64 counts) with SGD momentum.
/// Each mutant must either load, and then survive what `prune-cli info` and `eval` do with it (cost, current
/// spec, a forward pass on one image), or throw a `PruneKitError`; any other error fails the test and a trap
/// kills it. Runs in process in about five seconds.
final class CheckpointFuzzTests: XCTestCase {
    /// Mutants per base checkpoint; the kinds are drawn in turn, so each gets 100.
    static let mutantsPerBase = 1_500

    private var folder = ""
    override func setUpWithError() throws { folder = try CheckpointTestSupport.makeScratchDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func testLeNet5MutantsLoadOrThrowPruneKitError() throws {
        var spec = ModelSpec.leNet5()
        for (name, width) in [("conv1", 4), ("conv2", 6), ("fc1", 16)] { try spec.setWidth(of: name, to: width) }
        var state = TrainingState(seed: 3)
        state.completedEpochs = 2
        let checkpoint = ModelCheckpoint(model: try Model(spec: spec, seed: 3), trainConfig: TrainConfig(), trainingState: state,
                                         metadata: ["dataset": "mnist"])
        try fuzz(checkpoint, seed: 14)
    }

    func testResNetMutantsLoadOrThrowPruneKitError() throws {
        var spec = ModelSpec.resNet(depth: 8, shortcut: .projection, inputShape: [3, 8, 8])
        for entry in spec.widths { try spec.setWidth(of: entry.name, to: 4) }
        let model = try Model(spec: spec, seed: 5)
        var generator = SplitMix64(seed: 1)
        let images = Tensor.normal(shape: [2, 3, 8, 8], generator: &generator)
        let optimizer = try SGD(learningRate: 0.1, momentum: 0.9)
        try softmaxCrossEntropy(model(Variable(images), ForwardContext(training: true)), labels: [1, 7]).backward()
        optimizer.step(model.parameters)
        try fuzz(ModelCheckpoint(model: model, optimizerState: optimizer.stateTensors()), seed: 15)
    }

    /// Writes `checkpoint`, then reads `mutantsPerBase` mutants of it and checks each outcome; also checks that
    /// every kind of mutation did what it is meant to (see `CheckpointMutator.alwaysRejected`).
    private func fuzz(_ checkpoint: ModelCheckpoint, seed: UInt64) throws {
        let basePath = folder + "/base.safetensors", path = folder + "/mutant.safetensors"
        try checkpoint.write(to: basePath)
        try exercise(ModelCheckpoint.read(path: basePath))
        var mutator = try CheckpointMutator(base: try Data(contentsOf: URL(fileURLWithPath: basePath)), seed: seed)
        let kinds = CheckpointMutator.Kind.allCases
        var loaded: [CheckpointMutator.Kind: Int] = [:], rejected: [CheckpointMutator.Kind: Int] = [:]
        for index in 0..<Self.mutantsPerBase {
            let kind = kinds[index % kinds.count]
            let mutant = try mutator.mutant(kind)
            do {
                // Every 10th through a file (the mapped path `prune-cli` takes), the rest from memory: creating
                // files costs milliseconds on some file systems, decoding microseconds.
                if index % 10 == 0 {
                    try mutant.write(to: URL(fileURLWithPath: path))
                    try exercise(ModelCheckpoint.read(path: path))
                } else {
                    try exercise(ModelCheckpoint.decode(mutant, path: path))
                }
                loaded[kind, default: 0] += 1
            } catch is PruneKitError {
                rejected[kind, default: 0] += 1
            } catch {
                XCTFail("mutant \(index) (\(kind.rawValue), seed \(seed)) threw \(type(of: error)), not PruneKitError: \(error)")
            }
        }
        for kind in kinds {
            if CheckpointMutator.alwaysRejected.contains(kind) {
                XCTAssertNil(loaded[kind], "\(kind.rawValue) mutants must not load")
            } else if kind == .dataByteFlip {
                // Any bit pattern is a Float32 (or an int64 count), so damaged data loads and runs.
                XCTAssertNil(rejected[kind], "data byte flips leave a valid file")
            } else {
                XCTAssertNotNil(rejected[kind], "no \(kind.rawValue) mutant was rejected: the mutation does nothing")
            }
        }
        XCTAssertEqual(loaded.values.reduce(0, +) + rejected.values.reduce(0, +), Self.mutantsPerBase)
    }

    /// What `prune-cli info` and `eval` do with a loaded checkpoint: cost and current spec, then logits for one
    /// image, which must have the spec's class count.
    private func exercise(_ checkpoint: ModelCheckpoint) throws {
        let model = checkpoint.model
        let cost = try model.cost()
        XCTAssertEqual(cost.parameterCount, model.parameters.reduce(0) { $0 + $1.value.count })
        XCTAssertGreaterThan(cost.flops, 0)
        let spec = try model.currentSpec()
        let logits = try model(Variable(Tensor(zeros: [1] + spec.inputShape)), ForwardContext(training: false))
        XCTAssertEqual(logits.shape, [1, spec.classCount])
    }
}
