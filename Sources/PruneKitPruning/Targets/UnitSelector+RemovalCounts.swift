import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension UnitSelector {
    /// How many units each group of `scores` loses, for methods that fix the counts before training and pick the
    /// units later (SFP re-picks every epoch, GReg-2 picks when lambda reaches tau_pick): the sizes of `select`'s
    /// removals, with 0 for every scored group the config does not ignore. Pass only the eligible groups' scores;
    /// the selector's `countRule` gives the method's rounding of a channel ratio.
    ///
    /// ```swift
    /// let counts = try session.selector(countRule: .removeFloor).removalCounts(scores: l2)   // ["layer1.0.conv1": 4, ...]
    /// ```
    public func removalCounts(scores: [String: [Float]], normalization: ScoreNormalization = .mean) throws -> [String: Int] {
        let removals = try select(scores: scores, normalization: normalization)
        return Dictionary(uniqueKeysWithValues: graph.groups.filter { scores[$0.name] != nil && !config.isIgnored($0) }.map {
            ($0.name, removals[$0.name]?.count ?? 0)
        })
    }
}
