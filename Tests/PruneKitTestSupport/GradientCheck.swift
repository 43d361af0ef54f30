import XCTest
import PruneKitCore

/// Central-difference gradient check (tinygrad extra/gradcheck.py; S4TF testConv2DGradient).
///
/// L(x) = sum(r * f(x)) with a fixed random projection r. The analytic gradient comes from
/// `backward(seed: r)`; the numerical one from (L(x + eps e_i) - L(x - eps e_i)) / (2 eps) for up to
/// `sampleLimit` elements of each input, with L accumulated in Double. An element passes when
/// |analytic - numerical| <= absolute + relative * max(|analytic|, |numerical|).
package func checkGradients(_ label: String, inputs: [Tensor], sampleLimit: Int = 48, epsilon: Float = 1e-2,
                    relative: Float = 2e-2, absolute: Float = 2e-3, file: StaticString = #filePath, line: UInt = #line,
                    _ function: @escaping ([Variable]) throws -> Variable) throws {
    let variables = inputs.map { Variable($0, requiresGradient: true) }
    let output = try function(variables)
    let projection = randomTensor(output.shape, seed: 99)
    try output.backward(seed: projection)
    func loss(_ tensors: [Tensor]) throws -> Double {
        let y = try GradientMode.withoutGradients { try function(tensors.map { Variable($0) }) }
        return zip(y.value.scalars, projection.scalars).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }
    var failures = 0
    for (index, input) in inputs.enumerated() {
        guard let analytic = variables[index].gradient else {
            XCTFail("\(label): input \(index) received no gradient", file: file, line: line); return
        }
        XCTAssertEqual(analytic.shape, input.shape, "\(label): gradient shape of input \(index)", file: file, line: line)
        let step = max(1, input.count / sampleLimit)
        for element in stride(from: 0, to: input.count, by: step) {
            var plus = inputs, minus = inputs
            plus[index][flat: element] += epsilon
            minus[index][flat: element] -= epsilon
            let numerical = Float((try loss(plus) - loss(minus)) / Double(2 * epsilon))
            let a = analytic[flat: element]
            if abs(a - numerical) > absolute + relative * max(abs(a), abs(numerical)) {
                failures += 1
                if failures <= 3 {
                    XCTFail("\(label): input \(index) element \(element): analytic \(a) vs numerical \(numerical)", file: file, line: line)
                }
            }
        }
    }
}

/// Runs `body` once with the im2col + sgemm reference convolution and, when the CPU has AVX-512, once with
/// the direct kernels (`ConvolutionKernels.algorithm = .automatic`), restoring the setting afterwards.
package func forEachConvolutionAlgorithm(_ body: (ConvolutionKernels.Algorithm) throws -> Void) rethrows {
    let previous = ConvolutionKernels.algorithm
    defer { ConvolutionKernels.algorithm = previous }
    var algorithms: [ConvolutionKernels.Algorithm] = [.reference]
    if ConvolutionKernels.cpuSupportsDirect { algorithms.append(.automatic) }
    for algorithm in algorithms {
        ConvolutionKernels.algorithm = algorithm
        try body(algorithm)
    }
}
