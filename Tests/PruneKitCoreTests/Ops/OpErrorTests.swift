import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// Shape mismatches raise a typed PruneKitError naming the op and both shapes; nothing traps.
final class OpErrorTests: XCTestCase {
    func testConvolutionErrors() {
        let x = Variable(Tensor(zeros: [2, 3, 8, 8]))
        assertThrowsPruneKitError(["conv2d", "[2, 3, 8, 8]", "[5, 4, 3, 3]"]) {
            _ = try conv2d(x, weight: Variable(Tensor(zeros: [5, 4, 3, 3])), bias: nil)
        }
        assertThrowsPruneKitError(["conv2d", "bias [5]", "[4]"]) {
            _ = try conv2d(x, weight: Variable(Tensor(zeros: [5, 3, 3, 3])), bias: Variable(Tensor(zeros: [4])))
        }
        assertThrowsPruneKitError(["conv2d", "stride"]) {
            _ = try conv2d(x, weight: Variable(Tensor(zeros: [5, 3, 3, 3])), bias: nil, stride: 0)
        }
        assertThrowsPruneKitError(["conv2d", "[2, 8, 8]"]) {
            _ = try conv2d(Variable(Tensor(zeros: [2, 8, 8])), weight: Variable(Tensor(zeros: [5, 3, 3, 3])), bias: nil)
        }
        assertThrowsPruneKitError(["conv2d", "kernel size 9x9"]) {
            _ = try conv2d(x, weight: Variable(Tensor(zeros: [5, 3, 9, 9])), bias: nil)
        }
    }

    func testOtherOpErrors() {
        assertThrowsPruneKitError(["linear", "[4, 6]", "[3, 5]"]) {
            _ = try linear(Variable(Tensor(zeros: [4, 6])), weight: Variable(Tensor(zeros: [3, 5])), bias: nil)
        }
        assertThrowsPruneKitError(["matmul", "[2, 3] x [4, 5]"]) {
            _ = try matmul(Variable(Tensor(zeros: [2, 3])), Variable(Tensor(zeros: [4, 5])))
        }
        assertThrowsPruneKitError(["add", "[2, 3]", "[3, 2]"]) {
            _ = try add(Variable(Tensor(zeros: [2, 3])), Variable(Tensor(zeros: [3, 2])))
        }
        assertThrowsPruneKitError(["batchNorm", "[2, 3, 4, 4]", "scale [4]"]) {
            _ = try batchNorm(Variable(Tensor(zeros: [2, 3, 4, 4])), scale: Variable(Tensor(zeros: [4])), shift: Variable(Tensor(zeros: [3])),
                              statistics: BatchNormStatistics(channels: 3), training: true)
        }
        assertThrowsPruneKitError(["softmaxCrossEntropy", "label 7"]) {
            _ = try softmaxCrossEntropy(Variable(Tensor(zeros: [2, 3])), labels: [0, 7])
        }
        assertThrowsPruneKitError(["softmaxCrossEntropy", "[3, K]", "[2, 3]"]) {
            _ = try softmaxCrossEntropy(Variable(Tensor(zeros: [2, 3])), labels: [0, 1, 2])
        }
        assertThrowsPruneKitError(["maxPool2d", "[2, 3, 1, 1]"]) { _ = try maxPool2d(Variable(Tensor(zeros: [2, 3, 1, 1])), kernelSize: 2) }
        assertThrowsPruneKitError(["multiplyChannels", "factors [2]"]) {
            _ = try multiplyChannels(Variable(Tensor(zeros: [2, 3, 4, 4])), by: Variable(Tensor(zeros: [2])))
        }
        assertThrowsPruneKitError(["dropout", "probability"]) {
            var generator = SplitMix64(seed: 1)
            _ = try dropout(Variable(Tensor(zeros: [2])), probability: 1, training: true, generator: &generator)
        }
    }
}
