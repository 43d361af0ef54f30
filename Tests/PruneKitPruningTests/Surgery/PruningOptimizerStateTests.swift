import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Issue test "Optimizer state": training continues after surgery with momentum sliced, not reset, and matches a
/// model built at the small width with the same state.
final class PruningOptimizerStateTests: XCTestCase {
    private let spec = ModelSpec.resNet(depth: 8, shortcut: .projection)

    private func batches() -> [(Tensor, [Int])] {
        (0..<3).map { (NetworkFixtures.images(for: spec, count: 4, seed: UInt64(10 + $0)), NetworkFixtures.labels(count: 4, classes: 10, seed: UInt64($0))) }
    }

    /// Plain SGD iterations: zero, forward (train mode), loss, backward, step.
    private func train(_ model: Model, _ optimizer: SGD, _ data: [(Tensor, [Int])]) throws {
        let context = ForwardContext(training: true)
        for (images, labels) in data {
            model.zeroGradients()
            try softmaxCrossEntropy(try model(Variable(images), context), labels: labels).backward()
            optimizer.step(model.parameters)
        }
    }

    func testMomentumIsSlicedAndTrainingMatchesASmallModelWithTheSameState() throws {
        let model = try Model(spec: spec, seed: 4)
        let optimizer = try SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        try train(model, optimizer, batches())
        let before = optimizer.velocities
        let removals = ["layer1.0.conv1": [1, 5], "layer2": [0, 7, 31], "layer3.0.conv1": [63]]
        try ChannelSurgery.remove(removals, graph: DependencyGraph(model: model), from: model, optimizer: optimizer)

        // Sliced by hand, independently of the group machinery.
        let keep = { (count: Int, removed: [Int]) in (0..<count).filter { !removed.contains($0) } }
        XCTAssertEqual(optimizer.velocities["layer1.0.conv1.weight"], try before["layer1.0.conv1.weight"]!.keeping(keep(16, [1, 5]), alongAxis: 0))
        XCTAssertEqual(optimizer.velocities["layer1.0.bn1.weight"], try before["layer1.0.bn1.weight"]!.keeping(keep(16, [1, 5]), alongAxis: 0))
        XCTAssertEqual(optimizer.velocities["layer1.0.conv2.weight"], try before["layer1.0.conv2.weight"]!.keeping(keep(16, [1, 5]), alongAxis: 1))
        XCTAssertEqual(optimizer.velocities["layer2.0.downsample.0.weight"],
                       try before["layer2.0.downsample.0.weight"]!.keeping(keep(32, [0, 7, 31]), alongAxis: 0))
        XCTAssertEqual(optimizer.velocities["layer3.0.conv1.weight"],
                       try before["layer3.0.conv1.weight"]!.keeping(keep(32, [0, 7, 31]), alongAxis: 1).keeping(keep(64, [63]), alongAxis: 0))
        for parameter in model.parameters { XCTAssertEqual(optimizer.velocities[parameter.name]?.shape, parameter.shape, parameter.name) }

        // A model built at the small width, loaded with the same weights, buffers and momentum, trains identically.
        let small = try Model(spec: model.currentSpec(), seed: 99)
        for (target, source) in zip(small.parameters, model.parameters) { target.value = source.value }
        for name in model.layerNames {
            guard let source = model.namedLayers[name] as? BatchNorm, let target = small.namedLayers[name] as? BatchNorm else { continue }
            (target.statistics.runningMean, target.statistics.runningVariance) = (source.statistics.runningMean, source.statistics.runningVariance)
        }
        let smallOptimizer = try SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        try smallOptimizer.loadStateTensors(optimizer.stateTensors())
        let reset = try model.copy(), resetOptimizer = try SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)
        try train(model, optimizer, batches())
        try train(small, smallOptimizer, batches())
        try train(reset, resetOptimizer, batches())
        for (a, b) in zip(model.parameters, small.parameters) { XCTAssertEqual(a.value, b.value, a.name) }
        XCTAssertNotEqual(model.parameters[0].value, reset.parameters[0].value, "with momentum reset the run differs")
    }

    func testMasksAreSlicedWithTheirWeights() throws {
        let model = try Model(spec: spec, seed: 4)
        let conv = model.namedLayers["layer1.0.conv1"] as! Conv2d
        let masks = WeightMasks()
        let mask = Tensor.ramp(shape: conv.weight.shape).map { $0.truncatingRemainder(dividingBy: 3) == 0 ? 0 : 1 }
        try masks.set(mask, for: conv.weight)
        try ChannelSurgery.remove(["layer1.0.conv1": [2]], graph: DependencyGraph(model: model), from: model, masks: masks)
        XCTAssertEqual(masks.masks[conv.weight.name], try mask.keeping((0..<16).filter { $0 != 2 }, alongAxis: 0))
    }
}
