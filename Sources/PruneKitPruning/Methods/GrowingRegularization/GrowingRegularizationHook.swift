import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// GReg's growing penalty as a training hook (Wang et al., ICLR 2021; greg.md steps 4-6): at iteration t, after
/// backward, when t % K_u == 0 every layer's `GrowingPenaltySchedule` is updated with the current mean|W_f|; then
/// every iteration grad(W_f) += lambda_f W_f (the gradient of sum_f (lambda_f / 2) ||W_f||^2), before the
/// optimizer adds its own weight decay. When every layer is finished (each on its own rule; GReg-1 also all
/// together once every magnitude ratio h >= the limit), training continues K_s more iterations with lambda frozen
/// and then sets `context.shouldStop`.
///
/// ```swift
/// let hook = try GrowingRegularizationHook(model: model, groups: graph.groups, counts: ["layer1.0.conv1": 8],
///                                          settings: settings, picksLater: false)
/// trainer.hooks.append(hook)   // trains until lambda has grown and stabilised
/// ```
public final class GrowingRegularizationHook: TrainingHook {
    /// Group name -> its schedule.
    public private(set) var schedules: [String: GrowingPenaltySchedule] = [:]
    /// Iterations run so far in this phase.
    public private(set) var iteration = 0
    /// The iteration at which the last layer stopped growing (nil while growing).
    public private(set) var finishedAt: Int?
    /// The hyperparameters.
    public let settings: GrowingRegularizationPruner.Settings
    private let filters: [String: UnitSlices]

    /// A hook for the groups in `counts` (a count of 0 finishes at the first update).
    public init(model: Model, groups: [ChannelGroup], counts: [String: Int], settings: GrowingRegularizationPruner.Settings,
                picksLater: Bool) throws {
        self.settings = settings
        var filters: [String: UnitSlices] = [:]
        for group in groups where counts[group.name] != nil {
            let weights = try UnitSlices(group: group, model: model)
            filters[group.name] = weights
            schedules[group.name] = GrowingPenaltySchedule(removalCount: counts[group.name]!, scores: weights.means { abs($0) },
                                                           settings: settings, picksLater: picksLater)
        }
        self.filters = filters
    }

    /// Group name -> the filters selected for removal (GReg-2: empty until picked).
    public var selectedUnits: [String: [Int]] { schedules.mapValues(\.selected) }

    /// Updates lambda every K_u iterations, then adds lambda * w to the selected filters' gradients.
    public func afterBackward(_ context: TrainingContext) throws {
        if iteration % settings.updateInterval == 0 && finishedAt == nil { updateSchedules() }
        for (name, weights) in filters {
            weights.addPenaltyGradient(schedules[name]!.penalties.map { Float($0) })
        }
    }

    /// Counts the iteration; stops K_s iterations after the last layer finished.
    public func afterOptimizerStep(_ context: TrainingContext) throws {
        if finishedAt == nil && schedules.values.allSatisfy({ $0.stage == .finished }) { finishedAt = iteration }
        if let finishedAt, iteration - finishedAt >= settings.stabilizeIterations { context.shouldStop = true }
        iteration += 1
    }

    /// One update of every layer, then GReg-1's global magnitude-ratio rule (GReg-2 layers stop on their own).
    public func updateSchedules() {
        for name in schedules.keys.sorted() { schedules[name]!.update(scores: filters[name]!.means { abs($0) }) }
        let pruned = schedules.values.filter { $0.removalCount > 0 && !$0.picksLater }
        if !pruned.isEmpty && pruned.allSatisfy({ $0.hasReached(ratioLimit: settings.magnitudeRatioLimit) }) {
            for name in schedules.keys { schedules[name]!.finish() }
        }
    }

    /// Selects now the layers still picking (no training phase, or the phase ended before tau_pick).
    public func pickRemaining() {
        for (name, schedule) in schedules where schedule.stage == .picking {
            var forced = schedule
            forced.forcePick(scores: filters[name]!.means { abs($0) })
            schedules[name] = forced
        }
    }
}
