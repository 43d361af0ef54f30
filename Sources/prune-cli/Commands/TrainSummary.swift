import Foundation
import PruneKit

/// The final summary of `prune-cli train` (stdout, or JSON with --json).
///
/// With no epoch trained (`--epochs 0`) the accuracies are those of the evaluated initial model and there is
/// no best epoch (`bestTestAccuracy` and `bestEpoch` are absent from the JSON, never a -1 sentinel).
struct TrainSummary: Encodable, CustomStringConvertible {
    let model: String, dataset: String
    let epochs: Int, finalTestAccuracy: Float?, finalTestLoss: Float?, bestTestAccuracy: Float?, bestEpoch: Int?
    let seconds: Double, parameters: Int, flops: Int, out: String
    let history: [EpochRecord]

    /// `initial`: the evaluation of the model when no epoch ran (nil otherwise).
    init(model: String, dataset: String, state: TrainingState, initial: EvaluationResult?, seconds: Double,
         parameters: Int, flops: Int, out: String) {
        (self.model, self.dataset, self.seconds, self.parameters, self.flops, self.out) = (model, dataset, seconds, parameters, flops, out)
        (epochs, history) = (state.completedEpochs, state.history)
        finalTestAccuracy = initial?.accuracy ?? state.history.last?.testAccuracy
        finalTestLoss = initial?.loss ?? state.history.last?.testLoss
        let evaluated = state.bestEpoch >= 0 && state.bestAccuracy >= 0
        (bestTestAccuracy, bestEpoch) = (evaluated ? state.bestAccuracy : nil, evaluated ? state.bestEpoch : nil)
    }

    var description: String {
        let accuracy = finalTestAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "not evaluated"
        guard let bestTestAccuracy, let bestEpoch, !history.isEmpty else {
            return String(format: "%@ on %@: no epochs trained; initial model test accuracy %@, loss %.4f; checkpoints in %@",
                          model, dataset, accuracy, finalTestLoss ?? .nan, out)
        }
        return String(format: "%@ on %@: final test accuracy %@, best %.2f%% (epoch %d), %d epochs in %.1f s; checkpoints in %@",
                      model, dataset, accuracy, 100 * bestTestAccuracy, bestEpoch + 1, epochs, seconds, out)
    }
}
