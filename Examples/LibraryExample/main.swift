// LibraryExample: what a program that depends on PruneKit through SwiftPM calls, top to bottom.
//
//     swift run -c release LibraryExample [--data-dir DIR] [--out DIR]
//
// Builds LeNet-5 from the zoo, trains it for one epoch on 2,000 MNIST images, prunes one copy by method NAME
// through the registry ("l1" to 50% of the FLOPs) and another by TYPE (a `CriterionPruner` with an L2
// `MagnitudeImportance`, to 50% of the parameters), saves the first as a safetensors checkpoint, reads it back
// and evaluates it. Exit codes: 0 done, 1 failure (e.g. no MNIST), 64 bad arguments.
import Foundation
import PruneKit   // the umbrella; `import PruneKitPruning` (or Core, Networks, Data, Training) gives one layer alone

let usage = "usage: LibraryExample [--data-dir DIR] [--out DIR]"

/// Prints `message` on stderr and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(code)
}

/// `--data-dir DIR` (default: $PRUNEKIT_DATA, else ./data) and `--out DIR` (default: a temporary folder).
func parseArguments() -> (dataDirectory: String?, out: String) {
    var dataDirectory: String?
    var out = NSTemporaryDirectory() + "prunekit-library-example"
    var arguments = CommandLine.arguments.dropFirst()
    while let flag = arguments.popFirst() {
        if flag == "-h" || flag == "--help" { print(usage); exit(0) }
        guard flag == "--data-dir" || flag == "--out" else { fail("unexpected argument '\(flag)'\n\(usage)", code: 64) }
        guard let value = arguments.popFirst() else { fail("option '\(flag)' needs a value\n\(usage)", code: 64) }
        if flag == "--data-dir" { dataDirectory = value } else { out = value }
    }
    return (dataDirectory, out)
}

/// MNIST's folder under the data root, or exit 1 saying where we looked and how to get it.
func locateMNIST(_ explicit: String?) -> LocatedDataset {
    let root = DataDirectory.resolve(explicit: explicit)   // explicit, else $PRUNEKIT_DATA, else ./data
    do { return try DatasetLocator.locate(.mnist, in: root.path) } catch {
        let searched = DatasetLocator.searchedFolders(for: .mnist, root: root.path).joined(separator: ", ")
        fail("""
             error: MNIST not found under \(root.path) (the data root, chosen by \(root.origin.rawValue)); searched \(searched).
             Download it with `prune-cli data fetch mnist --data-dir DIR`, then pass --data-dir DIR or set PRUNEKIT_DATA=DIR.
             """)
    }
}

/// "431080 -> 215336 params (50.0%)" style line for a pruning report.
func summary(_ report: PruningReport) -> String {
    let percent = { (after: Int, before: Int) in String(format: "%.1f%%", 100 * Double(after) / Double(before)) }
    let accuracy = { (value: Float?) in value.map { String(format: "%.2f%%", 100 * $0) } ?? "-" }
    return "params \(report.parametersBefore) -> \(report.parametersAfter) (\(percent(report.parametersAfter, report.parametersBefore))), "
        + "FLOPs \(report.flopsBefore) -> \(report.flopsAfter) (\(percent(report.flopsAfter, report.flopsBefore))), "
        + "accuracy \(accuracy(report.accuracyBefore)) -> \(accuracy(report.accuracyAfterPruning)) pruned "
        + "-> \(accuracy(report.accuracyAfterFineTuning)) fine-tuned"
}

func main() throws {
    let (dataDirectory, out) = parseArguments()

    // 1. Data: locate MNIST, read both splits and keep a small subset so that the example runs in seconds.
    let mnist = locateMNIST(dataDirectory)
    let train = try Dataset.load(.train, from: mnist).prefix(2_000)
    let test = try Dataset.load(.test, from: mnist).prefix(1_000)
    print("data: \(train.summary)\ndata: \(test.summary)")

    // 2. A recipe (a value type passed whole) and the loaders it describes. LeNet-5 has no batch norm: lr 0.01.
    var recipe = TrainConfig()
    (recipe.epochs, recipe.batchSize, recipe.learningRate, recipe.schedule, recipe.seed) = (1, 64, 0.01, .constant, 1)
    let trainLoader = try DataLoader(dataset: train, config: recipe.trainingLoaderConfig(for: .mnist))
    let testLoader = try DataLoader(dataset: test, config: .evaluation(batchSize: 256))

    // 3. A model from the zoo (`ModelZoo.names` lists them), trained for one epoch.
    let model = try ModelZoo.build(name: "lenet5", seed: 1)
    let trainer = Trainer(model: model, optimizer: try recipe.makeOptimizer(), config: recipe,
                          training: trainLoader, evaluation: testLoader, classCount: 10)
    let state = try trainer.fit(from: TrainingState(seed: recipe.seed))
    let dense = try model.cost()
    print(String(format: "trained lenet5: %d params, %d FLOPs, test accuracy %.2f%%", dense.parameterCount, dense.flops,
                 100 * (state.history.last?.testAccuracy ?? 0)))

    // 4. Prune by NAME: the registry (`PrunerRegistry.listing`) maps "l1" to a pruner built from the config.
    //    The pipeline evaluates, prunes (channels are removed physically), fine-tunes and reports.
    let data = PruningData(training: trainLoader, evaluation: testLoader)
    var options = PruningPipeline.Options()
    options.fineTuning = try PrunerRegistry.entry(named: "l1").recommendedFineTuning   // the method's recipe...
    options.fineTuning?.epochs = 1                                                      // ...for one epoch
    var byFlops = PruningConfig()
    byFlops.target = .flopsRatio(0.5)   // keep at most 50% of the dense FLOPs
    let prunedByName = try model.copy()   // prune copies: `model` stays dense
    let nameReport = try PruningPipeline.run(model: prunedByName, method: "l1", config: byFlops, data: data, options: options)
    print("pruned by name (l1, flops=0.5): " + summary(nameReport))

    // 5. Prune by TYPE: any `Pruner` instance, here a criterion pruner with the L2 filter norm, to 50% of the params.
    var byParameters = PruningConfig()
    byParameters.target = .parameterRatio(0.5)
    let pruner = CriterionPruner(importance: MagnitudeImportance(norm: 2))
    let prunedByType = try model.copy()
    let typeReport = try PruningPipeline.run(model: prunedByType, pruner: pruner, methodName: "l2-criterion",
                                             config: byParameters, data: data, options: options)
    print("pruned by type (CriterionPruner + MagnitudeImportance(norm: 2), params=0.5): " + summary(typeReport))

    // 6. Save the pruned model (safetensors; the header records the pruned widths), read it back, evaluate it.
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let path = out + "/lenet5-l1.safetensors"
    try ModelCheckpoint(model: prunedByName, metadata: ["dataset": "mnist", "pruning_method": "l1"]).write(to: path)
    let restored = try ModelCheckpoint.read(path: path).model
    let result = try Evaluator.evaluate(restored, on: testLoader, classCount: 10)
    print(String(format: "reloaded %@: %d params, test accuracy %.2f%%", path, try restored.cost().parameterCount, 100 * result.accuracy))

    // The checkpoint must reproduce the in-memory pruned model exactly: same widths, same accuracy.
    guard try restored.currentSpec().widths == prunedByName.currentSpec().widths,
          result.accuracy == nameReport.accuracyAfterFineTuning else {
        fail("error: the reloaded checkpoint differs from the pruned model")
    }
    print("checkpoint round trip: widths and accuracy identical")
}

do { try main() } catch { fail("error: \(error)") }
