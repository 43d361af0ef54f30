import PruneKitCore
import PruneKitNetworks

/// SFP's paper form on ResNets (He et al., IJCAI 2018): every K x K (K > 1) convolution writing a residual stream that
/// is not ignored (the stem, each block's last conv) becomes its own unit set, a one-member group of its filters,
/// ranked and zeroed alone. 1x1 projection shortcuts stay dense (the official code's `skip_downsample`). Each such
/// convolution must be read only by a batch norm, after which the hard prune puts the scatter.
struct PerConvolutionUnits {
    /// Convolution name -> its one-member group (output role, one channel per unit).
    let groups: [String: ChannelGroup]
    /// Convolution name -> the batch norm reading it.
    let batchNorms: [String: String]

    init(_ session: PruningSession) throws {
        let graph = session.model.graph, consumers = graph.consumers()
        var groups: [String: ChannelGroup] = [:], batchNorms: [String: String] = [:]
        for stream in session.graph.groups where stream.kind == .residualStream && !session.config.isIgnored(stream) {
            for member in stream.members where member.role == .output {
                guard let convolution = session.model.namedLayers[member.layerName] as? Conv2d, convolution.kernelSize > 1 else { continue }
                guard let index = graph.index(of: member.layerName), consumers[index].count == 1,
                      graph.nodes[consumers[index][0]].operation == .batchNorm else {
                    throw PruneKitError.invalidArgument(operation: "sfp --sfp-residual per-conv",
                                                        message: "'\(member.layerName)' writes a stream but is not read by one batch norm alone")
                }
                let units = (0..<convolution.outputChannels).map { [$0] }
                groups[member.layerName] = ChannelGroup(name: member.layerName, kind: .layer,
                                                        members: [.init(layerName: member.layerName, role: .output, channels: units)],
                                                        minimumUnits: 1, widthEffects: [:])
                batchNorms[member.layerName] = graph.nodes[consumers[index][0]].name
            }
        }
        guard !groups.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "sfp --sfp-residual per-conv",
                                                message: "\(session.model.spec.name) has no convolution writing a residual stream")
        }
        (self.groups, self.batchNorms) = (groups, batchNorms)
    }

    /// floor(N P) for each convolution (the paper's rate, `--ratio P` only), and the selector's counts for the
    /// block-internal `layerGroups`.
    func removalCounts(layerGroups: [ChannelGroup], session: PruningSession) throws -> [String: Int] {
        guard case let .channelRatio(rate) = session.config.target else {
            throw PruneKitError.invalidArgument(operation: "sfp --sfp-residual per-conv",
                                                message: "needs --ratio P (the paper's rate); found target \(session.config.target)")
        }
        let scores = try session.scores(MagnitudeImportance(norm: 2, reduction: session.config.reduction ?? .sum))
        let selected = try session.selector(countRule: .removeFloor)
            .removalCounts(scores: scores, normalization: session.config.normalization ?? .mean)
        var counts = selected.filter { name, _ in layerGroups.contains { $0.name == name } }
        for (name, group) in groups { counts[name] = SoftFilterPruner.removalCount(units: group.unitCount, rate: rate) }
        return counts
    }
}
