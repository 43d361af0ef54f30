import Foundation

/// SPP's rank-based increment of the pruning probability (Wang, Zhang, Wang, Hu, "Structured Probabilistic Pruning
/// for Convolutional Neural Network Acceleration", BMVC 2018, arXiv:1709.06994; `ProbPruneCol` in the authors'
/// Caffe fork, spp.md step 3). With G columns still to prune, alpha = ln(2/u) / G and N_c = -ln(u) / alpha:
///
///     Delta(r) = A exp(-alpha r)                          r <  N_c
///     Delta(r) = 2uA - A exp(-alpha (2 N_c - r))          r >= N_c
///
/// so Delta(0) = A, Delta(N_c) = uA, Delta(G) = 0, Delta < 0 beyond G (recovery), and Delta(N_c + d) + Delta(N_c - d)
/// = 2uA. The linear variant (`PP-linear_Col`) is Delta(r) = A - (A / G) r. G <= 0 gives 0 (nothing left to prune).
///
/// ```swift
/// let increment = ProbabilityIncrement(maximum: 0.05, symmetry: 0.25, isLinear: false)
/// increment.delta(rank: 0, remaining: 5)     // 0.05
/// increment.delta(rank: 5, remaining: 5)     // 0
/// ```
public struct ProbabilityIncrement: Equatable, Sendable {
    /// A, the largest increment (rank 0).
    public var maximum: Double
    /// u = Delta(N_c) / A, in (0, 1): places the symmetry point N_c = G ln(1/u) / ln(2/u).
    public var symmetry: Double
    /// The linear variant A - (A / G) r instead of the centre-symmetric exponential.
    public var isLinear: Bool

    /// An increment with A = `maximum`, u = `symmetry`.
    public init(maximum: Double, symmetry: Double, isLinear: Bool = false) {
        (self.maximum, self.symmetry, self.isLinear) = (maximum, symmetry, isLinear)
    }

    /// alpha = ln(2/u) / G (G > 0).
    public func decay(remaining: Int) -> Double { log(2 / symmetry) / Double(remaining) }

    /// N_c = -ln(u) / alpha (G > 0).
    public func center(remaining: Int) -> Double { -log(symmetry) / decay(remaining: remaining) }

    /// Delta(r) for rank `rank` (0 = lowest score among the unpruned columns) when `remaining` = G columns are still
    /// to prune; 0 when G <= 0.
    public func delta(rank: Double, remaining: Int) -> Double {
        guard remaining > 0 else { return 0 }
        let A = maximum, G = Double(remaining)
        if isLinear { return A - (A / G) * rank }
        let alpha = decay(remaining: remaining), nc = center(remaining: remaining)
        return rank < nc ? A * exp(-alpha * rank) : 2 * symmetry * A - A * exp(-alpha * (2 * nc - rank))
    }
}
