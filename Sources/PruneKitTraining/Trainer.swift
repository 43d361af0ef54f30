import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// The epoch loop (STYLE.md rule 14: a top-down list of named steps).
///
/// Each iteration: set the learning rate from the schedule, zero gradients, `beforeIteration` hooks (masks
/// swapped in), forward in training mode,
/// cross-entropy (with optional label smoothing), backward, `afterBackward` hooks (regularisers),
/// optimizer step, `afterOptimizerStep` hooks (masks). Each epoch ends with `afterEpoch` hooks,
/// evaluation, and `onEpochEnd` (where the caller writes checkpoints). Data order and augmentation are
/// functions of (seed, epoch), and the dropout generator is part of `TrainingState`, so resuming from an
/// epoch boundary reproduces the uninterrupted run bit for bit (same thread count).
public final class Trainer {
    /// The network being trained (trained in place).
    public let model: Layer
    /// The update rule; its learning rate is overwritten from `config.schedule` every iteration.
    public let optimizer: Optimizer
    /// The recipe: epochs, schedule, warm-up and label smoothing are read from it.
    public let config: TrainConfig
    /// Training batches, visited once per epoch.
    public let training: BatchProvider
    /// Evaluation batches, run after every `evaluationInterval`-th epoch and the last; nil: no test metrics.
    public let evaluation: BatchProvider?
    /// Evaluate after epochs e with (e + 1) divisible by this (>= 1), and always after the last; default 1 (every epoch).
    /// Evaluation of CIFAR-10's 10,000 test images is ~5% of a ResNet-20 epoch, twice that with `testTimeFlip`.
    public var evaluationInterval = 1
    /// Number of classes K: evaluation checks that logits are [B, K].
    public let classCount: Int
    /// Hooks called in order at each point of the loop (pruning methods' regularisers and masks).
    public var hooks: [TrainingHook] = []
    /// Called after every epoch with the new state (write checkpoints here).
    public var onEpochEnd: ((TrainingState) throws -> Void)?
    /// Receives progress (batches done, batches per epoch, running loss, running accuracy) for display.
    public var onProgress: ((Int, Int, Float, Float) -> Void)?
    /// Installed on the training forward passes (`ForwardContext.layerOutputHook`): gates learned during training.
    public var layerOutputHook: ((_ layer: Layer, _ input: Variable, _ output: Variable) throws -> Variable)?

    /// A trainer; call `fit(from:)` to run it.
    ///
    /// ```swift
    /// let trainer = Trainer(model: model, optimizer: try config.makeOptimizer(), config: config, training: train,
    ///                       evaluation: test, classCount: 10)
    /// let state = try trainer.fit(from: TrainingState(seed: config.seed))
    /// ```
    public init(model: Layer, optimizer: Optimizer, config: TrainConfig, training: BatchProvider,
                evaluation: BatchProvider?, classCount: Int) {
        (self.model, self.optimizer, self.config, self.training) = (model, optimizer, config, training)
        (self.evaluation, self.classCount) = (evaluation, classCount)
    }

    /// Trains from `state` (a fresh state, or one loaded from a checkpoint) to `config.epochs`.
    @discardableResult
    public func fit(from initial: TrainingState) throws -> TrainingState {
        var state = initial
        let context = TrainingContext(model: model, optimizer: optimizer)
        context.globalIteration = state.globalIteration
        if state.completedEpochs == 0 { for hook in hooks { try hook.beforeTraining(context) } }
        while state.completedEpochs < config.epochs && !context.shouldStop {
            let record = try runEpoch(state.completedEpochs, &state, context)
            state.completedEpochs += 1
            state.globalIteration = context.globalIteration
            state.history.append(record)
            if let accuracy = record.testAccuracy, accuracy > state.bestAccuracy {
                (state.bestAccuracy, state.bestEpoch) = (accuracy, record.epoch)
            }
            try onEpochEnd?(state)
        }
        return state
    }

    private func runEpoch(_ epoch: Int, _ state: inout TrainingState, _ context: TrainingContext) throws -> EpochRecord {
        let start = Profiler.now()
        context.epoch = epoch
        for hook in hooks { try hook.beforeEpoch(context) }
        let forward = ForwardContext(training: true, generator: state.generator)
        forward.layerOutputHook = layerOutputHook
        var (lossTotal, correct, seen) = (0.0, 0, 0)
        try training.forEachBatch(epoch: epoch, startingAt: 0) { index, images, labels in
            guard !context.shouldStop else { return }
            context.iteration = index
            let logits = try trainStep(images, labels, forward, context)
            lossTotal += Double(context.loss) * Double(labels.count)
            correct += zip(logits.argmaxRows(), labels).filter { $0 == $1 }.count
            seen += labels.count
            onProgress?(index + 1, training.batchCount, Float(lossTotal / Double(max(seen, 1))), Float(correct) / Float(max(seen, 1)))
        }
        state.generator = forward.generator
        for hook in hooks { try hook.afterEpoch(context) }
        let seconds = Profiler.now() - start
        let due = (epoch + 1) % max(evaluationInterval, 1) == 0 || epoch + 1 >= config.epochs
        let test = try evaluation.flatMap { due ? try Evaluator.evaluate(model, on: $0, classCount: classCount, mirrored: config.testTimeFlip) : nil }
        return EpochRecord(epoch: epoch, learningRate: optimizer.learningRate, trainLoss: Float(lossTotal / Double(max(seen, 1))),
                           trainAccuracy: Float(correct) / Float(max(seen, 1)), testLoss: test?.loss, testAccuracy: test?.accuracy,
                           seconds: seconds, imagesPerSecond: Double(seen) / seconds)
    }

    /// One SGD iteration; returns the logits for accuracy bookkeeping.
    private func trainStep(_ images: Tensor, _ labels: [Int], _ forward: ForwardContext, _ context: TrainingContext) throws -> Tensor {
        optimizer.learningRate = config.schedule.rate(base: config.learningRate, epoch: context.epoch, iteration: context.iteration,
                                                      iterationsPerEpoch: training.batchCount, totalEpochs: config.epochs,
                                                      warmupEpochs: config.warmupEpochs)
        model.zeroGradients()
        for hook in hooks { try hook.beforeIteration(context) }
        let logits = try model(Variable(images), forward)
        let loss = try softmaxCrossEntropy(logits, labels: labels, labelSmoothing: config.labelSmoothing)
        context.loss = loss.value[flat: 0]
        guard context.loss.isFinite else {
            throw PruneKitError.invalidArgument(operation: "train", message: "loss is \(context.loss) at epoch \(context.epoch) iteration \(context.iteration); lower the learning rate")
        }
        try loss.backward()
        for hook in hooks { try hook.afterBackward(context) }
        optimizer.step(model.parameters)
        for hook in hooks { try hook.afterOptimizerStep(context) }
        context.globalIteration += 1
        return logits.value
    }
}
