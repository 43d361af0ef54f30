import PruneKit

/// The flag that sets each library parameter, so that an `invalidParameter` error from the library reads in the
/// user's terms: `parameter 'maximumGroupRatio'` becomes `option '--max-ratio'`. The library never names flags
/// (it is called from programs too); this table is the one place that knows both vocabularies.
enum ParameterFlags {
    /// Library parameter name -> flag without dashes. Method options are named as their flags.
    static let table: [String: String] = [
        "maximumGroupRatio": "max-ratio", "roundTo": "round-to", "iterativeSteps": "steps", "groupRatios": "group-ratio",
        "channelRatio": "ratio", "flopsRatio": "flops", "parameterRatio": "params", "target": "flops/--params/--ratio",
        "method": "method", "model": "model", "dataset": "dataset", "schedule": "schedule", "ratios": "ratios",
        "baseURL": "base-url", "preset": "preset",
    ]

    /// The flag for `parameter`, or nil when no flag sets it.
    static func flag(for parameter: String) -> String? {
        if let flag = table[parameter] { return flag }
        return MethodOption.all.contains { $0.name == parameter } ? parameter : nil
    }

    /// The usage error for an invalid parameter, naming `flag` (or the flag the table gives) instead.
    static func usage(name: String, expected: String, found: String, flag: String? = nil) -> PruneKitError {
        guard let flag = flag ?? self.flag(for: name) else {
            return .usage("parameter '\(name)': expected \(expected), found \(found)")
        }
        return .usage("option '--\(flag)': expected \(expected), found \(found)")
    }

    /// Runs `body`, reporting an invalid parameter as a usage error that names `flag`; for values whose flag
    /// depends on the command (`--schedule` or `--finetune-schedule`).
    static func parsing<T>(flag: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch PruneKitError.invalidParameter(let name, let expected, let found) {
            throw usage(name: name, expected: expected, found: found, flag: flag)
        }
    }
}
