import PruneKitCore

/// What a method's paper reports for the setting nearest to a plan's (from `../shared/methods/*.md`), shown beside
/// the measured drop in `results.md`: `methods[].paper = {"drop": 0.02, "setting": "ResNet-56 CIFAR-10, 27.6% FLOPs
/// removed (Li et al. 2017, Table 2)"}`. `drop` is the paper's accuracy drop in points (dense minus pruned, negative
/// for a gain); nil when the paper has no comparable setting, which `setting` then explains.
public struct PaperReference: Codable, Equatable, Sendable {
    /// The paper's drop in accuracy points for `setting`; nil: no comparable setting.
    public var drop: Double?
    /// The paper's setting (architecture, data, FLOPs removed, table), or why there is none.
    public var setting: String

    /// A reference to `setting` with the paper's `drop` (nil: none comparable).
    public init(drop: Double?, setting: String) { (self.drop, self.setting) = (drop, setting) }

    /// Reads `{"drop": number, "setting": string}` at `node` ("drop" may be absent).
    init(_ node: PlanNode) throws {
        let members = try node.object(allowed: PlanKeys.allowed(under: "methods[].paper"))
        guard let setting = members["setting"] else { throw node.failure("an object with a 'setting'", found: "no 'setting' key") }
        self.setting = try setting.string()
        drop = try members["drop"]?.number(in: -100...100)
    }
}

extension ExperimentPlan {
    /// Each method's paper reference by method label (methods without one are absent).
    public var paperReferences: [String: PaperReference] {
        Dictionary(methods.compactMap { method in method.paper.map { (method.label, $0) } }, uniquingKeysWith: { first, _ in first })
    }
}
