import Foundation
import PruneKitCore

// Legend: N batch, C candidates (gate vectors), S images per sub-batch (tile), s the gated step.

/// The activations of one batch just after the step that finishes a layer, kept so that many per-channel gatings of
/// that layer can be evaluated by recomputing only the steps after it (`Model.inferenceSuffix`). Held per tile of
/// images, as the per-thread inference path (`forwardPerThread`) splits them.
package struct InferencePrefix {
    /// The gated step s.
    let step: Int
    /// The slot s writes (the value the gates multiply).
    let gatedSlot: Int
    /// Per tile: its image range and the slots live after step s (the values later steps read).
    let tiles: [(images: Range<Int>, slots: [Variable?])]
    /// N.
    package var batchSize: Int { tiles.last?.images.upperBound ?? 0 }
    /// Bytes held by the cached slots.
    package var byteCount: Int { tiles.reduce(0) { $0 + $1.slots.reduce(0) { $0 + ($1?.value.count ?? 0) } } * MemoryLayout<Float>.size }
}

/// Candidate evaluation from a cached prefix, for selection methods that try many gatings of one layer
/// (greedy forward selection): the network runs once per batch up to and including the step that finishes the
/// layer, and each candidate then recomputes only the steps after it, on the cached slots with channel j of the
/// finishing step's output multiplied by m_j. This equals scaling the layer's channels (`gatePoint`), in fused
/// inference mode (BN folded, no tape), to float rounding.
///
/// The suffix passes of all candidates run in one parallel region over (candidate, tile) pairs, each a whole
/// suffix pass on S images on one thread, as `forwardPerThread` does for plain inference.
///
/// ```swift
/// if let step = model.gatePoint(finishing: "layer1.0.bn1") {
///     let prefix = try model.inferencePrefix(images, through: step)
///     let logits = try model.inferenceSuffix(prefix, multipliers: [[1, 0, 2], [0, 1, 1]])   // [N, classes] each
/// }
/// ```
extension Model {
    /// The step whose output channels can stand for layer `name`'s (see `GraphExecution.gatePoint`), or nil when the
    /// layer's channels cannot be gated on a step output (a residual add follows it inside its step).
    package func gatePoint(finishing name: String) -> Int? {
        guard let layer = namedLayers[name] else { return nil }
        return execution.gatePoint(finishing: layer)
    }

    /// Runs `images` ([N] + input shape) through steps 0...step in fused inference mode and keeps, per tile of S
    /// images, the slots the later steps need.
    package func inferencePrefix(_ images: Tensor, through step: Int) throws -> InferencePrefix {
        guard images.rank == spec.inputShape.count + 1, Array(images.shape.dropFirst()) == spec.inputShape else {
            throw PruneKitError.shapeMismatch(operation: "model \(spec.name) prefix", expected: "input [N] + \(spec.inputShape)",
                                              found: "\(images.shape)")
        }
        precondition(execution.steps.indices.contains(step), "step \(step) of \(execution.steps.count)")
        try checkForwardMemory(batchSize: images.shape[0])
        return try GradientMode.withoutGradients {
            let context = ForwardContext(training: false)
            var slots = [Variable?](repeating: nil, count: execution.slotCount)
            slots[0] = Variable(images)
            try execution.run(0..<(step + 1), on: &slots, context)
            let batch = images.shape[0], tile = suffixTile(batch)
            let tiles = stride(from: 0, to: batch, by: tile).map { start -> (images: Range<Int>, slots: [Variable?]) in
                let range = start..<min(start + tile, batch)
                return (range, slots.map { $0.map { Variable($0.value.images(range)) } })
            }
            return InferencePrefix(step: step, gatedSlot: execution.steps[step].output, tiles: tiles)
        }
    }

    /// The logits [N, classes] of the prefix's batch for each multiplier vector (one entry per channel of the gated
    /// step's output, each >= 0), in order.
    package func inferenceSuffix(_ prefix: InferencePrefix, multipliers: [[Float]]) throws -> [Tensor] {
        let tiles = prefix.tiles.count, items = multipliers.count * tiles
        let lock = NSLock()
        var pieces = [Tensor?](repeating: nil, count: items)
        var failure: Error?
        let cache = InferenceWeightCache()
        let range = (prefix.step + 1)..<execution.steps.count
        // The gradient mode is process-wide: switch it off once around the parallel region, never inside it.
        GradientMode.withoutGradients {
            Parallel.forEachChunk(count: items) { _, chunk in
                for item in chunk {
                    let (candidate, tile) = item.quotientAndRemainder(dividingBy: tiles)
                    do {
                        let context = ForwardContext(training: false)
                        context.inferenceWeights = cache
                        var slots = prefix.tiles[tile].slots
                        slots[prefix.gatedSlot] = Variable(try Self.scalingChannels(of: slots[prefix.gatedSlot]!.value, by: multipliers[candidate]))
                        try execution.run(range, on: &slots, context)
                        let logits = slots[execution.slotCount - 1]!.value
                        lock.lock(); pieces[item] = logits; lock.unlock()
                    } catch {
                        lock.lock(); failure = failure ?? error; lock.unlock()
                        return
                    }
                }
            }
        }
        if let failure { throw failure }
        return try (0..<multipliers.count).map { candidate in
            try Tensor(concatenatingImages: (0..<tiles).map { pieces[candidate * tiles + $0]! })
        }
    }

    /// S for the suffix passes: the inference tile for convolutional networks (whole batch without convolutions or
    /// with the tile off), as in `forwardPerThread`.
    private func suffixTile(_ batch: Int) -> Int {
        let convolutional = namedLayers.values.contains { $0 is Conv2d }
        return max(1, convolutional && Self.inferenceTile > 0 ? Self.inferenceTile : batch)
    }

    /// x [N, C, ...] with channel c multiplied by m[c].
    private static func scalingChannels(of x: Tensor, by m: [Float]) throws -> Tensor {
        guard x.rank >= 2, x.shape[1] == m.count else {
            throw PruneKitError.shapeMismatch(operation: "channel gates", expected: "[N, \(m.count), ...]", found: "\(x.shape)")
        }
        let inner = x.shape.dropFirst(2).reduce(1, *), channels = m.count
        var result = x
        result.withUnsafeMutableBufferPointer { y in
            for n in 0..<x.shape[0] {
                for c in 0..<channels {
                    let start = (n * channels + c) * inner, scale = m[c]
                    for i in start..<(start + inner) { y[i] *= scale }
                }
            }
        }
        return result
    }
}
