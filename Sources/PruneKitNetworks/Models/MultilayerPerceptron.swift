import PruneKitCore

/// A fully connected ReLU network on the flattened input, models.py's `MLP`: linear layers `layers.0`,
/// `layers.1`, ... with biases and ReLU between them; the default is LeNet-300-100 (LeCun et al. 1998;
/// Han et al., NeurIPS 2015): 784-300-100-10, 266,610 parameters.
///
/// Width table: `layers.I` for every hidden layer (I < depth - 1). Default init: PyTorch's (U(+-1/sqrt(in))).
enum MultilayerPerceptron: Architecture {
    static var weightInitialization: LayerFactory.WeightInitialization { .pytorchDefault }

    static func validateStructure(of spec: ModelSpec) throws {
        try spec.requireAbsent()
        guard spec.depth >= 1 else { throw spec.specError("mlp depth (number of linear layers) must be >= 1, got \(spec.depth)") }
    }

    static func widthNames(for spec: ModelSpec) -> [String] {
        (0..<max(spec.depth - 1, 0)).map { "layers.\($0)" }
    }

    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph {
        var builder = GraphBuilder(inputShape: spec.inputShape)
        builder.append("flatten", .flatten)
        for index in 0..<spec.depth {
            let hidden = index < spec.depth - 1
            builder.linear("layers.\(index)", out: hidden ? try spec.width(of: "layers.\(index)") : spec.classCount)
            if hidden { builder.relu("layers.\(index).relu") }
        }
        return builder.graph
    }
}
