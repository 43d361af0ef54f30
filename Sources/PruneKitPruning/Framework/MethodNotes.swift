import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Decisions a method's spec left open ("[proposal]" or "not found" in ../shared/methods), stated for
/// `prune-cli methods --detail NAME`. Each method declares its notes in its registry entry (`Entry.notes`), which
/// repeat what the pruner's doc comment says.
public enum MethodNotes {
    /// Method name -> notes (several lines), for every entry that has notes.
    public static var text: [String: String] {
        Dictionary(uniqueKeysWithValues: PrunerRegistry.entries.compactMap { entry in entry.notes.map { (entry.name, $0) } })
    }
}
