import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// Forward values against numbers computed independently with numpy (float64), snippets pasted below.
final class GoldenValueTests: XCTestCase {
    func testConv2dStride2Padding1() throws {
        // x = (0.1*np.arange(40)).reshape(1,2,4,5); w = (0.01*np.arange(54) - 0.2).reshape(3,2,3,3)
        // b = [0.1,-0.2,0.3]; xp = np.pad(x, ((0,0),(0,0),(1,1),(1,1)))
        // y[0,o,i,j] = b[o] + (w[o]*xp[0,:,2i:2i+3,2j:2j+3]).sum()
        let x = Variable(Tensor.ramp(shape: [1, 2, 4, 5], step: 0.1))
        let w = Variable(Tensor.ramp(shape: [3, 2, 3, 3], start: -0.2, step: 0.01))
        let b = Variable(try Tensor(shape: [3], scalars: [0.1, -0.2, 0.3]))
        let y = try conv2d(x, weight: w, bias: b, stride: 2, padding: 1)
        assertClose(y.value, [-0.496, -1.047, -0.852, -1.943, -3.452, -2.621, 1.076, 1.785, 1.152,
                              2.185, 3.376, 2.155, 3.448, 5.417, 3.956, 7.113, 11.004, 7.731],
                    shape: [1, 3, 2, 3], relative: 1e-5, absolute: 1e-5)
    }

    func testBatchNormTrainThenEval() throws {
        // x = (np.arange(24)**1.5 * 0.1).reshape(2,3,2,2); g = [1, .5, -2]; be = [0, .1, .2]; eps = 1e-5
        // mu, var = x.mean((0,2,3)), x.var((0,2,3)); y = (x-mu)/sqrt(var+eps)*g+be
        // running_mean = 0.1*mu; running_var = 0.9 + 0.1*var*8/7; eval uses the running statistics.
        let x = Variable(Tensor.ramp(shape: [2, 3, 2, 2]).map { 0.1 * powf($0, 1.5) })
        let gamma = Variable(try Tensor(shape: [3], scalars: [1, 0.5, -2]))
        let beta = Variable(try Tensor(shape: [3], scalars: [0, 0.1, 0.2]))
        let statistics = BatchNormStatistics(channels: 3)
        let train = try batchNorm(x, scale: gamma, shift: beta, statistics: statistics, training: true)
        assertClose(train.value, [-1.07526, -1.03389, -0.95826, -0.86031, -0.47453, -0.42264, -0.36526, -0.30287,
                                  2.54598, 2.30166, 2.04336, 1.77179, 0.64435, 0.86372, 1.09169, 1.32796,
                                  0.43925, 0.53867, 0.64105, 0.74633, -1.18739, -1.56687, -1.95549, -2.35305],
                    shape: [2, 3, 2, 2], relative: 1e-4, absolute: 2e-5)
        assertClose(statistics.runningMean, [0.25993, 0.432096, 0.646129], relative: 1e-5)
        assertClose(statistics.runningVariance, [1.567845, 1.973062, 2.364199], relative: 1e-5)
        XCTAssertEqual(statistics.batchesTracked, 1)
        let evaluation = try batchNorm(x, scale: gamma, shift: beta, statistics: statistics, training: false)
        assertClose(evaluation.value, [-0.20759, -0.12773, 0.0183, 0.20739, 0.23096, 0.34416, 0.46934, 0.60544,
                                       -1.90278, -2.47153, -3.07283, -3.705, 3.11226, 3.53578, 3.9759, 4.43205,
                                       2.22432, 2.4412, 2.66455, 2.8942, -10.59364, -11.47702, -12.38168, -13.30715],
                    relative: 1e-4, absolute: 2e-5)
        XCTAssertEqual(statistics.batchesTracked, 1, "evaluation must not update the statistics")
    }

    func testMaxPoolKernel3Stride2Padding1() throws {
        // x = ((np.arange(30)*7) % 11).reshape(1,1,5,6); xp = np.pad(x, 1, constant_values=-inf)
        // y[i,j] = xp[2i:2i+3, 2j:2j+3].max()
        let x = Variable(Tensor.ramp(shape: [1, 1, 5, 6]).map { Float((Int($0) * 7) % 11) })
        let y = try maxPool2d(x, kernelSize: 3, stride: 2, padding: 1)
        assertClose(y.value, [9, 10, 10, 9, 10, 9, 10, 10, 9], shape: [1, 1, 3, 3], relative: 0, absolute: 0)
    }

    func testMaxPoolWithoutGradientsMatchesTheRecordingPath() throws {
        // The inference path skips the argmax; its values must equal the recording path's for both kernels.
        var generator = SplitMix64(seed: 3)
        let x = Variable(Tensor.normal(shape: [3, 5, 7, 8], generator: &generator))
        for (kernel, stride, padding) in [(2, 2, 0), (3, 2, 1), (3, 1, 1)] {
            let recorded = try maxPool2d(x, kernelSize: kernel, stride: stride, padding: padding)
            let inferred = try GradientMode.withoutGradients { try maxPool2d(x, kernelSize: kernel, stride: stride, padding: padding) }
            XCTAssertEqual(inferred.shape, recorded.shape)
            assertClose(inferred.value, recorded.value.scalars, relative: 0, absolute: 0)
        }
        let window = Variable(Tensor.ramp(shape: [1, 1, 5, 6]).map { Float((Int($0) * 7) % 11) })
        let y = try GradientMode.withoutGradients { try maxPool2d(window, kernelSize: 3, stride: 2, padding: 1) }
        assertClose(y.value, [9, 10, 10, 9, 10, 9, 10, 10, 9], shape: [1, 1, 3, 3], relative: 0, absolute: 0)
    }

    func testMaxPool2x2TiesGoToTheFirstElementOfTheWindow() throws {
        // PyTorch's max_pool2d backward sends a tied window's gradient to its first maximum (row-major order).
        // Window values (a, b, c, d): all equal; b = d > a = c; c = d > a = b.
        let x = Variable(try Tensor(shape: [1, 1, 2, 6], scalars: [1, 1, 0, 2, 0, 0, 1, 1, 0, 2, 3, 3]), requiresGradient: true)
        let y = try maxPool2d(x, kernelSize: 2, stride: 2)
        assertClose(y.value, [1, 2, 3], shape: [1, 1, 1, 3], relative: 0, absolute: 0)
        try y.backward()
        assertClose(x.gradient!, [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0], relative: 0, absolute: 0)
    }

    func testCrossEntropyValue() throws {
        // logits [[1,2,3],[1,1,1]], labels [2,0]: mean(-log softmax) = (0.40760596 + 1.09861229) / 2
        let logits = Variable(try Tensor(shape: [2, 3], scalars: [1, 2, 3, 1, 1, 1]))
        let loss = try softmaxCrossEntropy(logits, labels: [2, 0])
        XCTAssertEqual(loss.value[flat: 0], 0.753_109_125, accuracy: 1e-6)
        // With smoothing 0.1, q = 0.9 onehot + 0.1/3: row 0: -(0.9333*log p2 + 0.0333*(log p0 + log p1))
        // = 0.93333*0.40760596 + 0.03333*(2.40760596 + 1.40760596) = 0.50760596; row 1: 1.09861229
        let smoothed = try softmaxCrossEntropy(logits, labels: [2, 0], labelSmoothing: 0.1)
        XCTAssertEqual(smoothed.value[flat: 0], (0.507_605_96 + 1.098_612_29) / 2, accuracy: 1e-5)
    }
}
