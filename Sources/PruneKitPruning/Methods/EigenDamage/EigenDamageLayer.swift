import PruneKitCore
import PruneKitNetworks

/// A layer EigenDamage considers (eigendamage.md "Algorithm" 1): every convolution and already factorised convolution
/// except the last parameterised node (the classifier). Grouped convolutions and convolutions with a sparsity record
/// are left out. Linear layers are not considered: PruneKit has no factorised linear node yet, and in the zoo's CNNs
/// the only linear layer is the excluded classifier.
///
/// ```swift
/// for layer in try EigenDamageLayer.considered(in: model) { print(layer.name, layer.observed.outputChannels) }
/// ```
public struct EigenDamageLayer {
    /// The graph node's name.
    public let name: String
    /// The convolution whose statistics are collected: the node's own, or the core of a factorised node.
    public let observed: Conv2d
    /// The factorised layer, when the node already is one (iterative mode).
    public let factorised: FactorisedConv2d?

    /// The considered layers of `model`, in node order.
    public static func considered(in model: Model) throws -> [EigenDamageLayer] {
        let nodes = try model.currentGraph().nodes
        let weighted = nodes.filter {
            switch $0.operation { case .convolution, .factorisedConvolution, .linear: true; default: false }
        }
        var result: [EigenDamageLayer] = []
        for node in weighted.dropLast() {
            switch node.operation {
            case let .convolution(attributes) where attributes.groups == 1 && attributes.sparsity == nil:
                result.append(EigenDamageLayer(name: node.name, observed: model.namedLayers[node.name] as! Conv2d, factorised: nil))
            case .factorisedConvolution:
                let core = model.namedLayers[node.name + ".core"] as! Conv2d
                let layer = model.children.compactMap { $0 as? FactorisedConv2d }.first { $0.core === core }
                result.append(EigenDamageLayer(name: node.name, observed: core, factorised: layer))
            default:
                continue
            }
        }
        return result
    }

    /// C and OC (the external widths), K, and the parameters the layer holds now (without bias).
    var sizes: (inputs: Int, outputs: Int, kernel: Int, parameters: Int) {
        guard let factorised else {
            return (observed.inputChannels, observed.outputChannels, observed.kernelSize, observed.weight.value.count)
        }
        let parameters = factorised.rotationIn.weight.value.count + observed.weight.value.count + factorised.rotationOut.weight.value.count
        return (factorised.rotationIn.inputChannels, factorised.outputChannels, observed.kernelSize, parameters)
    }
}
