import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining
import PruneKitPruning

/// Single-branch families (MLP, LeNet-5, VGG): each conv or hidden linear layer, the BatchNorms that follow it,
/// and the next conv or linear layer form one group. A linear reader after a flatten owns C*H*W / C columns per
/// channel (channel c -> columns c*H*W ..< (c+1)*H*W, the NCHW flatten order).
extension DependencyGraph {
    static func addChainGroups(to builder: inout GroupBuilder) throws {
        let order = try ModelCost(spec: builder.spec).layers
        for (index, layer) in order.enumerated() where layer.kind != .batchNorm {
            guard let widthName = layer.widthName else { continue }  // the classifier
            let rest = order[(index + 1)...]
            let batchNorms = rest.prefix { $0.kind == .batchNorm }.filter { $0.widthName == widthName }.map(\.name)
            guard let reader = rest.first(where: { $0.kind != .batchNorm }) else {
                throw PruneKitError.invalidArgument(operation: "dependency graph of \(builder.spec.name)",
                                                    message: "layer '\(layer.name)' has no reader")
            }
            try builder.addPlainGroup(.init(widthName: widthName, outputs: [layer.name], batchNorms: batchNorms,
                                            readers: [reader.name]), kind: .layer)
        }
    }
}
