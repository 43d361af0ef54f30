import PruneKit

/// `--augment none|crop-flip` and `--no-shuffle`, shared by `train` and `prune` (whose training loader feeds
/// the method's training phases and fine-tuning): how the training set is presented, recorded in the
/// `TrainConfig` of the checkpoints they write.
struct TrainingDataOptions {
    static let options = [
        OptionSpec("augment", "Training augmentation: none, or crop-flip (pad 4, random crop, horizontal flip) (default: the dataset's: crop-flip for CIFAR, none for MNIST)."),
        OptionSpec("no-shuffle", value: false, "Visit the training images in dataset order every epoch (default: a seeded shuffle per epoch)."),
    ]
    /// The named augmentations `--augment` accepts.
    static let named: [(name: String, augmentation: Augmentation)] = [("none", .none), ("crop-flip", .cifarTraining)]

    /// nil when `--augment` is absent (the dataset's standard augmentation).
    let augmentation: Augmentation?
    let shuffle: Bool

    init(_ arguments: Arguments) throws {
        let choice = try arguments.string("augment").map { try arguments.choice("augment", Self.named.map(\.name), default: $0) }
        augmentation = choice.flatMap { name in Self.named.first { $0.name == name }?.augmentation }
        shuffle = !arguments.flag("no-shuffle")
    }

    /// Stores the options in `config` (an absent `--augment` leaves `config.augmentation` as it is).
    func apply(to config: inout TrainConfig) {
        if let augmentation { config.augmentation = augmentation }
        config.shuffle = shuffle
    }

    /// "none", "crop-flip", or "pad P, flip" / "pad P" for an augmentation the flag cannot name.
    static func name(of augmentation: Augmentation) -> String {
        if let entry = named.first(where: { $0.augmentation == augmentation }) { return entry.name }
        return "pad \(augmentation.padding)" + (augmentation.horizontalFlip ? ", flip" : "")
    }
}
