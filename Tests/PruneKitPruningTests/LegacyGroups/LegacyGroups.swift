import PruneKitCore
import PruneKitNetworks
import PruneKitPruning

/// The hand-written per-family coupling rules PruneKit used before groups were derived from the graph
/// (`DependencyGraph+Chains/ResNet/WideResNet.swift`, `GroupBuilder.swift`, kept here unchanged as the oracle):
/// `DerivedCouplingTests` checks that the derived groups equal these, member by member, for every zoo family.
enum LegacyGroups {
    /// The groups the old rules declared for `spec` (zoo families of that time only).
    static func groups(of spec: ModelSpec) throws -> [ChannelGroup] {
        var builder = GroupBuilder(spec: spec, layers: try ModelCost(spec: spec).layers)
        switch spec.family {
        case .multilayerPerceptron, .leNet5, .leNet5Classic, .vgg: try DependencyGraph.addChainGroups(to: &builder)
        case .resNet: try DependencyGraph.addResNetGroups(to: &builder)
        case .wideResNet: try DependencyGraph.addWideResNetGroups(to: &builder)
        case .resNetV2, .graph: throw PruneKitError.invalidArgument(operation: "legacy groups", message: "no old rules for \(spec.family)")
        }
        return builder.groups
    }
}
