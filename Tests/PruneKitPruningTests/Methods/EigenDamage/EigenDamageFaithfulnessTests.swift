import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitPruning
import PruneKitTestSupport

/// eigendamage.md "Tests that show the implementation is faithful", with its numbers.
final class EigenDamageFaithfulnessTests: XCTestCase {
    private func identity(_ n: Int) -> [Double] { (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 } }

    /// 1. Identity factors: W' = W and the importances are squared-norm OBD on columns and rows.
    func testIdentityFactorsReduceToSquaredNormOBD() throws {
        let weight = randomTensor([4, 3, 3, 3], seed: 11), w = weight.scalars.map(Double.init)
        let basis = KroneckerEigenbasis(inputValues: [1, 1, 1], inputBasis: identity(3), outputValues: [1, 1, 1, 1], outputBasis: identity(4))
        let importance = try EigenbasisImportance(weight: weight, basis: basis)
        for j in 0..<3 {
            let expected = (0..<4).reduce(0.0) { total, i in total + (0..<9).reduce(0.0) { $0 + pow(w[(i * 3 + j) * 9 + $1], 2) } }
            XCTAssertEqual(importance.input[j], expected, accuracy: 1e-9 * expected)
        }
        for i in 0..<4 {
            let expected = (0..<27).reduce(0.0) { $0 + pow(w[i * 27 + $1], 2) }
            XCTAssertEqual(importance.output[i], expected, accuracy: 1e-9 * expected)
        }
    }

    /// 2. Diagonal factors A = diag(1, 4), S = diag(2, 3), W = [[1, 2], [3, 4]]: D = [[2, 32], [27, 192]],
    /// I_in = (29, 224), I_out = (34, 219) (the code's convention, without ½).
    func testDiagonalFactorsGiveTheSpecNumbers() throws {
        var factors = KroneckerFactors(inputSize: 2, outputSize: 2)
        (factors.input, factors.output) = ([1, 0, 0, 4], [2, 0, 0, 3])
        let basis = try KroneckerEigenbasis(factors: factors, inputChannels: 2)
        XCTAssertEqual(basis.inputValues, [1, 4])
        XCTAssertEqual(basis.outputValues, [2, 3])
        let importance = try EigenbasisImportance(weight: try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), basis: basis)
        for (found, expected) in zip(importance.damage, [2.0, 32, 27, 192]) { XCTAssertEqual(found, expected, accuracy: 1e-9) }
        for (found, expected) in zip(importance.input, [29.0, 224]) { XCTAssertEqual(found, expected, accuracy: 1e-9) }
        for (found, expected) in zip(importance.output, [34.0, 219]) { XCTAssertEqual(found, expected, accuracy: 1e-9) }
    }

    /// 4. Patch-mode A against brute force over (image, position, offset) rows with the bias column and the stated
    /// scaling; S against N P sum g g^T; both symmetric PSD.
    func testFactorsMatchBruteForce() throws {
        let (n, c, h, k, stride, padding) = (2, 3, 5, 3, 2, 1), input = randomTensor([n, c, h, h], seed: 3), x = input.scalars
        var factor = [Double](repeating: 0, count: (c + 1) * (c + 1))
        try PatchCovariance.accumulate(input, kernelSize: k, stride: stride, padding: padding, includesBias: true, into: &factor)
        let out = (h + 2 * padding - k) / stride + 1, positions = Double(out * out)
        var expected = [Double](repeating: 0, count: (c + 1) * (c + 1))
        for image in 0..<n { for oy in 0..<out { for ox in 0..<out { for ky in 0..<k { for kx in 0..<k {
            let (iy, ix) = (oy * stride - padding + ky, ox * stride - padding + kx)
            var row = (0..<c).map { ch in (iy >= 0 && iy < h && ix >= 0 && ix < h) ? Double(x[((image * c + ch) * h + iy) * h + ix]) : 0 }
            row.append(1 / Double(k * k))
            for a in 0...c { for b in 0...c { expected[a * (c + 1) + b] += row[a] * row[b] } }
        } } } } }
        let scale = 1 / (Double(n * k * k) * positions * positions)
        for (found, value) in zip(factor, expected) { XCTAssertEqual(found, value * scale, accuracy: 1e-6 * abs(value * scale) + 1e-12) }
        let gradient = randomTensor([n, 4, out, out], seed: 4), g = gradient.scalars
        var s = [Double](repeating: 0, count: 16)
        try OutputGradientCovariance.accumulate(gradient, into: &s)
        for a in 0..<4 { for b in 0..<4 {
            var total = 0.0
            for image in 0..<n { for p in 0..<(out * out) { total += Double(g[(image * 4 + a) * out * out + p]) * Double(g[(image * 4 + b) * out * out + p]) } }
            XCTAssertEqual(s[a * 4 + b], total * Double(n) * positions, accuracy: 1e-5 * abs(total * Double(n) * positions) + 1e-9)
        } }
        for (matrix, size) in [(factor, c + 1), (s, 4)] {
            let values = try BLAS.symmetricEigen(doubles: matrix, size: size).values
            XCTAssertGreaterThanOrEqual(values.min()!, -1e-6 * values.max()!)
            for a in 0..<size { for b in 0..<size { XCTAssertEqual(matrix[a * size + b], matrix[b * size + a], accuracy: 1e-12) } }
        }
    }

    /// Eigenvalues ascending, columns of Q eigenvectors (A q_j = a_j q_j), Q orthonormal.
    func testEigenbasisIsOrderedAndOrthonormal() throws {
        let m = randomTensor([5, 5], seed: 8).scalars.map(Double.init)
        var factors = KroneckerFactors(inputSize: 5, outputSize: 1)
        for a in 0..<5 { for b in 0..<5 { factors.input[a * 5 + b] = (0..<5).reduce(0.0) { $0 + m[a * 5 + $1] * m[b * 5 + $1] } } }
        factors.output = [2]
        let basis = try KroneckerEigenbasis(factors: factors, inputChannels: 5)
        XCTAssertEqual(basis.inputValues, basis.inputValues.sorted())
        for j in 0..<5 {
            for a in 0..<5 {
                let product = (0..<5).reduce(0.0) { $0 + factors.input[a * 5 + $1] * basis.inputBasis[$1 * 5 + j] }
                XCTAssertEqual(product, basis.inputValues[j] * basis.inputBasis[a * 5 + j], accuracy: 1e-9)
            }
            for other in 0..<5 {
                let dot = (0..<5).reduce(0.0) { $0 + basis.inputBasis[$1 * 5 + j] * basis.inputBasis[$1 * 5 + other] }
                XCTAssertEqual(dot, j == other ? 1 : 0, accuracy: 1e-9)
            }
        }
    }

    /// 5. An input channel that is always 0 gives a zero A-eigenvalue, a zero-importance direction, pruned first.
    func testZeroInputChannelIsPrunedFirst() throws {
        var input = randomTensor([3, 4, 6, 6], seed: 5)
        input.withUnsafeMutableBufferPointer { x in for n in 0..<3 { for p in 0..<36 { x[(n * 4 + 2) * 36 + p] = 0 } } }
        var factors = KroneckerFactors(inputSize: 4, outputSize: 6)
        try PatchCovariance.accumulate(input, kernelSize: 3, stride: 1, padding: 1, includesBias: false, into: &factors.input)
        factors.output = identity(6)
        let basis = try KroneckerEigenbasis(factors: factors, inputChannels: 4)
        XCTAssertEqual(basis.inputValues[0], 0)
        for a in 0..<4 where a != 2 { XCTAssertEqual(basis.inputBasis[a * 4], 0, accuracy: 1e-9) }  // the zero direction is channel 2
        let importance = try EigenbasisImportance(weight: randomTensor([6, 4, 3, 3], seed: 6), basis: basis)
        XCTAssertEqual(importance.input[0], 0)
        let layer = EigenDirectionSelection.Layer(name: "conv", input: importance.input, output: importance.output, inputChannels: 4,
                                                  outputChannels: 6, kernelSize: 3, currentParameters: 10_000)
        let kept = try EigenDirectionSelection(layers: [layer], ratioLimit: 1).select(thresholdIndex: 0)["conv"]!
        XCTAssertEqual(kept.input, [1, 2, 3])
        XCTAssertEqual(kept.output, Array(0..<6))
    }

    /// 6. N_total - floor(r N_total) - 1 directions kept without ties or caps; with ρ_max = 0.5 no side loses more than
    /// half, and every side keeps at least one.
    func testThresholdAndCap() throws {
        var generator = SplitMix64(seed: 9)
        let layers = (0..<3).map { index in
            EigenDirectionSelection.Layer(name: "conv\(index)", input: (0..<(8 + index)).map { _ in Double(generator.nextUniform()) * pow(10, Double(index)) },
                                          output: (0..<(12 - index)).map { _ in Double(generator.nextUniform()) }, inputChannels: 8 + index,
                                          outputChannels: 12 - index, kernelSize: 3, currentParameters: 1_000_000)
        }
        let total = layers.reduce(0) { $0 + $1.input.count + $1.output.count }
        for ratio in [0.1, 0.3, 0.5] {
            let kept = try EigenDirectionSelection(layers: layers, ratioLimit: 1).select(ratio: ratio)
            XCTAssertEqual(kept.values.reduce(0) { $0 + $1.input.count + $1.output.count }, total - Int(ratio * Double(total)) - 1, "r = \(ratio)")
        }
        let capped = try EigenDirectionSelection(layers: layers, ratioLimit: 0.5).select(ratio: 0.9)
        XCTAssertEqual(capped.count, 3)
        for layer in layers {
            let keep = capped[layer.name]!
            XCTAssertGreaterThanOrEqual(2 * keep.input.count, layer.input.count, layer.name)
            XCTAssertGreaterThanOrEqual(2 * keep.output.count, layer.output.count, layer.name)
        }
        let extreme = try EigenDirectionSelection(layers: layers, ratioLimit: 1).select(thresholdIndex: total - 1)
        for keep in extreme.values { XCTAssertEqual(keep.input.count, 1); XCTAssertEqual(keep.output.count, 1) }
        XCTAssertEqual(extreme["conv2"]!.input, [layers[2].input.indices.max { layers[2].input[$0] < layers[2].input[$1] }!],
                       "[proposal] the most important direction survives")
    }

    /// 7. A 3 -> 64 3x3 stem (1728 parameters): k_in 3, k_out 32 costs 2921 > 1728, dense; k_out 16 costs 1465, factorised.
    func testSizeGuard() throws {
        let output = (0..<64).map { Double($0 + 10) }  // outputs 10...73, inputs above all of them
        let stem = EigenDirectionSelection.Layer(name: "conv1", input: [100, 200, 300], output: output, inputChannels: 3, outputChannels: 64,
                                                 kernelSize: 3, currentParameters: 1728)
        XCTAssertEqual(stem.bottleneckParameters(inputRank: 3, outputRank: 32), 2921)
        XCTAssertEqual(stem.bottleneckParameters(inputRank: 3, outputRank: 16), 1465)
        let selection = try EigenDirectionSelection(layers: [stem], ratioLimit: 1)
        let sorted = selection.sorted
        XCTAssertNil(selection.select(thresholdIndex: sorted.firstIndex(of: 41)!)["conv1"], "32 outputs kept: dense")
        XCTAssertEqual(selection.select(thresholdIndex: sorted.firstIndex(of: 57)!)["conv1"]?.output.count, 16, "16 outputs kept: factorised")
    }

    /// The true Fisher's labels follow softmax(logits) and are reproducible from the seed.
    func testSampledLabelsFollowTheSoftmax() throws {
        let logits = try Tensor(shape: [4000, 2], scalars: (0..<4000).flatMap { _ in [0, Float(log(3.0))] })
        var first = SplitMix64(seed: 3), second = SplitMix64(seed: 3)
        let labels = FisherPass.sampledLabels(logits, generator: &first)
        XCTAssertEqual(labels, FisherPass.sampledLabels(logits, generator: &second))
        XCTAssertEqual(Double(labels.filter { $0 == 1 }.count) / 4000, 0.75, accuracy: 0.03)
    }
}
