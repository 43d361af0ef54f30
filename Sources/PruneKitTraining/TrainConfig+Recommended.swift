import PruneKitData

extension TrainConfig {
    /// The recipe `prune-cli train` starts from for a network family; flags change single fields of it.
    ///
    /// - With batch norm (VGG-BN, ResNets, WRN): batch 64, SGD 0.1 with momentum 0.9, one epoch of linear warm-up
    ///   then cosine to 0, label smoothing 0.1 (Szegedy et al. 2016), weight decay 5e-4 on kernels and matrices and
    ///   none on batch-norm scales, shifts and biases (Goyal et al. 2017), and, where the training set is augmented
    ///   with flips (CIFAR), flip test-time averaging. These are the DAWNBench/airbench choices that help a
    ///   ResNet-20 in a 30-minute CPU budget; batch 64 is also the fastest batch of a ResNet-20 training step on
    ///   two Zen 5 cores (689 img/s against 607 at 128, `prune-cli bench train`).
    /// - Without batch norm (MLP, LeNet-5): batch 64, one-cycle (Smith & Topin 2019) to a peak of 0.05, momentum 0.9,
    ///   weight decay 5e-4 everywhere. Cosine at 0.05 diverged on one seed of five in the first epoch; one-cycle's
    ///   warm-up from 0.002 keeps it stable. LeNet-5 reaches 98.84-99.04% on MNIST in one epoch over seeds 1-5
    ///   (0.01 cosine at batch 128, the previous default, stopped at 97.53%).
    ///
    /// `epochs` stays 30 and `seed` 1.
    ///
    /// ```swift
    /// var config = TrainConfig.recommended(batchNormalized: spec.usesBatchNorm, dataset: .cifar10)
    /// config.epochs = 20
    /// ```
    public static func recommended(batchNormalized: Bool, dataset: DatasetKind) -> TrainConfig {
        var config = TrainConfig()
        config.batchSize = 64
        if batchNormalized {
            config.learningRate = 0.1
            config.schedule = .cosine
            config.warmupEpochs = 1
            config.labelSmoothing = 0.1
            config.vectorWeightDecay = 0
            config.testTimeFlip = dataset.trainingAugmentation.horizontalFlip
        } else {
            config.learningRate = 0.05
            config.schedule = .oneCycle
        }
        return config
    }
}
