import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// What a pruning run did, for the CLI to print and save (`report.json`): per-layer widths, parameters and FLOPs
/// before and after, non-zero weights (unstructured methods), accuracy before, after pruning and after
/// fine-tuning, dense-vs-pruned latency, and typed method results (`PruningResults`).
///
/// ```swift
/// let report = try PruningPipeline.run(model: model, method: "l1", config: config, data: data, options: options)
/// print(report)                                 // a table and a summary
/// try report.jsonString().write(toFile: "runs/r56-l1/report.json", atomically: true, encoding: .utf8)
/// ```
public struct PruningReport: Codable {
    /// One Conv2d, Linear or BatchNorm layer.
    public struct LayerRow: Codable, Equatable {
        /// Dotted module name.
        public var name: String
        /// `convolution`, `linear` or `batchNorm`.
        public var kind: String
        /// Output channels or features before and after.
        public var widthBefore, widthAfter: Int
        /// Input channels or features before and after.
        public var inputWidthBefore, inputWidthAfter: Int
        /// Parameters before and after.
        public var parametersBefore, parametersAfter: Int
        /// FLOPs per image before and after (a multiply-add is 2).
        public var flopsBefore, flopsAfter: Int
        /// Non-zero parameters before and after (equal to the counts above unless masks zeroed some).
        public var nonzeroBefore, nonzeroAfter: Int
    }

    /// Dense vs pruned latency at one batch size with the same threads: warm-up passes of both, then timed passes
    /// that alternate dense, pruned, dense, ... (at least `repetitions` each, and for at least one second), and the
    /// median of each. Alternating matters on shared machines: the host slows both vCPUs to half speed for
    /// seconds at a time, and timing all dense passes before all pruned ones let such a spell land on one model
    /// only (the same ResNet-20 dense pass measured 39 and 61 ms in back-to-back runs).
    public struct LatencyComparison: Codable, Equatable {
        /// Images per forward pass.
        public var batchSize: Int
        /// `Parallel.threadCount` during both measurements.
        public var threads: Int
        /// Median milliseconds per pass of the dense model.
        public var denseMilliseconds: Double
        /// Median milliseconds per pass of the pruned model.
        public var prunedMilliseconds: Double
        /// True when a pass was a training step (forward in training mode, cross-entropy, backward); nil or false:
        /// inference.
        public var training: Bool?
        /// dense / pruned median time.
        public var speedup: Double { denseMilliseconds / max(prunedMilliseconds, 1e-12) }

        /// Times `dense` and `pruned` alternately at `batchSize` with `threads` (nil: the current setting),
        /// restoring the thread count afterwards. Both models must take the same input shape. With `training`, a pass
        /// is a training step without the optimizer (its O(parameters) update is the same for any sparsity).
        public static func measure(dense: Model, pruned: Model, batchSize: Int, threads: Int?, training: Bool = false, warmup: Int = 3,
                                   repetitions: Int = 10, minimumSeconds: Double = 1) throws -> LatencyComparison {
            let previous = Parallel.threadCount
            if let threads { Parallel.threadCount = threads }
            defer { Parallel.threadCount = previous }
            guard dense.spec.inputShape == pruned.spec.inputShape else {
                throw PruneKitError.shapeMismatch(operation: "LatencyComparison.measure", expected: "pruned input \(dense.spec.inputShape)",
                                                  found: "\(pruned.spec.inputShape)")
            }
            var generator = SplitMix64(seed: 1)
            let input = Variable(Tensor.normal(shape: [batchSize] + dense.spec.inputShape, generator: &generator))
            let context = ForwardContext(training: training)
            let labels = (0..<batchSize).map { _ in generator.nextInt(below: dense.spec.classCount) }
            let pass = { (model: Model) -> Double in
                let begin = Profiler.now()
                if training {
                    model.zeroGradients()
                    try softmaxCrossEntropy(model(input, context), labels: labels).backward()
                } else {
                    _ = try GradientMode.withoutGradients { try model(input, context) }
                }
                return (Profiler.now() - begin) * 1000
            }
            for _ in 0..<warmup { _ = try pass(dense); _ = try pass(pruned) }
            var denseTimes: [Double] = [], prunedTimes: [Double] = []
            let start = Profiler.now()
            while denseTimes.count < repetitions || (Profiler.now() - start < minimumSeconds && denseTimes.count < 2000) {
                denseTimes.append(try pass(dense))
                prunedTimes.append(try pass(pruned))
            }
            let median = { (times: [Double]) in times.sorted()[times.count / 2] }
            let (denseTime, prunedTime) = (median(denseTimes), median(prunedTimes))
            return LatencyComparison(batchSize: batchSize, threads: Parallel.threadCount, denseMilliseconds: denseTime,
                                     prunedMilliseconds: prunedTime, training: training ? true : nil)
        }
    }

    /// Model name (`resnet56`).
    public var model: String
    /// Method name (`l1`).
    public var method: String
    /// The configuration used.
    public var config: PruningConfig
    /// Every layer, in state_dict order.
    public var layers: [LayerRow]
    /// The width table after pruning (what a checkpoint stores).
    public var widthsAfter: [ModelSpec.LayerWidth]
    /// Totals before and after.
    public var parametersBefore, parametersAfter, flopsBefore, flopsAfter, nonzeroBefore, nonzeroAfter: Int
    /// Top-1 accuracy on the evaluation data: before, right after pruning, after fine-tuning (nil when not measured).
    public var accuracyBefore, accuracyAfterPruning, accuracyAfterFineTuning: Float?
    /// Fine-tuning epochs run.
    public var fineTuningEpochs: Int
    /// Latency comparisons, one per requested batch size.
    public var latency: [LatencyComparison]
    /// Method results, typed per method and encoded as one flat object (`compressed_bytes`, `weight_sparsity`, ...).
    public var results: PruningResults
    /// Wall time of each phase in seconds (`pruning`, `fine-tuning`, `evaluation`). A dictionary rather than a
    /// struct: phases are named by the pipeline and by methods' training phases, and the set is open.
    public var seconds: [String: Double]

    /// dense FLOPs / pruned FLOPs.
    public var flopsReduction: Double { Double(flopsBefore) / Double(max(flopsAfter, 1)) }
    /// pruned FLOPs / dense FLOPs.
    public var flopsRatio: Double { Double(flopsAfter) / Double(max(flopsBefore, 1)) }
    /// pruned parameters / dense parameters.
    public var parameterRatio: Double { Double(parametersAfter) / Double(max(parametersBefore, 1)) }

    /// Rows from the costs and non-zero counts of the model before and after (layers matched by name). A convolution
    /// rewritten as a factorised one (EigenDamage's `name.rotation_in`, `.core`, `.rotation_out`) keeps its row: after
    /// = the three parts together (input width of the first, output width of the last, parameters and FLOPs summed).
    public static func rows(before: ModelCost, after: ModelCost, nonzeroBefore: [String: Int], nonzeroAfter: [String: Int]) -> [LayerRow] {
        before.layers.map { old in
            let parts = FactorisedConvolutionAttributes.partNames.compactMap { after.layer(named: old.name + "." + $0) }
            if after.layer(named: old.name) == nil, let first = parts.first, let last = parts.last {
                let sum = { (value: (LayerCost) -> Int) in parts.reduce(0) { $0 + value($1) } }
                return LayerRow(name: old.name, kind: old.kind.rawValue, widthBefore: old.outputWidth, widthAfter: last.outputWidth,
                                inputWidthBefore: old.inputWidth, inputWidthAfter: first.inputWidth, parametersBefore: old.parameterCount,
                                parametersAfter: sum(\.parameterCount), flopsBefore: old.flops, flopsAfter: sum(\.flops),
                                nonzeroBefore: nonzeroBefore[old.name] ?? old.parameterCount,
                                nonzeroAfter: sum { nonzeroAfter[$0.name] ?? $0.parameterCount })
            }
            // A layer missing afterwards went with its residual block (BPCP): width, parameters and FLOPs 0.
            guard let new = after.layer(named: old.name) else {
                return LayerRow(name: old.name, kind: old.kind.rawValue, widthBefore: old.outputWidth, widthAfter: 0,
                                inputWidthBefore: old.inputWidth, inputWidthAfter: 0, parametersBefore: old.parameterCount,
                                parametersAfter: 0, flopsBefore: old.flops, flopsAfter: 0,
                                nonzeroBefore: nonzeroBefore[old.name] ?? old.parameterCount, nonzeroAfter: 0)
            }
            return LayerRow(name: old.name, kind: old.kind.rawValue, widthBefore: old.outputWidth, widthAfter: new.outputWidth,
                            inputWidthBefore: old.inputWidth, inputWidthAfter: new.inputWidth, parametersBefore: old.parameterCount,
                            parametersAfter: new.parameterCount, flopsBefore: old.flops, flopsAfter: new.flops,
                            nonzeroBefore: nonzeroBefore[old.name] ?? old.parameterCount,
                            nonzeroAfter: nonzeroAfter[old.name] ?? new.parameterCount)
        }
    }

    /// Non-zero parameter scalars per module name.
    public static func nonzeroCounts(of model: Model) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: model.layerNames.map { name in
            (name, model.namedLayers[name]!.ownParameters.reduce(0) { total, parameter in
                total + parameter.value.withUnsafeBufferPointer { $0.reduce(0) { $0 + ($1 != 0 ? 1 : 0) } }
            })
        })
    }
}
