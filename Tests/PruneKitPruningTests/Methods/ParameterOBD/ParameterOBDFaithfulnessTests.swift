import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitTraining
@testable import PruneKitPruning
import PruneKitTestSupport

/// eigendamage.md "Tests that show the implementation is faithful" for the parameter-coordinate baselines: test 8
/// (Kron-OBD and Kron-OBS on an exact Kronecker quadratic), test 1's identity-factor reduction, and C-OBD's diagonal Fisher against
/// brute-force per-sample gradients.
final class ParameterOBDFaithfulnessTests: XCTestCase {
    private func identity(_ n: Int) -> [Double] { (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 } }

    /// L(W) = ½ tr(S ΔW A ΔW^T) for row-major [2, 2] matrices.
    private func kroneckerLoss(_ delta: [Double], s: [Double], a: [Double]) -> Double {
        var total = 0.0
        for i in 0..<2 { for j in 0..<2 { for k in 0..<2 { for l in 0..<2 {
            total += s[i * 2 + j] * delta[j * 2 + k] * a[k * 2 + l] * delta[i * 2 + l]
        } } } }
        return 0.5 * total
    }

    /// 8. S = [[2, 1], [1, 2]], A = I, W0 row 1 = (1, 1): zeroing row 1 costs exactly ½ S_11 w_1^T A w_1 = 2.0 on the
    /// quadratic, and Kron-OBD's damage says 2.0 (row 2 = (0.5, -1): ½ · 2 · 1.25 = 1.25).
    func testKroneckerOBDDamageOnAnExactKroneckerQuadratic() throws {
        var curvature = FilterCurvature(inputSize: 2, outputSize: 2)
        (curvature.factors.input, curvature.factors.output) = (identity(2), [2, 1, 1, 2])
        let weights = [1.0, 1, 0.5, -1]
        let damage = try FilterDamage.kroneckerOutputDiagonal(weights: weights, curvature: curvature, form: .paper)
        XCTAssertEqual(damage[0], 2.0, accuracy: 1e-12)
        XCTAssertEqual(damage[1], 1.25, accuracy: 1e-12)
        XCTAssertEqual(kroneckerLoss([-1, -1, 0, 0], s: curvature.factors.output, a: curvature.factors.input), 2.0, accuracy: 1e-12, "row 1 zeroed")
        XCTAssertEqual(kroneckerLoss([0, 0, -0.5, 1], s: curvature.factors.output, a: curvature.factors.input), 1.25, accuracy: 1e-12, "row 2 zeroed")
        // The code's form drops the ½ and squares before A's row sums: with A = I it is S_ii ||w_i||^2.
        let code = try FilterDamage.kroneckerOutputDiagonal(weights: weights, curvature: curvature, form: .officialCode)
        XCTAssertEqual(code, [4.0, 2.5])
    }

    /// 8 (Kron-OBS). The same quadratic: the OBS update ΔW = -S^-1 e_1 w_1^T / [S^-1]_11 zeroes row 1 exactly and costs
    /// ½ w_1^T A w_1 / [S^-1]_11 = 1.5 < 2.0, which is Kron-OBS's damage; on a 1x1 conv with a bias the update moves
    /// row 2 (weight, bias) = (0.5, -1) to (1, -0.5).
    func testKroneckerOBSSurgeryOnAnExactKroneckerQuadratic() throws {
        var curvature = FilterCurvature(inputSize: 2, outputSize: 2)
        (curvature.factors.input, curvature.factors.output) = (identity(2), [2, 1, 1, 2])
        let inverse = try KroneckerOBSUpdate.inverse(curvature.factors.output, size: 2)
        for (found, expected) in zip(inverse, [2.0 / 3, -1.0 / 3, -1.0 / 3, 2.0 / 3]) { XCTAssertEqual(found, expected, accuracy: 1e-8) }
        let weights = [1.0, 1, 0.5, -1]
        let damage = try FilterDamage.kroneckerOBS(weights: weights, curvature: curvature, inverseOutput: inverse, form: .paper)
        XCTAssertEqual(damage[0], 1.5, accuracy: 1e-8)
        let updated = try KroneckerOBSUpdate.updated(weights, filters: 2, removedRows: [0], inverseOutput: inverse)
        XCTAssertEqual(updated[0], 0, accuracy: 1e-12)
        XCTAssertEqual(updated[1], 0, accuracy: 1e-12)
        let loss = kroneckerLoss(zip(updated, weights).map { $0 - $1 }, s: curvature.factors.output, a: curvature.factors.input)
        XCTAssertEqual(loss, 1.5, accuracy: 1e-8)
        XCTAssertLessThan(loss, try FilterDamage.kroneckerOutputDiagonal(weights: weights, curvature: curvature, form: .paper)[0])
        let conv = Conv2d(name: "conv", weight: try Tensor(shape: [2, 1, 1, 1], scalars: [1, 0.5]), bias: try Tensor(shape: [2], scalars: [1, -1]))
        try KroneckerOBSUpdate.apply(to: conv) { try KroneckerOBSUpdate.updated($0, filters: 2, removedRows: [0], inverseOutput: inverse) }
        assertClose(conv.weight.value, [0, 1], relative: 1e-6, absolute: 1e-6)
        assertClose(conv.bias!.value, [0, -0.5], relative: 1e-6, absolute: 1e-6)
    }

    /// C-OBS on the same quadratic: with A = I its update W - S^-1 C A^-1 is Kron-OBS's (row 1 exactly 0, loss 1.5) and
    /// its damage is sum_j W_1j^2 / [S^-1]_11 = 3 (no ½); with A = diag(1, 4) the damage divides column j by [A^-1]_jj.
    func testInverseDiagonalOBSReducesToKroneckerOBSWithIdentityInput() throws {
        let s = [2.0, 1, 1, 2], weights = [1.0, 1, 0.5, -1]
        var curvature = FilterCurvature(inputSize: 2, outputSize: 2)
        (curvature.factors.input, curvature.factors.output) = (identity(2), s)
        let inverse = try KroneckerOBSUpdate.inverse(s, size: 2), inputInverse = try KroneckerOBSUpdate.inverse(identity(2), size: 2)
        let twoSided = try KroneckerOBSUpdate.updated(weights, filters: 2, removedRows: [0], inverseOutput: inverse, inverseInput: inputInverse)
        let oneSided = try KroneckerOBSUpdate.updated(weights, filters: 2, removedRows: [0], inverseOutput: inverse)
        for (a, b) in zip(twoSided, oneSided) { XCTAssertEqual(a, b, accuracy: 1e-8) }
        XCTAssertEqual(kroneckerLoss(zip(twoSided, weights).map { $0 - $1 }, s: s, a: identity(2)), 1.5, accuracy: 1e-8)
        let damage = try FilterDamage.kroneckerInverseDiagonal(weights: weights, curvature: curvature, inverseOutput: inverse, inverseInput: inputInverse)
        XCTAssertEqual(damage[0], 3, accuracy: 1e-8)
        curvature.factors.input = [1, 0, 0, 4]
        let scaled = try FilterDamage.kroneckerInverseDiagonal(weights: weights, curvature: curvature, inverseOutput: inverse,
                                                               inverseInput: try KroneckerOBSUpdate.inverse([1, 0, 0, 4], size: 2))
        XCTAssertEqual(scaled[0], (1 + 4) / (2.0 / 3), accuracy: 1e-7)
    }

    /// The code form differs from the paper's when A has off-diagonal terms: A = [[1, 1], [1, 1]], w = (1, -1):
    /// w^T A w = 0 but sum_k w_k^2 sum_j A_kj = 4.
    func testCodeFormSquaresBeforeMultiplyingByA() throws {
        var curvature = FilterCurvature(inputSize: 2, outputSize: 1)
        (curvature.factors.input, curvature.factors.output) = ([1, 1, 1, 1], [3])
        XCTAssertEqual(try FilterDamage.kroneckerOutputDiagonal(weights: [1, -1], curvature: curvature, form: .paper), [0])
        XCTAssertEqual(try FilterDamage.kroneckerOutputDiagonal(weights: [1, -1], curvature: curvature, form: .officialCode), [12])
    }

    /// 1. Identity factors: Kron-OBD is ½ the squared row norm (the code form the squared row norm).
    func testIdentityFactorsReduceToHalfSquaredRowNorm() throws {
        let weight = randomTensor([4, 3, 3, 3], seed: 11), conv = Conv2d(name: "conv", weight: weight, bias: nil, padding: 1)
        var curvature = FilterCurvature(convolution: conv)
        (curvature.factors.input, curvature.factors.output) = (identity(27), identity(4))
        let rows = FilterDamage.rows(of: conv)
        let paper = try FilterDamage.kroneckerOutputDiagonal(weights: rows, curvature: curvature, form: .paper)
        let code = try FilterDamage.kroneckerOutputDiagonal(weights: rows, curvature: curvature, form: .officialCode)
        for i in 0..<4 {
            let norm = (0..<27).reduce(0.0) { $0 + pow(Double(weight.scalars[i * 27 + $1]), 2) }
            XCTAssertEqual(paper[i], 0.5 * norm, accuracy: 1e-9 * norm)
            XCTAssertEqual(code[i], norm, accuracy: 1e-9 * norm)
        }
    }

    /// Brute force: per-sample gradient N sum_p g_n(p) x̃_n(p)^T by explicit loops over positions and taps (no im2col,
    /// no sgemm), squared and summed over samples; im2col A as sum x̃ x̃^T / (N P^2); S as N P sum g g^T.
    private func assertMatchesBruteForce(images n: Int, channels c: Int, side h: Int, outputs oc: Int, kernel k: Int, stride: Int,
                                         padding: Int, bias: Bool, file: StaticString = #filePath, line: UInt = #line) throws {
        let conv = Conv2d(name: "conv", weight: randomTensor([oc, c, k, k], seed: 5), bias: bias ? randomTensor([oc], seed: 6) : nil,
                          stride: stride, padding: padding)
        let out = (h + 2 * padding - k) / stride + 1, positions = out * out
        let input = randomTensor([n, c, h, h], seed: 7), gradient = randomTensor([n, oc, out, out], seed: 8)
        var curvature = FilterCurvature(convolution: conv)
        try curvature.accumulate(input: input, outputGradient: gradient, convolution: conv)
        let (x, g, d) = (input.scalars, gradient.scalars, curvature.inputSize)
        var fisher = [Double](repeating: 0, count: oc * d), a = [Double](repeating: 0, count: d * d)
        for image in 0..<n {
            var perSample = [Double](repeating: 0, count: oc * d)
            for oy in 0..<out { for ox in 0..<out {
                var column = [Double]()
                for ch in 0..<c { for ky in 0..<k { for kx in 0..<k {
                    let (iy, ix) = (oy * stride - padding + ky, ox * stride - padding + kx)
                    column.append(iy >= 0 && iy < h && ix >= 0 && ix < h ? Double(x[((image * c + ch) * h + iy) * h + ix]) : 0)
                } } }
                if bias { column.append(1) }
                for p in 0..<d { for q in 0..<d { a[p * d + q] += column[p] * column[q] } }
                for o in 0..<oc {
                    let value = Double(n) * Double(g[(image * oc + o) * positions + oy * out + ox])
                    for j in 0..<d { perSample[o * d + j] += value * column[j] }
                }
            } }
            for index in fisher.indices { fisher[index] += perSample[index] * perSample[index] }
        }
        let scale = 1 / (Double(n) * Double(positions * positions))
        for (found, expected) in zip(curvature.diagonal, fisher) {
            XCTAssertEqual(found, expected, accuracy: 1e-5 * abs(expected) + 1e-9, "diagonal Fisher", file: file, line: line)
        }
        for (found, expected) in zip(curvature.factors.input, a.map { $0 * scale }) {
            XCTAssertEqual(found, expected, accuracy: 1e-5 * abs(expected) + 1e-9, "im2col A", file: file, line: line)
        }
        for o in 0..<oc { for q in 0..<oc {
            let expected = (0..<n).reduce(0.0) { total, image in
                total + (0..<positions).reduce(0.0) { $0 + Double(g[(image * oc + o) * positions + $1]) * Double(g[(image * oc + q) * positions + $1]) }
            } * Double(n * positions)
            XCTAssertEqual(curvature.factors.output[o * oc + q], expected, accuracy: 1e-5 * abs(expected) + 1e-9, "S", file: file, line: line)
        } }
        XCTAssertEqual(curvature.factors.batches, 1, file: file, line: line)
    }

    /// A tiny linear layer (a 1x1 conv on 1x1 inputs, with its bias column) and a tiny 3x3 stride-2 padded conv.
    func testDiagonalFisherAndImToColumnFactorMatchBruteForce() throws {
        try assertMatchesBruteForce(images: 5, channels: 4, side: 1, outputs: 3, kernel: 1, stride: 1, padding: 0, bias: true)
        try assertMatchesBruteForce(images: 3, channels: 2, side: 5, outputs: 4, kernel: 3, stride: 2, padding: 1, bias: false)
    }

    /// Through the real pass: on a ResNet-8 in evaluation mode with the data's labels, F of a conv equals the squares of
    /// the per-image weight gradients from autodiff (one image forwarded at a time), summed; C-OBD's scores follow.
    func testCollectedDiagonalFisherEqualsPerImageAutodiffGradients() throws {
        let spec = ModelSpec.resNet(depth: 8, shortcut: .projection), model = try Model(spec: spec, seed: 2)
        let count = 4, labels = NetworkFixtures.labels(count: count, classes: 10, seed: 3)
        let singles = (0..<count).map { NetworkFixtures.images(for: spec, count: 1, seed: UInt64(20 + $0)) }
        let batch = try Tensor(shape: [count] + Array(singles[0].shape.dropFirst()), scalars: singles.flatMap(\.scalars))
        let name = "layer1.0.conv2", conv = model.namedLayers[name] as! Conv2d
        let collector = FilterCurvatureCollector(layers: [(name, conv)])
        try collector.collect(model: model, batches: TensorBatches([(batch, labels)]), batchLimit: nil, labels: .empirical, seed: 0)
        var expected = [Double](repeating: 0, count: conv.weight.value.count)
        for (image, label) in zip(singles, labels) {
            model.zeroGradients()
            try softmaxCrossEntropy(try model(Variable(image), ForwardContext(training: false)), labels: [label]).backward()
            for (index, value) in conv.weight.gradient!.scalars.enumerated() { expected[index] += Double(value) * Double(value) }
        }
        model.zeroGradients()
        let found = collector.curvatures[name]!.averaged.diagonal
        let largest = expected.max()!
        for (f, e) in zip(found, expected) { XCTAssertEqual(f, e, accuracy: 1e-4 * abs(e) + 1e-6 * largest) }
        let rows = FilterDamage.rows(of: conv), scores = try FilterDamage.diagonalFisher(weights: rows, curvature: collector.curvatures[name]!)
        let width = rows.count / conv.outputChannels
        for i in 0..<conv.outputChannels {
            let manual = (0..<width).reduce(0.0) { $0 + rows[i * width + $1] * rows[i * width + $1] * expected[i * width + $1] }
            XCTAssertEqual(scores[i], manual, accuracy: 1e-4 * manual + 1e-9)
        }
    }
}
