import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// The direct AVX-512 convolution kernels against the im2col + sgemm reference path: forward output, input,
/// weight and bias gradients on shapes the gradient checks are too slow for (32x32 images, 16-64 channels),
/// on pruned (ragged) widths, on strides 2 and 3 (phase planes) and on unpadded convolutions (rows at the input's
/// pitch, or column phases when unpadded). Skipped on CPUs without AVX-512.
final class ConvolutionKernelTests: XCTestCase {
    struct Case {
        var input: [Int], weight: [Int], padding: Int, bias: Bool, stride = 1
    }

    static let cases: [Case] = [
        Case(input: [3, 16, 32, 32], weight: [16, 16, 3, 3], padding: 1, bias: false),  // ResNet layer1
        Case(input: [2, 32, 16, 16], weight: [32, 32, 3, 3], padding: 1, bias: false),
        Case(input: [4, 64, 8, 8], weight: [64, 64, 3, 3], padding: 1, bias: false),
        Case(input: [2, 11, 16, 16], weight: [22, 11, 3, 3], padding: 1, bias: true),   // pruned widths
        Case(input: [3, 45, 5, 5], weight: [45, 45, 3, 3], padding: 1, bias: false),    // 25 pixels: one ragged vector
        Case(input: [2, 512, 2, 2], weight: [7, 512, 3, 3], padding: 1, bias: false),   // VGG's last stage, tiny image
        Case(input: [2, 3, 13, 11], weight: [20, 3, 5, 5], padding: 2, bias: true),
        Case(input: [2, 24, 9, 9], weight: [40, 24, 1, 1], padding: 0, bias: true),
        Case(input: [3, 16, 32, 32], weight: [32, 16, 3, 3], padding: 1, bias: false, stride: 2),  // ResNet downsampling
        Case(input: [2, 32, 16, 16], weight: [64, 32, 1, 1], padding: 0, bias: false, stride: 2),  // option-B / WRN shortcut
        Case(input: [2, 11, 6, 10], weight: [22, 11, 3, 3], padding: 1, bias: true, stride: 2),   // ragged, stacked
        Case(input: [2, 3, 8, 8], weight: [5, 3, 5, 5], padding: 2, bias: false, stride: 2),
        Case(input: [1, 4, 9, 9], weight: [6, 4, 3, 3], padding: 1, bias: false, stride: 3),
        Case(input: [2, 1, 28, 28], weight: [20, 1, 5, 5], padding: 0, bias: true),   // LeNet-5 conv1 (unpadded)
        Case(input: [3, 20, 12, 12], weight: [50, 20, 5, 5], padding: 0, bias: true), // LeNet-5 conv2
        Case(input: [2, 3, 7, 9], weight: [4, 3, 3, 2], padding: 0, bias: false),     // non-square kernel
        Case(input: [2, 6, 10, 8], weight: [7, 6, 5, 5], padding: 1, bias: false),    // padded but smaller output
    ]

    func testDirectKernelsMatchReference() throws {
        guard ConvolutionKernels.cpuSupportsDirect else { throw XCTSkip("no AVX-512 on this CPU") }
        for (index, c) in Self.cases.enumerated() {
            let geometry = try conv2dGeometry(c.input, c.weight, nil, stride: c.stride, padding: c.padding)
            XCTAssertNotNil(ConvolutionTapPlan(geometry), "case \(index) should run on the direct kernels")
            let reference = try run(c, .reference), direct = try run(c, .automatic)
            for (name, r, d) in zip3(["output", "input gradient", "weight gradient", "bias gradient"], reference, direct) {
                let scale = max(r.maxAbsolute(), 1)
                assertClose(d, r.scalars, shape: r.shape, relative: 1e-4, absolute: 1e-4 * scale, "case \(index) \(name)")
            }
        }
    }

    func testDirectKernelsIndependentOfThreadCount() throws {
        guard ConvolutionKernels.cpuSupportsDirect else { throw XCTSkip("no AVX-512 on this CPU") }
        let previous = Parallel.threadCount
        defer { Parallel.threadCount = previous }
        let c = Self.cases[3]
        Parallel.threadCount = 1
        let serial = try run(c, .automatic)
        Parallel.threadCount = 3
        let threaded = try run(c, .automatic)
        for (s, t) in zip(serial, threaded) { assertClose(t, s.scalars, relative: 1e-5, absolute: 1e-4) }
    }

    /// Output, dx, dW, db of sum(r * conv(x)) for a fixed projection r, with `algorithm`.
    private func run(_ c: Case, _ algorithm: ConvolutionKernels.Algorithm) throws -> [Tensor] {
        let previous = ConvolutionKernels.algorithm
        defer { ConvolutionKernels.algorithm = previous }
        ConvolutionKernels.algorithm = algorithm
        let x = Variable(randomTensor(c.input, seed: 1), requiresGradient: true)
        let w = Variable(randomTensor(c.weight, seed: 2), requiresGradient: true)
        let b = c.bias ? Variable(randomTensor([c.weight[0]], seed: 3), requiresGradient: true) : nil
        let y = try conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding)
        try y.backward(seed: randomTensor(y.shape, seed: 4))
        return [y.value, x.gradient!, w.gradient!, b?.gradient ?? Tensor(zeros: [1])]
    }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    zip(a, zip(b, c)).map { ($0, $1.0, $1.1) }
}
