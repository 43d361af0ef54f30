import PruneKitCore
import PruneKitNetworks

extension StructuralSurgery {
    /// The model with `fraction` of the im2col columns of every convolution but the first pruned by magnitude: each
    /// such conv (weight [OC, C, K, K] viewed as [OC, C*K*K]) keeps the ceil((1 - fraction) * C*K*K) columns of
    /// largest L1 norm sum_o |W[o, j]| (ties: the lower index goes first), recorded as `SparsityRecord.columns`. The one-shot
    /// magnitude column pruning SPP (Wang et al. BMVC 2018) refines; `prune-cli edit --prune-columns` uses it to make
    /// column-sparse networks for benchmarks. Convolutions that already carry a record are skipped.
    ///
    /// ```swift
    /// let sparse = try StructuralSurgery.pruneColumns(fraction: 0.5, in: model)   // conv FLOPs about halved
    /// ```
    public static func pruneColumns(fraction: Double, in model: Model) throws -> Model {
        guard (0..<1).contains(fraction) else {
            throw PruneKitError.invalidParameter(name: "column fraction", expected: "a fraction in [0, 1)", found: "\(fraction)")
        }
        var graph = try model.currentGraph()
        let convolutions = graph.nodes.filter {
            if case let .convolution(attributes) = $0.operation { return attributes.sparsity == nil }
            return false
        }.map(\.name)
        let firstConvolution = graph.nodes.first { if case .convolution = $0.operation { return true }; return false }?.name
        for name in convolutions where name != firstConvolution {
            guard let convolution = model.namedLayers[name] as? Conv2d else { continue }
            let columns = convolution.inputChannels * convolution.kernelSize * convolution.kernelSize
            let keep = Int((Double(columns) * (1 - fraction)).rounded(.up))
            let slices = UnitSlices.Member(variable: convolution.weight, layout: .columns(of: convolution.weight.shape), channels: [])
            let removed = Set(UnitSlices.lowest(columns - keep, of: slices.axisSums(of: convolution.weight.value) { abs($0) }))
            graph = try graph.attachingSparsity(.columns(kept: (0..<columns).filter { !removed.contains($0) }), to: name)
        }
        return try rebuilt(model, graph: graph)
    }
}
