import PruneKitCore

extension NetworkGraph {
    /// The name `insertingScatter(after:keeping:)` gives the scatter it inserts after batch norm `batchNormName`.
    public static func scatterName(after batchNormName: String) -> String { batchNormName + "_scatter" }

    /// The graph with convolution -> batch norm `batchNormName` narrowed to the channels `kept` (sorted, distinct, k of
    /// OC) and a `channel_scatter` (out OC, indices `kept`) inserted after the batch norm, which the batch norm's
    /// readers read instead: SFP's compact residual convolution (He et al., IJCAI 2018), which keeps the stream at full
    /// width. The convolution and batch norm become their own channel group (`group` cleared); the scatter carries the
    /// stream's label. Throws naming the node when `batchNormName` is not a batch norm read from a convolution that
    /// nothing else reads, or when `kept` is not a non-empty sorted subset of 0..<OC.
    public func insertingScatter(after batchNormName: String, keeping kept: [Int]) throws -> NetworkGraph {
        let inputs = inputIndices(), consumers = consumers()
        guard let normIndex = index(of: batchNormName), nodes[normIndex].operation == .batchNorm,
              let convolutionIndex = inputs[normIndex].first, case var .convolution(attributes) = nodes[convolutionIndex].operation,
              consumers[convolutionIndex] == [normIndex] else {
            throw PruneKitError.invalidParameter(name: "scatter site", expected: "a batch norm read only from one convolution",
                                                 found: "'\(batchNormName)'")
        }
        let width = attributes.outputChannels
        guard !kept.isEmpty, zip(kept, kept.dropFirst()).allSatisfy({ $0 < $1 }), kept.first! >= 0, kept.last! < width else {
            throw PruneKitError.invalidParameter(name: "kept channels of '\(nodes[convolutionIndex].name)'",
                                                 expected: "a non-empty sorted subset of 0..<\(width)", found: "\(kept)")
        }
        guard attributes.sparsity == nil else {
            throw PruneKitError.invalidArgument(operation: "insert scatter", message: "'\(nodes[convolutionIndex].name)' has a sparsity record")
        }
        let scatter = Self.scatterName(after: batchNormName)
        guard index(of: scatter) == nil else {
            throw PruneKitError.invalidArgument(operation: "insert scatter", message: "a node named '\(scatter)' exists already")
        }
        var result = self
        let stream = result.nodes[convolutionIndex].groupName
        attributes.outputChannels = kept.count
        result.nodes[convolutionIndex].operation = .convolution(attributes)
        result.nodes[convolutionIndex].group = nil
        result.nodes[normIndex].group = nil
        for index in result.nodes.indices {
            result.nodes[index].inputs = result.nodes[index].inputs.map { $0 == batchNormName ? scatter : $0 }
        }
        result.nodes.insert(GraphNode(name: scatter, operation: .channelScatter(outputChannels: width, indices: kept),
                                      inputs: [batchNormName], group: stream), at: normIndex + 1)
        _ = try result.inferShapes()
        return result
    }
}
