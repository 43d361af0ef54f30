import Foundation
import PruneKitNetworks
import PruneKitTraining

/// `model` written as a checkpoint to a temporary file (removed afterwards) and read back: what a user gets from
/// `pruned.safetensors`. The pruning tests' one way to check that a result saves and loads.
func checkpointRoundTrip(_ model: Model) throws -> Model {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("round-trip-\(UUID().uuidString).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try ModelCheckpoint(model: model).write(to: path)
    return try ModelCheckpoint.read(path: path).model
}
