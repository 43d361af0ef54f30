import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Physical removal of channels (STYLE.md rule 12): for every member of the chosen groups, one step slices the
/// weights and biases, BatchNorm parameters and running statistics, the consumers' input channels or columns,
/// the gradients, the optimizer's state (by parameter name, see `OptimizerStateSurgery`) and the masks.
///
/// Removals of several groups are merged per (layer, axis) before slicing, because coupled groups can share an
/// axis (option-A stream groups all touch stage 3's stream) and indices refer to the model as the graph saw it.
/// Throws before changing anything if a unit is out of range, a group would keep fewer than its minimum, or a
/// layer would lose every channel.
///
/// ```swift
/// let graph = try DependencyGraph(model: model)
/// try ChannelSurgery.remove(["layer1.0.conv1": [0, 5]], graph: graph, from: model, optimizer: sgd)
/// try model.currentSpec().width(of: "layer1.0.conv1")    // 14
/// ```
public enum ChannelSurgery {
    /// Removes `removals[group name]` units of each named group of `graph` from `model`.
    public static func remove(_ removals: [String: [Int]], graph: DependencyGraph, from model: Model,
                              optimizer: Optimizer? = nil, masks: WeightMasks? = nil) throws {
        var cuts: [String: (role: ChannelGroup.Member.Role, channels: Set<Int>)] = [:]
        for (name, units) in removals where !units.isEmpty {
            let group = try graph.group(named: name)
            try validate(units, of: group)
            for member in group.members {
                let key = member.layerName + "/" + member.role.rawValue
                cuts[key, default: (member.role, [])].channels.formUnion(units.flatMap { member.channels[$0] })
            }
        }
        var plans: [(PrunableLayer, ChannelGroup.Member.Role, [Int])] = []
        for (key, cut) in cuts.sorted(by: { $0.key < $1.key }) where !cut.channels.isEmpty {
            let name = String(key[..<key.lastIndex(of: "/")!])
            let layer = try PrunableLayer(model, named: name), count = try layer.channelCount(for: cut.role)
            guard cut.channels.allSatisfy({ $0 < count }), cut.channels.count < count else {
                throw PruneKitError.invalidArgument(operation: "surgery on \(model.spec.name)",
                                                    message: "layer '\(name)' (\(cut.role.rawValue)) has \(count) channels; cannot remove \(cut.channels.count) of them (indices up to \(cut.channels.max()!))")
            }
            if layer.weightMask != nil {
                throw PruneKitError.invalidArgument(operation: "surgery on \(model.spec.name)",
                                                    message: "layer '\(name)' carries a block or column sparsity mask; remove channels before block pruning")
            }
            plans.append((layer, cut.role, (0..<count).filter { !cut.channels.contains($0) }))
        }
        var state = optimizer?.stateTensors() ?? [:]
        for (layer, role, kept) in plans { try cut(layer, role: role, keeping: kept, state: &state, masks: masks) }
        if let optimizer, !state.isEmpty { try optimizer.loadStateTensors(state) }
    }

    /// Removes `units` of one group.
    public static func remove(units: [Int], of group: ChannelGroup, graph: DependencyGraph, from model: Model,
                              optimizer: Optimizer? = nil, masks: WeightMasks? = nil) throws {
        try remove([group.name: units], graph: graph, from: model, optimizer: optimizer, masks: masks)
    }

    private static func validate(_ units: [Int], of group: ChannelGroup) throws {
        let unique = Set(units)
        guard unique.count == units.count, unique.allSatisfy({ $0 >= 0 && $0 < group.unitCount }) else {
            throw PruneKitError.invalidArgument(operation: "surgery on group '\(group.name)'",
                                                message: "units must be distinct and in 0..<\(group.unitCount), got \(units.sorted())")
        }
        guard group.unitCount - units.count >= group.minimumUnits else {
            throw PruneKitError.invalidArgument(operation: "surgery on group '\(group.name)'",
                                                message: "removing \(units.count) of \(group.unitCount) units leaves fewer than \(group.minimumUnits)")
        }
    }

    /// Slices one layer's tensors on `role`'s axis, with gradients, optimizer state, masks and BN buffers.
    private static func cut(_ layer: PrunableLayer, role: ChannelGroup.Member.Role, keeping kept: [Int],
                            state: inout [String: Tensor], masks: WeightMasks?) throws {
        for (variable, axis) in try layer.parameters(for: role) {
            let oldShape = variable.shape
            variable.value = try variable.value.keeping(kept, alongAxis: axis)
            if let gradient = variable.gradient, gradient.shape == oldShape {
                variable.gradient = try gradient.keeping(kept, alongAxis: axis)
            }
            try OptimizerStateSurgery.keep(kept, alongAxis: axis, of: variable.name, shape: oldShape, in: &state)
            if let masks, let mask = masks.masks[variable.name], mask.shape == oldShape {
                masks.replace(variable.name, with: try mask.keeping(kept, alongAxis: axis))
            }
        }
        switch layer {
        case let .batchNorm(batchNorm):
            batchNorm.statistics.runningMean = try batchNorm.statistics.runningMean.keeping(kept, alongAxis: 0)
            batchNorm.statistics.runningVariance = try batchNorm.statistics.runningVariance.keeping(kept, alongAxis: 0)
        case let .convolution(convolution) where role == .input && convolution.columns != nil:
            convolution.columns = try convolution.columns!.keepingChannels(kept)
        case .convolution, .linear:
            break
        }
    }
}
