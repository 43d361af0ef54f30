import XCTest
import PruneKitCore
import PruneKitNetworks
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// bpcp.md "Tests that show the implementation is faithful", 1-5: the straight-through gradient, the L1 gate term,
/// sampling and the decision, removal = gated-off forward, and no leftovers.
final class BlockSearchFaithfulnessTests: XCTestCase {
    /// Test 1: dL/dalpha = dL/dg sigma(alpha)(1 - sigma(alpha)).
    func testStraightThroughGradientHasTheSpecsNumbers() {
        XCTAssertEqual(BlockGateSearch.straightThroughGradient(gateGradient: 2, logit: 0), 0.5, accuracy: 1e-7)
        XCTAssertEqual(BlockGateSearch.straightThroughGradient(gateGradient: 2, logit: 2), 0.209987, accuracy: 1e-6)
        XCTAssertEqual(BlockGateSearch.straightThroughGradient(gateGradient: -1, logit: -3), -0.045177, accuracy: 1e-6)
    }

    /// Test 2: g = [1, 0, 1], gamma = 0.05: penalty 0.10, +0.05 on dL/dg of the two active gates only.
    func testL1GateTermAddsGammaOnlyToActiveGates() {
        let term = BlockGateSearch.penaltyTerm(gates: [1, 0, 1], penalty: 0.05)
        XCTAssertEqual(term.value, 0.10, accuracy: 1e-7)
        XCTAssertEqual(term.gradient, [0.05, 0, 0.05])
    }

    /// Test 3: at alpha = 0 the keep rate of 10,000 seeded draws is 0.5 +- 0.02; a block is kept iff alpha >= 0.
    func testSamplingRateAndDecisionThreshold() {
        var generator = SplitMix64(seed: 11)
        let draws = (0..<10_000).flatMap { _ in BlockGateSearch.sampleGates(logits: [0], generator: &generator) }
        XCTAssertEqual(Double(draws.reduce(0, +)) / 10_000, 0.5, accuracy: 0.02)
        var skewed = SplitMix64(seed: 12)
        let likely = (0..<10_000).flatMap { _ in BlockGateSearch.sampleGates(logits: [2], generator: &skewed) }
        XCTAssertEqual(Double(likely.reduce(0, +)) / 10_000, 0.880797, accuracy: 0.02)  // sigmoid(2)
        XCTAssertEqual(BlockGateSearch.keepProbability(logit: 0), 0.5)
        XCTAssertTrue(BlockGateSearch.keepsBlock(logit: 0))
        XCTAssertTrue(BlockGateSearch.keepsBlock(logit: 1e-6))
        XCTAssertFalse(BlockGateSearch.keepsBlock(logit: -1e-6))
        XCTAssertFalse(BlockGateSearch.keepsBlock(logit: -2))
    }

    /// The gate sits on the branch's last parameterised layer: bn2 (basic), conv3 (ResNet-v2), one per block.
    func testGatesSitOnEachBranchsLastLayer() throws {
        let basic = try ResidualBlockGates(model: try ModelZoo.build(name: "resnet20", seed: 1))
        XCTAssertEqual(basic.blocks.count, 9)
        XCTAssertEqual(basic.blocks[3], .init(join: "layer2.0.add", gatedLayer: "layer2.0.bn2"))
        let bottleneck = try ResidualBlockGates(model: try Model(spec: .resNetV2(depth: 20), seed: 1))
        XCTAssertEqual(bottleneck.blocks.map(\.gatedLayer), (1...3).flatMap { s in (0..<2).map { "layer\(s).\($0).conv3" } })
        assertThrowsPruneKitError(["'model'", "removable residual blocks"]) {
            _ = try BlockGateSearch(model: try ModelZoo.build(name: "vgg11", seed: 1), penalty: 0.05, learningRate: 0.1, momentum: 0.9, seed: 1)
        }
    }

    /// dL/dg from the hook equals the central difference of the training-mode loss in g, and one `afterBackward`
    /// moves alpha by -lr (dL/dg + gamma g) s (1 - s) (first SGD step: velocity = gradient). Pre-activation blocks
    /// (out = g F + shortcut, no ReLU after the add), so the loss is smooth in g at g = 0 as well; a post-activation
    /// block's relu(g F + s) has a kink at g = 0 wherever s = 0, where autograd takes relu'(0) = 0.
    func testGateGradientMatchesFiniteDifferencesAndAlphaTakesOneSGDStep() throws {
        let model = try Model(spec: .resNetV2(depth: 11), seed: 3)
        NetworkFixtures.randomizeBatchNorms(model, seed: 4)
        let images = NetworkFixtures.images(for: model.spec, count: 4, seed: 5), labels = [1, 3, 5, 7]
        let search = try BlockGateSearch(model: model, penalty: 0.05, learningRate: 0.1, momentum: 0.9, seed: 6)
        func loss(_ gates: [Float]) throws -> Variable {
            search.gates.values = gates
            let context = ForwardContext(training: true)
            search.gates.install(on: context)
            return try softmaxCrossEntropy(try model(Variable(images), context), labels: labels)
        }
        let gates: [Float] = [1, 0, 1]
        model.zeroGradients()
        try loss(gates).backward()
        let analytic = search.gates.gateGradients()
        XCTAssertNotEqual(analytic[1], 0, "a gated-off block still gets dL/dg (its branch is computed)")
        try search.afterBackward(TrainingContext(model: model, optimizer: try SGD(learningRate: 0)))
        let expected = zip(analytic, gates).map { -0.1 * ($0 + 0.05 * $1) * 0.25 }
        for (alpha, value) in zip(search.logits.value.scalars, expected) { XCTAssertEqual(alpha, value, accuracy: 1e-6) }
        // Central differences at h and h/2, Richardson-extrapolated (4 D(h/2) - D(h)) / 3: the O(h^2) term of the
        // ReLU/BN curvature cancels, and h stays large against the forward pass's float noise (~5e-6 in the loss).
        func difference(_ block: Int, _ step: Float) throws -> Float {
            var up = gates, down = gates
            up[block] += step; down[block] -= step
            return try GradientMode.withoutGradients { (try loss(up).value[flat: 0] - loss(down).value[flat: 0]) / (2 * step) }
        }
        for block in 0..<3 {
            let numeric = (4 * (try difference(block, 5e-3)) - (try difference(block, 1e-2))) / 3
            XCTAssertEqual(analytic[block], numeric, accuracy: 2e-3 * max(1, abs(numeric)), "block \(block)")
        }
    }

    /// Test 4: the compact model (gated-off blocks removed, a stage's first block keeping its projection) gives the
    /// gated model's eval-mode logits.
    func testRemovalEqualsTheGatedOffForward() throws {
        for (spec, off) in [(ModelSpec.resNetV2(depth: 20), ["layer1.1.add", "layer2.0.add", "layer3.1.add"]),
                            (ModelSpec.resNet(depth: 20), ["layer1.2.add", "layer2.0.add", "layer3.0.add", "layer3.2.add"])] {
            let model = try Model(spec: spec, seed: 7)
            NetworkFixtures.randomizeBatchNorms(model, seed: 8)
            let images = NetworkFixtures.images(for: spec, count: 3, seed: 9)
            let gates = try ResidualBlockGates(model: model)
            gates.values = gates.blocks.map { off.contains($0.join) ? 0 : 1 }
            let context = ForwardContext(training: false)
            gates.install(on: context)
            let gated = try GradientMode.withoutGradients { try model(Variable(images), context).value }
            let compact = try StructuralSurgery.removeResidualBlocks(joinedAt: off, from: model)
            let unfused = ForwardContext(training: false)
            unfused.layerOutputHook = { _, _, output in output }  // the same unfused path as the gated pass
            let removed = try GradientMode.withoutGradients { try compact(Variable(images), unfused).value }
            XCTAssertLessThan(NetworkFixtures.relativeDifference(removed, gated), 1e-5, spec.name)
            let fused = try NetworkFixtures.logits(compact, images, training: false)
            XCTAssertLessThan(NetworkFixtures.relativeDifference(fused, gated), 1e-4, spec.name)
            if spec.family == .resNetV2 { XCTAssertNotNil(compact.namedLayers["layer2.0.downsample.0"], "projection kept") }
            XCTAssertEqual(compact.graph.residualJoins.count, gates.blocks.count - off.count, spec.name)
        }
    }

    /// Test 5: no alpha or gate tensor survives, kept blocks keep their names, and the parameter count is the dense
    /// count minus exactly the removed branches' layers.
    func testCompactModelHasNoLeftovers() throws {
        let model = try Model(spec: .resNetV2(depth: 20), seed: 10)
        let off = ["layer1.0.add", "layer2.1.add"]
        let graph = try model.currentGraph()
        let branchLayers = try off.flatMap { try graph.residualBranch(joinedAt: $0) }.filter { model.namedLayers[$0] != nil }
        let compact = try StructuralSurgery.removeResidualBlocks(joinedAt: off, from: model)
        let removedParameters = branchLayers.reduce(0) { $0 + model.namedLayers[$1]!.parameterCount }
        XCTAssertEqual(Set(branchLayers), ["layer1.0.conv1", "layer1.0.bn2", "layer1.0.conv2", "layer1.0.bn3", "layer1.0.conv3",
                                           "layer2.1.bn1", "layer2.1.conv1", "layer2.1.bn2", "layer2.1.conv2", "layer2.1.bn3", "layer2.1.conv3"])
        XCTAssertEqual(compact.parameterCount, model.parameterCount - removedParameters)
        XCTAssertEqual(try compact.cost().parameterCount, compact.parameterCount)
        XCTAssertFalse(compact.stateDictionaryKeys.contains { $0.contains("bpcp") || $0.contains("gate") || $0.contains("alpha") })
        XCTAssertNotNil(compact.namedLayers["layer1.0.bn1"], "read by the kept projection")
        XCTAssertNotNil(compact.namedLayers["layer1.0.downsample.0"])
        XCTAssertNil(compact.namedLayers["layer1.0.conv1"])
        XCTAssertNotNil(compact.namedLayers["layer1.1.conv1"], "kept blocks are not renumbered")
        assertThrowsPruneKitError(["'blocks'", "distinct"]) { _ = try StructuralSurgery.removeResidualBlocks(joinedAt: ["layer1.1.add", "layer1.1.add"], from: model) }
    }
}
