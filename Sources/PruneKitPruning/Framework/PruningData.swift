import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The data a pruning run may use: training batches (sparsity training, Taylor statistics, retraining,
/// fine-tuning) and evaluation batches (accuracies in the report). Either may be absent; a method that needs
/// one throws an error naming it.
///
/// ```swift
/// let data = PruningData(training: trainLoader, evaluation: testLoader)
/// ```
public struct PruningData {
    /// Training batches, or nil.
    public var training: BatchProvider?
    /// Evaluation batches, or nil (then the report has no accuracies).
    public var evaluation: BatchProvider?

    /// Data for a run.
    public init(training: BatchProvider? = nil, evaluation: BatchProvider? = nil) {
        self.training = training
        self.evaluation = evaluation
    }
}
