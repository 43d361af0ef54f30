import PruneKitCore

/// What each family file (`MultilayerPerceptron`, `LeNet5`, `VGG`, `ResNet`, `WideResNet`, `ResNetV2`,
/// `UserGraph`) provides: the structure checks, the width-table names, and the family's graph builder. Everything
/// else (shapes, costs, layers, coupling) is derived from the graph.
protocol Architecture {
    /// Checks the family-specific fields (depth rule; which of shortcut, widthFactor, dropout apply).
    static func validateStructure(of spec: ModelSpec) throws
    /// The width-table entry names the spec must have, in canonical order; they depend on depth (and k) only.
    static func widthNames(for spec: ModelSpec) -> [String]
    /// The network as a graph at the spec's widths, parameterised nodes in PyTorch registration order.
    static func makeGraph(for spec: ModelSpec) throws -> NetworkGraph
    /// The initialisation models.py leaves each layer with.
    static var weightInitialization: LayerFactory.WeightInitialization { get }
}

extension ModelSpec.Family {
    /// The closed table family -> architecture (a switch, so a new family cannot be forgotten).
    var architecture: Architecture.Type {
        switch self {
        case .multilayerPerceptron: return MultilayerPerceptron.self
        case .leNet5, .leNet5Classic: return LeNet5.self
        case .vgg: return VGG.self
        case .resNet: return ResNet.self
        case .wideResNet: return WideResNet.self
        case .resNetV2: return ResNetV2.self
        case .graph: return UserGraph.self
        }
    }
}

/// Errors shared by the architectures' structure checks.
extension ModelSpec {
    /// An `invalidArgument` error about this spec.
    func specError(_ message: String) -> PruneKitError {
        .invalidArgument(operation: "model spec \(name)", message: message)
    }

    /// Throws unless the fields that do not apply to this family are nil.
    func requireAbsent(shortcut allowShortcut: Bool = false, widthFactor allowWidthFactor: Bool = false,
                       dropout allowDropout: Bool = false) throws {
        if !allowShortcut, shortcut != nil { throw specError("'shortcut' applies only to resnet, not \(family.rawValue)") }
        if !allowWidthFactor, widthFactor != nil { throw specError("'widthFactor' applies only to wrn, not \(family.rawValue)") }
        if !allowDropout, dropoutProbability != nil {
            throw specError("'dropoutProbability' applies only to wrn, not \(family.rawValue)")
        }
        if family != .graph, graph != nil { throw specError("'graph' applies only to family \"graph\", not \(family.rawValue)") }
    }
}
