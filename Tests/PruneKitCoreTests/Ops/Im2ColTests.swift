import XCTest
@testable import PruneKitCore
import PruneKitTestSupport

/// The AVX-512 stride-1 im2col and col2im (`pk_im2col_stride1`, `pk_col2im_stride1`) write exactly what the
/// Swift references write (a copy with zeros, and the same additions in the same order: bit-identical), on widths below, at and above one 16-lane vector, with and without padding,
/// and with padding wider than half the kernel (whole rows and columns of zeros). Also golden values for a
/// 3x3 image so that both cannot be wrong the same way.
final class Im2ColTests: XCTestCase {
    func testStrideOneKernelMatchesReference() throws {
        guard ConvolutionKernels.cpuSupportsDirect else { throw XCTSkip("no AVX-512 on this CPU") }
        let shapes: [(C: Int, H: Int, W: Int, KH: Int, KW: Int, P: Int)] = [
            (1, 28, 28, 5, 5, 0), (20, 12, 12, 5, 5, 0), (3, 32, 32, 3, 3, 1), (2, 7, 9, 3, 2, 0), (4, 5, 5, 3, 3, 2),
            (2, 6, 40, 3, 3, 1), (1, 3, 17, 1, 1, 0), (3, 4, 33, 5, 5, 2), (1, 2, 2, 3, 3, 1),
        ]
        for s in shapes {
            let g = WindowGeometry(channels: s.C, height: s.H, width: s.W, kernelHeight: s.KH, kernelWidth: s.KW,
                                   stride: 1, padding: s.P)
            let x = randomTensor([s.C, s.H, s.W], seed: 3).scalars
            let count = g.patchSize * g.outputArea
            var fast = [Float](repeating: .nan, count: count), reference = [Float](repeating: .nan, count: count)
            x.withUnsafeBufferPointer { x in
                fast.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, g, $0.baseAddress!) }
                reference.withUnsafeMutableBufferPointer { im2colReference(x.baseAddress!, g, $0.baseAddress!) }
            }
            XCTAssertEqual(fast.map(\.bitPattern), reference.map(\.bitPattern), "\(s)")
            // col2im accumulates into x: start both from the same nonzero image.
            var back = x, backReference = x
            fast.withUnsafeBufferPointer { cols in
                back.withUnsafeMutableBufferPointer { col2im(cols.baseAddress!, g, $0.baseAddress!) }
                backReference.withUnsafeMutableBufferPointer { col2imReference(cols.baseAddress!, g, $0.baseAddress!) }
            }
            XCTAssertEqual(back.map(\.bitPattern), backReference.map(\.bitPattern), "col2im \(s)")
            XCTAssertNotEqual(back, x, "col2im added something \(s)")
        }
    }

    func testGoldenValues() {
        // x = [[1 2 3] [4 5 6] [7 8 9]], 2x2 kernel, padding 1: 4x4 outputs per tap.
        let g = WindowGeometry(channels: 1, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2, stride: 1, padding: 1)
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        var cols = [Float](repeating: .nan, count: 4 * 16)
        x.withUnsafeBufferPointer { x in cols.withUnsafeMutableBufferPointer { im2col(x.baseAddress!, g, $0.baseAddress!) } }
        // tap (0,0) reads x[oh-1, ow-1]; tap (1,1) reads x[oh, ow].
        XCTAssertEqual(Array(cols[0..<16]), [0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9])
        XCTAssertEqual(Array(cols[48..<64]), [1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0, 0, 0, 0, 0])
    }
}
