import Foundation
import PruneKit

/// `prune-cli export CKPT --out PATH [--graph JSON] [--probe PATH]`: the model alone (state_dict, spec, history),
/// without optimizer momentum, for sharing, for `Models/`, or for PyTorch's `safetensors.torch.load_file`.
/// `--graph` also writes the network graph as JSON (`{"nodes": [...]}`, any family), from which
/// `Scripts/pytorch_graph_model.py` builds the matching `nn.Module`; `--probe` writes a second safetensors file with a
/// seeded `input` [4] + input shape (uniform in [-1, 1), SplitMix64 seed 1) and PruneKit's evaluation `logits` for it,
/// so that PyTorch's output can be compared number for number; with `--dataset` (and `--data-dir`) the probe input is
/// instead the first `--probe-count` (default 16) test images, normalised as evaluation sees them. `--format darb` instead writes the weights that carry
/// regular-block records (`prune --method darb|bmwm`) in the packed format whose layout `RegularBlockFile` documents;
/// `--format onnx` writes an ONNX model (opset 17, `ONNXExport`) for onnxruntime and other runtimes, with batch norms
/// folded into the preceding convolutions under `--fold-batch-norm`.
struct ExportCommand: Command {
    static let name = "export"
    static let abstract = "Write a checkpoint's model without optimizer state (for sharing, PyTorch or ONNX)."
    static let usage = "export CKPT --out PATH [--format safetensors|darb|onnx] [--fold-batch-norm] [--graph JSON] [--probe PATH [--dataset NAME] [--probe-count N]]"
    static let options = [OptionSpec("out", "Destination file (written atomically)."),
                          OptionSpec("format", "safetensors (default); darb: the regular-block weights only, packed (RegularBlockFile); onnx: an ONNX model (opset 17)."),
                          OptionSpec("fold-batch-norm", value: false, "With --format onnx: fold batch norms into the preceding convolutions."),
                          OptionSpec("graph", "Also write the network graph as JSON here (for Scripts/pytorch_graph_model.py)."),
                          OptionSpec("probe", "Also write a seeded input batch and PruneKit's logits for it (safetensors) here."),
                          OptionSpec("dataset", "With --probe: probe with test images of this dataset instead of seeded noise."),
                          OptionSpec("data-dir", "With --dataset: data folder (default: $PRUNEKIT_DATA, else ./data)."),
                          OptionSpec("probe-count", "With --dataset: how many test images (default 16).")]
    /// What `--format` asks for.
    enum Format: String { case safetensors, darb, onnx }
    let source: String, destination: String, graphPath: String?, probePath: String?, format: Format, foldBatchNorm: Bool
    /// The test images to probe with (`--dataset`), or nil for seeded noise.
    let probeData: DataOptions?, probeCount: Int

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one checkpoint path")
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (source, destination) = (arguments.positionals[0], out)
        (graphPath, probePath) = (arguments.string("graph"), arguments.string("probe"))
        let name = arguments.string("format") ?? "safetensors"
        guard let format = Format(rawValue: name) else {
            throw PruneKitError.usage("option '--format': expected safetensors, darb or onnx, found '\(name)'")
        }
        (self.format, foldBatchNorm) = (format, arguments.flag("fold-batch-norm"))
        if format == .darb { try arguments.reject(["graph", "probe"], because: "applies to '--format safetensors' or 'onnx' only") }
        probeData = arguments.string("dataset") == nil ? nil : try DataOptions(arguments)
        probeCount = try arguments.integer("probe-count", default: 16, in: 1...4096)
        if probeData != nil && probePath == nil { throw PruneKitError.usage("option '--dataset' applies to '--probe' only") }
        if foldBatchNorm && format != .onnx { throw PruneKitError.usage("option '--fold-batch-norm' applies to '--format onnx' only") }
    }

    func run() throws {
        switch format {
        case .darb: return try writePacked()
        case .onnx: return try writeONNX()
        case .safetensors: break
        }
        var checkpoint = try readCheckpoint(source, nonFinite: .warn)
        checkpoint.optimizerState = [:]
        try checkpoint.write(to: destination)
        print("\(destination): \(checkpoint.model.parameterCount) parameters, \(try checkpoint.model.cost().flops) FLOPs per image")
        if let graphPath { try writeGraph(of: checkpoint.model, to: graphPath) }
        if let probePath { try writeProbe(of: checkpoint.model, to: probePath) }
    }

    private func writeONNX() throws {
        let model = try readCheckpoint(source, nonFinite: .warn).model
        let onnx = try model.onnxModel(options: ONNXExportOptions(foldBatchNorm: foldBatchNorm))
        let bytes = onnx.serialized()
        try AtomicFile.write(Data(bytes), to: destination)
        print("\(destination): ONNX opset \(onnx.operatorSetVersion), \(onnx.graph.nodes.count) operators, \(bytes.count) bytes"
              + (foldBatchNorm ? " (batch norms folded)" : ""))
        if let graphPath { try writeGraph(of: model, to: graphPath) }
        if let probePath { try writeProbe(of: model, to: probePath) }
    }

    private func writePacked() throws {
        let model = try readCheckpoint(source, nonFinite: .warn).model
        let recorded = try RegularBlockLayers.recorded(in: model)
        guard !recorded.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "export --format darb", message: "\(source) has no regular-block records (prune it with --method darb or bmwm)")
        }
        let layers = try recorded.map { layer, sizes in
            RegularBlockFile.Layer(name: layer.weight.name, shape: layer.weight.shape,
                                   matrix: try RegularBlockMatrix(encoding: layer.weight.value.scalars, rows: layer.rows, columns: layer.columns, blockSizes: sizes))
        }
        try RegularBlockFile(layers: layers).write(to: destination)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        let dense = layers.reduce(0) { $0 + 4 * $1.matrix.rows * $1.matrix.columns }
        print("\(destination): \(layers.count) regular-block layers, \(layers.reduce(0) { $0 + $1.matrix.keptCount }) kept weights, \(bytes) bytes (dense float32 \(dense))")
    }

    private func writeGraph(of model: Model, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(try model.currentSpec().networkGraph())
        do { try AtomicFile.write(data + Data("\n".utf8), to: path) } catch {
            throw PruneKitError.fileError(path: path, message: "cannot write the graph (option '--graph'): \(error)")
        }
        print("\(path): graph of \(model.graph.nodes.count) nodes")
    }

    private func writeProbe(of model: Model, to path: String) throws {
        let input = try probeInput(for: model), shape = input.shape
        let logits = try GradientMode.withoutGradients { try model(Variable(input), ForwardContext(training: false)) }.value
        try SafeTensors.write([("input", .float32(input)), ("logits", .float32(logits))], to: path)
        print("\(path): probe input \(shape) and logits \(logits.shape)")
    }

    /// The first `probeCount` test images of `--dataset`, or a seeded batch of 4 uniform in [-1, 1).
    private func probeInput(for model: Model) throws -> Tensor {
        if let probeData {
            let test = try probeData.load(.test)
            return try DataLoader(dataset: test, config: .evaluation(batchSize: min(probeCount, test.count))).batch(epoch: 0, index: 0).images
        }
        var generator = SplitMix64(seed: 1)
        let shape = [4] + model.spec.inputShape
        return try Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in 2 * generator.nextUniform() - 1 })
    }
}
