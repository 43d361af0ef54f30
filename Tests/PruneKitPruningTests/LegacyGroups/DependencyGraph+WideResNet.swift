import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining
import PruneKitPruning

/// Wide ResNet (pre-activation blocks). Groups:
/// - `blocks.I.conv1`: conv1's filters, bn2, conv2's input channels;
/// - the stem stream `conv1` (k != 1): the stem conv, read by `blocks.0.bn1`, `blocks.0.conv1` and
///   `blocks.0.shortcut`;
/// - `groupG`: every conv2 of group G and the group's projection `shortcut` (and the stem when k = 1), read by the
///   bn1/conv1/shortcut of each block whose input is this stream (all blocks of G but the first, and the first
///   block of G + 1), and after group 3 by the final `bn` and `fc`.
/// Pre-activation BatchNorms sit on the reader side, so a stream channel's BN entries go with its readers.
extension DependencyGraph {
    static func addWideResNetGroups(to builder: inout GroupBuilder) throws {
        let spec = builder.spec, perGroup = WideResNet.blockCount(depth: spec.depth)
        let blockCount = 3 * perGroup
        for index in 0..<blockCount {
            let prefix = "blocks.\(index)"
            try builder.addPlainGroup(.init(widthName: prefix + ".conv1", outputs: [prefix + ".conv1"],
                                            batchNorms: [prefix + ".bn2"], readers: [prefix + ".conv2"]), kind: .layer)
        }
        let stemWritesGroup1 = spec.widthFactor == 1  // no "conv1" width entry: the stem writes group1
        var streams: [String: GroupBuilder.Stream] = [:]
        if !stemWritesGroup1 { streams["conv1"] = .init(widthName: "conv1", outputs: ["conv1"], batchNorms: [], readers: []) }
        for group in 1...3 {
            streams["group\(group)"] = .init(widthName: "group\(group)", outputs: group == 1 && stemWritesGroup1 ? ["conv1"] : [],
                                             batchNorms: [], readers: [])
        }
        for index in 0..<blockCount {
            let prefix = "blocks.\(index)", group = index / perGroup + 1
            let input = index == 0 ? (stemWritesGroup1 ? "group1" : "conv1") : (index % perGroup == 0 ? "group\(group - 1)" : "group\(group)")
            streams[input]!.batchNorms.append(prefix + ".bn1")
            streams[input]!.readers.append(prefix + ".conv1")
            streams["group\(group)"]!.outputs.append(prefix + ".conv2")
            if builder.has(prefix + ".shortcut") {
                streams[input]!.readers.append(prefix + ".shortcut")
                streams["group\(group)"]!.outputs.append(prefix + ".shortcut")
            }
        }
        streams["group3"]!.batchNorms.append("bn")
        streams["group3"]!.readers.append("fc")
        for name in ["conv1", "group1", "group2", "group3"] {
            if let stream = streams[name] { try builder.addPlainGroup(stream, kind: .residualStream) }
        }
    }
}
