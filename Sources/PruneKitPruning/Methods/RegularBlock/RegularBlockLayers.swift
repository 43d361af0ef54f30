import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Which weights BMWM and DARB prune, and the weights a model carries block records on (darb.md "Coupled channels",
/// [proposal]): every convolution, viewed as the [N_out, C_in k_h k_w] matrix (filter-major, as im2col) and every
/// linear layer, except the first convolution (`includesFirstConvolution`), the classifier (the last linear layer)
/// when it has fewer than `classifierMinimumInputs` inputs, and layers `PruningConfig.ignored` names.
///
/// ```swift
/// let layers = RegularBlockLayers.selected(in: model, settings: config.regularBlock, config: config)
/// layers.map(\.name)      // ["conv2", "fc1", "fc2"] for LeNet-5 (the classifier fc3 has 84 inputs)
/// ```
public struct RegularBlockLayers {
    /// One pruned weight.
    public struct Layer {
        /// The graph node's name (`conv2`); the weight is `name + ".weight"`.
        public let name: String
        /// The weight variable.
        public let weight: Variable
        /// R: output channels or features.
        public var rows: Int { weight.shape[0] }
        /// N: C_in k_h k_w or input features.
        public var columns: Int { weight.shape.dropFirst().reduce(1, *) }
    }

    /// The layers `settings` select, in model order.
    public static func selected(in model: Model, settings: RegularBlockPruner.Settings, config: PruningConfig) -> [Layer] {
        let all = weighted(model)
        let firstConvolution = all.first { $0.weight.shape.count == 4 }?.name
        let classifier = all.last { $0.weight.shape.count == 2 }?.name
        return all.filter { layer in
            if config.isIgnored(layerName: layer.name) { return false }
            if layer.name == firstConvolution && !settings.includesFirstConvolution { return false }
            if layer.name == classifier && layer.columns < settings.classifierMinimumInputs { return false }
            return true
        }
    }

    /// The layers whose graph node carries a `.blocks` record, with their block sizes, in model order.
    public static func recorded(in model: Model) throws -> [(layer: Layer, blockSizes: [Int])] {
        let graph = try model.currentGraph()
        var sizes: [String: [Int]] = [:]
        for node in graph.nodes {
            switch node.operation {
            case let .convolution(attributes): if case let .blocks(rowBlockSizes)? = attributes.sparsity { sizes[node.name] = rowBlockSizes }
            case let .linear(attributes): if case let .blocks(rowBlockSizes)? = attributes.sparsity { sizes[node.name] = rowBlockSizes }
            default: break
            }
        }
        return weighted(model).compactMap { layer in sizes[layer.name].map { (layer, $0) } }
    }

    /// Every convolution and linear layer, in model order.
    static func weighted(_ model: Model) -> [Layer] {
        model.layerNames.compactMap { name -> Layer? in
            switch model.namedLayers[name] {
            case let convolution as Conv2d: return Layer(name: name, weight: convolution.weight)
            case let linear as Linear: return Layer(name: name, weight: linear.weight)
            default: return nil
            }
        }
    }
}
