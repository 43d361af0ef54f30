import PruneKitCore

extension SoftFilterPruner {
    /// How SFP treats convolutions that write a residual stream (`--sfp-residual`).
    public enum ResidualMode: String, Codable, Sendable, CaseIterable {
        /// PruneKit's coupled form (default): a stream is one group, ranked by the L2 norm over all its producers;
        /// the same channels are zeroed in every producer and removed from the stream.
        case stream
        /// The paper's form (He et al., IJCAI 2018): the stem and each block's last conv are ranked and zeroed alone;
        /// the compact model narrows each and scatters it into the full-width stream (`StructuralSurgery.insertScatters`).
        case perConvolution = "per-conv"
    }
}
