import PruneKitCore

// Legend: OC output channels, C input channels, T = K*K kernel taps.

/// EigenDamage's importance of each input and output eigen-direction of one layer (Wang et al., ICML 2019, eq. 11;
/// official `kfac_eigen_pruner.py`; eigendamage.md "Algorithm" 2-3). The weight rotated into the eigenbasis, per tap p,
///
///     W'[:, p, :] = Q_S^T W[:, p, :] Q_A,
///
/// is where the K-FAC Fisher is diagonal, with entry s_i a_j, so removing one rotated weight costs (OBD)
/// ½ W'^2_{i,p,j} s_i a_j. Summed over taps, D_ij = s_i a_j sum_p W'^2_{i,p,j}; the input direction j costs
/// I_in(j) = sum_i D_ij and the output direction i costs I_out(i) = sum_j D_ij. The ½ is left out as in the code (the
/// ranking is the same). With identity factors this is squared-norm OBD: I_in(j) = sum_i ||W_ij||², I_out(i) likewise.
///
/// Shape contract: `weight` [OC, C, K, K] (a linear weight [OC, C] is K = 1); the basis sizes C and OC.
///
/// ```swift
/// let importance = try EigenbasisImportance(weight: conv.weight.value, basis: basis)
/// importance.input[j]; importance.output[i]
/// ```
public struct EigenbasisImportance: Sendable {
    /// I_in, one per input eigen-direction (column of Q_A), in the basis's order.
    public let input: [Double]
    /// I_out, one per output eigen-direction (column of Q_S).
    public let output: [Double]
    /// D, row-major [OC, C].
    public let damage: [Double]

    /// The importances of `weight` in `basis`.
    public init(weight: Tensor, basis: KroneckerEigenbasis) throws {
        let (outputs, inputs) = (basis.outputValues.count, basis.inputValues.count)
        guard weight.rank == 2 || weight.rank == 4, weight.shape[0] == outputs, weight.shape[1] == inputs else {
            throw PruneKitError.invalidParameter(name: "weight", expected: "[\(outputs), \(inputs), K, K] or [\(outputs), \(inputs)]",
                                                 found: "\(weight.shape)")
        }
        let taps = weight.shape.dropFirst(2).reduce(1, *)
        let energy = try Self.rotatedEnergy(weight.scalars, outputs: outputs, inputs: inputs, taps: taps, basis: basis)
        var damage = [Double](repeating: 0, count: outputs * inputs)
        var input = [Double](repeating: 0, count: inputs), output = [Double](repeating: 0, count: outputs)
        for i in 0..<outputs { for j in 0..<inputs {
            let value = basis.outputValues[i] * basis.inputValues[j] * energy[i * inputs + j]
            damage[i * inputs + j] = value
            input[j] += value
            output[i] += value
        } }
        (self.input, self.output, self.damage) = (input, output, damage)
    }

    /// sum_p W'^2_{i,p,j} as row-major [OC, C], with W'_p = Q_S^T W_p Q_A in double precision.
    static func rotatedEnergy(_ weight: [Float], outputs: Int, inputs: Int, taps: Int, basis: KroneckerEigenbasis) throws -> [Double] {
        var energy = [Double](repeating: 0, count: outputs * inputs)
        var slice = [Double](repeating: 0, count: outputs * inputs), left = slice  // W_p, then Q_S^T W_p
        for p in 0..<taps {
            for o in 0..<outputs { for i in 0..<inputs { slice[o * inputs + i] = Double(weight[(o * inputs + i) * taps + p]) } }
            multiply(basis.outputBasis, transposed: true, slice, rows: outputs, inner: outputs, columns: inputs, into: &left)
            multiply(left, transposed: false, basis.inputBasis, rows: outputs, inner: inputs, columns: inputs, into: &slice)
            for index in energy.indices { energy[index] += slice[index] * slice[index] }
        }
        return energy
    }

    /// result [rows, columns] = op(a) [rows, inner] * b [inner, columns]; op(a) = a^T when `transposed` (a is then
    /// [inner, rows]).
    static func multiply(_ a: [Double], transposed: Bool, _ b: [Double], rows: Int, inner: Int, columns: Int, into result: inout [Double]) {
        for index in 0..<(rows * columns) { result[index] = 0 }
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in result.withUnsafeMutableBufferPointer { r in
            for row in 0..<rows { for k in 0..<inner {
                let factor = transposed ? a[k * rows + row] : a[row * inner + k]
                if factor == 0 { continue }
                let target = r.baseAddress! + row * columns, source = b.baseAddress! + k * columns
                for column in 0..<columns { target[column] += factor * source[column] }
            } }
        } } }
    }
}
