import Foundation
import PruneKitCore

/// Uniformly narrowed specs: what uniform channel pruning produces, for benchmarks of pruned speed.
extension ModelSpec {
    /// The spec with every width-table entry multiplied by `factor` and rounded (at least 1), validated.
    /// FLOPs shrink by about factor^2 (0.707 gives ~50%); widths become ragged (ResNet 16/32/64 -> 11/23/45).
    ///
    /// ```swift
    /// let pruned = try ModelZoo.spec(named: "resnet56").scalingWidths(by: 0.707)
    /// ```
    public func scalingWidths(by factor: Double) throws -> ModelSpec {
        guard factor > 0, factor <= 1 else {
            throw PruneKitError.invalidArgument(operation: "scalingWidths", message: "factor must be in (0, 1], got \(factor)")
        }
        guard factor < 1 else { return self }
        var scaled = self
        scaled.name = name + String(format: "-x%.3g", factor)
        scaled.widths = widths.map { LayerWidth(name: $0.name, width: max(1, Int((Double($0.width) * factor).rounded()))) }
        try scaled.validate()
        return scaled
    }
}
