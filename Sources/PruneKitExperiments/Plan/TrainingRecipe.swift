import PruneKitCore
import PruneKitData
import PruneKitTraining

/// The training keys a plan gives (`models[].training`, `fineTuning`): each one present overrides the base
/// recipe it is applied to (TrainConfig's defaults for dense training, the method's recommended recipe for
/// fine-tuning); absent keys keep the base value.
///
/// ```swift
/// var recipe = TrainingRecipe(); recipe.epochs = 2; recipe.learningRate = 0.01
/// let config = recipe.applied(to: TrainConfig(), seed: 1)   // 2 epochs at 0.01, seed 1
/// ```
public struct TrainingRecipe: Equatable {
    /// Overrides, nil where the plan is silent.
    public var epochs: Int?, batchSize: Int?, learningRate: Float?, momentum: Float?, nesterov: Bool?
    /// Overrides, nil where the plan is silent.
    public var weightDecay: Float?, schedule: LearningRateSchedule?, warmupEpochs: Int?, labelSmoothing: Float?
    /// Overrides, nil where the plan is silent (augmentation `.none` or the CIFAR crop-flip).
    public var augmentation: Augmentation?, shuffle: Bool?
    /// Overrides, nil where the plan is silent: weight decay of batch-norm parameters and biases
    /// (`TrainConfig.vectorWeightDecay`) and flip test-time averaging (`TrainConfig.testTimeFlip`).
    public var normBiasWeightDecay: Float?, testFlip: Bool?

    /// Every key absent.
    public init() {}

    /// `base` with the given keys replaced and `seed` set.
    public func applied(to base: TrainConfig, seed: UInt64) -> TrainConfig {
        var config = base
        config.epochs = epochs ?? config.epochs
        config.batchSize = batchSize ?? config.batchSize
        config.learningRate = learningRate ?? config.learningRate
        config.momentum = momentum ?? config.momentum
        config.nesterov = nesterov ?? config.nesterov
        config.weightDecay = weightDecay ?? config.weightDecay
        config.schedule = schedule ?? config.schedule
        config.warmupEpochs = warmupEpochs ?? config.warmupEpochs
        config.labelSmoothing = labelSmoothing ?? config.labelSmoothing
        config.augmentation = augmentation ?? config.augmentation
        config.shuffle = shuffle ?? config.shuffle
        config.vectorWeightDecay = normBiasWeightDecay ?? config.vectorWeightDecay
        config.testTimeFlip = testFlip ?? config.testTimeFlip
        config.seed = seed
        return config
    }

    /// Reads the recipe object at `node`, validating every key and value.
    init(_ node: PlanNode) throws {
        let members = try node.object(allowed: PlanKeys.recipeKeys.map(\.0))
        epochs = try members["epochs"]?.integer(in: 0...100_000)
        batchSize = try members["batchSize"]?.integer(in: 1...65_536)
        learningRate = try members["learningRate"].map { Float(try $0.number(in: 0...100)) }
        momentum = try members["momentum"].map { Float(try $0.number(in: 0...1)) }
        nesterov = try members["nesterov"]?.boolean()
        weightDecay = try members["weightDecay"].map { Float(try $0.number(in: 0...1)) }
        if let text = members["schedule"] {
            let value = try text.string()
            do { schedule = try LearningRateSchedule(parsing: value) } catch let PruneKitError.invalidParameter(_, expected, found) {
                throw PruneKitError.invalidParameter(name: text.path, expected: expected, found: found)
            }
        }
        warmupEpochs = try members["warmupEpochs"]?.integer(in: 0...100_000)
        labelSmoothing = try members["labelSmoothing"].map { Float(try $0.number(in: 0...0.999)) }
        if let node = members["augment"] {
            switch try node.string() {
            case "none": augmentation = Augmentation.none
            case "crop-flip": augmentation = .cifarTraining
            default: throw node.failure("none or crop-flip")
            }
        }
        shuffle = try members["shuffle"]?.boolean()
        normBiasWeightDecay = try members["normBiasWeightDecay"].map { Float(try $0.number(in: 0...1)) }
        testFlip = try members["testFlip"]?.boolean()
    }
}
