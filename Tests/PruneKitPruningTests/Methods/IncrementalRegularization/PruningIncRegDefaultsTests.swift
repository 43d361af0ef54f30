import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// IncReg's defaults per model family and its top-up when the epoch cap leaves every lambda at 0 (issue 21).
final class PruningIncRegDefaultsTests: XCTestCase {
    typealias Configuration = IncrementalRegularizationPruner.Configuration

    func testConfigurationFollowsTheModel() {
        XCTAssertEqual(Configuration.matching(.leNet5()), .leNetMNIST)
        XCTAssertEqual(Configuration.matching(.multilayerPerceptron(hiddenFeatures: [300, 100], inputShape: [1, 28, 28], classCount: 10)), .leNetMNIST)
        XCTAssertEqual(Configuration.matching(.leNet5(inputShape: [3, 32, 32])), .cifar, "colour input")
        XCTAssertEqual(Configuration.matching(.vgg(depth: 16)), .cifar)
        XCTAssertEqual(Configuration.matching(.resNet(depth: 20)), .cifar)
        let settings = IncrementalRegularizationPruner.Settings()
        XCTAssertEqual(settings.ceiling(for: .leNet5()), 0.05)
        XCTAssertEqual(settings.training(for: .leNet5()).learningRate, 5e-4)
        XCTAssertEqual(settings.effectiveCeiling(for: .leNet5()), 0.1226, accuracy: 1e-4)
        XCTAssertEqual(settings.ceiling(for: .resNet(depth: 20)), 2.5, "increg.md CIFAR proposal tau_cfg = 1e4 A")
        XCTAssertEqual(settings.training(for: .resNet(depth: 20)).learningRate, 0.005, "0.1 / 20")
        XCTAssertEqual(settings.effectiveCeiling(for: .resNet(depth: 20)), 6.1301, accuracy: 1e-4)
    }

    func testExplicitValuesOverrideTheConfiguration() throws {
        var config = PruningConfig()
        for option in MethodOption.all where option.applies(to: "increg") {
            switch option.name {
            case "increg-ceiling": try option.apply(&config, "1")
            case "increg-lr": try option.apply(&config, "0.002")
            default: continue
            }
        }
        XCTAssertEqual(config.incrementalRegularization.ceiling(for: .resNet(depth: 20)), 1)
        XCTAssertEqual(config.incrementalRegularization.training(for: .leNet5()).learningRate, 0.002)
        var forced = IncrementalRegularizationPruner.Settings()
        forced.configuration = .leNetMNIST
        XCTAssertEqual(forced.ceiling(for: .resNet(depth: 20)), 0.05)
    }

    /// Filters of L1 norm [5, 1, 4, 2, 3] (9 weights each), no iteration run: the top-up of 2 takes 1 and 3.
    func testTopUpWithAllLambdasZeroTakesTheSmallestL1() throws {
        let norms: [Float] = [5, 1, 4, 2, 3]
        let weight = Variable(parameter: try Tensor(shape: [5, 1, 3, 3], scalars: norms.flatMap { n in (0..<9).map { ($0 % 2 == 0 ? 1 : -1) * n / 9 } }),
                              name: "conv.weight")
        let slices = UnitSlices(members: [.init(variable: weight, layout: .init(axis: 0, of: weight.shape), channels: (0..<5).map { [$0] })],
                                unitCount: 5)
        let layer = IncrementalRegularizationHook.Layer(name: "conv", slices: slices, target: 2)
        XCTAssertEqual(IncrementalRegularizationPruner.finalUnits(layer).sorted(), [1, 3], "by L1, not the lowest indices [0, 1]")
    }

    /// --increg-epochs 0 on LeNet-5: IncReg removes exactly the filters Li et al.'s L1 rule removes.
    func testZeroEpochsPrunesAsL1() throws {
        var config = PruningConfig()
        config.target = .channelRatio(0.5)
        config.incrementalRegularization.training.epochs = 0
        let increg = try PruningSession(model: try Model(spec: .leNet5(), seed: 4), config: config, data: PruningData())
        let pruner = IncrementalRegularizationPruner()
        XCTAssertNil(try pruner.trainingPhase(increg))
        let plan = try pruner.plan(increg)
        let l1 = try PruningSession(model: try Model(spec: .leNet5(), seed: 4), config: config, data: PruningData())
        let reference = try CriterionPruner(importance: MagnitudeImportance(norm: 1)).plan(l1)
        XCTAssertGreaterThan(plan.removedUnitCount, 0)
        let sorted = { (removals: [String: [Int]]) in removals.filter { !$0.value.isEmpty }.mapValues { $0.sorted() } }
        XCTAssertEqual(sorted(plan.removals), sorted(reference.removals))
    }
}
