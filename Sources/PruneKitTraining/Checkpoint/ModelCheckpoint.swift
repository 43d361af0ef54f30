import Foundation
import PruneKitCore
import PruneKitNetworks
import PruneKitData

/// A PruneKit checkpoint: one safetensors file that PyTorch can read.
///
/// Tensors: the model's state_dict with PyTorch names and layouts (conv OIHW, linear [out, in], BN
/// weight/bias/running_mean/running_var and int64 num_batches_tracked), then the optimizer's state as
/// `optimizer.<parameter>.momentum_buffer`. Metadata (strings): `format`, `spec` (the architecture with
/// per-layer widths, so a pruned model rebuilds at its pruned widths), and when training:
/// `train_config` and `training_state` (epoch, iteration, RNG state, history), plus free entries such as
/// `dataset` or a pruning record. PyTorch users load the model with
/// `{k: v for k, v in load_file(path).items() if not k.startswith("optimizer.")}`.
///
/// ```swift
/// try ModelCheckpoint(model: model).write(to: "runs/r20/last.safetensors")
/// let restored = try ModelCheckpoint.read(path: "runs/r20/last.safetensors").model
/// ```
public struct ModelCheckpoint {
    /// Value of the `format` metadata entry.
    public static let format = "prunekit-checkpoint-1"
    /// Prefix of optimizer-state tensor names.
    public static let optimizerPrefix = "optimizer."
    static let reservedKeys: Set<String> = ["format", "spec", "train_config", "training_state"]

    /// The network, with its architecture spec (stored as `spec`) and state_dict tensors.
    public var model: Model
    /// The training recipe (metadata `train_config`); nil for a model-only checkpoint.
    public var trainConfig: TrainConfig?
    /// Where training stands, for resuming (metadata `training_state`); nil for a model-only checkpoint.
    public var trainingState: TrainingState?
    /// Optimizer state as `Optimizer.stateTensors()` gives it.
    public var optimizerState: [String: Tensor]
    /// Further string entries (dataset name, pruning method and hyperparameters, ...).
    public var metadata: [String: String]

    /// A checkpoint of `model`; everything else is optional (defaults: no training record, no optimizer state, no metadata).
    public init(model: Model, trainConfig: TrainConfig? = nil, trainingState: TrainingState? = nil,
                optimizerState: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        (self.model, self.trainConfig, self.trainingState) = (model, trainConfig, trainingState)
        (self.optimizerState, self.metadata) = (optimizerState, metadata)
    }

    /// Writes atomically (temporary file, fsync, rename): an interrupted write never corrupts `path`.
    public func write(to path: String) throws {
        var entries: [(name: String, value: SafeTensorsValue)] = model.stateDictionary().map { name, value in
            switch value {
            case let .tensor(tensor): return (name, .float32(tensor))
            case let .count(count): return (name, .int64Scalar(Int64(count)))
            }
        }
        entries += optimizerState.keys.sorted().map { (Self.optimizerPrefix + $0, .float32(optimizerState[$0]!)) }
        var header = metadata.filter { !Self.reservedKeys.contains($0.key) }
        header["format"] = Self.format
        header["spec"] = String(decoding: try compactJSON(model.currentSpec()), as: UTF8.self)
        if let trainConfig { header["train_config"] = String(decoding: try compactJSON(trainConfig), as: UTF8.self) }
        if let trainingState { header["training_state"] = String(decoding: try compactJSON(trainingState), as: UTF8.self) }
        try SafeTensors.write(entries, metadata: header, to: path)
    }

    /// Reads a checkpoint and rebuilds its model at the widths recorded in `spec`.
    ///
    /// Hostile files give a `PruneKitError`, never a trap: the header and data are validated by
    /// `SafeTensors.read`, the spec against `ModelLimits`, and every tensor against the spec
    /// (`checkTensors(of:against:spec:)`: none missing, none extra, dtypes and shapes as the spec implies)
    /// before the model is allocated, through allocations that throw (`Tensor(allocating:)`).
    public static func read(path: String) throws -> ModelCheckpoint {
        try checkpoint(from: SafeTensors.read(path: path))
    }

    /// `read(path:)` for bytes already in memory (a download, a test's mutant); `path` labels errors.
    ///
    /// ```swift
    /// let checkpoint = try ModelCheckpoint.decode(bytes, path: "download.safetensors")
    /// ```
    public static func decode(_ data: Data, path: String = "<memory>") throws -> ModelCheckpoint {
        try checkpoint(from: SafeTensors.decode(data, path: path))
    }

    /// The checkpoint held by a decoded safetensors file (see `read(path:)` for the checks).
    private static func checkpoint(from file: SafeTensorsFile) throws -> ModelCheckpoint {
        let path = file.path
        guard let specText = file.metadata["spec"] else {
            throw PruneKitError.malformedFile(path: path, expected: "a PruneKit checkpoint with a 'spec' metadata entry",
                                              found: "metadata keys \(file.metadata.keys.sorted())")
        }
        let (spec, geometry) = try architecture(specText, path: path)
        // The tensors against the spec first, so that the model built next is no larger than the file.
        try checkTensors(of: file, against: geometry, spec: spec)
        let model = try Model(spec: spec, seed: 0)
        try model.loadStateDictionary(source: path) { name in
            switch file[name] {
            case let .float32(tensor)?: return .tensor(tensor)
            case let .int64(shape, values)? where shape.isEmpty && values.count == 1: return .count(Int(values[0]))
            case .int64?: throw PruneKitError.malformedFile(path: path, expected: "'\(name)' as an int64 scalar", found: "another shape")
            case nil: return nil
            }
        }
        var optimizerState: [String: Tensor] = [:]
        for (name, value) in file.entries where name.hasPrefix(optimizerPrefix) {
            guard let tensor = value.float32Tensor else {
                throw PruneKitError.malformedFile(path: path, expected: "'\(name)' as F32", found: value.dataType.rawValue)
            }
            optimizerState[String(name.dropFirst(optimizerPrefix.count))] = tensor
        }
        return ModelCheckpoint(model: model, trainConfig: try decodeEntry(TrainConfig.self, "train_config", file),
                               trainingState: try decodeEntry(TrainingState.self, "training_state", file),
                               optimizerState: optimizerState,
                               metadata: file.metadata.filter { !reservedKeys.contains($0.key) })
    }

    private static func decodeEntry<T: Decodable>(_ type: T.Type, _ key: String, _ file: SafeTensorsFile) throws -> T? {
        guard let text = file.metadata[key] else { return nil }
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw PruneKitError.malformedFile(path: file.path, expected: "metadata '\(key)' as \(T.self) JSON", found: "\(error)")
        }
    }
}
