import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// IncReg's column mode (increg.md "Column -> previous layer's filters"): im2col columns become masks on conv
/// weights [OC, C, K, K] (column = c K K + kh K + kw), and an input channel c whose K*K columns are all masked in
/// every layer reading it is removed together with its producer filter, BatchNorm channel and readers' inputs, which
/// is lossless because no reader uses channel c any more.
///
/// ```swift
/// let plan = try IncrementalRegularizationColumns.masks(session, layers: hook.layers, chosen: chosen)
/// ```
enum IncrementalRegularizationColumns {
    /// 0/1 masks over the chosen columns of each layer's weight; records the column sparsity.
    static func masks(_ session: PruningSession, layers: [IncrementalRegularizationHook.Layer],
                      chosen: [String: [Int]]) throws -> PruningPlan {
        var plan = PruningPlan(), (masked, total) = (0, 0)
        for layer in layers {
            let units = chosen[layer.name] ?? []
            (masked, total) = (masked + units.count, total + layer.unitCount)
            for (name, pattern) in layer.slices.maskPatterns(zeroing: units) where !units.isEmpty {
                plan.masks[name] = try pattern.tensor(shape: layer.slices.members[0].variable.shape)
            }
        }
        session.results.record(IncrementalRegularizationResult(columnSparsity: total == 0 ? 0 : Double(masked) / Double(total)))
        return plan
    }

    /// Units of `.layer` groups whose every reader is a conv with all K*K columns of the unit's channels masked.
    static func emptiedChannels(_ session: PruningSession) throws -> PruningPlan {
        var removals: [String: [Int]] = [:]
        for group in session.graph.groups where group.kind == .layer && !session.config.isIgnored(group) {
            let readers = group.members.filter { $0.role == .input }
            guard !readers.isEmpty else { continue }
            let emptied = (0..<group.unitCount).filter { unit in
                readers.allSatisfy { member in isEmptied(member, unit, session) }
            }
            if !emptied.isEmpty && emptied.count < group.unitCount { removals[group.name] = emptied }
        }
        session.results.record(IncrementalRegularizationResult(channelsRemoved: removals.values.reduce(0) { $0 + $1.count }))
        return PruningPlan(removals: removals)
    }

    /// Whether reader `member` has every column of unit `unit`'s channels masked.
    private static func isEmptied(_ member: ChannelGroup.Member, _ unit: Int, _ session: PruningSession) -> Bool {
        guard let conv = session.model.namedLayers[member.layerName] as? Conv2d,
              let mask = session.masks.masks[conv.weight.name] else { return false }
        let inputs = UnitSlices(members: [.init(variable: conv.weight, layout: .init(axis: 1, of: conv.weight.shape),
                                                 channels: member.channels)], unitCount: member.channels.count)
        return inputs.isZero(unit: unit, .tensors([conv.weight.name: mask]))
    }
}
