import PruneKit

/// What a command does when a checkpoint it reads holds NaN or infinite values.
enum NonFiniteValues {
    /// Read-only commands (eval, info, bench, export, sensitivity): a warning on stderr naming the tensors.
    case warn
    /// Commands that would build on the weights (prune, train --resume / --init-from): exit 1 naming them.
    case refuse
}

/// Reads the checkpoint at `path` and scans its tensors for NaN and ±∞ (`ModelCheckpoint.nonFiniteTensors`).
func readCheckpoint(_ path: String, nonFinite: NonFiniteValues) throws -> ModelCheckpoint {
    let checkpoint = try ModelCheckpoint.read(path: path)
    switch nonFinite {
    case .warn: if let summary = checkpoint.nonFiniteSummary() { printError("warning: \(path): \(summary)") }
    case .refuse: try checkpoint.requireFiniteValues(path: path)
    }
    return checkpoint
}
