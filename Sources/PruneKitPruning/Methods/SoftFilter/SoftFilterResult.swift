import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// What SFP ran (He et al., IJCAI 2018): soft-pruning epochs E and how many times the mask was applied.
///
/// ```swift
/// report.results[SoftFilterResult.self]?.masks    // E + 1 with T_p = 1
/// ```
public struct SoftFilterResult: MethodResult {
    /// E (`sfp_epochs`; nil when no training phase ran).
    public var epochs: Int?
    /// Masks applied (`sfp_masks`).
    public var masks: Int?

    /// A result with the fields known so far.
    public init(epochs: Int? = nil, masks: Int? = nil) { (self.epochs, self.masks) = (epochs, masks) }

    enum CodingKeys: String, CodingKey { case epochs = "sfp_epochs", masks = "sfp_masks" }
}
