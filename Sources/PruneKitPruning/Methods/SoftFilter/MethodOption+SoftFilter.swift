import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// SFP's flags (sfp.md "Hyper-parameters / defaults"; CIFAR values).
extension MethodOption {
    static let softFilter: [MethodOption] = [
        MethodOption(method: "sfp", name: "sfp-epochs", help: "Soft-pruning epochs E (default 200; He et al. 2018, CIFAR; 0 = mask once and prune)") {
            $0.softFilter.epochs = try integer($1, name: "sfp-epochs", in: 0...100_000)
        },
        MethodOption(method: "sfp", name: "sfp-interval", help: "Epochs between masks T_p (default 1; last epoch always masked)") {
            $0.softFilter.interval = try integer($1, name: "sfp-interval", in: 1...100_000)
        },
        MethodOption(method: "sfp", name: "sfp-lr", help: "Base learning rate, x10 at epoch 1, x0.2 at 60/120/160 (default 0.001 from a trained model; 0.01 from scratch)") {
            $0.softFilter.learningRate = Float(try number($1, name: "sfp-lr", in: 0...10))
        },
        MethodOption(method: "sfp", name: "sfp-weight-decay", help: "SGD (Nesterov 0.9) weight decay during soft pruning (default 5e-4)") {
            $0.softFilter.weightDecay = Float(try number($1, name: "sfp-weight-decay", in: 0...1))
        },
    ]

    /// Whether the name belongs to method `name` (`method` may list several, comma-separated: "greg-1,greg-2").
    public func applies(to name: String) -> Bool {
        method.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == name }
    }
}
