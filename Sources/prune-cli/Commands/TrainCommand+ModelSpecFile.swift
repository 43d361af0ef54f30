import PruneKit

/// `train --model-spec FILE`: the network from a JSON file (a spec, or a bare `{"nodes": [...]}` graph) instead of
/// a zoo name. The file states its input shape and class count, so they are checked against the dataset, never
/// overwritten (a graph's first and last nodes fix them).
extension TrainCommand {
    /// The spec in `path`, with read and decoding failures as usage errors naming `--model-spec` (the underlying
    /// error names the file and, for a graph, the node and attribute).
    static func specFile(_ path: String) throws -> ModelSpec {
        do { return try ModelSpec(contentsOfFile: path) } catch let error as PruneKitError {
            throw PruneKitError.usage("option '--model-spec': \(error.description)")
        }
    }

    /// Throws a usage error naming `--model-spec`, the file, what the dataset needs and what the file has, unless
    /// the spec's input shape and class count are the dataset's.
    static func checkSpecFile(_ spec: ModelSpec, path: String, fits kind: DatasetKind) throws {
        guard spec.inputShape != kind.imageShape || spec.classCount != kind.classCount else { return }
        throw PruneKitError.usage("option '--model-spec': \(path) does not fit \(kind.name): expected \(kind.imageShape) images in "
                                  + "\(kind.classCount) classes, found inputShape \(spec.inputShape) and \(spec.classCount) classes")
    }

    /// Throws a usage error naming `--model-spec` unless the file's network is the one in `checkpoint` (`path`):
    /// the same graph, at the same widths.
    func checkSpecFileMatches(_ checkpoint: ModelCheckpoint, path: String) throws {
        guard let modelSpecPath else { return }
        let spec = try Self.specFile(modelSpecPath)
        guard try spec.networkGraph() != checkpoint.model.spec.networkGraph() else { return }
        throw PruneKitError.usage("option '--model-spec': \(modelSpecPath) does not match \(path), which holds a "
                                  + "\(checkpoint.model.spec.name) with another graph or other widths")
    }
}
