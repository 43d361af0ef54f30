import XCTest
import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning
import PruneKitTestSupport

/// Block removal, factorised convolutions and sparsity records as graph edits (issue 16): each edited model computes
/// what the edit says, reports its new cost, is coupled and pruned like any graph, and round-trips through a checkpoint.
final class StructuralSurgeryTests: XCTestCase {
    private let evaluation = ForwardContext(training: false)

    private func logits(_ model: Model, _ input: Variable) throws -> Tensor {
        try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }.value
    }

    /// Zeroing the branch's last BN (or conv) makes the block compute its shortcut, which is what removal leaves.
    func testRemovingABlockEqualsSilencingItsBranch() throws {
        let cases: [(String, String, String)] = [("resnet20", "layer1.1.add", "layer1.1.bn2"), ("resnet20", "layer2.0.add", "layer2.0.bn2"),
                                                 ("resnet20-b", "layer3.0.add", "layer3.0.bn2"), ("resnet-v2-56", "layer1.1.add", "layer1.1.conv3"),
                                                 ("resnet-v2-56", "layer2.0.add", "layer2.0.conv3"), ("wrn-16-1", "blocks.1.add", "blocks.1.conv2")]
        for (name, join, last) in cases {
            let model = try ModelZoo.build(name: name, seed: 5)
            let input = Variable(randomTensor([2, 3, 32, 32], seed: 6))
            for batchNorm in model.namedLayers.values.compactMap({ $0 as? BatchNorm }) {  // non-trivial statistics
                batchNorm.statistics.runningMean = randomTensor([batchNorm.channels], seed: 7).map { $0 * 0.1 }
            }
            let removed = try StructuralSurgery.removeResidualBlock(joinedAt: join, from: model)
            XCTAssertEqual(removed.spec.family, .graph, name)
            XCTAssertNil(removed.namedLayers[last], name)
            XCTAssertLessThan(removed.parameterCount, model.parameterCount, name)
            XCTAssertLessThan(try removed.cost().flops, try model.cost().flops, name)
            switch model.namedLayers[last] {
            case let batchNorm as BatchNorm:
                batchNorm.scale.value = Tensor(zeros: [batchNorm.channels]); batchNorm.shift.value = Tensor(zeros: [batchNorm.channels])
            case let convolution as Conv2d:
                convolution.weight.value = Tensor(zeros: convolution.weight.shape)
            default: XCTFail("\(last) is not in \(name)")
            }
            let expected = try logits(model, input)
            assertClose(try logits(removed, input), expected.scalars, relative: 1e-4, absolute: 1e-4)
            XCTAssertEqual(try logits(try checkpointRoundTrip(removed), input), try logits(removed, input), "\(name) checkpoint")
            // The edited graph is coupled and pruned like any other.
            let graph = try DependencyGraph(model: removed)
            let stream = try graph.group(named: name.hasPrefix("wrn") ? "group1" : "layer1")
            try ChannelSurgery.remove([stream.name: [0]], graph: graph, from: removed)
            XCTAssertEqual(try logits(removed, input).shape, [2, 10])
        }
    }

    func testAStageWithoutItsFirstBlockKeepsItsShortcutAndRemovalIsRefusedWhereItWouldCutAPath() throws {
        let model = try ModelZoo.build(name: "resnet20-b", seed: 1)
        let removed = try StructuralSurgery.removeResidualBlock(joinedAt: "layer2.0.add", from: model)
        XCTAssertNotNil(removed.namedLayers["layer2.0.downsample.0"])
        XCTAssertNil(removed.namedLayers["layer2.0.conv1"])
        XCTAssertEqual(removed.graph.residualJoins.count, 8)
        assertThrowsPruneKitError(["'fc'"]) { _ = try StructuralSurgery.removeResidualBlock(joinedAt: "fc", from: model) }
    }

    func testFactorisedConvolutionWithOrthonormalBasesComputesTheSameFunctionAndItsRanksPrune() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 2)
        let input = Variable(randomTensor([2, 3, 32, 32], seed: 3))
        let expected = try logits(model, input)
        let factorised = try StructuralSurgery.factorise("layer2.1.conv1", in: model, inputBasis: orthonormal(32, seed: 4),
                                                         outputBasis: orthonormal(32, seed: 5))
        XCTAssertEqual(factorised.namedLayers["layer2.1.conv1.core"].map { ($0 as! Conv2d).weight.shape }, [32, 32, 3, 3])
        XCTAssertEqual(factorised.parameterCount, model.parameterCount + 2 * 32 * 32)
        assertClose(try logits(factorised, input), expected.scalars, relative: 1e-3, absolute: 1e-3)
        let graph = try DependencyGraph(model: factorised)
        XCTAssertEqual(try graph.group(named: "layer2.1.conv1.rotation_in").members.map(\.layerName),
                       ["layer2.1.conv1.rotation_in", "layer2.1.conv1.core"])
        try ChannelSurgery.remove(["layer2.1.conv1.core": [0, 7, 9], "layer2.1.conv1.rotation_in": [1]], graph: graph, from: factorised)
        let pruned = try factorised.currentSpec()
        XCTAssertEqual(pruned.graph?.node(named: "layer2.1.conv1")?.operation,
                       .factorisedConvolution(.init(inputRank: 31, outputRank: 29, outputChannels: 32, kernelSize: 3, padding: 1)))
        let after = try logits(factorised, input)
        XCTAssertEqual(try logits(try checkpointRoundTrip(factorised), input), after)
    }

    func testColumnSparsityZeroesTheDroppedColumnsAndCountsOnlyTheKeptOnes() throws {
        let model = try ModelZoo.build(name: "resnet20", seed: 8)
        let input = Variable(randomTensor([2, 3, 32, 32], seed: 9))
        let kept = Array(stride(from: 0, to: 144, by: 2))  // half of the 16 x 3 x 3 columns
        let sparse = try StructuralSurgery.attachSparsity(.columns(kept: kept), to: "layer1.0.conv1", in: model)
        let before = try model.cost().layer(named: "layer1.0.conv1")!, after = try sparse.cost().layer(named: "layer1.0.conv1")!
        XCTAssertEqual(after.flops * 2, before.flops)
        XCTAssertEqual(after.parameterCount * 2, before.parameterCount)
        let weight = (sparse.namedLayers["layer1.0.conv1"] as! Conv2d).weight.value
        let original = (model.namedLayers["layer1.0.conv1"] as! Conv2d).weight.value
        for row in 0..<16 { for column in 0..<144 {
            XCTAssertEqual(weight.scalars[row * 144 + column], column % 2 == 0 ? original.scalars[row * 144 + column] : 0)
        } }
        (model.namedLayers["layer1.0.conv1"] as! Conv2d).weight.value = weight
        XCTAssertEqual(try logits(sparse, input), try logits(model, input))
        let loaded = try checkpointRoundTrip(sparse)
        XCTAssertEqual(loaded.spec, sparse.spec)
        XCTAssertEqual(try loaded.cost().flops, try sparse.cost().flops)
        assertThrowsPruneKitError(["sparsity.columns", "0..<144"]) {
            _ = try StructuralSurgery.attachSparsity(.columns(kept: [200]), to: "layer1.0.conv1", in: model)
        }
    }

    /// A random orthonormal [n, n] matrix (Gram-Schmidt on seeded normal rows).
    private func orthonormal(_ n: Int, seed: UInt64) throws -> Tensor {
        var rows = (0..<n).map { randomTensor([n], seed: seed &+ UInt64($0)).scalars.map(Double.init) }
        for i in 0..<n {
            for j in 0..<i {
                let dot = zip(rows[i], rows[j]).reduce(0) { $0 + $1.0 * $1.1 }
                rows[i] = zip(rows[i], rows[j]).map { $0 - dot * $1 }
            }
            let norm = rows[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
            rows[i] = rows[i].map { $0 / norm }
        }
        return try Tensor(shape: [n, n], scalars: rows.flatMap { $0.map(Float.init) })
    }
}
