import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The per-layer penalty state machine of growing regularization (Wang et al., ICLR 2021; greg.md "Algorithm"),
/// separate from training so the schedule can be checked over 10^4 updates without running a network.
///
/// Every K_u iterations the hook calls `update(scores:)` with the current s_f = mean|W_f|:
/// - GReg-1 (`growing` from the start, filters chosen at init by the lowest score): lambda[selected] += delta;
///   h <- ratio on the first update, else 0.9 h + 0.1 ratio, ratio = mean(s[kept]) / mean(s[selected]);
///   finished once max lambda > tau. A layer removing nothing is finished at its first update.
/// - GReg-2 (`picking` first): lambda[all] += delta_pick, and h tracks the ratio over the current n lowest-score
///   candidates; once max lambda >= tau_pick those n are selected, then every update sets lambda[selected] += delta
///   and lambda[kept] = recover (-1e-4). Each layer stops on its own, as the reference `_ada_reg`: once it has
///   picked and (its own h >= mag_ratio_limit or its max lambda > tau), checked at every update from the pick on.
/// GReg-1's "all layers have h >= mag_ratio_limit" stop is global (the reference `_inc_reg`); the hook applies it
/// with `finish()`.
/// Penalties accumulate in Double (greg.md test 2: delta 1e-4 reaches > 1 at update 10,001).
///
/// ```swift
/// var schedule = GrowingPenaltySchedule(removalCount: 4, scores: s, settings: settings, picksLater: false)
/// schedule.update(scores: s)   // lambda[selected] == 1e-4
/// ```
public struct GrowingPenaltySchedule {
    /// Where the layer is in the schedule.
    public enum Stage: String { case picking, growing, finished }

    /// n: filters to remove.
    public let removalCount: Int
    /// lambda per unit (one value per filter; broadcast over its input channels and kernel).
    public private(set) var penalties: [Double]
    /// The filters to remove (empty while picking).
    public private(set) var selected: [Int]
    /// The current stage.
    public private(set) var stage: Stage
    /// h, the EMA of mean(s[kept]) / mean(s[selected]) (nil before the first update; GReg-2 accumulates it over
    /// the current candidates while picking).
    public private(set) var magnitudeRatio: Double?
    /// Updates applied so far.
    public private(set) var updateCount = 0
    /// GReg-2: pick after the uniform phase, and hold kept filters at `recoverPenalty`.
    public let picksLater: Bool
    private let settings: GrowingRegularizationPruner.Settings

    /// A schedule for a layer of `scores.count` filters; GReg-1 selects the `removalCount` lowest now, GReg-2
    /// (`picksLater`) after the pick phase.
    public init(removalCount: Int, scores: [Float], settings: GrowingRegularizationPruner.Settings, picksLater: Bool) {
        self.removalCount = removalCount
        self.settings = settings
        self.picksLater = picksLater
        penalties = [Double](repeating: 0, count: scores.count)
        let picking = picksLater && removalCount > 0
        selected = picking ? [] : UnitSlices.lowest(removalCount, of: scores)
        stage = picking ? .picking : .growing
    }

    /// One lambda update (every K_u iterations) with the current scores s_f = mean|W_f|.
    public mutating func update(scores: [Float]) {
        updateCount += 1
        switch stage {
        case .finished: return
        case .picking:
            for unit in penalties.indices { penalties[unit] += settings.pickIncrement }
            let candidates = UnitSlices.lowest(removalCount, of: scores)
            trackRatio(scores, selected: Set(candidates))
            if (penalties.max() ?? 0) >= settings.pickCeiling {
                selected = candidates
                stage = .growing
                stopIfDone()
            }
        case .growing:
            guard removalCount > 0 else { stage = .finished; return }
            let chosen = Set(selected)
            for unit in penalties.indices {
                if chosen.contains(unit) { penalties[unit] += settings.increment }
                else if picksLater { penalties[unit] = settings.recoverPenalty }
            }
            trackRatio(scores, selected: chosen)
            stopIfDone()
        }
    }

    /// h <- ratio on the first update, else 0.9 h + 0.1 ratio, ratio = mean(s[kept]) / mean(s[selected]).
    private mutating func trackRatio(_ scores: [Float], selected: Set<Int>) {
        let ratio = Self.mean(scores, selected: selected, inside: false) / Self.mean(scores, selected: selected, inside: true)
        magnitudeRatio = magnitudeRatio.map { 0.9 * $0 + 0.1 * ratio } ?? ratio
    }

    /// This layer's own stop: max lambda > tau; for GReg-2 also its own h >= mag_ratio_limit (`_ada_reg`).
    private mutating func stopIfDone() {
        let reachedCeiling = (penalties.max() ?? 0) > settings.ceiling
        let reachedRatio = picksLater && (magnitudeRatio ?? 0) >= settings.magnitudeRatioLimit
        if reachedCeiling || reachedRatio { stage = .finished }
    }

    /// Stops growing (GReg-1's global magnitude-ratio rule); lambda stays as it is.
    public mutating func finish() { if stage == .growing { stage = .finished } }

    /// Whether the magnitude-ratio EMA has reached `limit`.
    public func hasReached(ratioLimit limit: Double) -> Bool { stage == .finished || (magnitudeRatio ?? 0) >= limit }

    private static func mean(_ scores: [Float], selected: Set<Int>, inside: Bool) -> Double {
        let values = scores.indices.filter { selected.contains($0) == inside }.map { Double(scores[$0]) }
        return values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}

extension GrowingPenaltySchedule {
    /// GReg-2 cut short: select the n lowest-score filters now, as at tau_pick.
    public mutating func forcePick(scores: [Float]) {
        guard stage == .picking else { return }
        selected = UnitSlices.lowest(removalCount, of: scores)
        stage = .finished
    }
}
