import PruneKitCore

/// Builds Conv2d, Linear and BatchNorm layers from recorded geometry and initialises them as models.py
/// leaves them, drawing every value from one seeded generator (same seed, same weights).
///
/// Conventions (PyTorch 2.x):
/// - `.pytorchDefault`: conv and linear weights and biases U(-1/sqrt(fanIn), 1/sqrt(fanIn)), fanIn = C*K*K
///   (kaiming_uniform with a = sqrt(5)); VGG, WRN, LeNet-5 and the MLP in models.py keep this.
/// - `.kaimingNormalFanIn`: conv and linear weights N(0, 2/fanIn) (`nn.init.kaiming_normal_`, He et al.
///   2015), biases as above; the CIFAR ResNet.
/// - BatchNorm: gamma 1, beta 0, running mean 0, running variance 1.
struct LayerFactory {
    /// Weight initialisation schemes of models.py.
    enum WeightInitialization {
        case pytorchDefault, kaimingNormalFanIn
    }

    let plan: [String: LayerCost]
    let weightInitialization: WeightInitialization
    var generator: SplitMix64

    init(geometry: [LayerCost], weightInitialization: WeightInitialization, seed: UInt64) {
        plan = Dictionary(uniqueKeysWithValues: geometry.map { ($0.name, $0) })
        self.weightInitialization = weightInitialization
        generator = SplitMix64(seed: seed)
    }

    /// The Conv2d recorded as `name`.
    mutating func convolution(_ name: String) throws -> Conv2d {
        let geometry = try record(name, .convolution)
        let fanIn = geometry.inputWidth * geometry.kernelSize * geometry.kernelSize
        let weight = initialWeight(shape: [geometry.outputWidth, geometry.inputWidth, geometry.kernelSize, geometry.kernelSize], fanIn: fanIn)
        let bias = geometry.hasBias ? Initializers.pytorchDefault(shape: [geometry.outputWidth], fanIn: fanIn, generator: &generator) : nil
        return Conv2d(name: name, weight: weight, bias: bias, stride: geometry.stride, padding: geometry.padding)
    }

    /// The Linear layer recorded as `name`.
    mutating func linear(_ name: String) throws -> Linear {
        let geometry = try record(name, .linear)
        let layer = Linear(name: name, inputFeatures: geometry.inputWidth, outputFeatures: geometry.outputWidth,
                           bias: geometry.hasBias, generator: &generator)
        if weightInitialization == .kaimingNormalFanIn {
            layer.weight.value = initialWeight(shape: layer.weight.shape, fanIn: geometry.inputWidth)
        }
        return layer
    }

    /// The BatchNorm recorded as `name`.
    func batchNorm(_ name: String) throws -> BatchNorm {
        BatchNorm(name: name, channels: try record(name, .batchNorm).outputWidth)
    }

    private mutating func initialWeight(shape: [Int], fanIn: Int) -> Tensor {
        switch weightInitialization {
        case .pytorchDefault:
            return Initializers.pytorchDefault(shape: shape, fanIn: fanIn, generator: &generator)
        case .kaimingNormalFanIn:
            return Initializers.kaimingNormal(shape: shape, fan: fanIn, generator: &generator)
        }
    }

    private func record(_ name: String, _ kind: LayerCost.Kind) throws -> LayerCost {
        // Reaching this means a builder and its geometry walk disagree: a bug, reported rather than trapped.
        guard let geometry = plan[name], geometry.kind == kind else {
            throw PruneKitError.invalidArgument(operation: "model builder",
                                                message: "no recorded \(kind.rawValue) named '\(name)'")
        }
        return geometry
    }
}
