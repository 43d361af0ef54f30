import Foundation
import PruneKit

/// What `train --resume` accepts from the command line when DIR/last.safetensors exists.
///
/// The run's recipe is the one recorded in the checkpoint: a recipe flag that would change it is a usage error
/// (exit 64) naming the flag, since the run cannot honour it; a flag equal to the recorded value is accepted, so
/// the command line that started a run can be repeated to continue it (requeued jobs). `--epochs` is honoured
/// (extend or finish a run) and recorded; `--model`, `--model-spec`, `--dataset` and `--init-from` must agree with the run.
/// Threads, data folder, limits and output format are not part of the recipe and are always honoured.
extension TrainCommand {
    /// Recipe flags and the setting each controls, as text: equal texts mean equal settings (a Float's
    /// description round-trips).
    static let recipeFlags: [(flag: String, value: (TrainConfig) -> String)] = [
        ("batch-size", { "\($0.batchSize)" }), ("lr", { "\($0.learningRate)" }), ("momentum", { "\($0.momentum)" }),
        ("nesterov", { $0.nesterov ? "Nesterov momentum" : "plain momentum" }), ("weight-decay", { "\($0.weightDecay)" }),
        ("norm-bias-weight-decay", { $0.vectorWeightDecay.map { "\($0)" } ?? "the weight decay" }),
        ("test-flip", { $0.testTimeFlip ? "on" : "off" }),
        ("schedule", { "\($0.schedule)" }), ("warmup-epochs", { "\($0.warmupEpochs)" }),
        ("label-smoothing", { "\($0.labelSmoothing)" }), ("seed", { "\($0.seed)" }),
        ("augment", { TrainingDataOptions.name(of: $0.augmentation ?? .none) }),
        ("no-shuffle", { $0.shuffle ? "shuffling" : "no shuffling" }),
    ]

    /// Throws a usage error naming the first flag that disagrees with the run in `path`.
    func checkResumable(_ checkpoint: ModelCheckpoint, recorded: TrainConfig, state: TrainingState, data: DataOptions, path: String) throws {
        for (flag, value) in Self.recipeFlags where arguments.given(flag) && value(config) != value(recorded) {
            throw PruneKitError.usage("option '--\(flag)' cannot change a resumed run: \(path) was trained with \(value(recorded)), "
                                      + "the flag gives \(value(config)); drop the flag, or start a new run from the checkpoint with '--init-from'")
        }
        if arguments.given("epochs"), config.epochs < state.completedEpochs {
            throw PruneKitError.usage("option '--epochs': \(path) has already completed \(state.completedEpochs) epochs, the flag asks for \(config.epochs)")
        }
        if let modelName, try Self.zooSpec(named: modelName).name != checkpoint.model.spec.name {
            throw PruneKitError.usage("option '--model': '\(modelName)' does not match the run in \(path), which trains a \(checkpoint.model.spec.name)")
        }
        try checkSpecFileMatches(checkpoint, path: path)
        if arguments.given("dataset"), let dataset = checkpoint.metadata["dataset"], dataset != data.kind.name {
            throw PruneKitError.usage("option '--dataset': '\(data.kind.name)' does not match the run in \(path), which trains on \(dataset)")
        }
        if let initFrom { try checkInitialisation(initFrom, checkpoint: checkpoint, path: path) }
    }

    /// `--init-from` with `--resume` continues the run only if that run started from the same bytes.
    private func checkInitialisation(_ initFrom: String, checkpoint: ModelCheckpoint, path: String) throws {
        let given = try CheckpointOrigin(describing: initFrom)
        let recorded = try checkpoint.metadata[Self.initFromKey].map { try CheckpointOrigin(jsonText: $0, source: path) }
        guard recorded?.sha256 == given.sha256 else {
            let start = recorded.map { "from \($0.file) (sha256 \($0.sha256.prefix(12))…)" } ?? "from a fresh initialisation"
            throw PruneKitError.usage("option '--init-from': the run in \(path) started \(start), not from \(initFrom) (sha256 \(given.sha256.prefix(12))…)")
        }
    }
}
