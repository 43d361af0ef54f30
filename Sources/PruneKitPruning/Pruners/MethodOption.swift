import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// A method's hyperparameter as a command-line flag: `prune-cli prune --method slimming --slimming-penalty 1e-4`.
///
/// Each method lists its flags here with the paper's default in the help text; `prune-cli prune --help` shows
/// them all and `methods --detail NAME` shows one method's. `apply` parses the value into `PruningConfig` and
/// throws `PruneKitError.usage` naming the flag on a bad value.
public struct MethodOption {
    /// Registry name of the method the flag belongs to.
    public let method: String
    /// Flag without the leading dashes.
    public let flag: String
    /// One line, ending with the default, e.g. "BN-scale L1 penalty lambda (default 1e-5, Liu et al.)".
    public let help: String
    /// Stores the value in the configuration.
    public let apply: (inout PruningConfig, String) throws -> Void

    public init(method: String, flag: String, help: String, apply: @escaping (inout PruningConfig, String) throws -> Void) {
        (self.method, self.flag, self.help, self.apply) = (method, flag, help, apply)
    }

    /// The registered flags of every method, in registry order.
    public static var all: [MethodOption] {
        baselines + softFilter + growingRegularization + incrementalRegularization + directionalPruning
    }

    /// Parses a number for `flag` within `range`.
    public static func number(_ text: String, flag: String, in range: ClosedRange<Double>) throws -> Double {
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw PruneKitError.usage("option '--\(flag)': expected a number in \(range.lowerBound)...\(range.upperBound), found '\(text)'")
        }
        return value
    }

    /// Parses an integer for `flag` within `range`.
    public static func integer(_ text: String, flag: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw PruneKitError.usage("option '--\(flag)': expected an integer in \(range.lowerBound)...\(range.upperBound), found '\(text)'")
        }
        return value
    }

    static let baselines: [MethodOption] = [
        MethodOption(method: "slimming", flag: "slimming-penalty", help: "BN-scale L1 penalty lambda (default 1e-5; Liu et al. 2017)") {
            $0.slimming.penalty = Float(try number($1, flag: "slimming-penalty", in: 0...1))
        },
        MethodOption(method: "slimming", flag: "slimming-epochs", help: "Sparsity-training epochs before the threshold (default: the method's recipe)") {
            $0.slimming.training.epochs = try integer($1, flag: "slimming-epochs", in: 0...100_000)
        },
        MethodOption(method: "taylor", flag: "taylor-updates", help: "SGD updates between removals (default 10; Molchanov et al. 2017)") {
            $0.taylor.updatesPerStep = try integer($1, flag: "taylor-updates", in: 0...1_000_000)
        },
        MethodOption(method: "magnitude", flag: "magnitude-steps", help: "Prune-retrain iterations to reach the target (default 1; Han et al. 2015)") {
            $0.magnitude.steps = try integer($1, flag: "magnitude-steps", in: 1...1000)
        },
        MethodOption(method: "magnitude", flag: "retrain-epochs", help: "Retraining epochs after each magnitude step (default: the method's recipe)") {
            $0.magnitude.retraining.epochs = try integer($1, flag: "retrain-epochs", in: 0...100_000)
        },
        MethodOption(method: "deep-compression", flag: "conv-bits", help: "Weight-sharing bits for conv layers (default 8; Han et al. 2016)") {
            $0.deepCompression.convolutionBits = try integer($1, flag: "conv-bits", in: 1...16)
        },
        MethodOption(method: "deep-compression", flag: "linear-bits", help: "Weight-sharing bits for linear layers (default 5; Han et al. 2016)") {
            $0.deepCompression.linearBits = try integer($1, flag: "linear-bits", in: 1...16)
        },
    ]
}
