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
        var weight = try Self.allocate([geometry.outputWidth, geometry.inputWidth, geometry.kernelSize, geometry.kernelSize],
                                       name + ".weight")
        initializeWeight(&weight, fanIn: fanIn)
        var bias: Tensor?
        if geometry.hasBias {
            var values = try Self.allocate([geometry.outputWidth], name + ".bias")
            Initializers.pytorchDefault(filling: &values, fanIn: fanIn, generator: &generator)
            bias = values
        }
        return Conv2d(name: name, weight: weight, bias: bias, stride: geometry.stride, padding: geometry.padding)
    }

    /// The Linear layer recorded as `name`. Draws as `Linear(name:inputFeatures:...)` does (uniform weight, then
    /// uniform bias), then, for `.kaimingNormalFanIn`, the weight again, so that a seed gives the same weights.
    mutating func linear(_ name: String) throws -> Linear {
        let geometry = try record(name, .linear)
        var weight = try Self.allocate([geometry.outputWidth, geometry.inputWidth], name + ".weight")
        Initializers.pytorchDefault(filling: &weight, fanIn: geometry.inputWidth, generator: &generator)
        var bias: Tensor?
        if geometry.hasBias {
            var values = try Self.allocate([geometry.outputWidth], name + ".bias")
            Initializers.pytorchDefault(filling: &values, fanIn: geometry.inputWidth, generator: &generator)
            bias = values
        }
        if weightInitialization == .kaimingNormalFanIn {
            Initializers.kaimingNormal(filling: &weight, fan: geometry.inputWidth, generator: &generator)
        }
        return Linear(name: name, weight: weight, bias: bias)
    }

    /// The BatchNorm recorded as `name`: gamma 1, beta 0, running mean 0, running variance 1.
    func batchNorm(_ name: String) throws -> BatchNorm {
        let shape = [try record(name, .batchNorm).outputWidth]
        func filled(_ value: Float, _ field: String) throws -> Tensor {
            var tensor = try Self.allocate(shape, name + "." + field)
            tensor.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
            return tensor
        }
        return BatchNorm(name: name, scale: try filled(1, "weight"), shift: try filled(0, "bias"),
                         statistics: BatchNormStatistics(runningMean: try filled(0, "running_mean"),
                                                         runningVariance: try filled(1, "running_var")))
    }

    /// Every parameter and buffer goes through the throwing allocation: its size comes from a spec (perhaps
    /// from a checkpoint file), so running out of memory is an error naming the tensor, not a trap.
    private static func allocate(_ shape: [Int], _ tensorName: String) throws -> Tensor {
        try Tensor(allocating: shape, zeroed: false, purpose: "building '\(tensorName)'")
    }

    private mutating func initializeWeight(_ weight: inout Tensor, fanIn: Int) {
        switch weightInitialization {
        case .pytorchDefault:
            Initializers.pytorchDefault(filling: &weight, fanIn: fanIn, generator: &generator)
        case .kaimingNormalFanIn:
            Initializers.kaimingNormal(filling: &weight, fan: fanIn, generator: &generator)
        }
    }

    /// The ChannelScatter recorded as `name`, its fill zero (a state_dict load or `insertScatter` sets it).
    func channelScatter(_ name: String, indices: [Int]) throws -> ChannelScatter {
        ChannelScatter(name: name, outputChannels: try record(name, .channelScatter).outputWidth, indices: indices)
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
