import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

final class CheckpointModelTests: XCTestCase {
    private var folder = ""
    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "model-checkpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// Weights, BN buffers, optimizer momentum, training state and config survive bit for bit, and the
    /// restored model computes identical logits.
    func testRoundTripIsBitExact() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 4)
        var generator = SplitMix64(seed: 1)
        let images = Tensor.normal(shape: [2, 3, 32, 32], generator: &generator)
        let optimizer = try SGD(learningRate: 0.1, momentum: 0.9)
        try softmaxCrossEntropy(model(Variable(images), ForwardContext(training: true)), labels: [1, 7]).backward()
        optimizer.step(model.parameters)
        var state = TrainingState(seed: 3)
        (state.completedEpochs, state.globalIteration) = (5, 1955)
        let path = folder + "/last.safetensors"
        try ModelCheckpoint(model: model, trainConfig: TrainConfig(), trainingState: state, optimizerState: optimizer.stateTensors(),
                            metadata: ["dataset": "cifar10"]).write(to: path)
        let restored = try ModelCheckpoint.read(path: path)
        XCTAssertEqual(restored.trainingState, state)
        XCTAssertEqual(restored.trainConfig, TrainConfig())
        XCTAssertEqual(restored.metadata["dataset"], "cifar10")
        XCTAssertEqual(restored.optimizerState.keys.sorted(), optimizer.stateTensors().keys.sorted())
        for (key, tensor) in optimizer.stateTensors() { XCTAssertEqual(restored.optimizerState[key], tensor, key) }
        let before = model.stateDictionary(), after = restored.model.stateDictionary()
        XCTAssertEqual(before.map(\.name), after.map(\.name))
        for (a, b) in zip(before, after) { XCTAssertEqual(a.value, b.value, a.name) }
        let eval = ForwardContext(training: false)
        XCTAssertEqual(try model(Variable(images), eval).value, try restored.model(Variable(images), eval).value)
    }

    /// A model whose layers were narrowed in place saves its pruned widths and reloads at them.
    func testNarrowedModelRoundTrips() throws {
        var spec = try ModelZoo.spec(named: "lenet5")
        try spec.setWidth(of: "conv2", to: 17)
        try spec.setWidth(of: "fc1", to: 33)
        let model = try Model(spec: spec, seed: 2)
        try ModelCheckpoint(model: model).write(to: folder + "/narrow.safetensors")
        let restored = try ModelCheckpoint.read(path: folder + "/narrow.safetensors").model
        XCTAssertEqual(try restored.spec.width(of: "conv2"), 17)
        XCTAssertEqual(restored.parameterCount, model.parameterCount)
    }

    func testMalformedCheckpointsAreNamed() throws {
        let plain = folder + "/plain.safetensors"
        try SafeTensors.write([("w", .float32(Tensor(zeros: [2])))], to: plain)
        assertThrowsPruneKitError([plain, "'spec'"]) { _ = try ModelCheckpoint.read(path: plain) }

        let model = try ModelZoo.build(name: "mlp", seed: 1)
        var entries: [(name: String, value: SafeTensorsValue)] = model.stateDictionary().compactMap { name, value in
            if case let .tensor(t) = value { return (name, .float32(t)) } else { return nil }
        }
        let spec = String(decoding: try model.spec.jsonData(), as: UTF8.self)
        let wrongShape = folder + "/wrong.safetensors"
        entries[0].value = .float32(Tensor(zeros: [3, 3]))
        try SafeTensors.write(entries, metadata: ["spec": spec], to: wrongShape)
        assertThrowsPruneKitError([wrongShape, "layers.0.weight", "[300, 784]", "[3, 3]"]) { _ = try ModelCheckpoint.read(path: wrongShape) }

        let missing = folder + "/missing.safetensors"
        try SafeTensors.write(Array(entries.dropFirst()), metadata: ["spec": spec], to: missing)
        assertThrowsPruneKitError([missing, "layers.0.weight"]) { _ = try ModelCheckpoint.read(path: missing) }

        let badState = folder + "/state.safetensors"
        try ModelCheckpoint(model: model).write(to: badState)
        var file = try SafeTensors.read(path: badState).entries
        file = file.map { ($0.name, $0.value) }
        try SafeTensors.write(file, metadata: ["spec": spec, "training_state": "{\"epoch\": }"], to: badState)
        assertThrowsPruneKitError([badState, "training_state"]) { _ = try ModelCheckpoint.read(path: badState) }
    }
}
