import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Deep Compression (Han, Mao and Dally, ICLR 2016): magnitude pruning with retraining (`MagnitudeWeightPruner`,
/// same targets and rounds), then per-layer weight sharing by k-means (k = 2^bits; 8 bits for conv, 5 for fully
/// connected layers, linear initialisation), fine-tuning of the centroids (`SharedWeightHook`), and the size of
/// the Huffman-coded sparse format (`CompressedSize`: relative indices 8 / 5 bits). The model keeps dense float
/// tensors holding the shared values; the report gives `compressed_bytes`, `dense_bytes` and
/// `compression_ratio`.
///
/// ```swift
/// var config = PruningConfig(); config.target = .channelRatio(0.9)
/// let report = try PruningPipeline.run(model: model, method: "deep-compression", config: config, data: data)
/// report.results[DeepCompressionResult.self]?.compressedBytes
/// ```
public final class DeepCompressionPruner: Pruner {
    /// Quantisation and index widths.
    public struct Settings: Codable, Equatable {
        /// Bits per cluster index of conv weights (k = 256).
        public var convolutionBits = 8
        /// Bits per cluster index of linear weights (k = 32).
        public var linearBits = 5
        /// Relative-index field of conv weights.
        public var convolutionIndexBits = 8
        /// Relative-index field of linear weights.
        public var linearIndexBits = 5
        /// Lloyd iterations of k-means.
        public var iterations = 30

        /// The paper's AlexNet settings.
        public init() {}
    }

    /// The rounds (stateless, shared).
    private let pruning = MagnitudeWeightPruner()

    /// A pruner.
    public init() {}

    /// Retraining between rounds, as `MagnitudeWeightPruner`.
    public func prepare(_ session: PruningSession) throws { try pruning.prepare(session) }
    /// This round's magnitude masks.
    public func plan(_ session: PruningSession) throws -> PruningPlan { try pruning.plan(session) }
    /// After `magnitude.steps` rounds.
    public func isComplete(_ session: PruningSession) throws -> Bool { try pruning.isComplete(session) }

    /// Clusters every prunable weight tensor and records the compressed size.
    public func finish(_ session: PruningSession) throws {
        let settings = session.config.deepCompression
        var sharing: [String: WeightSharing] = [:]
        for weight in MagnitudeWeightPruner.prunableWeights(of: session) {
            let bits = weight.shape.count == 4 ? settings.convolutionBits : settings.linearBits
            let shared = WeightSharing(weights: weight.value, mask: session.masks.masks[weight.name], bits: bits,
                                       iterations: settings.iterations)
            weight.value = shared.reconstructed()
            sharing[weight.name] = shared
        }
        session.setRunState(SharedWeightHook(sharing: sharing))
        record(session)
    }

    /// The masks and the centroid training.
    public func fineTuningHooks(_ session: PruningSession) throws -> [TrainingHook] {
        [session.masks] + (session.runState(of: SharedWeightHook.self).map { [$0] } ?? [])
    }

    /// Writes the compressed size of the current shared weights into the session's results.
    public func record(_ session: PruningSession) {
        let settings = session.config.deepCompression
        let convolutions = Set(session.model.parameters.filter { $0.shape.count == 4 }.map(\.name))
        let size = CompressedSize.measure(session.model, sharing: session.runState(of: SharedWeightHook.self)?.sharing ?? [:]) { name in
            convolutions.contains(name) ? settings.convolutionIndexBits : settings.linearIndexBits
        }
        session.results.record(DeepCompressionResult(denseBytes: size.denseBytes, compressedBytes: size.compressedBytes,
                                                     compressionRatio: size.ratio))
    }
}
