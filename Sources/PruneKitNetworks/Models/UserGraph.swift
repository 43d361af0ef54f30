import PruneKitCore

/// Family `graph`: the network is the spec's `graph` field, as written (a user's JSON, or a zoo model after a
/// structural edit such as block removal). Input shape and class count must agree with the graph's first and last
/// node; the width table is empty, because every width lives on its node.
/// Init: PyTorch's defaults (U(+-1/sqrt(fan_in)) for conv and linear weights and biases), as an `nn.Module` built
/// from the same nodes would have.
enum UserGraph: Architecture {
    static var weightInitialization: LayerFactory.WeightInitialization { .pytorchDefault }

    static func validateStructure(of spec: ModelSpec) throws {
        try spec.requireAbsent()
        guard let graph = spec.graph else { throw spec.specError("family \"graph\" needs a 'graph' field ({\"nodes\": [...]})") }
        let shapes = try graph.inferShapes()
        guard graph.inputShape == spec.inputShape else {
            throw spec.specError("inputShape \(spec.inputShape) differs from the graph's input node \(graph.inputShape)")
        }
        guard shapes.last! == [spec.classCount] else {
            throw spec.specError("classCount \(spec.classCount) differs from the graph's output \(shapes.last!)")
        }
    }

    static func widthNames(for spec: ModelSpec) -> [String] { [] }

    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph {
        guard let graph = spec.graph else { throw spec.specError("family \"graph\" needs a 'graph' field") }
        return graph
    }
}
