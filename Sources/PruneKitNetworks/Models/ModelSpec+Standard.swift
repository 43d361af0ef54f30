import PruneKitCore

/// Specs at the published (standard) widths. These do not validate; `Model(spec:seed:)` and `validate()` do.
extension ModelSpec {
    /// A ReLU MLP with the given hidden widths (`layers.0`, `layers.1`, ...), models.py's `MLP`.
    /// Default: LeNet-300-100 on [1, 28, 28], 784-300-100-10, 266,610 parameters.
    ///
    /// ```swift
    /// let spec = ModelSpec.multilayerPerceptron()          // depth 3
    /// ```
    public static func multilayerPerceptron(hiddenFeatures: [Int] = [300, 100], inputShape: [Int] = [1, 28, 28],
                                            classCount: Int = 10, name: String = "mlp") -> ModelSpec {
        ModelSpec(name: name, family: .multilayerPerceptron, depth: hiddenFeatures.count + 1, inputShape: inputShape,
                  classCount: classCount,
                  widths: hiddenFeatures.enumerated().map { LayerWidth(name: "layers.\($0.offset)", width: $0.element) })
    }

    /// LeNet-5, Caffe form (20-50-500, 431,080 parameters) or, with `classic`, LeCun's 6-16-120-84 (61,706).
    ///
    /// ```swift
    /// let spec = ModelSpec.leNet5()                        // conv1 20, conv2 50, fc1 500
    /// ```
    public static func leNet5(classic: Bool = false, inputShape: [Int] = [1, 28, 28], classCount: Int = 10) -> ModelSpec {
        let widths = classic ? [("conv1", 6), ("conv2", 16), ("fc1", 120), ("fc2", 84)]
                             : [("conv1", 20), ("conv2", 50), ("fc1", 500)]
        return ModelSpec(name: classic ? "lenet5-classic" : "lenet5", family: classic ? .leNet5Classic : .leNet5, depth: 5,
                         inputShape: inputShape, classCount: classCount,
                         widths: widths.map { LayerWidth(name: $0.0, width: $0.1) })
    }

    /// CIFAR VGG-`depth` with BatchNorm and a 512-wide classifier (depth 11, 13, 16 or 19).
    ///
    /// ```swift
    /// let spec = ModelSpec.vgg(depth: 16)                  // 14,987,722 parameters
    /// ```
    public static func vgg(depth: Int, inputShape: [Int] = [3, 32, 32], classCount: Int = 10) -> ModelSpec {
        ModelSpec(name: "vgg\(depth)", family: .vgg, depth: depth, inputShape: inputShape, classCount: classCount,
                  widths: VGG.standardWidths(depth: depth))
    }

    /// CIFAR ResNet-`depth` (6n + 2) with option A (zero-padding) or B (projection) shortcuts.
    /// Named `resnetD` for option A and `resnetD-b` for option B.
    ///
    /// ```swift
    /// let spec = ModelSpec.resNet(depth: 56)               // 853,018 parameters
    /// ```
    public static func resNet(depth: Int, shortcut: Shortcut = .zeroPadding, inputShape: [Int] = [3, 32, 32],
                              classCount: Int = 10) -> ModelSpec {
        ModelSpec(name: "resnet\(depth)" + (shortcut == .projection ? "-b" : ""), family: .resNet, depth: depth,
                  inputShape: inputShape, classCount: classCount, shortcut: shortcut, widths: ResNet.standardWidths(depth: depth))
    }

    /// WRN-`depth`-`widthFactor` (depth 6n + 4), named `wrn-D-K`.
    ///
    /// ```swift
    /// let spec = ModelSpec.wideResNet(depth: 16, widthFactor: 4)   // 2,748,890 parameters
    /// ```
    public static func wideResNet(depth: Int, widthFactor: Int, dropoutProbability: Float = 0,
                                  inputShape: [Int] = [3, 32, 32], classCount: Int = 10) -> ModelSpec {
        ModelSpec(name: "wrn-\(depth)-\(widthFactor)", family: .wideResNet, depth: depth, widthFactor: widthFactor,
                  inputShape: inputShape, classCount: classCount, dropoutProbability: dropoutProbability,
                  widths: WideResNet.standardWidths(depth: depth, widthFactor: widthFactor))
    }

    /// Pre-activation bottleneck ResNet-v2-`depth` (9n + 2), named `resnet-v2-D`.
    ///
    /// ```swift
    /// let spec = ModelSpec.resNetV2(depth: 56)            // 590,426 parameters, 87.21 M multiply-adds
    /// ```
    public static func resNetV2(depth: Int, inputShape: [Int] = [3, 32, 32], classCount: Int = 10) -> ModelSpec {
        ModelSpec(name: "resnet-v2-\(depth)", family: .resNetV2, depth: depth, inputShape: inputShape, classCount: classCount,
                  widths: ResNetV2.standardWidths(depth: depth))
    }
}
