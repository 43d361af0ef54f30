import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// Parameter counts and forward FLOPs of the zoo against ../shared/perf/README.md and an independent count.
final class ModelsCostTests: XCTestCase {
    /// ../shared/perf/README.md (PyTorch `count_flops_params` on models.py): parameters and MFLOPs per image,
    /// as printed there.
    static let published: [(name: String, parameters: Int, megaFlops: String, decimals: Int)] = [
        ("resnet20", 269_722, "81.1", 1), ("resnet56", 853_018, "251.0", 1), ("vgg16", 14_987_722, "626.9", 1),
        ("wrn-16-4", 2_748_890, "785.2", 1), ("wrn-28-10", 36_479_194, "10487", 0),
        ("lenet5-classic", 61_706, "0.83", 2), ("lenet5", 431_080, "4.59", 2), ("mlp", 266_610, "0.53", 2),
    ]

    /// Exact values for every zoo entry from an independent Python count that follows models.py layer by layer
    /// (params include BN gamma/beta; FLOPs = 2 * conv and linear multiply-adds per image), e.g.
    /// ```
    /// def conv(c, o, k, h, s=1, p=0, bias=False):
    ///     oh = (h + 2*p - k)//s + 1
    ///     return o*c*k*k + (o if bias else 0), 2*o*oh*oh*c*k*k, oh
    /// ```
    /// chained through each architecture (ResNet: stem, 3 stages of n blocks, +downsample for B, fc).
    static let exact: [String: (parameters: Int, flops: Int)] = [
        "mlp": (266_610, 532_400), "lenet5": (431_080, 4_586_000), "lenet5-classic": (61_706, 833_040),
        "vgg11": (9_492_042, 306_063_360), "vgg13": (9_676_746, 457_058_304), "vgg16": (14_987_722, 626_927_616),
        "vgg19": (20_298_698, 796_796_928),
        "resnet20": (269_722, 81_102_080), "resnet20-b": (272_474, 81_626_368),
        "resnet32": (464_154, 137_725_184), "resnet32-b": (466_906, 138_249_472),
        "resnet56": (853_018, 250_971_392), "resnet56-b": (855_770, 251_495_680),
        "resnet110": (1_727_962, 505_775_360), "resnet110-b": (1_730_714, 506_299_648),
        "wrn-16-4": (2_748_890, 785_224_704), "wrn-28-10": (36_479_194, 10_486_657_536),
        // Pre-activation bottleneck, stride on the 3x3: 87,214,592 multiply-adds (BPCP's Table 2: "0.56 M" = 590,426 / 2^20).
        "resnet-v2-56": (590_426, 174_429_184),
    ]

    func testEveryZooModelMatchesExactCounts() throws {
        XCTAssertEqual(Set(ModelZoo.names), Set(Self.exact.keys), "every zoo entry needs an exact count")
        for entry in ModelZoo.entries {
            let cost = try ModelCost(spec: entry.spec)
            XCTAssertEqual(cost.parameterCount, Self.exact[entry.name]?.parameters, "parameters of \(entry.name)")
            XCTAssertEqual(cost.flops, Self.exact[entry.name]?.flops, "FLOPs of \(entry.name)")
        }
    }

    func testPublishedModelsMatchPerfReadme() throws {
        for model in Self.published {
            let cost = try ModelCost(spec: ModelZoo.spec(named: model.name))
            XCTAssertEqual(cost.parameterCount, model.parameters, model.name)
            XCTAssertEqual(String(format: "%.\(model.decimals)f", Double(cost.flops) / 1e6), model.megaFlops, model.name)
        }
    }

    func testResNet20LayerGeometry() throws {
        let cost = try ModelCost(spec: ModelZoo.spec(named: "resnet20"))
        let stem = try XCTUnwrap(cost.layer(named: "conv1"))
        XCTAssertEqual(stem.kind, .convolution)
        XCTAssertEqual([stem.inputShape, stem.outputShape], [[3, 32, 32], [16, 32, 32]])
        XCTAssertEqual([stem.parameterCount, stem.flops], [432, 884_736])
        let transition = try XCTUnwrap(cost.layer(named: "layer2.0.conv1"))
        XCTAssertEqual([transition.inputShape, transition.outputShape], [[16, 32, 32], [32, 16, 16]])
        XCTAssertEqual(transition.stride, 2)
        XCTAssertEqual(transition.flops, 2 * 32 * 16 * 16 * 16 * 9)
        let norm = try XCTUnwrap(cost.layer(named: "layer3.2.bn2"))
        XCTAssertEqual([norm.parameterCount, norm.flops], [128, 0])
        XCTAssertEqual(norm.widthName, "layer3")
        let classifier = try XCTUnwrap(cost.layer(named: "fc"))
        XCTAssertEqual([classifier.inputShape, classifier.outputShape], [[64], [10]])
        XCTAssertEqual(classifier.parameterCount, 650)
        XCTAssertNil(classifier.widthName)
        XCTAssertNil(cost.layer(named: "layer2.0.downsample.0"), "option A has no projection")
        XCTAssertEqual(cost.layers.count, 1 + 1 + 9 * 4 + 1)
    }

    func testLeNetFlattenUsesTheConvolutionGeometry() throws {
        let caffe = try ModelCost(spec: ModelZoo.spec(named: "lenet5"))
        XCTAssertEqual(caffe.layer(named: "conv2")?.outputShape, [50, 8, 8])
        XCTAssertEqual(caffe.layer(named: "fc1")?.inputShape, [800])
        let classic = try ModelCost(spec: ModelZoo.spec(named: "lenet5-classic"))
        XCTAssertEqual(classic.layer(named: "conv1")?.outputShape, [6, 28, 28])
        XCTAssertEqual(classic.layer(named: "fc1")?.inputShape, [400])
    }

    func testNarrowingOneBlockRemovesExactlyItsShare() throws {
        var spec = try ModelZoo.spec(named: "resnet20")
        let dense = try ModelCost(spec: spec)
        try spec.setWidth(of: "layer1.0.conv1", to: 10)
        let pruned = try ModelCost(spec: spec)
        // conv1 loses 6 filters (6*16*9), bn1 6 channels (2*6), conv2 6 input channels (16*6*9).
        XCTAssertEqual(dense.parameterCount - pruned.parameterCount, 6 * 16 * 9 + 2 * 6 + 16 * 6 * 9)
        XCTAssertEqual(dense.flops - pruned.flops, 2 * 32 * 32 * (6 * 16 * 9 + 16 * 6 * 9))
    }

    func testDescriptionListsEveryLayerAndTotals() throws {
        let text = try ModelCost(spec: ModelZoo.spec(named: "mlp")).description
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + 3 + 1)
        XCTAssertTrue(lines[1].hasPrefix("layers.0"), String(lines[1]))
        XCTAssertTrue(lines[1].contains("235,500"), String(lines[1]))
        XCTAssertEqual(lines.last, "mlp on [1, 28, 28]: 266,610 parameters, 0.53 M FLOPs per image (532,400)")
        XCTAssertEqual(ModelCost.grouped(10_486_657_536), "10,486,657,536")
        XCTAssertEqual(ModelCost.grouped(999), "999")
    }
}
