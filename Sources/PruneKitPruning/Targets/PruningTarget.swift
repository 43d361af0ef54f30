import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// How much to prune (Torch-Pruning's `pruning_ratio`; Distiller's FLOPs/parameter targets).
///
/// - `channelRatio(r)`: remove the fraction r of each group's units (uniform scope: a layer of N channels keeps
///   int(N (1 - r)), as Li et al.'s re-implementation) or of all units together (global scope).
/// - `flopsRatio(f)`: remove as few units as possible so that FLOPs <= f x the dense model's FLOPs
///   ("prune until FLOPs <= 50% of dense" is `flopsRatio(0.5)`), found by a search over a global threshold
///   (global scope) or over a uniform ratio.
/// - `parameterRatio(f)`: the same with the parameter count.
/// - `unconstrained` (text `none`): no target; the method's own rule decides how much goes (sDprun: the groups
///   gRDA zeroed). Only methods whose sparsity comes from training accept it; the selector and the other methods
///   reject it.
/// Unstructured methods read a ratio as weight sparsity and f as the fraction of non-zero weights kept.
///
/// ```swift
/// let target = try PruningTarget(parsing: "flops=0.5")   // .flopsRatio(0.5)
/// ```
public enum PruningTarget: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Fraction of channels (units) removed, in [0, 1).
    case channelRatio(Double)
    /// Fraction of the dense FLOPs kept at most, in (0, 1].
    case flopsRatio(Double)
    /// Fraction of the dense parameters kept at most, in (0, 1].
    case parameterRatio(Double)
    /// No target: what the method's own rule removes (sDprun without `--flops/--params/--ratio`).
    case unconstrained

    /// Parses `ratio=R`, `flops=F`, `params=F` or `none`; throws `usage` naming the text otherwise.
    public init(parsing text: String) throws {
        if text == "none" { self = .unconstrained; return }
        let parts = text.split(separator: "=").map(String.init)
        guard parts.count == 2, let value = Double(parts[1]) else {
            throw PruneKitError.invalidParameter(name: "target", expected: "ratio=R, flops=F or params=F", found: "'\(text)'")
        }
        switch parts[0] {
        case "ratio": self = .channelRatio(value)
        case "flops": self = .flopsRatio(value)
        case "params": self = .parameterRatio(value)
        default: throw PruneKitError.invalidParameter(name: "target", expected: "ratio, flops or params before '='", found: "'\(parts[0])'")
        }
        try validate()
    }

    /// Throws `usage` naming the flag when the value is out of range.
    public func validate() throws {
        switch self {
        case let .channelRatio(value) where !(value >= 0 && value < 1):
            throw PruneKitError.invalidParameter(name: "channelRatio", expected: "a fraction in [0, 1)", found: "\(value)")
        case let .flopsRatio(value) where !(value > 0 && value <= 1):
            throw PruneKitError.invalidParameter(name: "flopsRatio", expected: "a fraction of the dense FLOPs in (0, 1]", found: "\(value)")
        case let .parameterRatio(value) where !(value > 0 && value <= 1):
            throw PruneKitError.invalidParameter(name: "parameterRatio", expected: "a fraction of the dense parameters in (0, 1]", found: "\(value)")
        default:
            return
        }
    }

    /// `ratio=0.5`, `flops=0.5`, `params=0.5`, `none`.
    public var description: String {
        switch self {
        case let .channelRatio(value): return "ratio=\(value)"
        case let .flopsRatio(value): return "flops=\(value)"
        case let .parameterRatio(value): return "params=\(value)"
        case .unconstrained: return "none"
        }
    }

    /// For iterative pruning: the target after a fraction `progress` of the way from nothing to `self`
    /// (`unconstrained` stays unconstrained).
    public func scaled(by progress: Double) -> PruningTarget {
        switch self {
        case let .channelRatio(value): return .channelRatio(value * progress)
        case let .flopsRatio(value): return .flopsRatio(1 - (1 - value) * progress)
        case let .parameterRatio(value): return .parameterRatio(1 - (1 - value) * progress)
        case .unconstrained: return .unconstrained
        }
    }
}

extension PruningTarget {
    /// The error for a method or selector that needs a target and was given `none`.
    static func requiredError(by user: String) -> PruneKitError {
        PruneKitError.invalidParameter(name: "target", expected: "a FLOPs, parameter or channel-ratio target for \(user) (only sdprun runs without one)",
                                       found: "none")
    }
}
