import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Decisions a method's spec left open ("[proposal]" or "not found" in ../shared/methods), stated for
/// `prune-cli methods --detail NAME`. Each entry repeats what the pruner's doc comment says.
public enum MethodNotes {
    /// Method name -> notes (several lines).
    public static var text: [String: String] { baselines.merging(softAndGrowing) { $1 }.merging(regularizing) { $1 } }

    static let baselines: [String: String] = [:]
}
