import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PruningSession {
    /// Makes the session's model the network `edited` (a `StructuralSurgery` result built from it) in place
    /// (`Model.replaceArchitecture`), rebuilds `graph`, and drops the optimizer (its state belongs to the old
    /// parameters). Dense cost and initial widths stay the references of the targets. Throws while unstructured masks
    /// are attached: they are keyed by parameters the edit may replace.
    ///
    /// ```swift
    /// try session.restructure(to: try StructuralSurgery.factorise("conv1", in: session.model, inputBasis: qA, outputBasis: qS))
    /// ```
    public func restructure(to edited: Model) throws {
        guard masks.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "restructure \(model.spec.name)",
                                                message: "unstructured masks are attached; a structural edit would orphan them")
        }
        model.replaceArchitecture(with: edited)
        graph = try DependencyGraph(model: model)
        optimizer = nil
    }
}
