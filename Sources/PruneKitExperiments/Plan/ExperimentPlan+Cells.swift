import Foundation
import PruneKitCore
import PruneKitData
import PruneKitNetworks
import PruneKitTraining
import PruneKitPruning

/// Expanding a plan: the grid datasets × models × methods × targets × seeds in that nesting order, then the
/// explicit cells; a cell that appears twice (same id) runs once.
extension ExperimentPlan {
    /// The cells, indexed in expansion order.
    public func cells() throws -> [ExperimentCell] {
        var cells: [ExperimentCell] = []
        var seen = Set<String>()
        func add(_ dataset: DatasetKind, _ model: ModelEntry, _ method: MethodEntry, _ target: PruningTarget, _ seed: UInt64) throws {
            let cell = try makeCell(index: cells.count, dataset: dataset, model: model, method: method, target: target, seed: seed)
            if seen.insert(cell.id).inserted { cells.append(cell) }
        }
        for dataset in datasets {
            for model in models {
                for method in methods {
                    for target in targets {
                        for seed in seeds { try add(dataset, model, method, target, seed) }
                    }
                }
            }
        }
        for cell in explicitCells {
            try add(try DatasetKind(name: cell.dataset), models.first { $0.name == cell.model }!,
                    methods.first { $0.label == cell.method }!, cell.target, cell.seed)
        }
        return cells
    }

    /// The dense configuration of `model` on `dataset` with `seed`.
    public func denseConfiguration(dataset: DatasetKind, model: ModelEntry, seed: UInt64) throws -> DenseConfiguration {
        var dense = DenseConfiguration(dataset: dataset.name, model: model.name, seed: seed, trainLimit: trainLimit, testLimit: testLimit)
        if let checkpoint = model.checkpoint {
            dense.checkpointSHA256 = try SHA256.hexDigest(ofFileAt: checkpoint)
            // The checkpoint is fixed: the seed does not change it, so every seed shares one dense id.
            dense.seed = 0
        } else {
            var base = TrainConfig()
            // Without batch norm, 0.1 with momentum diverges (prune-cli train makes the same choice).
            if !(try ModelZoo.spec(named: model.name)).usesBatchNorm { base.learningRate = 0.01 }
            dense.training = (model.training ?? TrainingRecipe()).applied(to: base, seed: seed).resolvingAugmentation(for: dataset)
        }
        return dense
    }

    private func makeCell(index: Int, dataset: DatasetKind, model: ModelEntry, method: MethodEntry, target: PruningTarget,
                          seed: UInt64) throws -> ExperimentCell {
        var recommended = try PrunerRegistry.entry(named: method.name).recommendedFineTuning
        recommended.epochs = 0
        let fineTuning = fineTuning.applied(to: recommended, seed: seed).resolvingAugmentation(for: dataset)
        let configuration = CellConfiguration(dense: try denseConfiguration(dataset: dataset, model: model, seed: seed),
                                              method: method.name, scope: method.scope, options: method.options,
                                              shared: method.shared.isEmpty ? nil : method.shared, target: target,
                                              seed: seed, fineTuning: fineTuning.epochs > 0 ? fineTuning : nil,
                                              latencyBatchSizes: latencyBatchSizes)
        // Validate the whole pruning configuration now, not hours into a run.
        do { _ = try configuration.pruningConfig() } catch let PruneKitError.invalidParameter(name, expected, found) {
            throw PruneKitError.invalidParameter(name: "methods[\(methods.firstIndex(of: method)!)] with target \(target)",
                                                 expected: "\(name): \(expected)", found: found)
        }
        return ExperimentCell(index: index, label: method.label, configuration: configuration, checkpointPath: model.checkpoint)
    }
}
