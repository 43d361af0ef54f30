import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport

/// `ModelLimits`: every bound is checked by `validate()` with an error naming the field (or layer) and its
/// value, values at the bound validate, and the zoo stays far inside.
final class ModelsLimitsTests: XCTestCase {
    private func assertRejected(_ spec: ModelSpec, _ mentions: [String], line: UInt = #line) {
        assertThrowsPruneKitError(mentions, line: line) { try spec.validate() }
    }

    func testFieldsAboveTheirBoundsAreNamed() {
        var spec = ModelSpec.leNet5(classCount: 65_537)
        assertRejected(spec, ["classCount 65537", "65536"])
        spec = ModelSpec.multilayerPerceptron(hiddenFeatures: Array(repeating: 1, count: 10_000))
        assertRejected(spec, ["depth 10001", "10000"])
        assertRejected(.wideResNet(depth: 10, widthFactor: 1025), ["widthFactor 1025", "1024"])
        assertRejected(.leNet5(inputShape: [1, 16_385, 28]), ["height 16385", "16384"])
        assertRejected(.leNet5(inputShape: [1, 28, 1 << 40]), ["width \(1 << 40)"])
        assertRejected(.leNet5(inputShape: [65_537, 28, 28]), ["65537 channels"])
        spec = .leNet5()
        spec.widths[0].width = 65_537
        assertRejected(spec, ["'conv1' has width 65537", "65536"])
    }

    func testValuesAtTheBoundsValidate() throws {
        try ModelSpec.leNet5(classCount: 65_536).validate()
        try ModelSpec.multilayerPerceptron(hiddenFeatures: Array(repeating: 1, count: 9_999)).validate()
        try ModelSpec.multilayerPerceptron(hiddenFeatures: [65_536], inputShape: [1, 1, 1]).validate()
        try ModelSpec.multilayerPerceptron(hiddenFeatures: [1], inputShape: [1, 16_384, 16_384]).validate()
    }

    func testActivationParameterAndFlopTotalsAreBounded() throws {
        assertRejected(.multilayerPerceptron(hiddenFeatures: [1], inputShape: [2, 16_384, 16_384]),
                       ["inputShape [2, 16384, 16384]", "536870912 elements"])
        assertRejected(.leNet5(inputShape: [1, 8_192, 8_192]), ["layer 'conv1'", "[20, 8188, 8188]"])
        assertRejected(.multilayerPerceptron(hiddenFeatures: [65_536, 65_536]), ["parameter and buffer scalars", "1073741824"])
        // ResNet-110 at width 512 on 256x256: activations and parameters fit, 1.1e13 FLOPs do not.
        var spec = ModelSpec.resNet(depth: 110, inputShape: [3, 256, 256])
        for entry in spec.widths { try spec.setWidth(of: entry.name, to: 512) }
        assertRejected(spec, ["FLOPs per image", "10000000000000"])
    }

    func testTheZooIsFarInside() throws {
        for entry in ModelZoo.entries {
            let cost = try ModelCost(spec: entry.spec)
            XCTAssertLessThan(cost.parameterCount, ModelLimits.maximumParameterCount / 16, entry.name)
            XCTAssertLessThan(cost.flops, ModelLimits.maximumFlops / 100, entry.name)
        }
    }
}
