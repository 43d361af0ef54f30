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

    public init(method: String, name: String, help: String, apply: @escaping (inout PruningConfig, String) throws -> Void) {
        (self.method, self.name, self.help, self.apply) = (method, name, help, apply)
    }

    /// The registered options of every method, in registry order.
    public static var all: [MethodOption] {
        baselines + softFilter + growingRegularization + incrementalRegularization + directionalPruning
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

    static let baselines: [MethodOption] = [
        MethodOption(method: "slimming", name: "slimming-penalty", help: "BN-scale L1 penalty lambda (default 1e-5; Liu et al. 2017)") {
            $0.slimming.penalty = Float(try number($1, name: "slimming-penalty", in: 0...1))
        },
        MethodOption(method: "slimming", name: "slimming-epochs", help: "Sparsity-training epochs before the threshold (default: the method's recipe)") {
            $0.slimming.training.epochs = try integer($1, name: "slimming-epochs", in: 0...100_000)
        },
        MethodOption(method: "taylor", name: "taylor-updates", help: "SGD updates between removals (default 10; Molchanov et al. 2017)") {
            $0.taylor.updatesPerStep = try integer($1, name: "taylor-updates", in: 0...1_000_000)
        },
        MethodOption(method: "magnitude", name: "magnitude-steps", help: "Prune-retrain iterations to reach the target (default 1; Han et al. 2015)") {
            $0.magnitude.steps = try integer($1, name: "magnitude-steps", in: 1...1000)
        },
        MethodOption(method: "magnitude", name: "retrain-epochs", help: "Retraining epochs after each magnitude step (default: the method's recipe)") {
            $0.magnitude.retraining.epochs = try integer($1, name: "retrain-epochs", in: 0...100_000)
        },
        MethodOption(method: "deep-compression", name: "conv-bits", help: "Weight-sharing bits for conv layers (default 8; Han et al. 2016)") {
            $0.deepCompression.convolutionBits = try integer($1, name: "conv-bits", in: 1...16)
        },
        MethodOption(method: "deep-compression", name: "linear-bits", help: "Weight-sharing bits for linear layers (default 5; Han et al. 2016)") {
            $0.deepCompression.linearBits = try integer($1, name: "linear-bits", in: 1...16)
        },
    ]
}
