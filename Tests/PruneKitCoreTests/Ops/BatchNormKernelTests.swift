import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// The SIMD, channel-parallel batch norm against `batchNormReference` (plain loops), and the fused
/// `batchNormReLU` against its composition relu(batchNorm(x) + residual), on shapes with SIMD bodies and
/// scalar tails, in training and evaluation: outputs, every gradient, and the running statistics.
final class BatchNormKernelTests: XCTestCase {
    static let shapes: [[Int]] = [[4, 16, 8, 8], [3, 11, 5, 7], [16, 45], [2, 5, 1, 1]]

    func testBatchNormMatchesReference() throws {
        for shape in Self.shapes {
            for training in [true, false] {
                let fast = try run(shape, training: training, residual: false) { x, g, b, s, _ in
                    try batchNorm(x, scale: g, shift: b, statistics: s, training: training)
                }
                let reference = try run(shape, training: training, residual: false) { x, g, b, s, _ in
                    try batchNormReference(x, scale: g, shift: b, statistics: s, training: training)
                }
                compare(fast, reference, "batchNorm \(shape) training \(training)")
            }
        }
    }

    func testBatchNormReLUMatchesComposition() throws {
        for shape in Self.shapes {
            for (training, withResidual) in [(true, true), (true, false), (false, true)] {
                let fused = try run(shape, training: training, residual: withResidual) { x, g, b, s, r in
                    try batchNormReLU(x, scale: g, shift: b, statistics: s, training: training, residual: r)
                }
                let composed = try run(shape, training: training, residual: withResidual) { x, g, b, s, r in
                    let normalized = try batchNormReference(x, scale: g, shift: b, statistics: s, training: training)
                    return relu(try r.map { try add(normalized, $0) } ?? normalized)
                }
                compare(fused, composed, "batchNormReLU \(shape) training \(training) residual \(withResidual)")
            }
        }
    }

    func testStatisticsOfLargeMeanStayAccurate() throws {
        // |mean| = 1000 x std: naive E[x^2] - E[x]^2 in Float loses every digit of the variance.
        let x = Variable(randomTensor([8, 2, 16, 16], seed: 3).map { 1000 + $0 })
        let statistics = BatchNormStatistics(channels: 2)
        _ = try batchNorm(x, scale: Variable(Tensor(repeating: 1, shape: [2])), shift: Variable(Tensor(zeros: [2])),
                          statistics: statistics, training: true, momentum: 1)
        let reference = BatchNormStatistics(channels: 2)
        _ = try batchNormReference(x, scale: Variable(Tensor(repeating: 1, shape: [2])), shift: Variable(Tensor(zeros: [2])),
                                   statistics: reference, training: true, momentum: 1)
        assertClose(statistics.runningVariance, reference.runningVariance.scalars, relative: 1e-3, absolute: 1e-4)
        assertClose(statistics.runningMean, reference.runningMean.scalars, relative: 1e-6, absolute: 1e-4)
    }

    private typealias Op = (Variable, Variable, Variable, BatchNormStatistics, Variable?) throws -> Variable

    /// [output, dx, dgamma, dbeta, dresidual, running mean, running variance] for seeded inputs.
    private func run(_ shape: [Int], training: Bool, residual: Bool, _ op: Op) throws -> [Tensor] {
        let channels = shape[1]
        let x = Variable(randomTensor(shape, seed: 1).map { 2 * $0 + 0.5 }, requiresGradient: true)
        let gamma = Variable(randomTensor([channels], seed: 2), requiresGradient: true)
        let beta = Variable(randomTensor([channels], seed: 3), requiresGradient: true)
        let r = residual ? Variable(randomTensor(shape, seed: 4), requiresGradient: true) : nil
        let statistics = BatchNormStatistics(channels: channels)
        statistics.runningVariance = Tensor(repeating: 1.5, shape: [channels])
        let y = try op(x, gamma, beta, statistics, r)
        try y.backward(seed: randomTensor(shape, seed: 5))
        return [y.value, x.gradient!, gamma.gradient!, beta.gradient!, r?.gradient ?? Tensor(zeros: [1]),
                statistics.runningMean, statistics.runningVariance]
    }

    private func compare(_ actual: [Tensor], _ expected: [Tensor], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let names = ["output", "dx", "dgamma", "dbeta", "dresidual", "running mean", "running variance"]
        for (name, (a, e)) in zip(names, zip(actual, expected)) {
            assertClose(a, e.scalars, shape: e.shape, relative: 1e-4, absolute: 1e-4 * max(e.maxAbsolute(), 1),
                        "\(label) \(name)", file: file, line: line)
        }
    }
}
