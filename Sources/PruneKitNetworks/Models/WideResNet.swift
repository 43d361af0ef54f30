import PruneKitCore

/// Wide residual network WRN-d-k (Zagoruyko and Komodakis, BMVC 2016), models.py's `WideResNet`:
/// conv1 3x3 16 - `blocks` (three groups of n = (d - 4) / 6 `PreActivationBlock`s, widths 16k, 32k, 64k,
/// stride 2 at the first block of groups 2 and 3) - bn - ReLU - global average pool - fc.
/// WRN-16-4: 2,748,890 parameters, 785.2 MFLOPs; WRN-28-10: 36,479,194 and 10,487 M.
///
/// Width table: the stem stream `conv1` (only when k != 1), then per group the stream `groupG` followed by
/// `blocks.I.conv1` for its blocks (see `ModelSpec`). A block has a 1x1 `shortcut` where the stride is 2 or,
/// at standard widths, the channel count changes (the first block when k != 1), as in models.py.
/// Init: PyTorch's default (models.py does not re-initialise).
package enum WideResNet: Architecture {
    static var weightInitialization: LayerFactory.WeightInitialization { .pytorchDefault }

    /// Blocks per group, n = (depth - 4) / 6.
    package static func blockCount(depth: Int) -> Int { (depth - 4) / 6 }

    /// The standard table for WRN-`depth`-`widthFactor`.
    static func standardWidths(depth: Int, widthFactor: Int) -> [ModelSpec.LayerWidth] {
        let count = blockCount(depth: depth)
        let stem = widthFactor != 1 ? [ModelSpec.LayerWidth(name: "conv1", width: 16)] : []
        return stem + (1...3).flatMap { group -> [ModelSpec.LayerWidth] in
            let width = 16 * widthFactor << (group - 1)
            return [ModelSpec.LayerWidth(name: "group\(group)", width: width)]
                + (0..<count).map { ModelSpec.LayerWidth(name: "blocks.\((group - 1) * count + $0).conv1", width: width) }
        }
    }

    static func validateStructure(of spec: ModelSpec) throws {
        try spec.requireAbsent(widthFactor: true, dropout: true)
        guard let widthFactor = spec.widthFactor, widthFactor >= 1 else {
            throw spec.specError("wrn needs 'widthFactor' >= 1, got \(spec.widthFactor.map(String.init) ?? "none")")
        }
        guard spec.depth >= 10, (spec.depth - 4) % 6 == 0 else {
            throw spec.specError("wrn depth must be 6n + 4 with n >= 1 (10, 16, 22, 28, 40, ...), got \(spec.depth)")
        }
        let probability = spec.dropoutProbability ?? 0
        guard probability >= 0, probability < 1 else {
            throw spec.specError("wrn dropoutProbability must be in [0, 1), got \(probability)")
        }
    }

    static func widthNames(for spec: ModelSpec) -> [String] {
        standardWidths(depth: spec.depth, widthFactor: spec.widthFactor ?? 1).map(\.name)
    }

    /// Stride of block `block` (0-based within its group) of group `group` (1-based).
    static func stride(group: Int, block: Int) -> Int { group > 1 && block == 0 ? 2 : 1 }

    /// Whether the block projects its shortcut: stride 2, or the first block when k != 1 (16 -> 16k).
    static func hasShortcut(_ spec: ModelSpec, group: Int, block: Int) -> Bool {
        stride(group: group, block: block) != 1 || (group == 1 && block == 0 && spec.widthFactor != 1)
    }

    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph {
        var builder = GraphBuilder(inputShape: spec.inputShape)
        let stem = spec.widthFactor != 1 ? "conv1" : "group1"
        builder.convolution("conv1", out: try spec.width(of: stem), kernel: 3, padding: 1, group: stem)
        let count = blockCount(depth: spec.depth)
        for group in 1...3 {
            for block in 0..<count {
                try appendBlock(spec, group: group, block: block, index: (group - 1) * count + block, to: &builder)
            }
        }
        builder.batchNorm("bn")
        builder.relu("relu")
        builder.append("avgpool", .globalAveragePool)
        builder.linear("fc", out: spec.classCount)
        return builder.graph
    }

    /// bn1 - relu1 - conv1 - bn2 - relu2 (- dropout) - conv2, the `shortcut` 1x1 conv of relu1's output where the
    /// block projects, then add. State_dict order: bn1, conv1, bn2, conv2, shortcut.
    private static func appendBlock(_ spec: ModelSpec, group: Int, block: Int, index: Int, to builder: inout GraphBuilder) throws {
        let prefix = "blocks.\(index)", stride = stride(group: group, block: block), stream = "group\(group)"
        let input = builder.current
        builder.batchNorm(prefix + ".bn1")
        let activated = builder.relu(prefix + ".relu1")
        builder.convolution(prefix + ".conv1", out: try spec.width(of: prefix + ".conv1"), kernel: 3, stride: stride, padding: 1)
        builder.batchNorm(prefix + ".bn2")
        builder.relu(prefix + ".relu2")
        if let probability = spec.dropoutProbability, probability > 0 { builder.append(prefix + ".dropout", .dropout(probability: probability)) }
        let main = builder.convolution(prefix + ".conv2", out: try spec.width(of: stream), kernel: 3, padding: 1, group: stream)
        var shortcut = input
        if hasShortcut(spec, group: group, block: block) {
            shortcut = builder.convolution(prefix + ".shortcut", out: try spec.width(of: stream), kernel: 1, stride: stride, group: stream,
                                           from: activated)
        }
        builder.append(prefix + ".add", .add, inputs: [main, shortcut])
    }
}
