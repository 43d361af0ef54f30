import XCTest
@testable import PruneKitCore
@testable import PruneKitPruning
import PruneKitTestSupport

/// Patch-mode A without unfolding (stride 1: whole-image Grams minus border lines) against brute force over every
/// (image, output position, kernel offset) row, for kernels, paddings and rectangular inputs where the clipped border
/// differs per offset: top and bottom rows, left and right columns, corners, padding wider than the kernel reach.
final class PatchCovarianceTests: XCTestCase {
    /// sum over rows of x x^T (x with the 1/T bias entry when `bias`), scaled by 1/(N T P^2), row-major.
    private func bruteForce(_ input: Tensor, kernel k: Int, stride: Int, padding: Int, bias: Bool) -> [Double] {
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3]), x = input.scalars
        let (oh, ow) = ((h + 2 * padding - k) / stride + 1, (w + 2 * padding - k) / stride + 1), size = c + (bias ? 1 : 0)
        var expected = [Double](repeating: 0, count: size * size)
        for image in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for ky in 0..<k { for kx in 0..<k {
            let (iy, ix) = (oy * stride - padding + ky, ox * stride - padding + kx)
            var row = (0..<c).map { ch in (iy >= 0 && iy < h && ix >= 0 && ix < w) ? Double(x[((image * c + ch) * h + iy) * w + ix]) : 0 }
            if bias { row.append(1 / Double(k * k)) }
            for a in 0..<size { for b in 0..<size { expected[a * size + b] += row[a] * row[b] } }
        } } } } }
        let scale = 1 / (Double(n * k * k) * Double(oh * ow) * Double(oh * ow))
        return expected.map { $0 * scale }
    }

    func testStrideOneMatchesBruteForce() throws {
        let cases: [(c: Int, h: Int, w: Int, k: Int, padding: Int, bias: Bool)] = [
            (3, 5, 5, 3, 1, true), (4, 6, 4, 3, 0, false), (2, 5, 7, 5, 2, true), (3, 4, 6, 1, 0, true),
            (2, 3, 5, 3, 2, false), (3, 7, 5, 5, 1, true), (2, 4, 4, 3, 4, true)]
        for (index, test) in cases.enumerated() {
            let input = randomTensor([2, test.c, test.h, test.w], seed: UInt64(20 + index)), size = test.c + (test.bias ? 1 : 0)
            var factor = [Double](repeating: 0, count: size * size)
            try PatchCovariance.accumulate(input, kernelSize: test.k, stride: 1, padding: test.padding, includesBias: test.bias, into: &factor)
            let expected = bruteForce(input, kernel: test.k, stride: 1, padding: test.padding, bias: test.bias)
            let largest = expected.map(abs).max()!
            for (found, value) in zip(factor, expected) { XCTAssertEqual(found, value, accuracy: 1e-6 * largest, "case \(test)") }
        }
    }

    /// The unfolding path (stride 2) and the border-line path agree where both apply: the same input at stride 1 given
    /// to the gather code directly.
    func testStrideOneEqualsGatheredPatches() throws {
        let input = randomTensor([3, 5, 8, 6], seed: 31)
        let geometry = PatchCovariance.Geometry(channels: 5, height: 8, width: 6, kernel: 3, stride: 1, padding: 1, outputHeight: 8, outputWidth: 6)
        let gathered = try PatchCovariance.gramAndSums(input, images: 3, geometry: geometry)
        let lines = try PatchCovariance.strideOneGramAndSums(input, images: 3, geometry: geometry)
        let largest = gathered.gram.map(abs).max()!
        for (found, value) in zip(lines.gram, gathered.gram) { XCTAssertEqual(found, value, accuracy: 1e-5 * largest) }
        for (found, value) in zip(lines.sums, gathered.sums) { XCTAssertEqual(found, value, accuracy: 1e-4 * max(1, abs(value))) }
    }
}
