import PruneKitCore

/// CIFAR ResNet of depth 6n + 2 (He et al., CVPR 2016, section 4.2), models.py's `CifarResNet`:
/// conv1 3x3 16 - bn1 - ReLU - layer1, layer2, layer3 (n `BasicBlock`s each, 16/32/64 channels, stride 2 at the
/// first block of layer2 and layer3) - global average pool - fc. ResNet-20: 269,722 parameters, 81.1 MFLOPs;
/// ResNet-56: 853,018 and 251.0 M.
///
/// Width table: per stage the stream `layerS` then `layerS.B.conv1` for each block (see `ModelSpec`).
/// Shortcuts exist where the stride is 2 (the same blocks as models.py's `stride != 1 or in != planes` at
/// standard widths): option A zero-pads, option B projects with `downsample`.
/// Init: Kaiming normal over fan-in for every conv and linear weight (`nn.init.kaiming_normal_`).
package enum ResNet: Architecture {
    static var weightInitialization: LayerFactory.WeightInitialization { .kaimingNormalFanIn }

    /// Blocks per stage, n = (depth - 2) / 6.
    package static func blockCount(depth: Int) -> Int { (depth - 2) / 6 }

    /// The standard table: stage widths 16, 32, 64 and equal inner widths.
    static func standardWidths(depth: Int) -> [ModelSpec.LayerWidth] {
        (1...3).flatMap { stage -> [ModelSpec.LayerWidth] in
            let width = 16 << (stage - 1)
            return [ModelSpec.LayerWidth(name: "layer\(stage)", width: width)]
                + (0..<blockCount(depth: depth)).map { ModelSpec.LayerWidth(name: "layer\(stage).\($0).conv1", width: width) }
        }
    }

    static func validateStructure(of spec: ModelSpec) throws {
        try spec.requireAbsent(shortcut: true)
        guard spec.shortcut != nil else { throw spec.specError("resnet needs 'shortcut' (\"A\" or \"B\")") }
        guard spec.depth >= 8, (spec.depth - 2) % 6 == 0 else {
            throw spec.specError("resnet depth must be 6n + 2 with n >= 1 (20, 32, 56, 110, ...), got \(spec.depth)")
        }
    }

    static func widthNames(for spec: ModelSpec) -> [String] {
        standardWidths(depth: spec.depth).map(\.name)
    }

    /// Stride of block `block` of stage `stage` (1-based stage).
    static func stride(stage: Int, block: Int) -> Int { stage > 1 && block == 0 ? 2 : 1 }

    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph {
        var builder = GraphBuilder(inputShape: spec.inputShape)
        builder.convolution("conv1", out: try spec.width(of: "layer1"), kernel: 3, padding: 1, group: "layer1")
        builder.batchNorm("bn1")
        builder.relu("relu")
        for stage in 1...3 {
            for block in 0..<blockCount(depth: spec.depth) {
                try appendBlock(spec, stage: stage, block: block, to: &builder)
            }
        }
        builder.append("avgpool", .globalAveragePool)
        builder.linear("fc", out: spec.classCount)
        return builder.graph
    }

    /// conv1 - bn1 - relu1 - conv2 - bn2, the shortcut (identity, `pad` for option A, `downsample.0/.1` for B),
    /// add, relu2.
    private static func appendBlock(_ spec: ModelSpec, stage: Int, block: Int, to builder: inout GraphBuilder) throws {
        let prefix = "layer\(stage).\(block)", stride = stride(stage: stage, block: block), stream = "layer\(stage)"
        let input = builder.current, width = try spec.width(of: stream)
        builder.convolution(prefix + ".conv1", out: try spec.width(of: prefix + ".conv1"), kernel: 3, stride: stride, padding: 1)
        builder.batchNorm(prefix + ".bn1")
        builder.relu(prefix + ".relu1")
        builder.convolution(prefix + ".conv2", out: width, kernel: 3, padding: 1, group: stream)
        let main = builder.batchNorm(prefix + ".bn2")
        var shortcut = input
        if stride != 1 && spec.shortcut == .projection {
            builder.convolution(prefix + ".downsample.0", out: width, kernel: 1, stride: stride, group: stream, from: input)
            shortcut = builder.batchNorm(prefix + ".downsample.1")
        } else if stride != 1 {
            shortcut = builder.append(prefix + ".pad", .channelPad(outputChannels: width, stride: stride), inputs: [input], group: stream)
        }
        builder.append(prefix + ".add", .add, inputs: [main, shortcut])
        builder.relu(prefix + ".relu2")
    }
}
