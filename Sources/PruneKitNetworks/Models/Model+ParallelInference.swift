import Foundation
import PruneKitCore

// Legend: N batch, T threads, S images per sub-batch (tile).

/// Inference split over images instead of over each layer's work.
///
/// Evaluation without gradients has no batch coupling (batch norm uses running statistics, dropout is off),
/// so every image's logits depend on that image alone. `Model.forward` then gives each of the T threads a
/// contiguous run of about N/T images and runs whole forward passes on it, S images at a time:
///
///     logits[n] = f(x[n])   for n in thread t's run, in sub-batches of S
///
/// Against per-layer parallelism (every op split over images, one fork-join per layer) this removes 2 x
/// layers synchronisations per pass, the idle time of the slower thread at each of them, and keeps a
/// sub-batch's activations in that core's L2 instead of streaming the whole batch's through L3 between layers.
/// Narrow (pruned) layers gain most: their fixed per-layer costs weigh more. Results equal the per-layer path's
/// to float rounding: nothing reduces across images, but sgemm (linear layers, the im2col fallback) sums a row
/// in an order that can depend on where the row falls in its tiling.
///
/// Measured (2 threads, batch 128, the two paths alternating in one process): ResNet-56 inference 25-35%
/// faster at S = 12-48; VGG-16 within noise of the per-layer path (its 2x2 and 4x4 layers have few pixels per
/// weight, so it gains no locality). S = 24 keeps VGG's 4x4 groups of 24 stacked images whole.
extension Model {
    /// Images per sub-batch S; 0 turns the per-thread path off (every layer split over threads instead).
    /// `PRUNEKIT_INFERENCE_TILE` overrides the default.
    public nonisolated(unsafe) static var inferenceTile: Int = {
        ProcessInfo.processInfo.environment["PRUNEKIT_INFERENCE_TILE"].flatMap { Int($0) }.map { max(0, $0) } ?? 24
    }()

    /// Whether `forward` takes the per-thread path: fused inference (`context.fusesInference`), more than one
    /// thread, not already inside a parallel region, not profiling (the profiler attributes time per op on
    /// one timeline), and at least two images.
    func splitsBatchAcrossThreads(_ input: Variable, _ context: ForwardContext) -> Bool {
        Self.inferenceTile > 0 && context.fusesInference && Parallel.threadCount > 1 && !Parallel.isNested && !Profiler.isEnabled
            && input.shape[0] >= 2
    }

    /// logits for [N, ...] input, computed as described above; `body` is the model's whole forward pass.
    func forwardPerThread(_ input: Variable, _ context: ForwardContext,
                          _ body: (Variable) throws -> Variable) throws -> Variable {
        let batch = input.shape[0]
        // Without convolutions (the MLP) there are no large activations to keep local, and a smaller sgemm
        // only runs slower (0.73 vs 0.51 ms per MLP batch at S = 24): one sub-batch per thread.
        let tile = namedLayers.values.contains { $0 is Conv2d } ? Self.inferenceTile : batch
        let lock = NSLock()
        var pieces: [Int: Tensor] = [:]
        var failure: Error?
        let previousCache = context.inferenceWeights
        context.inferenceWeights = previousCache ?? InferenceWeightCache()
        defer { context.inferenceWeights = previousCache }
        Parallel.forEachChunk(count: batch) { _, images in
            var start = images.lowerBound
            while start < images.upperBound {
                let range = start..<min(start + tile, images.upperBound)
                start = range.upperBound
                do {
                    let output = try body(Variable(input.value.images(range)))
                    lock.lock(); pieces[range.lowerBound] = output.value; lock.unlock()
                } catch {
                    lock.lock(); failure = failure ?? error; lock.unlock()
                    return
                }
            }
        }
        if let failure { throw failure }
        let ordered = pieces.keys.sorted().map { pieces[$0]! }
        return Variable(try Tensor(concatenatingImages: ordered))
    }
}
