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

    static func recordGeometry(of spec: ModelSpec, into recorder: inout GeometryRecorder) throws {
        let classic = spec.family == .leNet5Classic
        try recorder.convolution("conv1", widthName: "conv1", kernelSize: 5, padding: classic ? 2 : 0, bias: true)
        try recorder.pool("max pool after conv1", kernelSize: 2)
        try recorder.convolution("conv2", widthName: "conv2", kernelSize: 5, bias: true)
        try recorder.pool("max pool after conv2", kernelSize: 2)
        recorder.flatten()
        try recorder.linear("fc1", widthName: "fc1")
        if classic {
            try recorder.linear("fc2", widthName: "fc2")
            try recorder.linear("fc3", widthName: nil)
        } else {
            try recorder.linear("fc2", widthName: nil)
        }
    }

    static func makeLayers(for spec: ModelSpec, using factory: inout LayerFactory) throws -> [Layer] {
        if spec.family == .leNet5Classic {
            return [try factory.convolution("conv1"), ReLU(), MaxPool(kernelSize: 2),
                    try factory.convolution("conv2"), ReLU(), MaxPool(kernelSize: 2), Flatten(),
                    try factory.linear("fc1"), ReLU(), try factory.linear("fc2"), ReLU(), try factory.linear("fc3")]
        }
        return [try factory.convolution("conv1"), MaxPool(kernelSize: 2), try factory.convolution("conv2"),
                MaxPool(kernelSize: 2), Flatten(), try factory.linear("fc1"), ReLU(), try factory.linear("fc2")]
    }
}
