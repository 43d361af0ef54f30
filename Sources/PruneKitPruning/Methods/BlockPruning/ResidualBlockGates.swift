import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

// Legend: N batch, C channels, H x W the map of a block branch's last parameterised layer.

/// One multiplicative gate per residual block (BPCP, Huang & Wang 2020; `resnet_v2_block.py` of the official code):
///
///     out_i = g_i * F_i(x) + shortcut_i(x)
///
/// F_i is the block's residual branch (`NetworkGraph.residualBranch(joinedAt:)`), shortcut_i the identity, option-A
/// pad or projection. The gate is attached through `ForwardContext.layerOutputHook` to the output of the branch's last
/// parameterised layer, found by walking back from the add's first operand (bn2 of a basic block, conv3 of a
/// ResNet-v2 bottleneck). Only ReLU or dropout may stand between that layer and the add; for g in {0, 1} (and any
/// g >= 0) relu(g y) = g relu(y), so gating the layer's output equals gating F_i(x).
///
/// Shape contract: the gated output [N, C, H, W] (or [N, C]) is multiplied by the scalar g_i as a [1, 1, N*C*H*W]
/// view, so dL/dg_i = sum over the map of dL/dF * F (`multiplyChannels`' factor gradient). F is computed even when
/// g_i = 0, as in PyTorch, so dL/dg_i is defined for gated-off blocks too (the straight-through estimator needs it).
///
/// ```swift
/// let gates = try ResidualBlockGates(model: model)          // one gate per `residualJoins` entry, all 1
/// gates.values[2] = 0                                        // block 2 gated off: out = shortcut(x)
/// let context = ForwardContext(training: false); gates.install(on: context)
/// let logits = try model(Variable(images), context)
/// ```
public final class ResidualBlockGates {
    /// One gated block.
    public struct Block: Equatable, Sendable {
        /// The block's `add` node (`layer1.2.add`), the name block removal takes.
        public let join: String
        /// The branch's last parameterised layer, whose output the gate multiplies (`layer1.2.bn2`, `layer1.2.conv3`).
        public let gatedLayer: String
    }

    /// Every removable block of the model, in node order (`NetworkGraph.residualJoins`).
    public let blocks: [Block]
    /// g_i, one per block (1 = branch on, 0 = off); the next forward pass reads them.
    public var values: [Float]
    /// The gate variables of the last forward pass (nil where the block's layer did not run), read after backward.
    public private(set) var gateVariables: [Variable?]
    private let indexOfLayer: [ObjectIdentifier: Int]

    /// Gates for every removable block of `model`, all 1; throws naming the block when its branch cannot be gated.
    public init(model: Model) throws {
        let graph = try model.currentGraph()
        blocks = try graph.residualJoins.map { Block(join: $0, gatedLayer: try Self.gatedLayer(joinedAt: $0, in: graph)) }
        values = [Float](repeating: 1, count: blocks.count)
        gateVariables = [Variable?](repeating: nil, count: blocks.count)
        var index: [ObjectIdentifier: Int] = [:]
        for (position, block) in blocks.enumerated() { index[ObjectIdentifier(model.namedLayers[block.gatedLayer]!)] = position }
        indexOfLayer = index
    }

    /// The last parameterised layer (conv, factorised conv, linear or BatchNorm) on the branch operand of the add
    /// `join`, reached through ReLU and dropout nodes only; throws naming the node otherwise.
    public static func gatedLayer(joinedAt join: String, in graph: NetworkGraph) throws -> String {
        guard let add = graph.node(named: join), add.operation == .add, add.inputs.count == 2 else {
            throw PruneKitError.invalidParameter(name: "block", expected: "the name of a two-operand add node", found: "'\(join)'")
        }
        var current = graph.node(named: add.inputs[0])!
        while true {
            switch current.operation {
            case .convolution, .factorisedConvolution, .linear, .batchNorm:
                return current.name
            case .relu, .dropout:
                current = graph.node(named: current.inputs[0])!
            default:
                throw PruneKitError.invalidParameter(name: "block", expected: "a branch ending in a conv, linear or BatchNorm layer (then ReLU/dropout only)",
                                                     found: "'\(current.name)' (\(current.operation.jsonName)) before '\(join)'")
            }
        }
    }

    /// Sets `context.layerOutputHook` to `layerOutputHook` (replacing any other hook).
    public func install(on context: ForwardContext) {
        context.layerOutputHook = layerOutputHook
    }

    /// The hook: multiplies each gated layer's output by its g_i (a fresh trainable scalar per pass), passes every
    /// other output through.
    public var layerOutputHook: (_ layer: Layer, _ input: Variable, _ output: Variable) throws -> Variable {
        { [unowned self] layer, _, output in
            guard let position = indexOfLayer[ObjectIdentifier(layer)] else { return output }
            let gate = Variable(parameter: Tensor(repeating: values[position], shape: [1]), name: "bpcp.gate." + blocks[position].join)
            gateVariables[position] = gate
            let shape = output.shape
            let gated = try multiplyChannels(try reshape(output, to: [1, 1, shape.reduce(1, *)]), by: gate)
            return try reshape(gated, to: shape)
        }
    }

    /// dL/dg_i of the last backward pass (0 for a block whose gate did not run or received no gradient).
    public func gateGradients() -> [Float] {
        gateVariables.map { $0?.gradient?.scalars.first ?? 0 }
    }

    /// Forgets the last pass's gate variables (call before the next forward).
    public func clearGateVariables() {
        gateVariables = [Variable?](repeating: nil, count: blocks.count)
    }
}
