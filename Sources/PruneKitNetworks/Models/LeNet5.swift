import PruneKitCore

/// LeNet-5 in its two common forms, as models.py defines them (all layers with bias, PyTorch default init):
/// - `lenet5` (Caffe's, used by Han et al. 2015 and the lottery-ticket papers): conv1 5x5 20 - maxpool 2 -
///   conv2 5x5 50 - maxpool 2 - fc1 500 - ReLU - fc2; no ReLU after the convolutions. 431,080 parameters.
/// - `lenet5-classic` (LeCun et al. 1998 with ReLU and max pooling): conv1 5x5 6 pad 2 - ReLU - pool -
///   conv2 5x5 16 - ReLU - pool - fc1 120 - ReLU - fc2 84 - ReLU - fc3. 61,706 parameters.
///
/// Width table: `conv1`, `conv2`, `fc1` (and `fc2` for the classic form). Input [1, 28, 28] by default; the
/// first linear layer's input is whatever the convolutions leave, C * H * W.
enum LeNet5: Architecture {
    static var weightInitialization: LayerFactory.WeightInitialization { .pytorchDefault }

    static func validateStructure(of spec: ModelSpec) throws {
        try spec.requireAbsent()
        guard spec.depth == 5 else { throw spec.specError("\(spec.family.rawValue) depth must be 5, got \(spec.depth)") }
    }

    static func widthNames(for spec: ModelSpec) -> [String] {
        spec.family == .leNet5Classic ? ["conv1", "conv2", "fc1", "fc2"] : ["conv1", "conv2", "fc1"]
    }

    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph {
        let classic = spec.family == .leNet5Classic
        var builder = GraphBuilder(inputShape: spec.inputShape)
        builder.convolution("conv1", out: try spec.width(of: "conv1"), kernel: 5, padding: classic ? 2 : 0, bias: true)
        if classic { builder.relu("relu1") }
        builder.append("pool1", .maxPool(kernelSize: 2, stride: 2))
        builder.convolution("conv2", out: try spec.width(of: "conv2"), kernel: 5, bias: true)
        if classic { builder.relu("relu2") }
        builder.append("pool2", .maxPool(kernelSize: 2, stride: 2))
        builder.append("flatten", .flatten)
        builder.linear("fc1", out: try spec.width(of: "fc1"))
        builder.relu("relu3")
        if classic {
            builder.linear("fc2", out: try spec.width(of: "fc2"))
            builder.relu("relu4")
            builder.linear("fc3", out: spec.classCount)
        } else {
            builder.linear("fc2", out: spec.classCount)
        }
        return builder.graph
    }
}
