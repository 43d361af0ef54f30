import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// What BPCP's block search decided (Huang & Wang 2020): blocks searched and removed, and how often gates were on.
///
/// ```swift
/// report.results[BlockPruningResult.self]?.removedBlocks     // e.g. 9 of 27 for ResNet-v2-56
/// ```
public struct BlockPruningResult: MethodResult {
    /// Removable residual blocks searched (`bpcp_blocks`).
    public var blocks: Int?
    /// Blocks the decision sigmoid(alpha) < 0.5 removed (`bpcp_removed_blocks`).
    public var removedBlocks: Int?
    /// Gate draws, one per search iteration plus the first (`bpcp_gate_draws`).
    public var gateDraws: Int?
    /// Gates drawn on, summed over blocks and draws (`bpcp_kept_gate_draws`).
    public var keptGateDraws: Int?

    /// A result with the fields known so far.
    public init(blocks: Int? = nil, removedBlocks: Int? = nil, gateDraws: Int? = nil, keptGateDraws: Int? = nil) {
        (self.blocks, self.removedBlocks, self.gateDraws, self.keptGateDraws) = (blocks, removedBlocks, gateDraws, keptGateDraws)
    }

    enum CodingKeys: String, CodingKey {
        case blocks = "bpcp_blocks", removedBlocks = "bpcp_removed_blocks", gateDraws = "bpcp_gate_draws", keptGateDraws = "bpcp_kept_gate_draws"
    }
}
