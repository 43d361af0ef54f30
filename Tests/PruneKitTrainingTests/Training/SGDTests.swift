import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

/// SGD against PyTorch's update rule, computed by hand:
/// torch.optim.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=...) with w0 = [1, -2] and
/// the constant gradient [0.5, 0.25]:
///   step 1: d = g + 0.01 w0 = [0.51, 0.23]; v = d; plain: w1 = w0 - 0.1 v = [0.949, -2.023]
///   step 2: d = g + 0.01 w1 = [0.50949, 0.22977]; v = 0.9 v + d = [0.96849, 0.43677]; w2 = w1 - 0.1 v = [0.852151, -2.066677]
///   Nesterov step 1: w1 = w0 - 0.1 (d + 0.9 d) = [0.9031, -2.0437]
final class SGDTests: XCTestCase {
    private func run(nesterov: Bool, steps: Int) throws -> [Float] {
        let w = Variable(parameter: try Tensor(shape: [2], scalars: [1, -2]), name: "w")
        let optimizer = try SGD(learningRate: 0.1, momentum: 0.9, nesterov: nesterov, weightDecay: 0.01)
        for _ in 0..<steps {
            w.gradient = try Tensor(shape: [2], scalars: [0.5, 0.25])
            optimizer.step([w])
        }
        return w.value.scalars
    }

    func testMomentumMatchesPyTorch() throws {
        assertClose(try Tensor(shape: [2], scalars: run(nesterov: false, steps: 1)), [0.949, -2.023], relative: 1e-6)
        assertClose(try Tensor(shape: [2], scalars: run(nesterov: false, steps: 2)), [0.852151, -2.066677], relative: 1e-6)
        assertClose(try Tensor(shape: [2], scalars: run(nesterov: true, steps: 1)), [0.9031, -2.0437], relative: 1e-6)
    }

    func testVectorisedUpdateMatchesTheRuleOnLongTensors() throws {
        // 37 elements: two SIMD16 blocks and a scalar tail; three steps with varying gradients, in Double by hand.
        for (momentum, nesterov) in [(Float(0), false), (0.9, false), (0.9, true)] {
            let w0 = randomTensor([37], seed: 1)
            let w = Variable(parameter: w0, name: "w")
            let optimizer = try SGD(learningRate: 0.05, momentum: momentum, nesterov: nesterov, weightDecay: 0.01)
            var expected = w0.scalars.map(Double.init), velocity = [Double](repeating: 0, count: 37)
            for step in 0..<3 {
                let gradient = randomTensor([37], seed: UInt64(10 + step))
                w.gradient = gradient
                optimizer.step([w])
                for i in 0..<37 {
                    let d = Double(gradient[flat: i]) + 0.01 * expected[i]
                    velocity[i] = step == 0 ? d : Double(momentum) * velocity[i] + d
                    let direction = momentum == 0 ? d : (nesterov ? d + Double(momentum) * velocity[i] : velocity[i])
                    expected[i] -= 0.05 * direction
                }
            }
            assertClose(w.value, expected.map(Float.init), relative: 1e-5, absolute: 1e-6, "momentum \(momentum) nesterov \(nesterov)")
        }
    }

    func testThreadedUpdateEqualsSerialUpdate() throws {
        // 300,001 elements: split across 3 workers (chunks of >= 131,072), each with a SIMD body and a tail.
        let previous = Parallel.threadCount
        defer { Parallel.threadCount = previous }
        var results: [[Float]] = []
        for threads in [1, 3] {
            Parallel.threadCount = threads
            let w = Variable(parameter: randomTensor([300_001], seed: 5), name: "w")
            let optimizer = try SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01)
            for step in 0..<2 {
                w.gradient = randomTensor([300_001], seed: UInt64(20 + step))
                optimizer.step([w])
            }
            results.append(w.value.scalars)
        }
        XCTAssertEqual(results[0], results[1])
    }

    func testRejectsBadHyperparameters() {
        assertThrowsPruneKitError(["SGD", "lr -1"]) { _ = try SGD(learningRate: -1) }
        assertThrowsPruneKitError(["SGD", "nesterov true"]) { _ = try SGD(learningRate: 0.1, nesterov: true) }
    }
}
