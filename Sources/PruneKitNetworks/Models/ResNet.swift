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

    static func recordGeometry(of spec: ModelSpec, into recorder: inout GeometryRecorder) throws {
        try recorder.convolution("conv1", widthName: "layer1", kernelSize: 3, padding: 1, bias: false)
        recorder.batchNorm("bn1")
        for stage in 1...3 {
            for block in 0..<blockCount(depth: spec.depth) {
                try recordBlock(spec, stage: stage, block: block, into: &recorder)
            }
        }
        recorder.globalAveragePool()
        try recorder.linear("fc", widthName: nil)
    }

    private static func recordBlock(_ spec: ModelSpec, stage: Int, block: Int, into recorder: inout GeometryRecorder) throws {
        let prefix = "layer\(stage).\(block)", stride = stride(stage: stage, block: block)
        let input = recorder.state
        try recorder.convolution(prefix + ".conv1", widthName: prefix + ".conv1", kernelSize: 3, stride: stride, padding: 1, bias: false)
        recorder.batchNorm(prefix + ".bn1")
        try recorder.convolution(prefix + ".conv2", widthName: "layer\(stage)", kernelSize: 3, padding: 1, bias: false)
        recorder.batchNorm(prefix + ".bn2")
        let main = recorder.state
        guard stride != 1 else { return try recorder.checkResidual(prefix, main: main, shortcut: input.shape) }
        if spec.shortcut == .projection {
            recorder.state = input
            try recorder.convolution(prefix + ".downsample.0", widthName: "layer\(stage)", kernelSize: 1, stride: stride, bias: false)
            recorder.batchNorm(prefix + ".downsample.1")
            try recorder.checkResidual(prefix, main: main, shortcut: recorder.state.shape)
            recorder.state = main
        } else if main.shape[0] < input.shape[0] {
            throw spec.specError("layer '\(prefix)': the option-A shortcut cannot narrow the residual stream from "
                                 + "\(input.shape[0]) to \(main.shape[0]) channels ('layer\(stage)' must be >= 'layer\(stage - 1)')")
        }
    }

    static func makeLayers(for spec: ModelSpec, using factory: inout LayerFactory) throws -> [Layer] {
        var layers: [Layer] = [try factory.convolution("conv1"), try factory.batchNorm("bn1"), ReLU()]
        for stage in 1...3 {
            layers.append(Sequential(try (0..<blockCount(depth: spec.depth)).map { block in
                try makeBlock(spec, stage: stage, block: block, using: &factory)
            }))
        }
        return layers + [GlobalAveragePool(), try factory.linear("fc")]
    }

    private static func makeBlock(_ spec: ModelSpec, stage: Int, block: Int, using factory: inout LayerFactory) throws -> BasicBlock {
        let prefix = "layer\(stage).\(block)", stride = stride(stage: stage, block: block)
        let convolution1 = try factory.convolution(prefix + ".conv1"), batchNorm1 = try factory.batchNorm(prefix + ".bn1")
        let convolution2 = try factory.convolution(prefix + ".conv2"), batchNorm2 = try factory.batchNorm(prefix + ".bn2")
        let shortcut: BasicBlock.Shortcut
        if stride == 1 {
            shortcut = .identity
        } else if spec.shortcut == .projection {
            shortcut = .projection(Sequential([try factory.convolution(prefix + ".downsample.0"),
                                               try factory.batchNorm(prefix + ".downsample.1")]))
        } else {
            shortcut = .zeroPadding(stride: stride)
        }
        return BasicBlock(convolution1: convolution1, batchNorm1: batchNorm1, convolution2: convolution2,
                          batchNorm2: batchNorm2, shortcut: shortcut)
    }
}
