import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining
import PruneKitPruning

/// CIFAR ResNet (basic blocks). Groups:
/// - `layerS.B.conv1`: conv1's filters, bn1, conv2's input channels (block-internal, Li et al.'s pruned set);
/// - `layerS` (the residual stream of stage S): the stem `conv1`/`bn1` (S = 1), every `layerS.B.conv2`/`bn2`,
///   option B's `layerS.0.downsample.0`/`.1`; read by every block conv1 of the stage (except the first block of
///   stages 2-3, which reads the stage before), by the next stage's `layer(S+1).0.conv1` and `downsample.0`,
///   and by `fc` after stage 3.
///
/// Option A couples stages. The shortcut of `layer(S+1).0` writes stream-S channel c to stream-(S+1) channel
/// c + o, o = (w(S+1) - wS) / 2 computed from the channel counts at forward time, and fills the o channels below
/// and the rest above with zeros. Removing stream-S channel c therefore also removes its image c + o (and the
/// image of that in stage 3), and the padding channels must leave o' = (w' - wS') / 2 consistent. So:
/// - group `layer1`: unit c = stream-1 channel c and its images in streams 2 and 3;
/// - groups `layer2`, `layer3` (`streamPadding`, may be emptied): unit i = the padding pair (i, o + wS + i), plus
///   a single unit for the top channel when the padding is odd; each with its image in later streams.
/// Every combination of removed units then rebuilds to a network computing the same function on what remains.
extension DependencyGraph {
    static func addResNetGroups(to builder: inout GroupBuilder) throws {
        let spec = builder.spec, blocks = ResNet.blockCount(depth: spec.depth)
        for stage in 1...3 {
            for block in 0..<blocks {
                let prefix = "layer\(stage).\(block)"
                try builder.addPlainGroup(.init(widthName: prefix + ".conv1", outputs: [prefix + ".conv1"],
                                                batchNorms: [prefix + ".bn1"], readers: [prefix + ".conv2"]), kind: .layer)
            }
        }
        let streams = try (1...3).map { try resNetStream(stage: $0, builder) }
        if spec.shortcut == .projection {
            for stream in streams { try builder.addPlainGroup(stream, kind: .residualStream) }
        } else {
            try addZeroPaddingStreamGroups(streams, to: &builder)
        }
    }

    /// Producers and readers of stage `stage`'s residual stream.
    private static func resNetStream(stage: Int, _ builder: GroupBuilder) throws -> GroupBuilder.Stream {
        let blocks = ResNet.blockCount(depth: builder.spec.depth)
        var stream = GroupBuilder.Stream(widthName: "layer\(stage)", outputs: stage == 1 ? ["conv1"] : [],
                                         batchNorms: stage == 1 ? ["bn1"] : [], readers: [])
        for block in 0..<blocks {
            let prefix = "layer\(stage).\(block)"
            stream.outputs.append(prefix + ".conv2")
            stream.batchNorms.append(prefix + ".bn2")
            if builder.has(prefix + ".downsample.0") {
                stream.outputs.append(prefix + ".downsample.0")
                stream.batchNorms.append(prefix + ".downsample.1")
            }
            if block > 0 || stage == 1 { stream.readers.append(prefix + ".conv1") }
        }
        if stage == 3 {
            stream.readers.append("fc")
        } else {
            stream.readers.append("layer\(stage + 1).0.conv1")
            if builder.has("layer\(stage + 1).0.downsample.0") { stream.readers.append("layer\(stage + 1).0.downsample.0") }
        }
        return stream
    }

    /// Option-A groups: `layer1` carried through all stages, then the padding units of `layer2` and `layer3`.
    private static func addZeroPaddingStreamGroups(_ streams: [GroupBuilder.Stream], to builder: inout GroupBuilder) throws {
        let widths = try streams.map { try builder.spec.width(of: $0.widthName) }
        // offsets[s]: where stream s's channel 0 lands in stream s + 1 (index s + 1 is unused for the last stream).
        let offsets = (0..<2).map { (widths[$0 + 1] - widths[$0]) / 2 }
        /// Channel lists of one unit in stream `start` and every later stream.
        func carried(_ channels: [Int], from start: Int) -> [String: [Int]] {
            var result: [String: [Int]] = [:], current = channels
            for stream in start..<3 {
                result[streams[stream].widthName] = current
                if stream < 2 { current = current.map { $0 + offsets[stream] } }
            }
            return result
        }
        try builder.addGroup(name: "layer1", kind: .residualStream, minimumUnits: 1, streams: streams,
                             units: (0..<widths[0]).map { carried([$0], from: 0) })
        for stream in 1...2 {
            let below = offsets[stream - 1], carriedCount = widths[stream - 1]
            var units = (0..<below).map { carried([$0, below + carriedCount + $0], from: stream) }
            if widths[stream] - carriedCount - below > below { units.append(carried([widths[stream] - 1], from: stream)) }
            try builder.addGroup(name: streams[stream].widthName, kind: .streamPadding, minimumUnits: 0,
                                 streams: Array(streams[stream...]), units: units)
        }
    }
}
