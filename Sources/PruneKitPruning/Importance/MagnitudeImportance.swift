import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Filter norm (Li et al., "Pruning Filters for Efficient ConvNets", ICLR 2017): a unit's score in a member is
/// the Lp norm of all weights it owns there, s = (sum |w|^p)^(1/p), p = 1 (L1, Li et al.'s criterion) or 2 (SFP,
/// MLP neuron rows). For a conv output member these are the unit's filters [K_in, k, k]; for a linear output
/// member its rows; with `includeReaders`, also the readers' input slices (Torch-Pruning's group magnitude).
/// Biases and BatchNorm parameters are not counted. Scores reduce across members with `reduction`.
///
/// ```swift
/// let l1 = MagnitudeImportance(norm: 1)               // conv [4, 1, 1, 2] filters [[1, -2], ...] -> [3, ...]
/// let scores = try l1.scores(for: group, in: model)
/// ```
public struct MagnitudeImportance: Importance {
    /// p of the Lp norm: 1 or 2.
    public var norm: Int
    /// How member scores combine (a plain layer group has one weighted producer, so it does not matter there).
    public var reduction: GroupReduction
    /// Whether readers' input slices count too (default: only the producing filters, as Li et al.).
    public var includeReaders: Bool

    /// An L`norm` criterion.
    public init(norm: Int = 1, reduction: GroupReduction = .sum, includeReaders: Bool = false) {
        self.norm = norm
        self.reduction = reduction
        self.includeReaders = includeReaders
    }

    /// "l1" or "l2".
    public var name: String { "l\(norm)" }

    /// Lp norm of each unit's weights per weighted member, reduced.
    public func scores(for group: ChannelGroup, in model: Model) throws -> [Float]? {
        guard norm == 1 || norm == 2 else {
            throw PruneKitError.invalidArgument(operation: "magnitude importance", message: "norm must be 1 or 2, got \(norm)")
        }
        let roles: Set<ChannelGroup.Member.Role> = includeReaders ? [.output, .input] : [.output]
        let slices = try UnitSlices(group: group, model: model, roles: roles)
        let perMember = slices.memberTotals { norm == 1 ? abs($0) : $0 * $0 }.map { totals in
            norm == 2 ? totals.map { $0.squareRoot() } : totals
        }
        return perMember.isEmpty ? nil : reduction.reduce(perMember)
    }
}
