import PruneKitCore

// Legend: N images, C input channels, H x W input, K kernel side, OH x OW output; G(R) = sum over the pixels q of R of
// x_q x_q^T, x_q the C channels of one image at pixel q.

extension PatchCovariance {
    /// The patch Gram matrix and channel sums of a stride-1 convolution without unfolding. Kernel offset (ky, kx) reads
    /// the input's pixels in rows [ky - padding, ky - padding + OH) and columns [kx - padding, kx - padding + OW),
    /// clipped to the image (padding reads zeros). With E_r(ky) and E_c(kx) the rows and columns the clip leaves out,
    /// inclusion-exclusion gives
    ///
    ///     G(offset) = G(image) - sum_{i in E_r} G(row i) - sum_{j in E_c} G(column j) + sum_{i in E_r, j in E_c} G(pixel (i, j)),
    ///
    /// and likewise for the sums, so a batch costs one [C, HW] Gram product per image plus the few border lines, where
    /// the gathered patches cost K*K of them (`gramAndSums`, used for other strides). Equal to it up to rounding.
    static func strideOneGramAndSums(_ input: Tensor, images: Int, geometry g: Geometry) throws -> (gram: [Double], sums: [Double]) {
        guard images > 0 else { throw PruneKitError.invalidParameter(name: "input", expected: "at least one image", found: "0") }
        let rowSpans = (0..<g.kernel).map { covered(offset: $0, padding: g.padding, outputs: g.outputHeight, size: g.height) }
        let columnSpans = (0..<g.kernel).map { covered(offset: $0, padding: g.padding, outputs: g.outputWidth, size: g.width) }
        let rows = BorderLines(spans: rowSpans, size: g.height), columns = BorderLines(spans: columnSpans, size: g.width)
        var totals = LineTotals(channels: g.channels, rows: rows.lines.count, columns: columns.lines.count)
        try input.withUnsafeBufferPointer { x in
            for image in 0..<images {
                try totals.add(image: x.baseAddress! + image * g.channels * g.height * g.width, geometry: g, rows: rows.lines, columns: columns.lines)
            }
        }
        let size = g.channels * g.channels
        var gram = [Double](repeating: 0, count: size), sums = [Double](repeating: 0, count: g.channels)
        for rowSpan in rowSpans { for columnSpan in columnSpans {
            let (leftRows, leftColumns) = (rows.excluded(by: rowSpan), columns.excluded(by: columnSpan))
            for index in 0..<size {
                var value = totals.whole[index]
                for r in leftRows { value -= totals.rows[r * size + index] }
                for c in leftColumns { value -= totals.columns[c * size + index] }
                for r in leftRows { for c in leftColumns { value += totals.pixels[(r * columns.lines.count + c) * size + index] } }
                gram[index] += value
            }
            for channel in 0..<g.channels {
                var value = totals.wholeSums[channel]
                for r in leftRows { value -= totals.rowSums[r * g.channels + channel] }
                for c in leftColumns { value -= totals.columnSums[c * g.channels + channel] }
                for r in leftRows { for c in leftColumns { value += totals.pixelSums[(r * columns.lines.count + c) * g.channels + channel] } }
                sums[channel] += value
            }
        } }
        return (gram, sums)
    }

    /// The input lines [first, last) that kernel offset `offset` reads along one axis of length `size`.
    static func covered(offset: Int, padding: Int, outputs: Int, size: Int) -> Range<Int> {
        let first = min(size, max(0, offset - padding)), last = max(first, min(size, offset - padding + outputs))
        return first..<last
    }

    /// The lines of one axis that some kernel offset leaves out, each at an index into the per-line totals.
    struct BorderLines {
        /// Left-out lines, ascending.
        let lines: [Int]

        init(spans: [Range<Int>], size: Int) {
            lines = (0..<size).filter { line in spans.contains { !$0.contains(line) } }
        }

        /// Indices into `lines` of the lines `span` leaves out.
        func excluded(by span: Range<Int>) -> [Int] { lines.indices.filter { !span.contains(lines[$0]) } }
    }

    /// Gram matrices and sums of the whole images, of each border row, each border column and each border pixel, summed
    /// over the images, in double precision (row-major [C, C] blocks; sums [C] blocks).
    struct LineTotals {
        let channels: Int
        var whole, rows, columns, pixels: [Double]
        var wholeSums, rowSums, columnSums, pixelSums: [Double]
        /// One product's result, and one column gathered into [C, H].
        var product: [Float], gathered: [Float] = []

        init(channels: Int, rows: Int, columns: Int) {
            let size = channels * channels
            self.channels = channels
            (whole, self.rows, self.columns, pixels) = ([Double](repeating: 0, count: size), [Double](repeating: 0, count: rows * size),
                                                       [Double](repeating: 0, count: columns * size), [Double](repeating: 0, count: rows * columns * size))
            (wholeSums, rowSums, columnSums, pixelSums) = ([Double](repeating: 0, count: channels), [Double](repeating: 0, count: rows * channels),
                                                           [Double](repeating: 0, count: columns * channels),
                                                           [Double](repeating: 0, count: rows * columns * channels))
            product = [Float](repeating: 0, count: size)
        }

        /// Adds one image ([C, H, W] at `x`).
        mutating func add(image x: UnsafePointer<Float>, geometry g: Geometry, rows borderRows: [Int], columns borderColumns: [Int]) throws {
            let plane = g.height * g.width, size = channels * channels
            gram(of: x, length: plane, stride: plane)
            Self.add(product, to: &whole, at: 0)
            for c in 0..<channels { wholeSums[c] += Self.sum(x + c * plane, count: plane, stride: 1) }
            for (index, row) in borderRows.enumerated() {
                gram(of: x + row * g.width, length: g.width, stride: plane)
                Self.add(product, to: &rows, at: index * size)
                for c in 0..<channels { rowSums[index * channels + c] += Self.sum(x + c * plane + row * g.width, count: g.width, stride: 1) }
            }
            if gathered.count != channels * g.height { gathered = [Float](repeating: 0, count: channels * g.height) }
            for (index, column) in borderColumns.enumerated() {
                for c in 0..<channels {
                    columnSums[index * channels + c] += Self.sum(x + c * plane + column, count: g.height, stride: g.width)
                    for row in 0..<g.height { gathered[c * g.height + row] = x[c * plane + row * g.width + column] }
                }
                let values = gathered
                values.withUnsafeBufferPointer { gram(of: $0.baseAddress!, length: g.height, stride: g.height) }
                Self.add(product, to: &columns, at: index * size)
                for (rowIndex, row) in borderRows.enumerated() {
                    let pixel = rowIndex * borderColumns.count + index, at = row * g.width + column
                    for a in 0..<channels {
                        let xa = Double(x[a * plane + at])
                        pixelSums[pixel * channels + a] += xa
                        for b in 0..<channels { pixels[pixel * size + a * channels + b] += xa * Double(x[b * plane + at]) }
                    }
                }
            }
        }

        /// `product` = X X^T for X = [C, length] at `x` with row stride `stride`.
        private mutating func gram(of x: UnsafePointer<Float>, length: Int, stride: Int) {
            let channels = channels
            product.withUnsafeMutableBufferPointer { c in
                BLAS.sgemm(transposeA: false, transposeB: true, m: channels, n: channels, k: length, alpha: 1,
                           a: x, lda: stride, b: x, ldb: stride, beta: 0, c: c.baseAddress!, ldc: channels)
            }
        }

        private static func add(_ product: [Float], to target: inout [Double], at offset: Int) {
            for index in product.indices { target[offset + index] += Double(product[index]) }
        }

        private static func sum(_ x: UnsafePointer<Float>, count: Int, stride: Int) -> Double {
            var total: Float = 0
            for index in 0..<count { total += x[index * stride] }
            return Double(total)
        }
    }
}
