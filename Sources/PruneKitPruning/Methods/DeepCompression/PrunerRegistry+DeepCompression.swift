import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Deep Compression (Han et al., ICLR 2016; `DeepCompressionPruner`): magnitude pruning, then weight sharing and coding.
    static let deepCompression = PrunerRegistry.Entry(name: "deep-compression", summary: "Deep Compression (Han et al., ICLR 2016): magnitude pruning, k-means sharing, Huffman-coded size",
        isStructured: false, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: nil,
        settings: [MagnitudeWeightPruner.Settings.self, DeepCompressionPruner.Settings.self],
        options: MethodOption.deepCompression, makePruner: { _ in DeepCompressionPruner() })
}

extension MethodOption {
    /// Deep Compression's flags (baselines.md section 1; `--magnitude-steps` and `--retrain-epochs` belong to `magnitude`).
    static let deepCompression: [MethodOption] = [
        MethodOption(method: "deep-compression", name: "conv-bits", help: "Weight-sharing bits for conv layers (default 8; Han et al. 2016)") {
            $0.deepCompression.convolutionBits = try integer($1, name: "conv-bits", in: 1...16)
        },
        MethodOption(method: "deep-compression", name: "linear-bits", help: "Weight-sharing bits for linear layers (default 5; Han et al. 2016)") {
            $0.deepCompression.linearBits = try integer($1, name: "linear-bits", in: 1...16)
        },
    ]
}
