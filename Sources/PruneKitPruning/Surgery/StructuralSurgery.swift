import PruneKitCore
import PruneKitNetworks

/// Structural edits of a model, as graph operations (`NetworkGraph+Edits`): the edited graph becomes a spec of family
/// `graph` and a new model, and every tensor whose name survives (parameters, BatchNorm running statistics, scatter
/// fills) is copied over, so the result saves, loads (a PyTorch module built from the same nodes loads it strictly),
/// evaluates and reports its new parameters and FLOPs. The input model is left unchanged.
///
/// ```swift
/// let shorter = try StructuralSurgery.removeResidualBlock(joinedAt: "layer1.2.add", from: model)
/// let factorised = try StructuralSurgery.factorise("layer2.0.conv1", in: model)      // same function, three convs
/// let sparse = try StructuralSurgery.attachSparsity(.columns(kept: [0, 4, 8]), to: "layer1.0.conv1", in: model)
/// ```
public enum StructuralSurgery {
    /// The model without the residual branch joined at `addName` (out = shortcut(x)): BPCP's block removal.
    public static func removeResidualBlock(joinedAt addName: String, from model: Model) throws -> Model {
        try rebuilt(model, graph: model.currentGraph().removingResidualBlock(joinedAt: addName))
    }

    /// The model without every residual branch joined at `addNames` (each block's out = shortcut(x)), built once:
    /// BPCP's compact network after the block search. Kept blocks keep their names (`layer1.3` stays `layer1.3` when
    /// `layer1.2` goes; indices are not renumbered), so their tensors carry over by state_dict name. Throws naming
    /// the block when a name is not a removable join, or appears twice.
    ///
    /// ```swift
    /// let compact = try StructuralSurgery.removeResidualBlocks(joinedAt: ["layer1.1.add", "layer3.0.add"], from: model)
    /// ```
    public static func removeResidualBlocks(joinedAt addNames: [String], from model: Model) throws -> Model {
        guard Set(addNames).count == addNames.count else {
            throw PruneKitError.invalidParameter(name: "blocks", expected: "distinct add node names", found: "\(addNames)")
        }
        var graph = try model.currentGraph()
        for name in addNames { graph = try graph.removingResidualBlock(joinedAt: name) }
        return try rebuilt(model, graph: graph)
    }

    /// The model with convolution `name` (weight W [OC, C, K, K]) replaced by rotation-in Q_A^T (1x1, C -> C), core
    /// W' = Q_S^T W Q_A (per tap: W'[o', i'] = sum_{o, i} Q_S[o, o'] W[o, i] Q_A[i, i']) and rotation-out Q_S (1x1,
    /// OC -> OC, carrying the bias): y = Q_S (W' * (Q_A^T x)) = W * x for orthonormal bases, so the function is
    /// unchanged and the inner ranks become prunable groups (EigenDamage, Wang et al. 2019, eq. 7 with the
    /// Kronecker-factored eigenbases). `inputBasis` Q_A [C, C] and `outputBasis` Q_S [OC, OC] default to identities.
    public static func factorise(_ name: String, in model: Model, inputBasis: Tensor? = nil, outputBasis: Tensor? = nil) throws -> Model {
        guard let convolution = model.namedLayers[name] as? Conv2d else {
            throw PruneKitError.invalidParameter(name: "layer", expected: "the name of a convolution of \(model.spec.name)", found: "'\(name)'")
        }
        let (outputs, inputs, kernel) = (convolution.outputChannels, convolution.inputChannels, convolution.kernelSize)
        let qA = try basis(inputBasis, size: inputs, name: "inputBasis"), qS = try basis(outputBasis, size: outputs, name: "outputBasis")
        let result = try rebuilt(model, graph: model.currentGraph().replacingConvolution(named: name, inputRank: inputs, outputRank: outputs))
        let taps = kernel * kernel
        // Per tap t in two passes, O(OC C (C + OC) K^2): T[o, q] = sum_i W[o, i] Q_A[i, q], then W'[p, q] = sum_o Q_S[o, p] T[o, q].
        var rotated = [Float](repeating: 0, count: outputs * inputs * taps)
        var core = Tensor(zeros: [outputs, inputs, kernel, kernel])
        convolution.weight.value.withUnsafeBufferPointer { w in
            for o in 0..<outputs { for i in 0..<inputs { for t in 0..<taps {
                let value = w[(o * inputs + i) * taps + t]
                if value == 0 { continue }
                for q in 0..<inputs { rotated[(o * inputs + q) * taps + t] += value * qA[i * inputs + q] }
            } } }
        }
        core.withUnsafeMutableBufferPointer { c in
            for o in 0..<outputs { for p in 0..<outputs {
                let s = qS[o * outputs + p]
                if s == 0 { continue }
                for index in 0..<(inputs * taps) { c[p * inputs * taps + index] += s * rotated[o * inputs * taps + index] }
            } }
        }
        let layer = result.namedLayers[name + ".core"] as! Conv2d
        layer.weight.value = core
        (result.namedLayers[name + ".rotation_in"] as! Conv2d).weight.value = try transposed(qA, size: inputs, shape: [inputs, inputs, 1, 1])
        let rotationOut = result.namedLayers[name + ".rotation_out"] as! Conv2d
        rotationOut.weight.value = try Tensor(shape: [outputs, outputs, 1, 1], scalars: qS)
        if let bias = convolution.bias, let target = rotationOut.bias { target.value = bias.value }
        return result
    }

    /// The model with `record` attached to convolution or linear `name`: entries it does not keep become exactly 0, and
    /// FLOPs and parameters count only the kept ones.
    public static func attachSparsity(_ record: SparsityRecord, to name: String, in model: Model) throws -> Model {
        try rebuilt(model, graph: model.currentGraph().attachingSparsity(record, to: name))
    }

    /// A model of family `graph` for `graph`, with every same-named, same-shaped tensor of `model` copied, and sparsity
    /// records re-applied to the copied weights.
    static func rebuilt(_ model: Model, graph: NetworkGraph) throws -> Model {
        let spec = try ModelSpec(name: model.spec.name, graph: graph)
        let result = try Model(spec: spec, seed: 0)
        let sources = Dictionary(uniqueKeysWithValues: model.parameters.map { ($0.name, $0) })
        for parameter in result.parameters {
            if let source = sources[parameter.name], source.shape == parameter.shape { parameter.value = source.value }
        }
        result.copyBuffers(from: model)
        try result.refreshSparsityMasks()
        return result
    }

    /// A [size, size] basis as row-major scalars (identity when nil); throws naming the argument on a wrong shape.
    private static func basis(_ tensor: Tensor?, size: Int, name: String) throws -> [Float] {
        guard let tensor else { return (0..<(size * size)).map { $0 / size == $0 % size ? 1 : 0 } }
        guard tensor.shape == [size, size] else {
            throw PruneKitError.invalidParameter(name: name, expected: "[\(size), \(size)]", found: "\(tensor.shape)")
        }
        return tensor.scalars
    }

    private static func transposed(_ matrix: [Float], size: Int, shape: [Int]) throws -> Tensor {
        try Tensor(shape: shape, scalars: (0..<(size * size)).map { matrix[($0 % size) * size + $0 / size] })
    }
}
