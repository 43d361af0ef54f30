import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// The AVX-512 linear forward (`pk_linear_forward` via `linearForwardKernel`, no packing) against plain loops in Double: every remainder
/// of the 3-row x 8-output blocks, K below, at and above a 16-lane vector with and without a tail, bias or not,
/// fused ReLU; and `linear` with the kernel against `linear` on sgemm (PRUNEKIT_CONV=reference).
final class LinearKernelTests: XCTestCase {
    func testKernelMatchesDoubleLoops() throws {
        guard ConvolutionKernels.cpuSupportsDirect else { throw XCTSkip("no AVX-512 on this CPU") }
        let shapes: [(N: Int, K: Int, O: Int)] = [(1, 1, 1), (2, 15, 7), (3, 16, 8), (4, 17, 9), (5, 33, 16), (7, 100, 10),
                                                  (64, 784, 300), (11, 300, 100), (6, 48, 23)]
        for (index, s) in shapes.enumerated() {
            let xt = randomTensor([s.N, s.K], seed: UInt64(index) + 1), wt = randomTensor([s.O, s.K], seed: UInt64(index) + 50)
            let bt = randomTensor([s.O], seed: UInt64(index) + 99)
            let (x, w, b) = (xt.scalars, wt.scalars, bt.scalars)
            for (useBias, relu) in [(true, false), (false, false), (true, true)] {
                var y = [Float](repeating: .nan, count: s.N * s.O)
                y.withUnsafeMutableBufferPointer { linearForwardKernel(xt, wt, useBias ? bt : nil, $0.baseAddress!, relu: relu) }
                for n in 0..<s.N {
                    for o in 0..<s.O {
                        var total = useBias ? Double(b[o]) : 0
                        for k in 0..<s.K { total += Double(x[n * s.K + k]) * Double(w[o * s.K + k]) }
                        if relu { total = max(total, 0) }
                        XCTAssertEqual(Double(y[n * s.O + o]), total, accuracy: 1e-5 * max(1, Double(s.K).squareRoot()),
                                       "\(s) bias \(useBias) relu \(relu) at [\(n), \(o)]")
                    }
                }
            }
        }
    }

    func testLinearAgreesWithTheSgemmPath() throws {
        guard ConvolutionKernels.cpuSupportsDirect else { throw XCTSkip("no AVX-512 on this CPU") }
        let saved = ConvolutionKernels.algorithm
        defer { ConvolutionKernels.algorithm = saved }
        let input = Variable(randomTensor([37, 130], seed: 1)), weight = Variable(randomTensor([45, 130], seed: 2))
        let bias = Variable(randomTensor([45], seed: 3))
        ConvolutionKernels.algorithm = .reference
        let reference = try linear(input, weight: weight, bias: bias).value
        ConvolutionKernels.algorithm = .automatic
        let fast = try linear(input, weight: weight, bias: bias).value
        assertClose(fast, reference.scalars, shape: reference.shape, relative: 1e-5, absolute: 1e-5, "linear")
    }
}
