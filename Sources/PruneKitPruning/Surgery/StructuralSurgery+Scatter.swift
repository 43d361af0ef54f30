import PruneKitCore
import PruneKitNetworks

extension StructuralSurgery {
    /// The model with each site's convolution -> batch norm narrowed to its kept output channels and a channel scatter
    /// after the batch norm (`NetworkGraph.insertingScatter`), rebuilt once: SFP's compact ResNet (He et al., IJCAI
    /// 2018, official code's `index_add` with `bn_value`), which keeps every residual stream at full width.
    ///
    /// `sites` maps a batch norm's name to the channels kept (sorted). The scatter's fill for a removed channel c is
    /// what a zeroed filter gives after eval-mode batch norm, beta_c - gamma_c * mu_c / sqrt(var_c + eps), so the
    /// compact model computes, in evaluation, exactly what the soft-masked model computes (spec test 7a). Kept
    /// channels' fill entries are 0 (never read). The input model is left unchanged.
    ///
    /// ```swift
    /// let compact = try StructuralSurgery.insertScatters(["layer1.0.bn2": [0, 2, 3]], in: model)
    /// ```
    public static func insertScatters(_ sites: [String: [Int]], in model: Model) throws -> Model {
        var graph = try model.currentGraph()
        for (name, kept) in sites.sorted(by: { $0.key < $1.key }) { graph = try graph.insertingScatter(after: name, keeping: kept) }
        let result = try rebuilt(model, graph: graph)
        for (name, kept) in sites {
            guard let source = model.namedLayers[name] as? BatchNorm, let target = result.namedLayers[name] as? BatchNorm,
                  let convolutionName = graph.node(named: name)?.inputs.first,
                  let convolution = model.namedLayers[convolutionName] as? Conv2d,
                  let narrowed = result.namedLayers[convolutionName] as? Conv2d,
                  let scatter = result.namedLayers[NetworkGraph.scatterName(after: name)] as? ChannelScatter else {
                throw PruneKitError.invalidArgument(operation: "insert scatter", message: "'\(name)' did not rebuild as conv, batch norm, scatter")
            }
            narrowed.weight.value = try convolution.weight.value.keeping(kept, alongAxis: 0)
            if let bias = convolution.bias, let targetBias = narrowed.bias { targetBias.value = try bias.value.keeping(kept, alongAxis: 0) }
            target.scale.value = try source.scale.value.keeping(kept, alongAxis: 0)
            target.shift.value = try source.shift.value.keeping(kept, alongAxis: 0)
            target.statistics.runningMean = try source.statistics.runningMean.keeping(kept, alongAxis: 0)
            target.statistics.runningVariance = try source.statistics.runningVariance.keeping(kept, alongAxis: 0)
            target.statistics.batchesTracked = source.statistics.batchesTracked
            (target.momentum, target.epsilon) = (source.momentum, source.epsilon)
            scatter.fill = try Tensor(shape: [source.channels], scalars: zeroFilterOutputs(of: source, excluding: Set(kept)))
        }
        return result
    }

    /// The model with one scatter site (`insertScatters([batchNormName: kept], in:)`).
    public static func insertScatter(after batchNormName: String, keeping kept: [Int], in model: Model) throws -> Model {
        try insertScatters([batchNormName: kept], in: model)
    }

    /// Eval-mode batch-norm output of an all-zero input channel, beta - gamma * mu / sqrt(var + eps), per channel
    /// ([C]); 0 for channels in `excluded`.
    static func zeroFilterOutputs(of norm: BatchNorm, excluding excluded: Set<Int>) -> [Float] {
        let (gamma, beta) = (norm.scale.value.scalars, norm.shift.value.scalars)
        let (mean, variance) = (norm.statistics.runningMean.scalars, norm.statistics.runningVariance.scalars)
        return (0..<norm.channels).map { c in
            excluded.contains(c) ? 0 : beta[c] - gamma[c] * mean[c] / (variance[c] + norm.epsilon).squareRoot()
        }
    }
}
