import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// How a channel ratio r becomes a removal count for a group of N units: the one place the methods' rounding
/// rules live. `UnitSelector` applies the rule to a channel-ratio target and to per-group overrides
/// (`groupRatios`); FLOPs and parameter searches sweep the ratio with `keepTruncated`, which is monotone.
/// Every rule has a 1e-9 guard against float error at an exact integer (16 x 0.3 = 4.8 -> 4, 10 x 0.35 -> 4).
///
/// ```swift
/// RemovalCountRule.keepTruncated.removalCount(units: 16, ratio: 0.3)              // 16 - int(11.2) = 5
/// RemovalCountRule.removeFloor.removalCount(units: 16, ratio: 0.3)                // floor(4.8) = 4
/// RemovalCountRule.removeCeilingKeepingOne.removalCount(units: 16, ratio: 0.3)    // min(ceil(4.8), 15) = 5
/// ```
public enum RemovalCountRule: String, Codable, Sendable {
    /// Keep int(N (1 - r)) and remove the rest (Li et al., ICLR 2017's re-implementation; the selector's default).
    case keepTruncated
    /// Remove floor(N r) (SFP, He et al. 2018: "floor(N P) filters").
    case removeFloor
    /// Remove min(ceil(N r), N - 1): never the whole layer (GReg, greg.md "Layer-wise pruning ratios").
    case removeCeilingKeepingOne
    /// Remove ceil(N r) (IncReg's ceil(N R_l); its hook keeps at least one group).
    case removeCeiling

    /// Units to remove from `units` at ratio `ratio`.
    public func removalCount(units: Int, ratio: Double) -> Int {
        let exact = Double(units) * ratio
        switch self {
        case .keepTruncated: return units - Int(Double(units) * (1 - ratio) + 1e-9)
        case .removeFloor: return Int((exact + 1e-9).rounded(.down))
        case .removeCeilingKeepingOne: return min(Int((exact - 1e-9).rounded(.up)), units - 1)
        case .removeCeiling: return Int((exact - 1e-9).rounded(.up))
        }
    }
}
