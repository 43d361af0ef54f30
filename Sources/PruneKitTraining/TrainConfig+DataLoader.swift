import PruneKitCore
import PruneKitNetworks
import PruneKitData

extension TrainConfig {
    /// The training `DataLoaderConfig` this recipe describes for `kind`: its batch size, seed and shuffling, and
    /// its augmentation (the dataset's standard one when `augmentation` is nil).
    ///
    /// ```swift
    /// var recipe = TrainConfig(); recipe.augmentation = Augmentation.none; recipe.shuffle = false
    /// let loader = try DataLoader(dataset: train, config: recipe.trainingLoaderConfig(for: .cifar10))
    /// ```
    public func trainingLoaderConfig(for kind: DatasetKind) -> DataLoaderConfig {
        var config = DataLoaderConfig.training(for: kind, batchSize: batchSize, seed: seed)
        config.augmentation = augmentation ?? kind.trainingAugmentation
        config.shuffle = shuffle
        return config
    }

    /// This recipe with `augmentation` made explicit for `kind`, so that a checkpoint records what ran.
    public func resolvingAugmentation(for kind: DatasetKind) -> TrainConfig {
        var config = self
        config.augmentation = augmentation ?? kind.trainingAugmentation
        return config
    }
}
