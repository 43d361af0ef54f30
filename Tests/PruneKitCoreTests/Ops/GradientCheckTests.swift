import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// One central-difference check per primitive, on several small shapes (stride 2, padding 1, batch > 1,
/// non-square images). `testEveryPrimitiveIsChecked` keeps this list and `Primitives.all` in step.
final class GradientCheckTests: XCTestCase {
    static let checked: Set<String> = [
        "linear", "matmul", "conv2d", "batchNorm", "batchNormReLU", "relu", "maxPool2d", "avgPool2d", "globalAveragePool",
        "add", "multiplyChannels", "multiplyMask", "subsampleAndPadChannels", "scatterChannels", "reshape", "dropout", "softmaxCrossEntropy",
    ]

    func testEveryPrimitiveIsChecked() {
        XCTAssertEqual(Set(Primitives.all), Self.checked)
    }

    func testConv2d() throws {
        let cases: [(input: [Int], weight: [Int], stride: Int, padding: Int, bias: Bool)] = [
            ([1, 1, 3, 3], [1, 1, 2, 2], 1, 0, false),
            ([2, 3, 5, 7], [4, 3, 3, 3], 1, 1, true),
            ([3, 2, 6, 5], [3, 2, 3, 3], 2, 1, true),
            ([2, 4, 4, 6], [5, 4, 1, 1], 1, 0, true),   // 1x1 fast path (no im2col)
            ([2, 3, 7, 4], [2, 3, 1, 1], 2, 0, false),  // 1x1 stride 2 (option-B shortcut)
            ([2, 11, 9, 7], [22, 11, 3, 3], 1, 1, false),  // ragged pruned widths: 3 output blocks, 3 channel blocks
            ([1, 6, 7, 9], [11, 6, 5, 5], 1, 2, true),    // 5x5 same (classic LeNet conv1 geometry)
            ([2, 5, 8, 8], [9, 5, 3, 3], 2, 1, false),    // stride 2 (phase planes on the direct path)
            ([2, 11, 6, 10], [22, 11, 3, 3], 2, 1, true), // stride 2, ragged widths
            ([2, 3, 8, 4], [4, 3, 1, 1], 2, 0, false),    // 1x1 stride 2: three of four dX phases are zero
            ([2, 3, 9, 8], [4, 3, 5, 3], 1, 1, true),     // output smaller than input: rows at the input's pitch
        ]
        try forEachConvolutionAlgorithm { algorithm in
            for (index, c) in cases.enumerated() {
                var inputs = [randomTensor(c.input, seed: 1), randomTensor(c.weight, seed: 2)]
                if c.bias { inputs.append(randomTensor([c.weight[0]], seed: 3)) }
                try checkGradients("conv2d \(algorithm) case \(index)", inputs: inputs) { v in
                    try conv2d(v[0], weight: v[1], bias: c.bias ? v[2] : nil, stride: c.stride, padding: c.padding)
                }
            }
        }
    }

    func testConv2dLargerThanOneKernelBlock() throws {
        // 45 outputs and 22 inputs over 12x12 = 144 pixels: several 8-channel, 5-channel and 48-pixel blocks
        // with ragged tails, so every instantiated block shape of the direct kernels is reached.
        try forEachConvolutionAlgorithm { algorithm in
            try checkGradients("conv2d \(algorithm) 22->45 12x12", inputs: [randomTensor([2, 22, 12, 12], seed: 6),
                                                                        randomTensor([45, 22, 3, 3], seed: 7)],
                               sampleLimit: 64) { v in
                try conv2d(v[0], weight: v[1], bias: nil, stride: 1, padding: 1)
            }
        }
    }

    func testConv2dAcrossThreadCounts() throws {
        // The per-thread partial weight gradients must sum to the same result for any split.
        let previous = Parallel.threadCount
        defer { Parallel.threadCount = previous }
        Parallel.threadCount = 3
        try forEachConvolutionAlgorithm { algorithm in
            try checkGradients("conv2d \(algorithm) 3 threads", inputs: [randomTensor([5, 2, 4, 4], seed: 4),
                                                                        randomTensor([3, 2, 3, 3], seed: 5)]) { v in
                try conv2d(v[0], weight: v[1], bias: nil, stride: 1, padding: 1)
            }
        }
    }

    func testLinearAndMatmul() throws {
        try checkGradients("linear", inputs: [randomTensor([4, 7], seed: 1), randomTensor([3, 7], seed: 2), randomTensor([3], seed: 3)]) { v in
            try linear(v[0], weight: v[1], bias: v[2])
        }
        try checkGradients("linear no bias", inputs: [randomTensor([1, 1], seed: 4), randomTensor([1, 1], seed: 5)]) { v in
            try linear(v[0], weight: v[1], bias: nil)
        }
        try checkGradients("matmul", inputs: [randomTensor([7, 13], seed: 6), randomTensor([13, 5], seed: 7)]) { v in
            try matmul(v[0], v[1])
        }
    }

    func testBatchNorm() throws {
        for (shape, training) in [([4, 3, 2, 3], true), ([5, 4], true), ([2, 3, 3, 2], false), ([3, 2], false),
                                  ([2, 3, 5, 7], true)] {  // 35 values per plane: SIMD16 body and scalar tail
            let channels = shape[1]
            let statistics = randomStatistics(channels: channels)
            try checkGradients("batchNorm \(shape) training \(training)",
                               inputs: [randomTensor(shape, seed: 8), randomTensor([channels], seed: 9), randomTensor([channels], seed: 10)],
                               epsilon: 1e-2, relative: 3e-2, absolute: 3e-3) { v in
                try batchNorm(v[0], scale: v[1], shift: v[2], statistics: statistics, training: training)
            }
        }
    }

    func testBatchNormReLU() throws {
        // A smaller finite-difference step than batchNorm's, so that few outputs cross the ReLU kink within it.
        for (shape, training, withResidual) in [([4, 3, 2, 3], true, false), ([2, 3, 5, 7], true, true), ([6, 5], true, false),
                                                ([2, 3, 3, 2], false, true), ([3, 4], false, false)] {
            let channels = shape[1]
            let statistics = randomStatistics(channels: channels)
            var inputs = [randomTensor(shape, seed: 8), randomTensor([channels], seed: 9), randomTensor([channels], seed: 10)]
            if withResidual { inputs.append(randomTensor(shape, seed: 11)) }
            try checkGradients("batchNormReLU \(shape) training \(training) residual \(withResidual)", inputs: inputs,
                               epsilon: 1e-3, relative: 3e-2, absolute: 3e-3) { v in
                try batchNormReLU(v[0], scale: v[1], shift: v[2], statistics: statistics, training: training,
                                  residual: withResidual ? v[3] : nil)
            }
        }
    }

    private func randomStatistics(channels: Int) -> BatchNormStatistics {
        var generator = SplitMix64(seed: 11)
        let statistics = BatchNormStatistics(channels: channels)
        statistics.runningMean = Tensor.uniform(shape: [channels], low: -0.5, high: 0.5, generator: &generator)
        statistics.runningVariance = Tensor.uniform(shape: [channels], low: 0.5, high: 2, generator: &generator)
        return statistics
    }

    func testReLUAndAdd() throws {
        try checkGradients("relu", inputs: [randomTensor([2, 3, 4, 5], seed: 1, gap: 0.05)]) { v in relu(v[0]) }
        try checkGradients("add", inputs: [randomTensor([2, 3, 2, 2], seed: 2), randomTensor([2, 3, 2, 2], seed: 3)]) { v in
            try add(v[0], v[1])
        }
        // Fan-out: y = relu(x) + x must accumulate both paths into dx.
        try checkGradients("add fan-out", inputs: [randomTensor([3, 4], seed: 4, gap: 0.05)]) { v in try add(relu(v[0]), v[0]) }
    }

    func testPooling() throws {
        // Distinct values (a shuffled ramp) keep finite differences away from max-pool ties.
        let distinct = Tensor.ramp(shape: [2, 3, 5, 6], step: 0.37).map { Float(Int($0 * 1000) % 997) / 100 }
        for (kernel, stride, padding) in [(2, 2, 0), (3, 2, 1), (2, 1, 0)] {
            try checkGradients("maxPool2d k\(kernel) s\(stride) p\(padding)", inputs: [distinct], epsilon: 1e-3) { v in
                try maxPool2d(v[0], kernelSize: kernel, stride: stride, padding: padding)
            }
            try checkGradients("avgPool2d k\(kernel) s\(stride) p\(padding)", inputs: [randomTensor([2, 3, 5, 6], seed: 5)]) { v in
                try avgPool2d(v[0], kernelSize: kernel, stride: stride, padding: padding)
            }
        }
        try checkGradients("globalAveragePool", inputs: [randomTensor([3, 2, 4, 5], seed: 6)]) { v in try globalAveragePool(v[0]) }
    }

    func testChannelOps() throws {
        try checkGradients("multiplyChannels 4-d", inputs: [randomTensor([2, 3, 2, 4], seed: 1), randomTensor([3], seed: 2)]) { v in
            try multiplyChannels(v[0], by: v[1])
        }
        let mask = try Tensor(shape: [3, 4], scalars: [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0])
        try checkGradients("multiplyMask", inputs: [randomTensor([3, 4], seed: 5)]) { v in try multiplyMask(v[0], by: mask) }
        try checkGradients("multiplyChannels 2-d", inputs: [randomTensor([5, 4], seed: 3), randomTensor([4], seed: 4)]) { v in
            try multiplyChannels(v[0], by: v[1])
        }
        try checkGradients("subsampleAndPadChannels", inputs: [randomTensor([2, 3, 5, 4], seed: 5)]) { v in
            try subsampleAndPadChannels(v[0], stride: 2, before: 2, after: 1)
        }
        let fill = randomTensor([5], seed: 7)
        try checkGradients("scatterChannels", inputs: [randomTensor([2, 3, 4, 3], seed: 6)]) { v in
            try scatterChannels(v[0], indices: [4, 0, 2], fill: fill)
        }
    }

    func testReshapeDropoutCrossEntropy() throws {
        try checkGradients("reshape+flatten", inputs: [randomTensor([2, 3, 2, 2], seed: 1)]) { v in
            try linear(try flatten(v[0]), weight: Variable(randomTensor([4, 12], seed: 2)), bias: nil)
        }
        try checkGradients("dropout", inputs: [randomTensor([4, 6], seed: 3)]) { v in
            var generator = SplitMix64(seed: 5)  // the same mask on every evaluation
            return try dropout(v[0], probability: 0.3, training: true, generator: &generator)
        }
        for smoothing: Float in [0, 0.1] {
            try checkGradients("softmaxCrossEntropy smoothing \(smoothing)", inputs: [randomTensor([5, 4], seed: 4)], epsilon: 1e-2) { v in
                try softmaxCrossEntropy(v[0], labels: [0, 3, 1, 1, 2], labelSmoothing: smoothing)
            }
        }
    }
}
