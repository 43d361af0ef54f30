import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PrunerRegistry.Entry {
    /// Magnitude weight pruning with retraining (Han et al., NeurIPS 2015; `MagnitudeWeightPruner`).
    static let magnitude = PrunerRegistry.Entry(name: "magnitude", summary: "Magnitude weight pruning with retraining (Han et al., NeurIPS 2015): unstructured masks",
        isStructured: false, recommendedFineTuning: PrunerRegistry.recipe(0.001, .constant), criterion: nil,
        settings: [MagnitudeWeightPruner.Settings.self],
        options: MethodOption.magnitude, makePruner: { _ in MagnitudeWeightPruner() })
}

extension MethodOption {
    /// Han et al.'s flags (baselines.md section 1).
    static let magnitude: [MethodOption] = [
        MethodOption(method: "magnitude", name: "magnitude-steps", help: "Prune-retrain iterations to reach the target (default 1; Han et al. 2015)") {
            $0.magnitude.steps = try integer($1, name: "magnitude-steps", in: 1...1000)
        },
        MethodOption(method: "magnitude", name: "retrain-epochs", help: "Retraining epochs after each magnitude step (default: the method's recipe)") {
            $0.magnitude.retraining.epochs = try integer($1, name: "retrain-epochs", in: 0...100_000)
        },
    ]
}
