import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

extension PruningSession {
    /// Makes the session's model the network `edited` (a `StructuralSurgery` result built from it) in place
    /// (`Model.replaceArchitecture`), rebuilds `graph`, and drops the optimizer (its state belongs to the old
    /// parameters). Dense cost and initial widths stay the references of the targets. Throws while unstructured masks
    /// are attached: they are keyed by parameters the edit may replace.
    ///
    /// ```swift
    /// try session.restructure(to: try StructuralSurgery.factorise("conv1", in: session.model, inputBasis: qA, outputBasis: qS))
    /// ```
    public func restructure(to edited: Model) throws {
        guard masks.isEmpty else {
            throw PruneKitError.invalidArgument(operation: "restructure \(model.spec.name)",
                                                message: "unstructured masks are attached; a structural edit would orphan them")
        }
        model.replaceArchitecture(with: edited)
        graph = try DependencyGraph(model: model)
        optimizer = nil
    }
}

extension PruningSession {
    /// Turns the session's masks into column-sparsity records when every mask is a column mask of a convolution (each
    /// row of the [OC, C*K*K] matrix zeroes the same columns, as IncReg's column mode leaves them): the masks go, the
    /// model takes `SparsityRecord.columns` on those convs (`restructure(to:)`), and from then on the convs compute
    /// only their kept columns with zero gradient for the rest (`conv2d(..., columns:)`), in fine-tuning and in the saved
    /// checkpoint. Returns the number of records made; 0 (and nothing changes) when some mask has another form.
    @discardableResult
    public func recordColumnMasks() throws -> Int {
        guard !masks.isEmpty else { return 0 }
        var records: [(layer: String, kept: [Int])] = []
        for (parameter, mask) in masks.masks.sorted(by: { $0.key < $1.key }) {
            let layer = String(parameter.dropLast(".weight".count))
            guard parameter.hasSuffix(".weight"), model.namedLayers[layer] is Conv2d, let kept = Self.columnsKept(by: mask), !kept.isEmpty else {
                return 0
            }
            records.append((layer, kept))
        }
        var graph = try model.currentGraph()
        for record in records { graph = try graph.attachingSparsity(.columns(kept: record.kept), to: record.layer) }
        masks.removeAll()
        try restructure(to: try StructuralSurgery.rebuilt(model, graph: graph))
        return records.count
    }

    /// The kept columns of a [OC, C, K, K] 0/1 mask whose rows are all equal; nil when they differ.
    private static func columnsKept(by mask: Tensor) -> [Int]? {
        guard mask.shape.count == 4 else { return nil }
        let columns = mask.count / mask.shape[0]
        return mask.withUnsafeBufferPointer { m -> [Int]? in
            for index in columns..<m.count where m[index] != m[index % columns] { return nil }
            return (0..<columns).filter { m[$0] != 0 }
        }
    }
}
