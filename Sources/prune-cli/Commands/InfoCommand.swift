import Foundation
import PruneKit

/// `prune-cli info [CKPT]`: without a path, the numeric environment and a self-check of sgemm and ssyevd;
/// with a checkpoint (or `--model NAME`, or `--model-spec FILE`), per-layer widths, parameters and FLOPs, and the
/// channel groups pruning works on (derived from the network's graph).
struct InfoCommand: Command {
    static let name = "info"
    static let abstract = "Show a checkpoint's or model's layers, params, FLOPs and channel groups (or, alone, check OpenBLAS)."
    static let usage = "info [CKPT | --model NAME | --model-spec FILE] [--json]"
    static let options = [
        OptionSpec("model", "A zoo model instead of a checkpoint."),
        OptionSpec("model-spec", "A JSON file (model spec or network graph {\"nodes\": [...]}) instead of a checkpoint."),
        OptionSpec("json", value: false, "Print as JSON on stdout."),
    ]
    let path: String?, modelName: String?, modelSpecPath: String?, json: Bool

    init(_ arguments: Arguments) throws {
        guard arguments.positionals.count <= 1 else { throw PruneKitError.usage("expected at most one checkpoint path") }
        (path, modelName, json) = (arguments.positionals.first, arguments.string("model"), arguments.flag("json"))
        modelSpecPath = arguments.string("model-spec")
        if [path != nil, modelName != nil, modelSpecPath != nil].filter({ $0 }).count > 1 {
            throw PruneKitError.usage("give one of a checkpoint, '--model' and '--model-spec'")
        }
    }

    func run() throws {
        guard path != nil || modelName != nil || modelSpecPath != nil else { return try environment() }
        var metadata: [String: String] = [:]
        let spec: ModelSpec
        if let path {
            let checkpoint = try readCheckpoint(path, nonFinite: .warn)
            (spec, metadata) = (try checkpoint.model.currentSpec(), checkpoint.metadata)
            if let state = checkpoint.trainingState { metadata["epochs_completed"] = String(state.completedEpochs) }
            if let state = checkpoint.trainingState, state.bestAccuracy >= 0 { metadata["best_test_accuracy"] = String(state.bestAccuracy) }
        } else if let modelSpecPath {
            spec = try TrainCommand.specFile(modelSpecPath)
        } else {
            spec = try ModelZoo.spec(named: modelName!)
        }
        let cost = try ModelCost(spec: spec)
        let groups = try DependencyGraph(spec: spec).groups
        let blocks = try ResidualBlockSummary(spec: spec, metadata: metadata)
        if json { print(try jsonText(ModelInfo(spec: spec, cost: cost, groups: groups, blocks: blocks, metadata: metadata))); return }
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) where value.count < 200 { print("\(key): \(value)") }
        print(cost.description)
        if let text = blocks.description { print(text) }
        print(ChannelGroupTable(groups: groups).description)
    }

    private func environment() throws {
        print(environmentLine())
        let check = try NumericSelfCheck.run()
        print(String(format: "sgemm 64x48x33 vs reference: max |difference| %.2e", check.gemmError))
        print(String(format: "ssyevd 32x32: max |A v - lambda v| %.2e", check.eigenResidual))
        guard check.passed else { throw PruneKitError.libraryFailure(library: "OpenBLAS", message: "self-check failed") }
    }
}

/// What `info --json` prints: the spec, per-layer costs and totals, the channel groups and the residual blocks
/// (`residualBlocks.kept`, and `residualBlocks.removed` for a pruned checkpoint).
struct ModelInfo: Encodable {
    struct LayerRow: Encodable { let name: String, kind: String, inputShape: [Int], outputShape: [Int], parameters: Int, flops: Int }
    let spec: ModelSpec, layers: [LayerRow], parameters: Int, flops: Int, groups: [ChannelGroupTable.Row], metadata: [String: String]
    let residualBlocks: ResidualBlockSummary

    init(spec: ModelSpec, cost: ModelCost, groups: [ChannelGroup], blocks: ResidualBlockSummary, metadata: [String: String]) {
        (self.spec, self.metadata, parameters, flops, residualBlocks) = (spec, metadata, cost.parameterCount, cost.flops, blocks)
        self.groups = ChannelGroupTable(groups: groups).rows
        layers = cost.layers.map { LayerRow(name: $0.name, kind: $0.kind.rawValue, inputShape: $0.inputShape, outputShape: $0.outputShape,
                                            parameters: $0.parameterCount, flops: $0.flops) }
    }
}
