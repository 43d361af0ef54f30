import PruneKitCore
import PruneKitPruning

/// What a finished cell left in `DIR/cells/<id>/result.json` (the main fields of its `PruningReport`, plus the
/// dense model's training time). Accuracies are fractions in [0, 1].
public struct CellResult: Codable, Equatable {
    /// The cell's id and configuration.
    public var id: String
    /// The configuration that produced the result.
    public var configuration: CellConfiguration
    /// Parameter and FLOP counts of the dense and the pruned model.
    public var parametersBefore: Int, parametersAfter: Int, flopsBefore: Int, flopsAfter: Int
    /// Test accuracy of the dense model, after pruning, and after fine-tuning (nil without fine-tuning).
    public var accuracyBefore: Float?, accuracyAfterPruning: Float?, accuracyAfterFineTuning: Float?
    /// Dense vs pruned timing per batch size.
    public var latency: [PruningReport.LatencyComparison]
    /// Wall seconds per pipeline stage (evaluation, pruning, fine-tuning, latency).
    public var seconds: [String: Double]
    /// Seconds the shared dense training took (0 for a checkpoint).
    public var denseTrainingSeconds: Double
    /// `Parallel.threadCount` during the cell (results are bit-reproducible at a fixed thread count).
    public var threads: Int

    /// Fraction of the dense FLOPs kept.
    public var flopsKept: Double { Double(flopsAfter) / Double(max(flopsBefore, 1)) }
    /// Fraction of the dense parameters kept.
    public var parametersKept: Double { Double(parametersAfter) / Double(max(parametersBefore, 1)) }
}
