import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// Top-1 accuracy, mean loss and per-class accuracy of a model on a batch provider.
public struct EvaluationResult: Codable, Equatable {
    /// Samples evaluated.
    public var count: Int
    /// Mean unsmoothed softmax cross-entropy per sample (0 when no samples).
    public var loss: Float
    /// Top-1 accuracy, a fraction in [0, 1] (0 when no samples).
    public var accuracy: Float
    /// Accuracy per class (NaN-free: a class with no samples reports 0 and count 0).
    public var perClassAccuracy: [Float]
    /// Samples of each class, indexed by label.
    public var perClassCount: [Int]
    /// Wall-clock seconds the evaluation took.
    public var seconds: Double
}

/// Evaluation in eval mode (running BN statistics, no dropout) with the tape off.
public enum Evaluator {
    /// Runs every batch of epoch 0 of `provider` through `model`. With `mirrored`, each batch also runs mirrored
    /// left-right and the logits of the two passes are averaged, (f(x) + f(flip x)) / 2, before the loss and the
    /// arg-max (flip test-time augmentation; twice the time).
    public static func evaluate(_ model: Layer, on provider: BatchProvider, classCount: Int, mirrored: Bool = false) throws -> EvaluationResult {
        let start = Profiler.now()
        var correct = [Int](repeating: 0, count: classCount), seen = [Int](repeating: 0, count: classCount)
        var lossTotal: Double = 0
        let context = ForwardContext(training: false)
        try GradientMode.withoutGradients {
            try provider.forEachBatch(epoch: 0, startingAt: 0) { _, images, labels in
                var logits = try model(Variable(images), context)
                if mirrored {
                    var average = logits.value
                    try average.addScaled(try model(Variable(images.mirroredHorizontally()), context).value)
                    average.scale(by: 0.5)
                    logits = Variable(average)
                }
                guard logits.shape == [labels.count, classCount] else {
                    throw PruneKitError.shapeMismatch(operation: "evaluate", expected: "logits [\(labels.count), \(classCount)]",
                                                      found: "\(logits.shape)")
                }
                lossTotal += Double(try softmaxCrossEntropy(logits, labels: labels).value[flat: 0]) * Double(labels.count)
                for (predicted, label) in zip(logits.value.argmaxRows(), labels) {
                    seen[label] += 1
                    if predicted == label { correct[label] += 1 }
                }
            }
        }
        let total = seen.reduce(0, +)
        return EvaluationResult(count: total, loss: total == 0 ? 0 : Float(lossTotal / Double(total)),
                                accuracy: total == 0 ? 0 : Float(correct.reduce(0, +)) / Float(total),
                                perClassAccuracy: zip(correct, seen).map { $1 == 0 ? 0 : Float($0) / Float($1) },
                                perClassCount: seen, seconds: Profiler.now() - start)
    }
}
