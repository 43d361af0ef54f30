import PruneKitCore

/// EigenDamage's choice of eigen-directions to keep (eigendamage.md "Algorithm" 4-6; official `kfac_eigen_pruner.py`):
///
/// 1. Global threshold: the I_in and I_out of every considered layer, concatenated (N values) and sorted ascending;
///    θ = sorted[floor(r N)]; a direction is kept iff its importance is > θ (θ itself is pruned).
/// 2. Per-layer cap: if a side (inputs or outputs) of a layer would lose more than ρ_max of its directions, that side
///    keeps those > θ_l = sorted_l[floor(len ρ_max) - 1] instead, so it loses at most floor(len ρ_max) (decision: the
///    code's sorted_l[floor(len ρ_max)] removes one more, which breaks the spec's own test "with ρ_max = 0.5 no layer
///    loses more than half"); if that leaves none, it keeps its single most important direction ([proposal]: the code
///    keeps index 0, the *smallest*-eigenvalue direction; flagged as a deviation).
/// 3. Size guard: if rotation-in + core + rotation-out, C k_in + k_in k_out K² + k_out OC, would hold more parameters
///    than the layer now (`Layer.currentParameters`: OC C K², or its bottleneck's in iterative mode), the layer is
///    left unchanged.
///
/// ```swift
/// let layers = [EigenDirectionSelection.Layer(name: "conv1", input: iIn, output: iOut, inputChannels: 16,
///                                             outputChannels: 16, kernelSize: 3, currentParameters: 2304)]
/// let kept = EigenDirectionSelection(layers: layers, ratioLimit: 0.95).select(ratio: 0.5)   // name -> kept indices
/// ```
public struct EigenDirectionSelection: Sendable {
    /// One considered layer.
    public struct Layer: Sendable {
        /// Graph node name.
        public var name: String
        /// I_in per input direction, I_out per output direction.
        public var input: [Double], output: [Double]
        /// C and OC, the layer's external widths (rotation-in reads C, rotation-out writes OC).
        public var inputChannels: Int, outputChannels: Int
        /// K.
        public var kernelSize: Int
        /// Parameters the layer holds now (the size guard's bound).
        public var currentParameters: Int

        /// A layer's importances and sizes.
        public init(name: String, input: [Double], output: [Double], inputChannels: Int, outputChannels: Int, kernelSize: Int,
                    currentParameters: Int) {
            (self.name, self.input, self.output, self.inputChannels, self.outputChannels) = (name, input, output, inputChannels, outputChannels)
            (self.kernelSize, self.currentParameters) = (kernelSize, currentParameters)
        }

        /// Parameters of the bottleneck keeping `inputRank` and `outputRank` directions (biases excluded).
        public func bottleneckParameters(inputRank: Int, outputRank: Int) -> Int {
            inputChannels * inputRank + inputRank * outputRank * kernelSize * kernelSize + outputRank * outputChannels
        }
    }

    /// Kept directions of a layer the guard lets through, ascending indices.
    public struct Kept: Equatable, Sendable {
        /// Kept input directions (columns of Q_A).
        public var input: [Int]
        /// Kept output directions (columns of Q_S).
        public var output: [Int]
    }

    /// The considered layers.
    public let layers: [Layer]
    /// ρ_max: the largest fraction of a side's directions one selection removes.
    public let ratioLimit: Double
    /// Every importance, ascending.
    public let sorted: [Double]

    /// A selection over `layers` with per-layer cap `ratioLimit` (0.95 one pass, 0.5 iterative in the official configs).
    public init(layers: [Layer], ratioLimit: Double) throws {
        guard ratioLimit > 0, ratioLimit <= 1 else {
            throw PruneKitError.invalidParameter(name: "ratioLimit", expected: "a fraction in (0, 1]", found: "\(ratioLimit)")
        }
        (self.layers, self.ratioLimit) = (layers, ratioLimit)
        sorted = layers.flatMap { $0.input + $0.output }.sorted()
    }

    /// N, the number of directions of all considered layers.
    public var directionCount: Int { sorted.count }

    /// The selection at pruning ratio r: θ = sorted[floor(r N)].
    public func select(ratio: Double) -> [String: Kept] {
        select(thresholdIndex: Int((ratio * Double(directionCount)).rounded(.down)))
    }

    /// The selection with θ = sorted[thresholdIndex] (clamped into the list); layers the size guard keeps dense are
    /// absent from the result.
    public func select(thresholdIndex: Int) -> [String: Kept] {
        guard !sorted.isEmpty else { return [:] }
        let threshold = sorted[min(max(thresholdIndex, 0), sorted.count - 1)]
        var result: [String: Kept] = [:]
        for layer in layers {
            let input = keep(layer.input, above: threshold), output = keep(layer.output, above: threshold)
            guard layer.bottleneckParameters(inputRank: input.count, outputRank: output.count) <= layer.currentParameters else { continue }
            result[layer.name] = Kept(input: input, output: output)
        }
        return result
    }

    /// Indices of `values` above `threshold`, with the cap and the at-least-one rule.
    func keep(_ values: [Double], above threshold: Double) -> [Int] {
        var kept = values.indices.filter { values[$0] > threshold }
        let allowed = Int((ratioLimit * Double(values.count)).rounded(.down))  // most removals the cap allows
        if values.count - kept.count > allowed {
            kept = allowed == 0 ? Array(values.indices) : values.indices.filter { values[$0] > values.sorted()[allowed - 1] }
        }
        if kept.isEmpty, let best = values.indices.max(by: { values[$0] < values[$1] }) { kept = [best] }
        return kept
    }
}
