import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// Issue test "Shapes and FLOPs": after pruning every zoo model at several ratios it runs forward, and the FLOPs
/// counted from the tensors actually multiplied equal the analytic per-layer formula of its current spec.
final class PruningShapesAndFlopsTests: XCTestCase {
    func testEveryZooModelAtSeveralRatios() throws {
        for (index, entry) in ModelZoo.entries.enumerated() {
            // Three ratios per model, rotating through a wider set so the zoo as a whole sees all of them.
            let ratios = [0.1, 0.3, 0.5, 0.7, 0.9].rotated(by: index).prefix(3)
            for (step, ratio) in ratios.enumerated() {
                let model = try Model(spec: entry.spec, seed: UInt64(index))
                var config = PruningConfig()
                (config.target, config.scope, config.roundTo) = (.channelRatio(ratio), step == 2 ? .global : .uniform, step == 1 ? 4 : 1)
                let session = try PruningSession(model: model, config: config, data: PruningData())
                try PruningPipeline.prune(session, with: CriterionPruner(importance: MagnitudeImportance(norm: 1)))
                try checkCountedFlops(model, "\(entry.name) ratio \(ratio)")
                XCTAssertLessThan(try model.cost().flops, session.denseCost.flops, "\(entry.name) ratio \(ratio) prunes something")
            }
        }
    }

    /// Runs one image through `model` recording 2 * OC * OH * OW * C * K * K per conv and 2 * out * in per linear.
    private func checkCountedFlops(_ model: Model, _ label: String) throws {
        var counted: [String: Int] = [:]
        let context = ForwardContext(training: false)
        context.layerOutputHook = { layer, input, output in
            switch layer {
            case let conv as Conv2d:
                let (o, w) = (output.shape, conv.weight.shape)
                XCTAssertEqual(input.shape[1], w[1], "\(label): \(conv.weight.name) input channels")
                counted[Model.moduleName(of: conv)!] = 2 * o[1] * o[2] * o[3] * w[1] * w[2] * w[3]
            case let linear as Linear:
                counted[Model.moduleName(of: linear)!] = 2 * linear.weight.shape[0] * linear.weight.shape[1]
            default:
                break
            }
            return output
        }
        let logits = try GradientMode.withoutGradients {
            try model(Variable(NetworkFixtures.images(for: model.spec, count: 1, seed: 3)), context)
        }
        XCTAssertEqual(logits.shape, [1, model.spec.classCount], label)
        let analytic = try ModelCost(spec: model.currentSpec())
        for layer in analytic.layers where layer.kind != .batchNorm {
            XCTAssertEqual(counted[layer.name], layer.flops, "\(label): \(layer.name)")
        }
        XCTAssertEqual(counted.values.reduce(0, +), analytic.flops, label)
    }
}

extension Array {
    /// The elements starting at `offset` (mod count), wrapping around.
    func rotated(by offset: Int) -> [Element] {
        guard !isEmpty else { return self }
        let start = offset % count
        return Array(self[start...] + self[..<start])
    }
}
