import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// A channel criterion: a function from a `ChannelGroup` to one score per unit, larger meaning more important
/// (STYLE.md rule 7; Torch-Pruning's `Importance`). Criteria score each member that carries the signal, then
/// reduce across members with a `GroupReduction`; ranking across groups (global pruning) first applies a
/// `ScoreNormalization`.
///
/// ```swift
/// let criterion = MagnitudeImportance(norm: 1, reduction: .sum)     // Li et al. 2017
/// let scores = try criterion.scores(for: graph.group(named: "layer1.0.conv1"), in: model)!  // 16 floats
/// ```
public protocol Importance {
    /// Short name used in reports (`l1`, `l2`, `bn-scale`, `taylor`, `random`).
    var name: String { get }
    /// One score per unit of `group`, or nil when the criterion has nothing to measure in it (BatchNorm scale on
    /// a group without BatchNorm): such groups are not pruned.
    func scores(for group: ChannelGroup, in model: Model) throws -> [Float]?
    /// Gathers what the scores need before they are asked for (Taylor: gradients over a few batches of `data`).
    func prepare(model: Model, data: BatchProvider?) throws
}

extension Importance {
    /// Nothing to gather.
    public func prepare(model: Model, data: BatchProvider?) throws {}
}

/// How per-member scores of a unit combine into the unit's score.
///
/// ```swift
/// GroupReduction.max.reduce([[1, 5], [3, 2]])   // [3, 5]
/// ```
public enum GroupReduction: String, Codable, Sendable, CaseIterable {
    /// s_u = sum over members.
    case sum
    /// s_u = mean over members.
    case mean
    /// s_u = max over members (BPCP's residual-stream rule).
    case max

    /// Reduces `perMember[m][u]` over m; an empty list gives an empty result.
    public func reduce(_ perMember: [[Float]]) -> [Float] {
        guard let first = perMember.first else { return [] }
        var result = first
        for member in perMember.dropFirst() {
            for (u, value) in member.enumerated() { result[u] = self == .max ? Swift.max(result[u], value) : result[u] + value }
        }
        return self == .mean ? result.map { $0 / Float(perMember.count) } : result
    }
}

/// Rescaling of a group's scores before they are ranked against other groups' (global pruning).
///
/// ```swift
/// ScoreNormalization.l2.normalize([3, 4])   // [0.6, 0.8] (Molchanov et al. 2017)
/// ```
public enum ScoreNormalization: String, Codable, Sendable, CaseIterable {
    /// Unchanged (network slimming ranks raw |gamma|).
    case none
    /// s / sqrt(sum s^2): Molchanov et al.'s layer-wise L2 normalisation.
    case l2
    /// s / max s.
    case max
    /// s / sum s.
    case sum
    /// s / mean s.
    case mean

    /// The normalised scores (unchanged when the divisor is 0).
    public func normalize(_ scores: [Float]) -> [Float] {
        let divisor: Float
        switch self {
        case .none: return scores
        case .l2: divisor = scores.reduce(0) { $0 + $1 * $1 }.squareRoot()
        case .max: divisor = scores.max() ?? 0
        case .sum: divisor = scores.reduce(0, +)
        case .mean: divisor = scores.isEmpty ? 0 : scores.reduce(0, +) / Float(scores.count)
        }
        return divisor > 0 ? scores.map { $0 / divisor } : scores
    }
}
