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

    static func recordGeometry(of spec: ModelSpec, into recorder: inout GeometryRecorder) throws {
        try recorder.convolution("conv1", widthName: spec.widthFactor != 1 ? "conv1" : "group1", kernelSize: 3, padding: 1,
                                 bias: false)
        let count = blockCount(depth: spec.depth)
        for group in 1...3 {
            for block in 0..<count {
                try recordBlock(spec, group: group, block: block, index: (group - 1) * count + block, into: &recorder)
            }
        }
        recorder.batchNorm("bn")
        recorder.globalAveragePool()
        try recorder.linear("fc", widthName: nil)
    }

    private static func recordBlock(_ spec: ModelSpec, group: Int, block: Int, index: Int,
                                    into recorder: inout GeometryRecorder) throws {
        let prefix = "blocks.\(index)", stride = stride(group: group, block: block)
        let input = recorder.state
        recorder.batchNorm(prefix + ".bn1")
        try recorder.convolution(prefix + ".conv1", widthName: prefix + ".conv1", kernelSize: 3, stride: stride, padding: 1,
                                 bias: false)
        recorder.batchNorm(prefix + ".bn2")
        try recorder.convolution(prefix + ".conv2", widthName: "group\(group)", kernelSize: 3, padding: 1, bias: false)
        let main = recorder.state
        guard hasShortcut(spec, group: group, block: block) else {
            return try recorder.checkResidual(prefix, main: main, shortcut: input.shape)
        }
        recorder.state = input
        try recorder.convolution(prefix + ".shortcut", widthName: "group\(group)", kernelSize: 1, stride: stride, bias: false)
        try recorder.checkResidual(prefix, main: main, shortcut: recorder.state.shape)
        recorder.state = main
    }

    static func makeLayers(for spec: ModelSpec, using factory: inout LayerFactory) throws -> [Layer] {
        let stem = try factory.convolution("conv1"), count = blockCount(depth: spec.depth)
        var blocks: [Layer] = []
        for group in 1...3 {
            for block in 0..<count {
                blocks.append(try makeBlock(spec, prefix: "blocks.\(blocks.count)",
                                            shortcut: hasShortcut(spec, group: group, block: block), using: &factory))
            }
        }
        return [stem, Sequential(blocks), try factory.batchNorm("bn"), ReLU(), GlobalAveragePool(), try factory.linear("fc")]
    }

    /// Layers created in state_dict order, so the generator is drawn in that order too.
    private static func makeBlock(_ spec: ModelSpec, prefix: String, shortcut: Bool,
                                  using factory: inout LayerFactory) throws -> PreActivationBlock {
        let batchNorm1 = try factory.batchNorm(prefix + ".bn1"), convolution1 = try factory.convolution(prefix + ".conv1")
        let batchNorm2 = try factory.batchNorm(prefix + ".bn2"), convolution2 = try factory.convolution(prefix + ".conv2")
        let projection = shortcut ? try factory.convolution(prefix + ".shortcut") : nil
        return PreActivationBlock(batchNorm1: batchNorm1, convolution1: convolution1, batchNorm2: batchNorm2,
                                  convolution2: convolution2, shortcut: projection,
                                  dropoutProbability: spec.dropoutProbability ?? 0)
    }
}
