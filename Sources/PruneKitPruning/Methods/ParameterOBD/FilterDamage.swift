import PruneKitCore
import PruneKitNetworks

// Legend: OC filters (rows of W), D = C*K*K (+1 with a bias) columns of W viewed as [OC, D].

/// The damage of removing one filter (row i of W, w_i = W[i, :]) under the parameter-coordinate baselines of
/// EigenDamage (Wang et al., ICML 2019, section 5; eigendamage.md "Parameter-coordinate baselines"). No weight update
/// follows the OBD criteria (the other weights stay); Kron-OBS's follows from `KroneckerOBSUpdate`.
///
/// - `diagonalFisher` (C-OBD, official `fisher_diag_pruner.py`): I(i) = sum_j W_ij^2 F_ij with F the diagonal Fisher.
/// - `kroneckerOutputDiagonal` (Kron-OBD, official `kfac_OBD_F2.py`): the K-FAC Fisher A ⊗ S with S treated as
///   diagonal, so the OBD damage of zeroing row i is I(i) = ½ S_ii w_i^T A w_i (the paper's form, default). The code
///   computes S_ii sum_k W_ik^2 (sum_j A_kj) instead (squares first, then row sums of A; no ½), which
///   `KroneckerDamageForm.officialCode` reproduces. With A = I and S = I both reduce to squared row norms (½ ||w_i||^2
///   in the paper's form).
/// - `kroneckerOBS` (Kron-OBS, official `kfac_OBS_F2.py`): the same with S_ii replaced by 1/[S^-1]_ii, the OBS damage
///   when the other rows absorb the removal (`KroneckerOBSUpdate`).
/// - `kroneckerInverseDiagonal` (C-OBS, official `kfac_full_pruner.py`): sum_j W_ij^2 / ([S^-1]_ii [A^-1]_jj).
///
/// Shape contract: `weights` row-major [OC, D]; `curvature` of the same layer (A [D, D], S [OC, OC], F [OC, D]).
///
/// ```swift
/// let weights = FilterDamage.rows(of: conv)                                            // [OC * D]
/// let damage = try FilterDamage.kroneckerOutputDiagonal(weights: weights, curvature: curvature.averaged, form: .paper)
/// ```
public enum FilterDamage {
    /// Which Kron-OBD formula (eigendamage.md: "Implement the w_i^T A w_i form by default; offer the code form").
    public enum KroneckerDamageForm: String, Codable, Sendable, CaseIterable {
        /// ½ S_ii w_i^T A w_i: the paper's damage.
        case paper
        /// S_ii sum_k W_ik^2 sum_j A_kj: the official code's.
        case officialCode
    }

    /// W viewed as [OC, D] in Double: the conv weight [OC, C, K, K] flattened per filter, its bias appended as the last
    /// column (A's and F's column order).
    public static func rows(of convolution: Conv2d) -> [Double] {
        let (filters, weight) = (convolution.outputChannels, convolution.weight.value.scalars)
        guard let bias = convolution.bias?.value.scalars else { return weight.map(Double.init) }
        let width = weight.count / filters
        var rows: [Double] = []
        rows.reserveCapacity(filters * (width + 1))
        for i in 0..<filters {
            rows.append(contentsOf: weight[(i * width)..<((i + 1) * width)].map(Double.init))
            rows.append(Double(bias[i]))
        }
        return rows
    }

    /// C-OBD: I(i) = sum_j W_ij^2 F_ij, one value per filter.
    public static func diagonalFisher(weights: [Double], curvature: FilterCurvature) throws -> [Double] {
        let (filters, columns) = try sizes(weights, curvature)
        return (0..<filters).map { i in
            var total = 0.0
            for j in (i * columns)..<((i + 1) * columns) { total += weights[j] * weights[j] * curvature.diagonal[j] }
            return total
        }
    }

    /// Kron-OBD: ½ S_ii w_i^T A w_i (`.paper`) or S_ii sum_k W_ik^2 sum_j A_kj (`.officialCode`), one value per filter.
    public static func kroneckerOutputDiagonal(weights: [Double], curvature: FilterCurvature, form: KroneckerDamageForm) throws -> [Double] {
        let filters = curvature.outputSize
        return try kronecker(weights: weights, curvature: curvature, rowScales: (0..<filters).map { curvature.factors.output[$0 * filters + $0] },
                             form: form)
    }

    /// Kron-OBS (official `kfac_OBS_F2.py`): the OBS damage of removing row i with the compensating update
    /// (`KroneckerOBSUpdate`), ½ w_i^T A w_i / [S^-1]_ii (`.paper`), or sum_k W_ik^2 sum_j A_kj / [S^-1]_ii (`.officialCode`).
    /// `inverseOutput` is S^-1 row-major [OC, OC] (`KroneckerOBSUpdate.inverse`).
    public static func kroneckerOBS(weights: [Double], curvature: FilterCurvature, inverseOutput: [Double],
                                    form: KroneckerDamageForm) throws -> [Double] {
        let filters = curvature.outputSize
        guard inverseOutput.count == filters * filters else {
            throw PruneKitError.shapeMismatch(operation: "Kron-OBS damage", expected: "S^-1 [\(filters), \(filters)]", found: "\(inverseOutput.count) entries")
        }
        return try kronecker(weights: weights, curvature: curvature, rowScales: (0..<filters).map { 1 / inverseOutput[$0 * filters + $0] },
                             form: form)
    }

    /// C-OBS (official `kfac_full_pruner.py`): I(i) = sum_j W_ij^2 / ([S^-1]_ii [A^-1]_jj) (the spec's form, no ½), with
    /// S^-1 [OC, OC] and A^-1 [D, D] row-major (`KroneckerOBSUpdate.inverse`).
    public static func kroneckerInverseDiagonal(weights: [Double], curvature: FilterCurvature, inverseOutput: [Double],
                                                inverseInput: [Double]) throws -> [Double] {
        let (filters, columns) = try sizes(weights, curvature)
        guard inverseOutput.count == filters * filters, inverseInput.count == columns * columns else {
            throw PruneKitError.shapeMismatch(operation: "C-OBS damage", expected: "S^-1 [\(filters), \(filters)] and A^-1 [\(columns), \(columns)]",
                                              found: "\(inverseOutput.count) and \(inverseInput.count) entries")
        }
        return (0..<filters).map { i in
            var total = 0.0
            for j in 0..<columns { total += weights[i * columns + j] * weights[i * columns + j] / inverseInput[j * columns + j] }
            return total / inverseOutput[i * filters + i]
        }
    }

    /// c_i · ½ w_i^T A w_i (`.paper`) or c_i · sum_k W_ik^2 sum_j A_kj (`.officialCode`) with c_i = `rowScales[i]`.
    static func kronecker(weights: [Double], curvature: FilterCurvature, rowScales: [Double], form: KroneckerDamageForm) throws -> [Double] {
        let (filters, columns) = try sizes(weights, curvature), a = curvature.factors.input
        let rowSums = (0..<columns).map { k in (0..<columns).reduce(0.0) { $0 + a[k * columns + $1] } }
        return (0..<filters).map { i in
            let w = weights[(i * columns)..<((i + 1) * columns)], scale = rowScales[i]
            switch form {
            case .paper:
                var quadratic = 0.0  // w^T A w
                for (k, wk) in w.enumerated() where wk != 0 {
                    quadratic += wk * zip(w, a[(k * columns)..<((k + 1) * columns)]).reduce(0.0) { $0 + $1.0 * $1.1 }
                }
                return 0.5 * scale * quadratic
            case .officialCode:
                return scale * zip(w, rowSums).reduce(0.0) { $0 + $1.0 * $1.0 * $1.1 }
            }
        }
    }

    /// OC and D, checked against the curvature's sizes.
    private static func sizes(_ weights: [Double], _ curvature: FilterCurvature) throws -> (Int, Int) {
        guard weights.count == curvature.outputSize * curvature.inputSize else {
            throw PruneKitError.shapeMismatch(operation: "filter damage", expected: "\(curvature.outputSize) x \(curvature.inputSize) weights",
                                              found: "\(weights.count)")
        }
        return (curvature.outputSize, curvature.inputSize)
    }
}
