import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Flags of the regularising methods IncReg (increg.md) and sDprun (sdprun.md), with the papers' defaults.
extension MethodOption {
    /// Parses "true"/"false" for `name`.
    static func boolean(_ text: String, name: String) throws -> Bool {
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw PruneKitError.invalidParameter(name: name, expected: "true or false", found: "'\(text)'")
        }
    }

    /// IncReg's flags.
    static let incrementalRegularization: [MethodOption] = [
        MethodOption(method: "increg", name: "increg-unit", help: "Group: filters (physical) or columns (im2col, masks) (default filters; code default columns)") {
            guard let unit = IncrementalRegularizationPruner.Unit(rawValue: $1) else {
                throw PruneKitError.invalidParameter(name: "increg-unit", expected: "filters or columns", found: "'\($1)'")
            }
            $0.incrementalRegularization.unit = unit
        },
        MethodOption(method: "increg", name: "increg-increment", help: "Unit increment A of lambda per iteration (default 2.5e-4; Wang et al. code)") {
            $0.incrementalRegularization.unitIncrement = try number($1, name: "increg-increment", in: 1e-12...100)
        },
        MethodOption(method: "increg", name: "increg-ceiling", help: "Ceiling tau as configured (default 0.05, LeNet-5 config; 2.5 for VGG16/ResNet-50)") {
            $0.incrementalRegularization.ceiling = try number($1, name: "increg-ceiling", in: 1e-12...1e6)
        },
        MethodOption(method: "increg", name: "increg-code-ceiling", help: "Scale tau as the code does, min(tau*2.452, 10) (default true)") {
            $0.incrementalRegularization.scalesCeilingAsCode = try boolean($1, name: "increg-code-ceiling")
        },
        MethodOption(method: "increg", name: "increg-epochs", help: "Cap on regularisation epochs; stops early when all layers are done (default 30)") {
            $0.incrementalRegularization.training.epochs = try integer($1, name: "increg-epochs", in: 0...100_000)
        },
        MethodOption(method: "increg", name: "increg-lr", help: "Learning rate while regularising, constant, momentum 0.9 (default 5e-4; code: original/20)") {
            $0.incrementalRegularization.training.learningRate = Float(try number($1, name: "increg-lr", in: 0...10))
        },
        MethodOption(method: "increg", name: "increg-weight-decay", help: "Weight decay while regularising (default 2.5e-4; code: original/2)") {
            $0.incrementalRegularization.training.weightDecay = Float(try number($1, name: "increg-weight-decay", in: 0...1))
        },
    ]

    /// sDprun's flags.
    static let directionalPruning: [MethodOption] = [
        MethodOption(method: "sdprun", name: "sdprun-c", help: "Threshold scale c (default 1e-2; group value not found, spec sweep 1e-3..3e-2)") {
            $0.directionalPruning.scale = try number($1, name: "sdprun-c", in: 0...100)
        },
        MethodOption(method: "sdprun", name: "sdprun-mu", help: "Threshold growth exponent mu, 0.5 < mu < 1 (default 0.51; Dprun/gRDA)") {
            $0.directionalPruning.exponent = try number($1, name: "sdprun-mu", in: 0.5...1)
        },
        MethodOption(method: "sdprun", name: "sdprun-lr", help: "gRDA learning rate, constant, no momentum or weight decay (default 0.1; Dprun scripts)") {
            $0.directionalPruning.training.learningRate = Float(try number($1, name: "sdprun-lr", in: 0...10))
        },
        MethodOption(method: "sdprun", name: "sdprun-epochs", help: "gRDA training epochs (default 200; spec proposal, Dprun uses 200-600)") {
            $0.directionalPruning.training.epochs = try integer($1, name: "sdprun-epochs", in: 0...100_000)
        },
        MethodOption(method: "sdprun", name: "sdprun-group-weight", help: "s_G: unit or sqrt-size (default unit; not found, proposal)") {
            switch $1 {
            case "unit": $0.directionalPruning.weighting = .unit
            case "sqrt-size": $0.directionalPruning.weighting = .squareRootOfSize
            default: throw PruneKitError.invalidParameter(name: "sdprun-group-weight", expected: "unit or sqrt-size", found: "'\($1)'")
            }
        },
        MethodOption(method: "sdprun", name: "sdprun-group-bn", help: "Put BN gamma/beta in the filter's group, option (b) (default false)") {
            $0.directionalPruning.groupsBatchNorm = try boolean($1, name: "sdprun-group-bn")
        },
        MethodOption(method: "sdprun", name: "sdprun-from-scratch", help: "Re-initialise the checkpoint's architecture before gRDA (default true; paper)") {
            $0.directionalPruning.fromScratch = try boolean($1, name: "sdprun-from-scratch")
        },
        MethodOption(method: "sdprun", name: "sdprun-meet-target", help: "Remove smallest-L2 filters when zero groups miss the target (default true)") {
            $0.directionalPruning.meetsTarget = try boolean($1, name: "sdprun-meet-target")
        },
    ]
}
