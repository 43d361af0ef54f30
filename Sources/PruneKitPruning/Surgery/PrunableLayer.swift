import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The layer kinds surgery can cut, as a closed enum (STYLE.md rule 11): adding a kind makes every `switch`
/// below a compile error until it is handled.
///
/// Axes per role: Conv2d weight [OC, C, K, K] (output: axis 0 of weight and bias; input: axis 1), Linear weight
/// [out, in] (output: axis 0 and bias; input: axis 1), BatchNorm gamma, beta [C] and running statistics [C].
///
/// ```swift
/// let layer = try PrunableLayer(model, named: "layer1.0.conv1")
/// try layer.channelCount(for: .output)     // 16
/// ```
public enum PrunableLayer {
    /// `Conv2d`.
    case convolution(Conv2d)
    /// `Linear`.
    case linear(Linear)
    /// `BatchNorm` (2-D or 1-D).
    case batchNorm(BatchNorm)

    /// The layer `name` of `model`; throws naming it when it is missing or not prunable.
    public init(_ model: Model, named name: String) throws {
        switch model.namedLayers[name] {
        case let convolution as Conv2d: self = .convolution(convolution)
        case let linear as Linear: self = .linear(linear)
        case let batchNorm as BatchNorm: self = .batchNorm(batchNorm)
        default:
            throw PruneKitError.invalidArgument(operation: "surgery on \(model.spec.name)",
                                                message: "no Conv2d, Linear or BatchNorm named '\(name)'")
        }
    }

    /// The parameters carrying `role`'s channels and the axis they sit on.
    public func parameters(for role: ChannelGroup.Member.Role) throws -> [(variable: Variable, axis: Int)] {
        switch (self, role) {
        case let (.convolution(layer), .output): return [(layer.weight, 0)] + (layer.bias.map { [($0, 0)] } ?? [])
        case let (.convolution(layer), .input): return [(layer.weight, 1)]
        case let (.linear(layer), .output): return [(layer.weight, 0)] + (layer.bias.map { [($0, 0)] } ?? [])
        case let (.linear(layer), .input): return [(layer.weight, 1)]
        case let (.batchNorm(layer), .batchNorm): return [(layer.scale, 0), (layer.shift, 0)]
        case (.convolution, .batchNorm), (.linear, .batchNorm), (.batchNorm, .output), (.batchNorm, .input):
            throw PruneKitError.invalidArgument(operation: "surgery", message: "role \(role.rawValue) does not apply to \(kindName)")
        }
    }

    /// The extent of `role`'s axis (output channels, input channels or columns, BatchNorm channels).
    public func channelCount(for role: ChannelGroup.Member.Role) throws -> Int {
        let (variable, axis) = try parameters(for: role)[0]
        return variable.shape[axis]
    }

    /// The layer's block or column sparsity mask (`Conv2d.weightMask`, `Linear.weightMask`), if any: surgery does not
    /// slice it.
    public var weightMask: Tensor? {
        switch self {
        case let .convolution(layer): return layer.weightMask
        case let .linear(layer): return layer.weightMask
        case .batchNorm: return nil
        }
    }

    /// "Conv2d", "Linear" or "BatchNorm", for messages.
    public var kindName: String {
        switch self {
        case .convolution: return "Conv2d"
        case .linear: return "Linear"
        case .batchNorm: return "BatchNorm"
        }
    }
}
