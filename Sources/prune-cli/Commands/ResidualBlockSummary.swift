import Foundation
import PruneKit

/// The residual blocks `info` lists: the blocks a network has (by their `add` nodes, `NetworkGraph.residualJoins`,
/// named without `.add`), per stage, and for a checkpoint that records its dense architecture (`dense_spec`, written
/// by `prune`) the blocks that were removed (BPCP). Kept blocks keep their original indices.
///
///     residual blocks: 7 of 9 (removed layer1.1, layer2.0)
///       layer1: 0, 2
///       layer2: 1, 2
///       layer3: 0, 1, 2
struct ResidualBlockSummary: Encodable {
    /// Blocks of the network, in node order (`layer1.0`).
    let kept: [String]
    /// Blocks of the dense architecture that the network no longer has; nil without a dense record.
    let removed: [String]?

    /// The summary for `spec`, compared with the dense spec JSON in `metadata` when there is one.
    init(spec: ModelSpec, metadata: [String: String]) throws {
        kept = try Self.blocks(of: spec)
        if let dense = metadata[DenseArchitecture.metadataKey],
           let denseSpec = try? ModelSpec(jsonData: Data(dense.utf8), source: "metadata '\(DenseArchitecture.metadataKey)'") {
            let current = Set(kept)
            removed = try Self.blocks(of: denseSpec).filter { !current.contains($0) }
        } else {
            removed = nil
        }
    }

    /// Block names of `spec`'s removable residual branches.
    static func blocks(of spec: ModelSpec) throws -> [String] {
        try spec.networkGraph().residualJoins.map { $0.hasSuffix(".add") ? String($0.dropLast(4)) : $0 }
    }

    /// Nil for a network without residual blocks.
    var description: String? {
        guard !kept.isEmpty || !(removed ?? []).isEmpty else { return nil }
        var head = "residual blocks: \(kept.count)"
        if let removed { head += " of \(kept.count + removed.count)" + (removed.isEmpty ? "" : " (removed \(removed.joined(separator: ", ")))") }
        var stages: [(String, [String])] = []
        for block in kept {
            let parts = block.split(separator: ".", maxSplits: 1).map(String.init)
            let (stage, index) = parts.count == 2 ? (parts[0], parts[1]) : ("", block)
            if stages.last?.0 == stage { stages[stages.count - 1].1.append(index) } else { stages.append((stage, [index])) }
        }
        return ([head] + stages.map { "  \($0.0): \($0.1.joined(separator: ", "))" }).joined(separator: "\n")
    }
}
