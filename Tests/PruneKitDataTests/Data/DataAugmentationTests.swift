import Foundation
import XCTest
@testable import PruneKitCore
@testable import PruneKitData
import PruneKitTestSupport

/// Normalisation constants and the crop/flip kernel: a hand-computed case, every plan checked against a
/// naive pad → crop → flip reference, padding normalised from byte 0, and the plan distribution.
final class DataAugmentationTests: XCTestCase {
    private let unit = Normalization.unitRange(channels: 1)

    /// Bytes as the unit-range normalisation maps them: v / 255.
    private func scaled(_ bytes: [UInt8]) -> [Float] { bytes.map { Float($0) / 255 } }

    /// Reference implementation: builds the zero-padded image explicitly, crops, then mirrors.
    private func reference(_ image: [UInt8], channels: Int, height: Int, width: Int, plan: AugmentationPlan,
                           normalization: Normalization) -> [Float] {
        let p = plan.padding
        var output: [Float] = []
        for c in 0..<channels {
            var padded = [[UInt8]](repeating: [UInt8](repeating: 0, count: width + 2 * p), count: height + 2 * p)
            for y in 0..<height { for x in 0..<width { padded[y + p][x + p] = image[(c * height + y) * width + x] } }
            for y in 0..<height {
                var row = (0..<width).map { padded[y + plan.offsetY][$0 + plan.offsetX] }
                if plan.flip { row.reverse() }
                output += row.map { normalization.normalize($0, channel: c) }
            }
        }
        return output
    }

    func testHandComputedCropAndFlip() {
        // 3×3 image 1...9, padding 1. Offsets (2, 0): crop rows 2...4 and columns 0...2 of the 5×5 padded image,
        // i.e. image rows 1...2 then a zero row, and a zero column then image columns 0...1.
        let image: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        let noFlip = AugmentationPlan(offsetY: 2, offsetX: 0, padding: 1, flip: false)
        XCTAssertEqual(Augmentation.apply(noFlip, to: image, channels: 1, height: 3, width: 3, normalization: unit),
                       scaled([0, 4, 5,
                               0, 7, 8,
                               0, 0, 0]))
        let flip = AugmentationPlan(offsetY: 2, offsetX: 0, padding: 1, flip: true)
        XCTAssertEqual(Augmentation.apply(flip, to: image, channels: 1, height: 3, width: 3, normalization: unit),
                       scaled([5, 4, 0,
                               8, 7, 0,
                               0, 0, 0]))
        let identity = AugmentationPlan(offsetY: 1, offsetX: 1, padding: 1, flip: false)
        XCTAssertEqual(Augmentation.apply(identity, to: image, channels: 1, height: 3, width: 3, normalization: unit),
                       scaled(image))
    }

    func testEveryPlanMatchesNaiveReference() {
        let (channels, height, width) = (2, 5, 6)
        let image = (0..<channels * height * width).map { UInt8(1 + $0 * 3) }
        let normalization = Normalization(mean: [0.25, 0.5], standardDeviation: [0.5, 0.2])
        for padding in [0, 2, 4, 7] {
            for offsetY in 0...2 * padding {
                for offsetX in 0...2 * padding {
                    for flip in [false, true] {
                        let plan = AugmentationPlan(offsetY: offsetY, offsetX: offsetX, padding: padding, flip: flip)
                        let fast = Augmentation.apply(plan, to: image, channels: channels, height: height, width: width,
                                                      normalization: normalization)
                        let slow = reference(image, channels: channels, height: height, width: width, plan: plan,
                                             normalization: normalization)
                        XCTAssertEqual(fast, slow, "\(plan)")
                    }
                }
            }
        }
    }

    func testPaddingIsByteZeroBeforeNormalisation() {
        let image = [UInt8](repeating: 200, count: 3 * 32 * 32)
        let cifar = DatasetKind.cifar10.normalization
        let plan = AugmentationPlan(offsetY: 0, offsetX: 0, padding: 4, flip: false)   // 4 pad rows on top
        let output = Augmentation.apply(plan, to: image, channels: 3, height: 32, width: 32, normalization: cifar)
        // python: np.float32((np.float32(0)/255 - np.float32(0.4914)) / np.float32(0.2470)) -> -1.9894737
        XCTAssertEqual(output[0], -1.9894737, accuracy: 1e-6)
        XCTAssertEqual(output[4 * 32 + 4], cifar.normalize(200, channel: 0))
        XCTAssertEqual(output[32 * 32], cifar.normalize(0, channel: 1), "green channel pads with its own (0 − mean) / std")
    }

    func testNormalisationConstantsAndGoldenValue() {
        XCTAssertEqual(DatasetKind.mnist.normalization, Normalization(mean: [0.1307], standardDeviation: [0.3081]))
        XCTAssertEqual(DatasetKind.fashionMNIST.normalization, Normalization(mean: [0.2860], standardDeviation: [0.3530]))
        XCTAssertEqual(DatasetKind.cifar100.normalization.standardDeviation, [0.2673, 0.2564, 0.2762])
        // python: np.float32((np.float32(240)/np.float32(255) - np.float32(0.1307)) / np.float32(0.3081)) -> 2.6305633
        XCTAssertEqual(DatasetKind.mnist.normalization.normalize(240, channel: 0), 2.6305633, accuracy: 1e-6)
        let table = DatasetKind.cifar10.normalization.lookupTable()
        XCTAssertEqual(table.count, 3 * 256)
        // python: np.float32((np.float32(59)/255 - np.float32(0.4914)) / np.float32(0.2470)) -> -1.0527428
        XCTAssertEqual(table[59], -1.0527428, accuracy: 1e-6)
    }

    func testPlanDistributionCoversAllOffsetsAndFlipsHalfTheTime() {
        var rng = SplitMix64(seed: 99)
        var offsets = Set<Int>()
        var flips = 0
        let draws = 4000
        for _ in 0..<draws {
            let plan = Augmentation.cifarTraining.plan(using: &rng)
            offsets.insert(plan.offsetY)
            offsets.insert(plan.offsetX)
            if plan.flip { flips += 1 }
        }
        XCTAssertEqual(offsets, Set(0...8))
        XCTAssertEqual(Double(flips) / Double(draws), 0.5, accuracy: 0.04)
        var other = SplitMix64(seed: 99)
        XCTAssertEqual(Augmentation.none.plan(using: &other), AugmentationPlan(offsetY: 0, offsetX: 0, padding: 0, flip: false))
    }
}
