// Legend: R rows, N columns, J batch, Z non-zeros. X is [N, J] row-major, Y is [R, J].

/// Compressed sparse row (CSR) storage of a row-major [R, N] matrix with 32-bit column indices: the irregular format
/// DARB's regular blocks are compared with (darb.md, "Decoding efficiency"). Only non-zero entries are stored.
/// Storage: 4 Z values + 4 Z column indices + 4 (R + 1) row starts.
///
/// ```swift
/// let csr = CompressedSparseRowMatrix(dense: [0, 2, 0, 0, 0, 3], rows: 2, columns: 3)
/// csr.columnIndices      // [1, 2]
/// csr.storageBytes       // 4 * 2 + 4 * 2 + 4 * 3 = 28
/// ```
public struct CompressedSparseRowMatrix: Equatable, Sendable {
    /// R.
    public let rows: Int
    /// N.
    public let columns: Int
    /// [R + 1] index of each row's first entry.
    public let rowStarts: [Int32]
    /// [Z] column of each entry, ascending within a row.
    public let columnIndices: [Int32]
    /// [Z] the non-zero values.
    public let values: [Float]

    /// The non-zeros of the row-major [rows, columns] `dense` (its count must be rows * columns).
    public init(dense: [Float], rows: Int, columns: Int) {
        precondition(dense.count == rows * columns, "CSR of \(dense.count) values as \(rows) x \(columns)")
        var starts: [Int32] = [0], indices: [Int32] = [], values: [Float] = []
        for row in 0..<rows {
            for column in 0..<columns where dense[row * columns + column] != 0 {
                indices.append(Int32(column)); values.append(dense[row * columns + column])
            }
            starts.append(Int32(values.count))
        }
        (self.rows, self.columns, rowStarts, columnIndices, self.values) = (rows, columns, starts, indices, values)
    }

    /// Z.
    public var nonzeroCount: Int { values.count }

    /// 8 Z + 4 (R + 1).
    public var storageBytes: Int { 8 * nonzeroCount + 4 * (rows + 1) }

    /// Writes the dense row-major [R, N] matrix to `destination`.
    public func decode(into destination: UnsafeMutablePointer<Float>) {
        destination.update(repeating: 0, count: rows * columns)
        values.withUnsafeBufferPointer { v in
            columnIndices.withUnsafeBufferPointer { c in
                rowStarts.withUnsafeBufferPointer { s in
                    for row in 0..<rows {
                        let out = destination + row * columns
                        for entry in Int(s[row])..<Int(s[row + 1]) { out[Int(c[entry])] = v[entry] }
                    }
                }
            }
        }
    }

    /// Y = W X with X [N, batch] and Y [R, batch] (row-major; Y is overwritten).
    public func multiply(_ x: UnsafePointer<Float>, batch: Int, into y: UnsafeMutablePointer<Float>) {
        values.withUnsafeBufferPointer { v in
            columnIndices.withUnsafeBufferPointer { c in
                rowStarts.withUnsafeBufferPointer { s in
                    if batch == 1 {  // a dot product per row
                        for row in 0..<rows {
                            var sum: Float = 0
                            for entry in Int(s[row])..<Int(s[row + 1]) { sum += v[entry] * x[Int(c[entry])] }
                            y[row] = sum
                        }
                        return
                    }
                    for row in 0..<rows {
                        let out = y + row * batch
                        out.update(repeating: 0, count: batch)
                        for entry in Int(s[row])..<Int(s[row + 1]) {
                            let value = v[entry], input = x + Int(c[entry]) * batch
                            for j in 0..<batch { out[j] += value * input[j] }
                        }
                    }
                }
            }
        }
    }
}
