import PruneKitCore

/// The state_dict a layer of recorded geometry will have, known before the layer is built, so that a
/// checkpoint's tensors can be checked against its spec without allocating the model first.
extension LayerCost {
    /// One expected state_dict entry: a Float32 tensor of `shape`, or (BatchNorm's `num_batches_tracked`) an
    /// int64 count, for which `shape` is `[]`.
    package struct ExpectedEntry: Equatable {
        /// Full PyTorch key (`layer1.0.bn1.running_mean`).
        package let name: String
        /// The tensor's shape (`[]` for the count).
        package let shape: [Int]
        /// Whether the entry is the int64 `num_batches_tracked` count.
        package let isCount: Bool
    }

    /// Entries in `Model.stateDictionary()` order: conv weight [OC, C, K, K] and bias [OC]; linear weight
    /// [out, in] and bias [out]; BatchNorm weight, bias, running_mean, running_var ([C] each) and
    /// num_batches_tracked; a channel scatter's fill [OC].
    package var expectedStateDictionary: [ExpectedEntry] {
        func tensor(_ field: String, _ shape: [Int]) -> ExpectedEntry {
            ExpectedEntry(name: name + "." + field, shape: shape, isCount: false)
        }
        switch kind {
        case .convolution:
            return [tensor("weight", [outputWidth, inputWidth, kernelSize, kernelSize])]
                + (hasBias ? [tensor("bias", [outputWidth])] : [])
        case .linear:
            return [tensor("weight", [outputWidth, inputWidth])] + (hasBias ? [tensor("bias", [outputWidth])] : [])
        case .batchNorm:
            return ["weight", "bias", "running_mean", "running_var"].map { tensor($0, [outputWidth]) }
                + [ExpectedEntry(name: name + ".num_batches_tracked", shape: [], isCount: true)]
        case .channelScatter:
            return [tensor("fill", [outputWidth])]
        }
    }
}
