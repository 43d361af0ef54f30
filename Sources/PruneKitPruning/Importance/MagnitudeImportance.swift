import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: O = product of the axes before the channel axis, A = channels, I = product of the axes after it.

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
        var perMember: [[Float]] = []
        for member in group.members where member.role == .output || (includeReaders && member.role == .input) {
            let (weight, axis) = try PrunableLayer(model, named: member.layerName).parameters(for: member.role)[0]
            let sums = Self.channelPowerSums(weight.value, axis: axis, power: norm)
            perMember.append(member.channels.map { channels in
                let total = channels.reduce(Float(0)) { $0 + sums[$1] }
                return norm == 2 ? total.squareRoot() : total
            })
        }
        return perMember.isEmpty ? nil : reduction.reduce(perMember)
    }

    /// For each index c of `axis`, sum over the slice [..., c, ...] of |w| (power 1) or w^2 (power 2).
    static func channelPowerSums(_ tensor: Tensor, axis: Int, power: Int) -> [Float] {
        let shape = tensor.shape, A = shape[axis]
        let O = shape[..<axis].reduce(1, *), I = shape[(axis + 1)...].reduce(1, *)
        var sums = [Float](repeating: 0, count: A)
        tensor.withUnsafeBufferPointer { w in
            for o in 0..<O {
                for c in 0..<A {
                    let start = (o * A + c) * I  // slice [o, c, :]
                    var total: Float = 0
                    for i in 0..<I { let x = w[start + i]; total += power == 1 ? abs(x) : x * x }
                    sums[c] += total
                }
            }
        }
        return sums
    }
}
