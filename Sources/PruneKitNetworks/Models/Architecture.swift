import PruneKitCore

/// What each family file (`MultilayerPerceptron`, `LeNet5`, `VGG`, `ResNet`, `WideResNet`) provides: the
/// width-table names, a shape-only walk of the forward pass, and the layers themselves. The two walks are
/// kept next to each other in each file; `ModelsBuildTests` checks that the built layers match the recorded
/// geometry name for name and shape for shape.
protocol Architecture {
    /// Checks the family-specific fields (depth rule; which of shortcut, widthFactor, dropout apply).
    static func validateStructure(of spec: ModelSpec) throws
    /// The width-table entry names the spec must have, in canonical order; they depend on depth (and k) only.
    static func widthNames(for spec: ModelSpec) -> [String]
    /// Records every Conv2d, Linear and BatchNorm in state_dict order.
    static func recordGeometry(of spec: ModelSpec, into recorder: inout GeometryRecorder) throws
    /// The model's root layers, in PyTorch registration order.
    static func makeLayers(for spec: ModelSpec, using factory: inout LayerFactory) throws -> [Layer]
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
    }
}
