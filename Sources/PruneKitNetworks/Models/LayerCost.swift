import PruneKitCore

/// Geometry, parameter count and forward FLOPs of one Conv2d, Linear or BatchNorm layer of a spec, computed
/// analytically (no model is built). The builders construct layers from these records.
///
/// Counting follows `count_flops_params` in ../shared/perf/models.py: FLOPs = 2 x multiply-adds of
/// convolutions and linear layers for one image; BatchNorm, ReLU, pooling, residual adds and bias adds count 0.
/// - convolution: 2 * OC * OH * OW * C * K * K; parameters OC * C * K * K (+ OC with bias).
/// - linear: 2 * out * in; parameters out * in (+ out with bias).
/// - batch norm: 0 FLOPs; parameters 2C (gamma, beta; the running statistics are buffers).
///
/// Shapes are per image, batch axis omitted: [C, H, W] for feature maps, [F] for features.
///
/// ```swift
/// let conv1 = try ModelCost(spec: ModelZoo.spec(named: "resnet20")).layers[0]
/// // conv1: convolution [3, 32, 32] -> [16, 32, 32], 432 parameters, 884,736 FLOPs
/// ```
public struct LayerCost: Equatable, Sendable {
    /// The layer kinds that carry parameters.
    public enum Kind: String, Sendable {
        /// `Conv2d` (weight [OC, C, K, K]).
        case convolution
        /// `Linear` (weight [out, in]).
        case linear
        /// `BatchNorm` over channels or features (gamma, beta [C]).
        case batchNorm
        /// `ChannelScatter` (no parameters; the buffer `fill` [OC]); 0 FLOPs.
        case channelScatter
    }

    /// Dotted PyTorch module name (`layer1.0.conv1`); its parameters are `name.weight`, `name.bias`.
    public let name: String
    /// What the layer is.
    public let kind: Kind
    /// Per-image input shape.
    public let inputShape: [Int]
    /// Per-image output shape.
    public let outputShape: [Int]
    /// Square kernel size of a convolution; 1 otherwise.
    public let kernelSize: Int
    /// Convolution stride; 1 otherwise.
    public let stride: Int
    /// Convolution zero padding on each side; 0 otherwise.
    public let padding: Int
    /// Whether a convolution or linear layer has a bias (BatchNorm's beta is not counted here).
    public let hasBias: Bool
    /// The width-table entry that sets this layer's output width; nil for the classifier's output.
    public let widthName: String?
    /// Finer-than-channel sparsity of the weight (`SparsityRecord`); FLOPs and parameters count only the entries
    /// it keeps (the bias stays whole).
    public let sparsity: SparsityRecord?

    /// A record; shapes must already be consistent (`GeometryRecorder` checks them).
    public init(name: String, kind: Kind, inputShape: [Int], outputShape: [Int], kernelSize: Int = 1, stride: Int = 1,
                padding: Int = 0, hasBias: Bool = false, widthName: String?, sparsity: SparsityRecord? = nil) {
        self.name = name
        self.kind = kind
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.hasBias = hasBias
        self.widthName = widthName
        self.sparsity = sparsity
    }

    /// Weight entries that may be non-zero: all of them, or those `sparsity` keeps (nil on overflow).
    var checkedWeightEntries: Int? {
        let rows = outputWidth
        guard let columns = kind == .convolution ? Self.product([inputWidth, kernelSize, kernelSize]) : inputShape.first else { return nil }
        guard let sparsity else { return Self.product([rows, columns]) }
        return sparsity.keptEntries(rows: rows, columns: columns)
    }

    /// Input channels (C) or features.
    public var inputWidth: Int { inputShape[0] }
    /// Output channels (OC) or features.
    public var outputWidth: Int { outputShape[0] }

    /// Number of parameter scalars (weight, bias; gamma and beta for BatchNorm). Saturates at `Int.max`
    /// instead of trapping; a validated spec stays below `ModelLimits.maximumParameterCount`.
    public var parameterCount: Int { checkedParameterCount ?? .max }

    /// Forward FLOPs for one image, a multiply-add counting 2. Saturates at `Int.max` instead of trapping; a
    /// validated spec stays below `ModelLimits.maximumFlops`.
    public var flops: Int { checkedFlops ?? .max }

    /// `parameterCount`, or nil when it overflows `Int`.
    var checkedParameterCount: Int? {
        switch kind {
        case .convolution:
            return Self.sum([checkedWeightEntries, hasBias ? outputWidth : 0])
        case .linear:
            return Self.sum([checkedWeightEntries, hasBias ? outputWidth : 0])
        case .batchNorm:
            return Self.product([2, outputWidth])
        case .channelScatter:
            return 0
        }
    }

    /// `flops`, or nil when it overflows `Int`.
    var checkedFlops: Int? {
        switch kind {
        case .convolution:
            return Self.product([2, Self.product(Array(outputShape.dropFirst())), checkedWeightEntries])
        case .linear:
            return Self.product([2, checkedWeightEntries])
        case .batchNorm, .channelScatter:
            return 0
        }
    }

    /// Scalars of the BatchNorm running statistics (running mean and variance, [C] each) or of a scatter's fill ([OC]);
    /// 0 for other kinds.
    var bufferScalarCount: Int { kind == .batchNorm ? 2 * outputWidth : kind == .channelScatter ? outputWidth : 0 }

    /// The product of `factors` (nil entries propagate), or nil on overflow.
    static func product(_ factors: [Int?]) -> Int? {
        var result = 1
        for factor in factors {
            guard let factor else { return nil }
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = value
        }
        return result
    }

    /// The sum of `terms` (nil entries propagate), or nil on overflow.
    static func sum(_ terms: [Int?]) -> Int? {
        var result = 0
        for term in terms {
            guard let term else { return nil }
            let (value, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = value
        }
        return result
    }
}
