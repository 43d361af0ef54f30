import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// SFP's soft mask as a training hook (He et al., IJCAI 2018, Algorithm 1; sfp.md steps 2-4): before the first
/// epoch, and after every epoch e with e % T_p == 0 or e == E - 1, each group's `counts[group]` filters with the
/// smallest L2 norm ||F||_2 = (sum w^2)^(1/2) are set to exactly 0. The selection is recomputed from the current
/// weights every time (no memory of earlier masks) and no gradient mask exists, so zeroed filters keep training
/// and can grow back. Biases, BatchNorm parameters and momentum are left as they are (as the official code).
///
/// Shape contract: the model keeps its shape during training; `maskedUnits` lists, per group, the units zeroed by
/// the latest mask (ascending).
///
/// ```swift
/// let hook = try SoftFilterMaskHook(model: model, groups: graph.groups, counts: ["layer1.0.conv1": 4],
///                                   interval: 1, epochs: 3)
/// trainer.hooks.append(hook)   // masks 4 times: before epoch 0 and after epochs 0, 1, 2
/// ```
public final class SoftFilterMaskHook: TrainingHook {
    /// Group name -> filters zeroed per mask.
    public let counts: [String: Int]
    /// T_p, epochs between masks.
    public let interval: Int
    /// E, the training epochs (the last one is always masked).
    public let epochs: Int
    /// Group name -> the units the latest mask zeroed.
    public private(set) var maskedUnits: [String: [Int]] = [:]
    /// How many times the mask has been applied (E = 3, T_p = 1: 4).
    public private(set) var maskCount = 0
    /// The epochs after which the mask was applied (-1: before training).
    public private(set) var maskedAfterEpochs: [Int] = []

    private let filters: [(name: String, slices: UnitSlices)]

    /// A hook for `groups` of `model` (groups absent from `counts`, or with count 0, are left alone).
    public init(model: Model, groups: [ChannelGroup], counts: [String: Int], interval: Int, epochs: Int) throws {
        guard interval >= 1 else {
            throw PruneKitError.invalidParameter(name: "sfp-interval", expected: "an integer >= 1", found: "\(interval)")
        }
        (self.counts, self.interval, self.epochs) = (counts, interval, epochs)
        filters = try groups.filter { (counts[$0.name] ?? 0) > 0 }.map { ($0.name, try UnitSlices(group: $0, model: model)) }
    }

    /// Masks the initial weights (the code's `init_mask` + `do_mask` before the loop).
    public func beforeTraining(_ context: TrainingContext) throws { mask(afterEpoch: -1) }

    /// Masks after epoch e when e % T_p == 0 or e is the last epoch.
    public func afterEpoch(_ context: TrainingContext) throws {
        if context.epoch % interval == 0 || context.epoch == epochs - 1 { mask(afterEpoch: context.epoch) }
    }

    /// Zeroes, per group, the `counts[group]` filters with the smallest current L2 norm.
    public func mask(afterEpoch epoch: Int = -1) {
        for (name, slices) in filters {
            let units = UnitSlices.lowest(counts[name] ?? 0, of: slices.runningTotals { $0 * $0 })
            slices.zero(units: units)
            maskedUnits[name] = units
        }
        maskCount += 1
        maskedAfterEpochs.append(epoch)
    }
}
