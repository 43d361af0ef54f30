import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// A method's hyperparameter, set by name from text: `slimming-penalty` = `1e-4` (prune-cli exposes each as a
/// flag of the same name, `prune-cli prune --method slimming --slimming-penalty 1e-4`).
///
/// Each method lists its options with the paper's default in the help text; `prune-cli prune --help` shows
/// them all and `methods --detail NAME` shows one method's. `apply` parses the value into `PruningConfig` and
/// throws `PruneKitError.invalidParameter` naming the option on a bad value.
public struct MethodOption {
    /// Registry name of the method the option belongs to.
    public let method: String
    /// The option's name, unique across methods (prune-cli's flag is `--` + name).
    public let name: String
    /// One line, ending with the default, e.g. "BN-scale L1 penalty lambda (default 1e-5, Liu et al.)".
    public let help: String
    /// Stores the value in the configuration.
    public let apply: (inout PruningConfig, String) throws -> Void

    /// An option of `method` called `name`; `apply` parses the text value into the configuration.
    ///
    /// ```swift
    /// MethodOption(method: "deep-compression", name: "conv-bits", help: "Weight-sharing bits for conv layers (default 8; Han et al. 2016)") {
    ///     $0.deepCompression.convolutionBits = try MethodOption.integer($1, name: "conv-bits", in: 1...16) }
    /// ```
    public init(method: String, name: String, help: String, apply: @escaping (inout PruningConfig, String) throws -> Void) {
        (self.method, self.name, self.help, self.apply) = (method, name, help, apply)
    }

    /// The registered options of every method, in registry order (an option several entries share, like GReg-1/2's,
    /// appears once).
    public static var all: [MethodOption] {
        var seen = Set<String>()
        return PrunerRegistry.entries.flatMap(\.options).filter { seen.insert($0.name).inserted }
    }

    /// Whether the name belongs to method `name` (`method` may list several, comma-separated: "greg-1,greg-2").
    public func applies(to name: String) -> Bool {
        method.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == name }
    }

    /// Parses a number for `name` within `range`.
    public static func number(_ text: String, name: String, in range: ClosedRange<Double>) throws -> Double {
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw PruneKitError.invalidParameter(name: name, expected: "a number in \(range.lowerBound)...\(range.upperBound)", found: "'\(text)'")
        }
        return value
    }

    /// Parses an integer for `name` within `range`.
    public static func integer(_ text: String, name: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw PruneKitError.invalidParameter(name: name, expected: "an integer in \(range.lowerBound)...\(range.upperBound)", found: "'\(text)'")
        }
        return value
    }

    /// Parses "true"/"false" for `name`.
    static func boolean(_ text: String, name: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw PruneKitError.invalidParameter(name: name, expected: "true or false", found: "'\(text)'")
        }
    }
}
