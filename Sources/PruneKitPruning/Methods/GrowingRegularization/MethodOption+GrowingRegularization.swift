import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// GReg-1/2's flags (greg.md "Hyperparameters"; the code's CIFAR values).
extension MethodOption {
    private static func greg(_ name: String, _ help: String, _ apply: @escaping (inout PruningConfig, String) throws -> Void) -> MethodOption {
        MethodOption(method: "greg-1,greg-2", name: name, help: help, apply: apply)
    }

    static let growingRegularization: [MethodOption] = [
        greg("greg-increment", "Penalty increment delta on the selected filters (default 1e-4; Wang et al. 2021)") {
            $0.growingRegularization.increment = try number($1, name: "greg-increment", in: 0...10)
        },
        greg("greg-interval", "Iterations K_u between penalty updates (default 10, CIFAR)") {
            $0.growingRegularization.updateInterval = try integer($1, name: "greg-interval", in: 1...1_000_000)
        },
        greg("greg-ceiling", "Penalty ceiling tau: growth stops once lambda > tau (default 1)") {
            $0.growingRegularization.ceiling = try number($1, name: "greg-ceiling", in: 0...1000)
        },
        greg("greg-ratio-limit", "Stop growth when every layer's mean|kept|/mean|selected| EMA reaches this (default 1000)") {
            $0.growingRegularization.magnitudeRatioLimit = try number($1, name: "greg-ratio-limit", in: 1...1e30)
        },
        greg("greg-stabilize", "Iterations K_s with frozen penalty after growth (default 10000, CIFAR)") {
            $0.growingRegularization.stabilizeIterations = try integer($1, name: "greg-stabilize", in: 0...100_000_000)
        },
        greg("greg-pick-increment", "GReg-2 uniform increment delta_pick before selection (default 1e-5)") {
            $0.growingRegularization.pickIncrement = try number($1, name: "greg-pick-increment", in: 0...10)
        },
        greg("greg-pick-ceiling", "GReg-2 selects once lambda >= tau_pick (default 1e-2)") {
            $0.growingRegularization.pickCeiling = try number($1, name: "greg-pick-ceiling", in: 0...1000)
        },
        greg("greg-recover", "GReg-2 penalty of the kept filters after selection (default -1e-4)") {
            $0.growingRegularization.recoverPenalty = try number($1, name: "greg-recover", in: -1...1)
        },
        greg("greg-lr", "Constant learning rate of the regularization phase (default 1e-3)") {
            $0.growingRegularization.learningRate = Float(try number($1, name: "greg-lr", in: 0...10))
        },
        greg("greg-weight-decay", "Weight decay of the regularization phase (default 5e-4, CIFAR)") {
            $0.growingRegularization.weightDecay = Float(try number($1, name: "greg-weight-decay", in: 0...1))
        },
        greg("greg-epochs", "Cap on the regularization phase's epochs; the schedule normally ends it (default 1000; 0 = none)") {
            $0.growingRegularization.maximumEpochs = try integer($1, name: "greg-epochs", in: 0...100_000)
        },
    ]
}
