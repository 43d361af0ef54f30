import PruneKitCore

/// Pre-activation bottleneck ResNet for CIFAR, depth 9n + 2 (He et al., "Identity Mappings in Deep Residual
/// Networks", ECCV 2016; the "ResNet56" of BPCP, Wang et al.): conv1 3x3 16 - three stages of n bottlenecks with
/// planes 16, 32, 64 and expansion 4 (streams 64, 128, 256), stride 2 at the first block of stages 2 and 3 - bn - ReLU
/// - global average pool - fc. Built only as a graph (no hand-written block class).
///
/// Bottleneck (network-slimming's `preresnet.py` layout, the one BPCP's code derives from): o = relu(bn1(x));
/// y = conv3(relu(bn3(conv2(relu(bn2(conv1(o))))))) + (downsample(o) if present else x); conv1 1x1, conv2 3x3 with
/// the stride, conv3 1x1 to 4 x planes; `downsample.0` a 1x1 conv with the stride (no BN, pre-activation) on every
/// stage's first block. No biases. ResNet-v2-56 (n = 6): 590,426 parameters and 87.21 M multiply-adds (174.4 M
/// FLOPs). BPCP's Table 2 prints "0.56 M" and "87.32 M": 590,426 / 2^20 = 0.563, so its parameter figure is in
/// units of 2^20; the multiply-adds differ from ours by 0.12 %, which no layer-level change reproduces (moving the
/// stride to conv1 gives 84.07 M): we keep the standard layout and count, and record the difference here.
///
/// Width table: the stem `conv1` (16), streams `layer1..3` (64/128/256), and per block `layerS.B.conv1`,
/// `layerS.B.conv2` (planes). Init: Kaiming normal over fan-in, as the CIFAR ResNet.
enum ResNetV2: Architecture {
    static var weightInitialization: LayerFactory.WeightInitialization { .kaimingNormalFanIn }

    /// Bottlenecks per stage, n = (depth - 2) / 9.
    static func blockCount(depth: Int) -> Int { (depth - 2) / 9 }

    /// The standard table.
    static func standardWidths(depth: Int) -> [ModelSpec.LayerWidth] {
        [ModelSpec.LayerWidth(name: "conv1", width: 16)] + (1...3).flatMap { stage -> [ModelSpec.LayerWidth] in
            let planes = 16 << (stage - 1)
            return [ModelSpec.LayerWidth(name: "layer\(stage)", width: 4 * planes)] + (0..<blockCount(depth: depth)).flatMap { block in
                ["conv1", "conv2"].map { ModelSpec.LayerWidth(name: "layer\(stage).\(block).\($0)", width: planes) }
            }
        }
    }

    static func validateStructure(of spec: ModelSpec) throws {
        try spec.requireAbsent()
        guard spec.depth >= 11, (spec.depth - 2) % 9 == 0 else {
            throw spec.specError("resnet-v2 depth must be 9n + 2 with n >= 1 (11, 29, 56, 164, ...), got \(spec.depth)")
        }
    }

    static func widthNames(for spec: ModelSpec) -> [String] { standardWidths(depth: spec.depth).map(\.name) }

    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph {
        var builder = GraphBuilder(inputShape: spec.inputShape)
        builder.convolution("conv1", out: try spec.width(of: "conv1"), kernel: 3, padding: 1)
        for stage in 1...3 {
            for block in 0..<blockCount(depth: spec.depth) {
                try appendBlock(spec, stage: stage, block: block, to: &builder)
            }
        }
        builder.batchNorm("bn")
        builder.relu("relu")
        builder.append("avgpool", .globalAveragePool)
        builder.linear("fc", out: spec.classCount)
        return builder.graph
    }

    private static func appendBlock(_ spec: ModelSpec, stage: Int, block: Int, to builder: inout GraphBuilder) throws {
        let prefix = "layer\(stage).\(block)", stride = stage > 1 && block == 0 ? 2 : 1, stream = "layer\(stage)"
        let input = builder.current
        builder.batchNorm(prefix + ".bn1")
        let activated = builder.relu(prefix + ".relu1")
        builder.convolution(prefix + ".conv1", out: try spec.width(of: prefix + ".conv1"), kernel: 1)
        builder.batchNorm(prefix + ".bn2")
        builder.relu(prefix + ".relu2")
        builder.convolution(prefix + ".conv2", out: try spec.width(of: prefix + ".conv2"), kernel: 3, stride: stride, padding: 1)
        builder.batchNorm(prefix + ".bn3")
        builder.relu(prefix + ".relu3")
        let main = builder.convolution(prefix + ".conv3", out: try spec.width(of: stream), kernel: 1, group: stream)
        var shortcut = input
        if block == 0 {
            shortcut = builder.convolution(prefix + ".downsample.0", out: try spec.width(of: stream), kernel: 1, stride: stride,
                                           group: stream, from: activated)
        }
        builder.append(prefix + ".add", .add, inputs: [main, shortcut])
    }
}
