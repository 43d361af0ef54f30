import PruneKitCore

/// VGG with BatchNorm for CIFAR (Simonyan and Zisserman, ICLR 2015), in the layout of network slimming
/// (Liu et al., ICCV 2017) and "Rethinking the value of network pruning" as models.py's `CifarVGG`:
/// `feature` = [conv3x3 (no bias) - BN - ReLU | maxpool 2] per configuration item, then AvgPool 2, flatten,
/// `classifier` = Linear(C*H*W, 512) - BatchNorm1d - ReLU - Linear(512, classes).
/// VGG-16: 14,987,722 parameters, 626.9 MFLOPs on 3x32x32.
///
/// Width table: each convolution `feature.I` (I its index in `feature`) and `classifier.0`.
/// Init: PyTorch's default for every conv and linear layer (models.py does not re-initialise).
enum VGG: Architecture {
    /// One item of a configuration: a convolution of a standard width, or a 2x2 max pool.
    enum Item: Equatable {
        case convolution(Int)
        case pool
    }

    static var weightInitialization: LayerFactory.WeightInitialization { .pytorchDefault }

    /// Network slimming's `defaultcfg` for depths 11, 13, 16, 19 (the "M" entries are pools).
    static func configuration(depth: Int) -> [Item]? {
        let stages: [[Int]]
        switch depth {
        case 11: stages = [[64], [128], [256, 256], [512, 512], [512, 512]]
        case 13: stages = [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]]
        case 16: stages = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
        case 19: stages = [[64, 64], [128, 128], [256, 256, 256, 256], [512, 512, 512, 512], [512, 512, 512, 512]]
        default: return nil
        }
        // Pools between stages, none after the last one (AvgPool 2 follows the features instead).
        return stages.enumerated().flatMap { index, widths in
            (index > 0 ? [Item.pool] : []) + widths.map { Item.convolution($0) }
        }
    }

    /// Each item with its module index in `feature` (a convolution takes three: conv, BN, ReLU).
    static func indexedConfiguration(depth: Int) -> [(index: Int, item: Item)] {
        var index = 0
        return (configuration(depth: depth) ?? []).map { item in
            defer { index += item == .pool ? 1 : 3 }
            return (index, item)
        }
    }

    /// The standard width table: the configuration's widths and a 512-wide classifier.
    static func standardWidths(depth: Int) -> [ModelSpec.LayerWidth] {
        indexedConfiguration(depth: depth).compactMap { index, item in
            guard case let .convolution(width) = item else { return nil }
            return ModelSpec.LayerWidth(name: "feature.\(index)", width: width)
        } + [ModelSpec.LayerWidth(name: "classifier.0", width: 512)]
    }

    static func validateStructure(of spec: ModelSpec) throws {
        try spec.requireAbsent()
        guard configuration(depth: spec.depth) != nil else {
            throw spec.specError("vgg depth must be 11, 13, 16 or 19, got \(spec.depth)")
        }
    }

    static func widthNames(for spec: ModelSpec) -> [String] {
        standardWidths(depth: spec.depth).map(\.name)
    }

    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph {
        var builder = GraphBuilder(inputShape: spec.inputShape)
        for (index, item) in indexedConfiguration(depth: spec.depth) {
            if item == .pool {
                builder.append("feature.\(index)", .maxPool(kernelSize: 2, stride: 2))
            } else {
                builder.convolution("feature.\(index)", out: try spec.width(of: "feature.\(index)"), kernel: 3, padding: 1)
                builder.batchNorm("feature.\(index + 1)")
                builder.relu("feature.\(index + 2)")
            }
        }
        builder.append("pool", .averagePool(kernelSize: 2, stride: 2))
        builder.append("flatten", .flatten)
        builder.linear("classifier.0", out: try spec.width(of: "classifier.0"))
        builder.batchNorm("classifier.1")
        builder.relu("classifier.2")
        builder.linear("classifier.3", out: spec.classCount)
        return builder.graph
    }
}
