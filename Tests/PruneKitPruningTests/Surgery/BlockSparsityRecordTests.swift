import XCTest
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Block sparsity records (DARB / BMWM, darb.md) as part of the network: attaching one keeps each block's largest
/// weight, the layer's `weightMask` keeps the others at exactly 0 through SGD with weight decay and momentum (darb.md
/// test 7), a checkpoint round trip keeps the record, the mask and the logits, and channel surgery on such a layer is a
/// clear error that changes nothing.
final class BlockSparsityRecordTests: XCTestCase {
    func testBlockMasksSurviveTrainingAndCheckpoints() throws {
        let dense = try Model(spec: .leNet5(classic: true), seed: 5)
        let conv2 = dense.namedLayers["conv2"] as! Conv2d, fc1 = dense.namedLayers["fc1"] as! Linear
        let model = try StructuralSurgery.attachSparsity(.blocks(rowBlockSizes: Array(repeating: 4, count: conv2.outputChannels)),
                                                         to: "conv2", in: dense)
        let sparse = try StructuralSurgery.attachSparsity(.blocks(rowBlockSizes: (0..<fc1.outputFeatures).map { 1 << ($0 % 4) }),
                                                          to: "fc1", in: model)
        let layers = [(sparse.namedLayers["conv2"] as! Conv2d).weight, (sparse.namedLayers["fc1"] as! Linear).weight]
        let masks = [(sparse.namedLayers["conv2"] as! Conv2d).weightMask, (sparse.namedLayers["fc1"] as! Linear).weightMask]
        XCTAssertEqual(masks[0]?.scalars.reduce(0, +), Float(conv2.outputChannels * ((150 + 3) / 4)))
        let optimizer = try SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-3)
        for step in 0..<4 {
            sparse.zeroGradients()
            let images = NetworkFixtures.images(for: sparse.spec, count: 8, seed: UInt64(step))
            let labels = NetworkFixtures.labels(count: 8, classes: 10, seed: UInt64(step))
            try softmaxCrossEntropy(sparse(Variable(images), ForwardContext(training: true)), labels: labels).backward()
            optimizer.step(sparse.parameters)
        }
        for (weight, mask) in zip(layers, masks) {
            let m = try XCTUnwrap(mask).scalars
            XCTAssertEqual(zip(weight.value.scalars, m).filter { $0.1 == 0 && $0.0 != 0 }.count, 0, "\(weight.name) regrew")
            XCTAssertGreaterThan(zip(weight.value.scalars, m).filter { $0.1 == 1 && $0.0 != 0 }.count, 0)
        }
        let loaded = try checkpointRoundTrip(sparse)
        XCTAssertEqual((loaded.namedLayers["conv2"] as! Conv2d).weightMask, masks[0])
        XCTAssertEqual((loaded.namedLayers["fc1"] as! Linear).weightMask, masks[1])
        let images = NetworkFixtures.images(for: sparse.spec, count: 2, seed: 9)
        XCTAssertEqual(try NetworkFixtures.logits(loaded, images, training: false), try NetworkFixtures.logits(sparse, images, training: false))
        let before = (sparse.namedLayers["conv1"] as! Conv2d).weight.shape
        XCTAssertThrowsError(try ChannelSurgery.remove(["conv1": [0]], graph: try DependencyGraph(model: sparse), from: sparse))
        XCTAssertEqual((sparse.namedLayers["conv1"] as! Conv2d).weight.shape, before)
    }
}
