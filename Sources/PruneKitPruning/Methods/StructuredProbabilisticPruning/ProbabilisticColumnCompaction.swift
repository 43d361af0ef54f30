import PruneKitCore
import PruneKitNetworks
import PruneKitTraining

/// The end of SPP's pruning phase (spp.md "Output" and "Coupled channels"), in three session steps (the first two
/// here):
///
/// 1. `masks`: P of every layer as a 0/1 weight mask [OC, C, K, K] (constant along each column) in `session.masks`,
///    so the channel surgery of step 2 slices it with the weights.
/// 2. `emptiedChannels`: input channel c of a conv whose K K columns are all in P is removed physically with its
///    producer filter and BatchNorm channel, only in `.layer` groups (a plain conv -> (BN) -> ReLU -> conv link)
///    whose every reader is such a conv; never in a residual stream (`.residualStream` groups are skipped).
/// 3. `PruningSession.recordColumnMasks`: each masked conv gets `SparsityRecord.columns(kept:)` (column c K K + tap,
///    after the removal), the masks are cleared, and the session takes the recorded graph: FLOPs and parameters then
///    count only kept columns, the convs compute only them, and checkpoints keep the record.
///
/// ```swift
/// try session.apply(try ProbabilisticColumnCompaction.masks(session, hook: hook))
/// try session.apply(ProbabilisticColumnCompaction.emptiedChannels(session))
/// try session.recordColumnMasks()
/// ```
enum ProbabilisticColumnCompaction {
    /// Step 1: P as weight masks.
    static func masks(_ session: PruningSession, hook: ProbabilisticColumnHook) throws -> PruningPlan {
        var plan = PruningPlan()
        for (layer, weight) in zip(hook.layers, try ProbabilisticColumnHook.weights(of: hook.layers, in: session.model))
        where !layer.permanentOrder.isEmpty {
            let rows = Array(repeating: layer.permanentMask, count: layer.outputChannels).flatMap { $0 }
            plan.masks[layer.parameterName] = try Tensor(shape: weight.shape, scalars: rows)
        }
        return plan
    }

    /// Step 2: units of `.layer` groups whose every reader is a conv with all K K columns of the unit's channels masked.
    static func emptiedChannels(_ session: PruningSession) -> PruningPlan {
        var removals: [String: [Int]] = [:]
        for group in session.graph.groups where group.kind == .layer && !session.config.isIgnored(group) {
            let readers = group.members.filter { $0.role == .input }
            guard !readers.isEmpty else { continue }
            let emptied = (0..<group.unitCount).filter { unit in readers.allSatisfy { isEmptied($0, unit, session) } }
            if !emptied.isEmpty && emptied.count < group.unitCount { removals[group.name] = emptied }
        }
        return PruningPlan(removals: removals)
    }

    /// Whether reader `member` is a conv whose mask is 0 on every column of unit `unit`'s input channels (row 0 is
    /// read: the mask is constant along columns).
    private static func isEmptied(_ member: ChannelGroup.Member, _ unit: Int, _ session: PruningSession) -> Bool {
        guard let conv = session.model.namedLayers[member.layerName] as? Conv2d,
              let mask = session.masks.masks[conv.weight.name] else { return false }
        let taps = conv.kernelSize * conv.kernelSize
        return mask.withUnsafeBufferPointer { m in
            member.channels[unit].allSatisfy { channel in (0..<taps).allSatisfy { m[channel * taps + $0] == 0 } }
        }
    }
}
