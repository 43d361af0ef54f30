import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// `conv2d(..., columns:)`: W ⊙ M with M the kept im2col columns. The direct kernels multiply only the kept columns
/// (`pk_conv_forward_columns`, `pk_conv_weight_gradient_columns`); they must equal the im2col reference on the masked
/// weight, give exactly zero gradient to pruned columns, pass a central-difference check, and agree with the
/// inference path (batch norm folded, packed kept columns).
final class ColumnSparseConvolutionTests: XCTestCase {
    struct Case {
        var input: [Int], weight: [Int], padding: Int, stride = 1, keep: Float
    }

    static let cases: [Case] = [
        Case(input: [3, 16, 16, 16], weight: [16, 16, 3, 3], padding: 1, keep: 0.5),
        Case(input: [2, 32, 8, 8], weight: [32, 32, 3, 3], padding: 1, keep: 0.25),
        Case(input: [2, 11, 9, 7], weight: [22, 11, 3, 3], padding: 1, keep: 0.6),   // ragged widths
        Case(input: [3, 16, 16, 16], weight: [32, 16, 3, 3], padding: 1, stride: 2, keep: 0.5),  // phase planes
        Case(input: [2, 20, 12, 12], weight: [50, 20, 5, 5], padding: 0, keep: 0.4),  // LeNet conv2: column phases
        Case(input: [2, 6, 10, 8], weight: [7, 6, 5, 5], padding: 1, keep: 0.5),     // rows at the input's pitch
        Case(input: [2, 24, 9, 9], weight: [40, 24, 1, 1], padding: 0, keep: 0.3),   // 1x1
    ]

    /// Random kept columns (about `keep` of them, at least one), with input channel 0 pruned at every tap and tap 0
    /// pruned for every channel, so that a whole channel and a whole tap vanish.
    static func columns(for c: Case, seed: UInt64) throws -> ConvolutionColumns {
        var generator = SplitMix64(seed: seed)
        let (channels, area) = (c.weight[1], c.weight[2] * c.weight[3])
        var kept = (0..<(channels * area)).filter { column in
            Float(generator.next() % 1000) / 1000 < c.keep && column / area != 0 && (area == 1 || column % area != 0)
        }
        if kept.isEmpty { kept = [channels * area - 1] }
        return try ConvolutionColumns(kept: kept, channels: channels, kernelArea: area)
    }

    func testDirectColumnsMatchMaskedReference() throws {
        guard ConvolutionKernels.cpuSupportsDirect else { throw XCTSkip("no AVX-512 on this CPU") }
        for (index, c) in Self.cases.enumerated() {
            let columns = try Self.columns(for: c, seed: UInt64(index) + 10)
            let geometry = try conv2dGeometry(c.input, c.weight, nil, stride: c.stride, padding: c.padding)
            XCTAssertNotNil(ConvolutionTapPlan(geometry, columns: columns)?.columns, "case \(index) should run the column kernels")
            let reference = try run(c, columns: columns, .reference), direct = try run(c, columns: columns, .automatic)
            for (name, (r, d)) in zip(["output", "input gradient", "weight gradient"], zip(reference, direct)) {
                assertClose(d, r.scalars, shape: r.shape, relative: 1e-4, absolute: 1e-4 * max(r.maxAbsolute(), 1), "case \(index) \(name)")
            }
            for algorithmResult in [reference, direct] {
                let gradient = algorithmResult[2], keep = Set(columns.kept)
                gradient.withUnsafeBufferPointer { g in
                    for index in g.indices where !keep.contains(index % columns.columnCount) {
                        XCTAssertEqual(g[index], 0, "pruned column \(index % columns.columnCount) has a gradient")
                    }
                }
            }
        }
    }

    func testColumnsGradientCheck() throws {
        let c = Case(input: [2, 5, 6, 6], weight: [9, 5, 3, 3], padding: 1, keep: 0.5)
        let strided = Case(input: [2, 4, 6, 6], weight: [6, 4, 3, 3], padding: 1, stride: 2, keep: 0.5)
        try forEachConvolutionAlgorithm { algorithm in
            for (index, c) in [c, strided].enumerated() {
                let columns = try Self.columns(for: c, seed: 3)
                try checkGradients("conv2d columns \(algorithm) case \(index)",
                                   inputs: [randomTensor(c.input, seed: 1), randomTensor(c.weight, seed: 2)]) { v in
                    try conv2d(v[0], weight: v[1], bias: nil, stride: c.stride, padding: c.padding, columns: columns)
                }
            }
        }
    }

    func testInferencePathMatchesTrainingForward() throws {
        for (index, c) in Self.cases.enumerated() {
            let columns = try Self.columns(for: c, seed: UInt64(index) + 20)
            let x = Variable(randomTensor(c.input, seed: 5)), w = Variable(randomTensor(c.weight, seed: 6))
            let bias = randomTensor([c.weight[0]], seed: 7)
            let trained = try conv2d(x, weight: w, bias: Variable(bias), stride: c.stride, padding: c.padding, columns: columns)
            let inferred = try GradientMode.withoutGradients {
                try conv2dInference(x, weight: w.value, bias: bias, stride: c.stride, padding: c.padding, batchNorm: nil,
                                    residual: nil, relu: false, columns: columns)
            }
            assertClose(inferred.value, trained.value.scalars, relative: 1e-4, absolute: 1e-4, "case \(index)")
        }
    }

    func testKeepingChannelsRenumbersColumns() throws {
        let columns = try ConvolutionColumns(kept: [1, 4, 9, 13, 20], channels: 3, kernelArea: 9)
        let kept = try columns.keepingChannels([0, 2])
        XCTAssertEqual(kept.kept, [1, 4, 11])
        XCTAssertEqual(kept.channels, 2)
        XCTAssertEqual(columns.keptChannels(atTap: 4), [0, 1])
        XCTAssertThrowsError(try ConvolutionColumns(kept: [3, 2], channels: 1, kernelArea: 9))
    }

    /// Output, dx and dW of sum(r * conv(x)) with `algorithm`.
    private func run(_ c: Case, columns: ConvolutionColumns, _ algorithm: ConvolutionKernels.Algorithm) throws -> [Tensor] {
        let previous = ConvolutionKernels.algorithm
        defer { ConvolutionKernels.algorithm = previous }
        ConvolutionKernels.algorithm = algorithm
        let x = Variable(randomTensor(c.input, seed: 1), requiresGradient: true)
        let w = Variable(randomTensor(c.weight, seed: 2), requiresGradient: true)
        let y = try conv2d(x, weight: w, bias: nil, stride: c.stride, padding: c.padding, columns: columns)
        try y.backward(seed: randomTensor(y.shape, seed: 4))
        return [y.value, x.gradient!, w.gradient!]
    }
}
