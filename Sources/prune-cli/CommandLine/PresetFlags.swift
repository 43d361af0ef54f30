import PruneKit

/// `--preset NAME`: a paper's exact configuration (`LiEtAlPreset`) as the starting `PruningConfig` of `prune`, in
/// place of a target; only `l1` has presets (Li et al., ICLR 2017), and the checkpoint must be the architecture the
/// preset names (checked once it is read).
enum PresetFlags {
    /// The methods whose `--detail` lists presets and which accept `--preset`.
    static let methods: Set<String> = ["l1"]

    /// The preset's configuration, or the defaults without `--preset`.
    static func startingConfig(_ arguments: Arguments, method: String) throws -> PruningConfig {
        guard let preset = try preset(arguments) else { return PruningConfig() }
        guard methods.contains(method) else {
            throw PruneKitError.usage("option '--preset' belongs to method 'l1' (Li et al.'s configurations), not '\(method)'")
        }
        return try ParameterFlags.parsing(flag: "preset") { try preset.config() }
    }

    /// The named preset, or nil without `--preset`.
    static func preset(_ arguments: Arguments) throws -> LiEtAlPreset? {
        guard let name = arguments.string("preset") else { return nil }
        return try ParameterFlags.parsing(flag: "preset") { try LiEtAlPreset(named: name) }
    }

    /// `--detail` lines: one per preset.
    static func listing(for method: String) -> [String] {
        guard methods.contains(method) else { return [] }
        return ["presets (--preset NAME replaces the target; Li et al. 2017, as Liu et al. 2019's re-implementation):"]
            + LiEtAlPreset.all.map { "  \($0.name)  \($0.summary)" }
    }
}
