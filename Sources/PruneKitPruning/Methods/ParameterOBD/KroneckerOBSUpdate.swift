import PruneKitCore
import PruneKitNetworks

// Legend: OC filters (rows of W), D = C*K*K (+1 with a bias) columns of W viewed as [OC, D].

/// Kron-OBS's weight update (Wang et al., ICML 2019, section 5; official `kfac_OBS_F2.py`; eigendamage.md
/// "Parameter-coordinate baselines"): with the K-FAC Fisher A ⊗ S, removing the rows P of W and letting the others
/// compensate gives, per removed row p (the code sums the single-row updates, each from the W before the update),
///
///     W <- W - sum_{p in P} S^-1[:, p] W[p, :] / [S^-1]_pp,
///
/// which zeroes row p exactly when P = {p} (eigendamage.md test 8: loss ½ w_p^T A w_p / [S^-1]_pp). S^-1 comes from an
/// eigendecomposition with eigenvalues <= 1e-15 set to 0 and 1/(λ + 1e-10) (the code's damping).
///
/// ```swift
/// let inverse = try KroneckerOBSUpdate.inverse(curvature.averaged.factors.output, size: conv.outputChannels)
/// try KroneckerOBSUpdate.apply(to: conv) { try KroneckerOBSUpdate.updated($0, filters: 16, removedRows: [3, 7], inverseOutput: inverse) }
/// ```
public enum KroneckerOBSUpdate {
    /// S^-1 of a symmetric PSD `matrix` (row-major [size, size]): V^T diag(1/(λ' + 1e-10)) V, λ' = 0 where λ <= 1e-15.
    public static func inverse(_ matrix: [Double], size: Int) throws -> [Double] {
        let (values, vectors) = try BLAS.symmetricEigen(doubles: matrix, size: size)  // rows of `vectors` are eigenvectors
        let inverted = values.map { 1 / (($0 <= 1e-15 ? 0 : $0) + 1e-10) }
        var result = [Double](repeating: 0, count: size * size)
        for (index, scale) in inverted.enumerated() {
            let row = index * size  // eigenvector `index`, read in place
            for a in 0..<size where vectors[row + a] != 0 {
                let scaled = scale * vectors[row + a]
                for b in 0..<size { result[a * size + b] += scaled * vectors[row + b] }
            }
        }
        return result
    }

    /// The update of `weights` (row-major [OC, D]) for removing `removedRows`.
    public static func updated(_ weights: [Double], filters: Int, removedRows: [Int], inverseOutput: [Double]) throws -> [Double] {
        guard filters > 0, weights.count % filters == 0, inverseOutput.count == filters * filters, removedRows.allSatisfy({ (0..<filters).contains($0) }) else {
            throw PruneKitError.invalidParameter(name: "removedRows", expected: "rows of a [\(filters), D] weight with S^-1 [\(filters), \(filters)]",
                                                 found: "\(removedRows) of \(weights.count) weights, \(inverseOutput.count) inverse entries")
        }
        let columns = weights.count / filters
        var result = weights
        for p in removedRows {
            let pivot = inverseOutput[p * filters + p]
            for i in 0..<filters {
                let factor = inverseOutput[i * filters + p] / pivot
                guard factor != 0 else { continue }
                for j in 0..<columns { result[i * columns + j] -= factor * weights[p * columns + j] }
            }
        }
        return result
    }

    /// C-OBS's update (official `kfac_full_pruner.py`): C_pj = W_pj / ([S^-1]_pp [A^-1]_jj) on the removed rows p, 0
    /// elsewhere, and W <- W - S^-1 C A^-1. With A = I it is the Kron-OBS update. `inverseInput` is A^-1 row-major [D, D].
    public static func updated(_ weights: [Double], filters: Int, removedRows: [Int], inverseOutput: [Double],
                               inverseInput: [Double]) throws -> [Double] {
        let columns = filters > 0 ? weights.count / filters : 0
        guard inverseInput.count == columns * columns else {
            throw PruneKitError.invalidParameter(name: "inverseInput", expected: "A^-1 [\(columns), \(columns)]", found: "\(inverseInput.count) entries")
        }
        var scaled = [Double](repeating: 0, count: weights.count)  // S^-1 C, [OC, D]
        for p in removedRows {
            let pivot = inverseOutput[p * filters + p]
            for j in 0..<columns {
                let c = weights[p * columns + j] / (pivot * inverseInput[j * columns + j])
                for i in 0..<filters { scaled[i * columns + j] += inverseOutput[i * filters + p] * c }
            }
        }
        var result = weights
        for i in 0..<filters {
            for k in 0..<columns where scaled[i * columns + k] != 0 {
                let value = scaled[i * columns + k]
                for j in 0..<columns { result[i * columns + j] -= value * inverseInput[k * columns + j] }
            }
        }
        return result
    }

    /// Replaces `convolution`'s weight (and bias, W's last column) by `update` of its rows [OC, D].
    public static func apply(to convolution: Conv2d, update: ([Double]) throws -> [Double]) throws {
        let filters = convolution.outputChannels
        let rows = try update(FilterDamage.rows(of: convolution))
        let shape = convolution.weight.value.shape, width = convolution.weight.value.count / filters
        let columns = rows.count / filters
        let weight = (0..<filters).flatMap { i in rows[(i * columns)..<(i * columns + width)].map(Float.init) }
        convolution.weight.value = try Tensor(shape: shape, scalars: weight)
        if let bias = convolution.bias {
            bias.value = try Tensor(shape: bias.value.shape, scalars: (0..<filters).map { Float(rows[$0 * columns + width]) })
        }
    }
}
