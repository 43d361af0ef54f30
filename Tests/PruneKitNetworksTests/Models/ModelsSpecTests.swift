import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// JSON round trips, narrowed (pruned-width) specs, the checked-in spec files, and validation errors.
final class ModelsSpecTests: XCTestCase {
    /// The repository's Models/, found from this file's path (Tests/PruneKitNetworksTests/Models/ModelsSpecTests.swift).
    static let specDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models")

    func testEveryZooSpecRoundTripsThroughJSON() throws {
        for entry in ModelZoo.entries {
            let decoded = try ModelSpec(jsonData: entry.spec.jsonData(), source: entry.name)
            XCTAssertEqual(decoded, entry.spec, entry.name)
        }
    }

    /// Regenerate with `PRUNEKIT_WRITE_MODEL_SPECS=1 swift test -c release --filter testSpecFilesMatchZooDefaults`.
    func testSpecFilesMatchZooDefaults() throws {
        if ProcessInfo.processInfo.environment["PRUNEKIT_WRITE_MODEL_SPECS"] == "1" {
            for entry in ModelZoo.entries {
                try entry.spec.write(toFile: Self.specDirectory.appendingPathComponent(entry.name + ".json").path)
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.specDirectory.path).filter { $0.hasSuffix(".json") }
        XCTAssertEqual(Set(files), Set(ModelZoo.names.map { $0 + ".json" }), "one file per zoo entry in \(Self.specDirectory.path)")
        for entry in ModelZoo.entries {
            let path = Self.specDirectory.appendingPathComponent(entry.name + ".json").path
            XCTAssertEqual(try ModelSpec(contentsOfFile: path), entry.spec, path)
        }
    }

    func testNarrowedResNetRoundTripsBuildsAndRuns() throws {
        var spec = try ModelZoo.spec(named: "resnet20")
        // Odd paddings on purpose: 12 -> 20 pads 4 + 4, 20 -> 33 pads 6 before and 7 after.
        for (name, width) in [("layer1", 12), ("layer1.0.conv1", 5), ("layer2", 20), ("layer2.1.conv1", 7), ("layer3", 33),
                              ("layer3.0.conv1", 1)] {
            try spec.setWidth(of: name, to: width)
        }
        let model = try roundTripAndRun(spec)
        XCTAssertEqual((model.namedLayers["conv1"] as? Conv2d)?.weight.shape, [12, 3, 3, 3])
        XCTAssertEqual((model.namedLayers["layer1.0.conv2"] as? Conv2d)?.weight.shape, [12, 5, 3, 3])
        XCTAssertEqual((model.namedLayers["layer2.1.conv2"] as? Conv2d)?.weight.shape, [20, 7, 3, 3])
        XCTAssertEqual((model.namedLayers["layer3.0.conv1"] as? Conv2d)?.weight.shape, [1, 20, 3, 3])
        XCTAssertEqual((model.namedLayers["layer3.0.bn1"] as? BatchNorm)?.channels, 1)
        XCTAssertEqual((model.namedLayers["fc"] as? Linear)?.weight.shape, [10, 33])
    }

    func testUniformWidthScalingHalvesFlopsWithRaggedWidths() throws {
        // What uniform pruning to 50% FLOPs gives: bench --width-scale 0.707 times these shapes.
        let dense = try ModelZoo.spec(named: "resnet56"), pruned = try dense.scalingWidths(by: 0.707)
        XCTAssertEqual(try pruned.width(of: "layer1"), 11)
        XCTAssertEqual(try pruned.width(of: "layer2.3.conv1"), 23)
        XCTAssertEqual(try pruned.width(of: "layer3"), 45)
        let ratio = Double(try ModelCost(spec: pruned).flops) / Double(try ModelCost(spec: dense).flops)
        XCTAssertEqual(ratio, 0.5, accuracy: 0.03)
        let vgg = try ModelZoo.spec(named: "vgg16")
        let vggRatio = Double(try ModelCost(spec: vgg.scalingWidths(by: 0.707)).flops) / Double(try ModelCost(spec: vgg).flops)
        XCTAssertEqual(vggRatio, 0.5, accuracy: 0.03)
        XCTAssertEqual(try dense.scalingWidths(by: 1), dense)
        assertThrowsPruneKitError(["scalingWidths", "1.5"]) { _ = try dense.scalingWidths(by: 1.5) }
    }

    func testNarrowedProjectionResNetMayNarrowAStream() throws {
        var spec = try ModelZoo.spec(named: "resnet20-b")
        try spec.setWidth(of: "layer1", to: 16)
        try spec.setWidth(of: "layer2", to: 9)      // narrower than layer1: fine with a projection
        let model = try roundTripAndRun(spec)
        XCTAssertEqual((model.namedLayers["layer2.0.downsample.0"] as? Conv2d)?.weight.shape, [9, 16, 1, 1])
        XCTAssertEqual((model.namedLayers["layer3.0.downsample.0"] as? Conv2d)?.weight.shape, [64, 9, 1, 1])
    }

    func testNarrowedVGGAndWideResNetAndLeNetRunWithTheirShapes() throws {
        var vgg = try ModelZoo.spec(named: "vgg11")
        try vgg.setWidth(of: "feature.0", to: 3)
        try vgg.setWidth(of: "classifier.0", to: 17)
        let vggModel = try roundTripAndRun(vgg)
        XCTAssertEqual((vggModel.namedLayers["feature.4"] as? Conv2d)?.weight.shape, [128, 3, 3, 3])
        XCTAssertEqual((vggModel.namedLayers["classifier.3"] as? Linear)?.weight.shape, [10, 17])

        var wide = ModelSpec.wideResNet(depth: 10, widthFactor: 2, dropoutProbability: 0.3)
        for (name, width) in [("conv1", 5), ("group1", 6), ("blocks.0.conv1", 4), ("group2", 3), ("group3", 7)] {
            try wide.setWidth(of: name, to: width)
        }
        let wideModel = try roundTripAndRun(wide)
        XCTAssertEqual((wideModel.namedLayers["blocks.0.shortcut"] as? Conv2d)?.weight.shape, [6, 5, 1, 1])
        XCTAssertEqual((wideModel.namedLayers["blocks.1.bn1"] as? BatchNorm)?.channels, 6)
        XCTAssertEqual((wideModel.namedLayers["bn"] as? BatchNorm)?.channels, 7)

        var lenet = try ModelZoo.spec(named: "lenet5")
        try lenet.setWidth(of: "conv2", to: 4)
        let lenetModel = try roundTripAndRun(lenet)
        XCTAssertEqual((lenetModel.namedLayers["fc1"] as? Linear)?.weight.shape, [500, 4 * 4 * 4])
    }

    func testWidthBelowOneIsRejectedNamingTheLayer() throws {
        var spec = try ModelZoo.spec(named: "resnet56")
        try spec.setWidth(of: "layer2.3.conv1", to: 0)
        assertThrowsPruneKitError(["resnet56", "layer2.3.conv1", "width 0"]) { try spec.validate() }
        assertThrowsPruneKitError(["layer2.3.conv1"]) { _ = try Model(spec: spec, seed: 0) }
    }

    func testMissingUnknownAndRepeatedWidthsAreRejectedNamingTheLayer() throws {
        var missing = try ModelZoo.spec(named: "wrn-16-4")
        missing.widths.removeAll { $0.name == "blocks.4.conv1" }
        assertThrowsPruneKitError(["'blocks.4.conv1'", "missing"]) { try missing.validate() }

        var unknown = try ModelZoo.spec(named: "vgg16")
        unknown.widths.append(.init(name: "feature.2", width: 64))
        assertThrowsPruneKitError(["'feature.2'", "not a width"]) { try unknown.validate() }

        var repeated = try ModelZoo.spec(named: "mlp")
        repeated.widths.append(.init(name: "layers.1", width: 100))
        assertThrowsPruneKitError(["'layers.1'", "more than once"]) { try repeated.validate() }

        let lookup = try ModelZoo.spec(named: "mlp")
        assertThrowsPruneKitError(["'layers.7'"]) { _ = try lookup.width(of: "layers.7") }
    }

    func testOptionAShortcutCannotNarrowAStream() throws {
        var spec = try ModelZoo.spec(named: "resnet20")
        try spec.setWidth(of: "layer2", to: 15)
        assertThrowsPruneKitError(["layer 'layer2.0.pad'", "from 16 to 15", "'layer2' must be at least as wide"]) { try spec.validate() }
    }

    func testStructuralErrorsNameTheField() throws {
        var resnet = try ModelZoo.spec(named: "resnet20")
        resnet.depth = 21
        assertThrowsPruneKitError(["6n + 2", "21"]) { try resnet.validate() }
        var vgg = try ModelZoo.spec(named: "vgg16")
        vgg.shortcut = .projection
        assertThrowsPruneKitError(["'shortcut'"]) { try vgg.validate() }
        var wide = try ModelZoo.spec(named: "wrn-16-4")
        wide.widthFactor = nil
        assertThrowsPruneKitError(["widthFactor"]) { try wide.validate() }
        var shape = try ModelZoo.spec(named: "mlp")
        shape.inputShape = [784]
        assertThrowsPruneKitError(["inputShape"]) { try shape.validate() }
        var classes = try ModelZoo.spec(named: "lenet5")
        classes.classCount = 0
        assertThrowsPruneKitError(["classCount"]) { try classes.validate() }
    }

    func testTooSmallInputIsRejectedNamingTheLayer() throws {
        var spec = try ModelZoo.spec(named: "lenet5")
        spec.inputShape = [1, 12, 12]     // conv1 -> 8, pool -> 4, conv2 5x5 does not fit
        assertThrowsPruneKitError(["layer 'conv2'", "[20, 4, 4]"]) { try spec.validate() }
    }

    func testMalformedJSONIsATypedError() {
        assertThrowsPruneKitError(["spec.json", "malformed", "family"]) {
            _ = try ModelSpec(jsonData: Data(#"{"family": "resnet"}"#.utf8), source: "spec.json")
        }
        assertThrowsPruneKitError(["spec.json", "malformed"]) {
            _ = try ModelSpec(jsonData: Data(#"{"family": "alexnet", "name": "x"}"#.utf8), source: "spec.json")
        }
        assertThrowsPruneKitError(["/nonexistent/spec.json", "cannot read"]) {
            _ = try ModelSpec(contentsOfFile: "/nonexistent/spec.json")
        }
    }

    /// Encodes, decodes (equal), builds, runs a batch of 2 in evaluation mode and checks [2, classes].
    @discardableResult
    private func roundTripAndRun(_ spec: ModelSpec, file: StaticString = #filePath, line: UInt = #line) throws -> Model {
        let decoded = try ModelSpec(jsonData: spec.jsonData(), source: spec.name)
        XCTAssertEqual(decoded, spec, "JSON round trip", file: file, line: line)
        let model = try Model(spec: decoded, seed: 3)
        XCTAssertEqual(model.parameterCount, try ModelCost(spec: decoded).parameterCount, file: file, line: line)
        XCTAssertEqual(try model.currentSpec(), decoded, "widths read back from the layers", file: file, line: line)
        let input = Variable(randomTensor([2] + spec.inputShape, seed: 11))
        let output = try GradientMode.withoutGradients { try model(input, ForwardContext(training: false)) }
        XCTAssertEqual(output.shape, [2, spec.classCount], file: file, line: line)
        XCTAssertTrue(output.value.scalars.allSatisfy(\.isFinite), file: file, line: line)
        return model
    }

    func testBatchNormFamiliesAreTheOnesWhoseModelsHoldBatchNorm() throws {
        for entry in ["mlp", "lenet5", "lenet5-classic", "vgg11", "resnet20", "wrn-16-4"] {
            let model = try ModelZoo.build(name: entry, seed: 1)
            let holdsBatchNorm = model.namedLayers.values.contains { $0 is BatchNorm }
            XCTAssertEqual(model.spec.family.usesBatchNorm, holdsBatchNorm, entry)
        }
    }
}

/// `ModelSpec.usesBatchNorm` for graphs: whether the graph has a `batch_norm` node (the family alone cannot say).
final class ModelsSpecBatchNormTests: XCTestCase {
    func testGraphSpecUsesBatchNormWhenItsGraphHasABatchNormNode() throws {
        let plain = NetworkGraph(nodes: [
            GraphNode(name: "input", operation: .input(shape: [1, 8, 8]), inputs: []),
            GraphNode(name: "conv", operation: .convolution(.init(outputChannels: 4, kernelSize: 3, padding: 1)), inputs: ["input"]),
            GraphNode(name: "relu", operation: .relu, inputs: ["conv"]),
            GraphNode(name: "pool", operation: .globalAveragePool, inputs: ["relu"]),
            GraphNode(name: "fc", operation: .linear(.init(outputFeatures: 3)), inputs: ["pool"]),
        ])
        XCTAssertFalse(try ModelSpec(name: "plain", graph: plain).usesBatchNorm)
        var normalised = plain
        normalised.nodes.insert(GraphNode(name: "bn", operation: .batchNorm, inputs: ["conv"]), at: 2)
        normalised.nodes[3].inputs = ["bn"]
        let spec = try ModelSpec(name: "normalised", graph: normalised)
        XCTAssertTrue(spec.usesBatchNorm)
        XCTAssertFalse(spec.family.usesBatchNorm, "the family alone says false for every graph")
        for name in ["lenet5", "resnet20", "mlp", "vgg11"] {
            let zoo = try ModelZoo.spec(named: name)
            XCTAssertEqual(zoo.usesBatchNorm, zoo.family.usesBatchNorm, name)
        }
    }
}
