import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Per-run state of a pruner (its training hook, batch cursor, progress flags) lives in the session, one object
/// per type, so a pruner instance holds no state between `PruningPipeline.run` calls: running one instance on two
/// models gives what two fresh instances give. The state is dropped with the session.
///
/// ```swift
/// let hook = try session.runState { try SoftFilterMaskHook(model: session.model, groups: session.graph.groups,
///                                                         counts: counts, interval: 1, epochs: 10) }
/// session.runState(of: SoftFilterMaskHook.self)?.maskCount     // the same object later in the run
/// ```
extension PruningSession {
    /// This run's `State`, created by `make` on first use.
    public func runState<State: AnyObject>(_ make: () throws -> State) rethrows -> State {
        if let state = runState(of: State.self) { return state }
        let state = try make()
        runStates[ObjectIdentifier(State.self)] = state
        return state
    }

    /// This run's `State`, if the pruner created one.
    public func runState<State: AnyObject>(of type: State.Type) -> State? {
        runStates[ObjectIdentifier(type)] as? State
    }

    /// Replaces this run's `State` (a pruner that rebuilds its hook for a new phase).
    public func setRunState<State: AnyObject>(_ state: State) {
        runStates[ObjectIdentifier(State.self)] = state
    }
}
