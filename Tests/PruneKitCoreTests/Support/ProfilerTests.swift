import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// The profiler's FLOP accounting: a kernel's rate is its FLOPs over its thread-seconds, and the conv kernels
/// charge exactly 2 x OC x C*KH*KW x OH*OW per image to each of forward, input gradient and weight gradient.
final class ProfilerTests: XCTestCase {
    override func tearDown() {
        Profiler.isEnabled = false
        _ = Profiler.snapshot(reset: true)
    }

    func testRateIsFlopsOverThreadSeconds() {
        _ = Profiler.snapshot(reset: true)
        Profiler.record("kernel", 0.5, flops: 3e9)
        Profiler.record("kernel", 0.5, flops: 3e9)
        Profiler.record("glue", 0.25)
        XCTAssertEqual(Profiler.rates(), ["kernel": 6.0])
        XCTAssertEqual(Profiler.snapshot(reset: true), ["kernel": 1.0, "glue": 0.25])
        XCTAssertEqual(Profiler.rates(), [:], "a reset clears the FLOPs too")
    }

    func testDirectConvolutionChargesItsFlops() throws {
        guard ConvolutionKernels.cpuSupportsDirect else { throw XCTSkip("no AVX-512 on this CPU") }
        let x = Variable(randomTensor([3, 16, 32, 32], seed: 1), requiresGradient: true)
        let w = Variable(randomTensor([8, 16, 3, 3], seed: 2), requiresGradient: true)
        _ = Profiler.snapshot(reset: true)
        Profiler.isEnabled = true
        let y = try conv2d(x, weight: w, bias: nil, stride: 2, padding: 1)
        try y.backward(seed: randomTensor(y.shape, seed: 3))
        Profiler.isEnabled = false
        let rates = Profiler.rates(), seconds = Profiler.snapshot(reset: true)
        let (outputChannels, columns, outputPixels, images) = (8.0, 16.0 * 9, 16.0 * 16, 3.0)
        let expected: Double = 2 * outputChannels * columns * outputPixels * images
        for kernel in ["direct.forward", "direct.inputGradient", "direct.weightGradient"] {
            let flops = try XCTUnwrap(rates[kernel], kernel) * XCTUnwrap(seconds[kernel], kernel) * 1e9
            XCTAssertEqual(flops, expected, accuracy: expected * 1e-9, kernel)
        }
    }
}
