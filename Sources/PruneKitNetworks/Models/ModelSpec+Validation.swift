import PruneKitCore

/// Checking a spec before anything is built.
extension ModelSpec {
    /// Throws a `PruneKitError` naming the offending field or layer when the spec cannot be built:
    /// - `inputShape` is not three positive extents, or `classCount` < 1;
    /// - the family's depth rule fails (ResNet 6n + 2, WRN 6n + 4, VGG 11/13/16/19, LeNet-5 5, MLP >= 1), or a
    ///   field of another family is set (`shortcut` outside ResNet, `widthFactor`/`dropoutProbability` outside WRN);
    /// - the width table misses an entry, has an unknown or repeated one, or a width < 1;
    /// - the geometry fails: a feature map shrinks below a kernel, or an option-A shortcut would narrow a stream;
    /// - a field or a total exceeds `ModelLimits` (depth, widthFactor, inputShape, classCount, a width, one
    ///   layer's activations, parameters, FLOPs), checked before any shape is multiplied or memory allocated.
    ///
    /// ```swift
    /// var spec = try ModelZoo.spec(named: "vgg16")
    /// try spec.setWidth(of: "feature.3", to: 0)
    /// try spec.validate()      // throws: model spec vgg16: layer 'feature.3' has width 0; widths must be >= 1
    /// ```
    public func validate() throws {
        _ = try validatedGeometry()
    }

    /// Validates and returns the recorded geometry of every Conv2d, Linear and BatchNorm, in state_dict order.
    package func validatedGeometry() throws -> [LayerCost] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 >= 1 }) else {
            throw specError("inputShape must be [C, H, W] with positive extents, got \(inputShape)")
        }
        guard classCount >= 1 else { throw specError("classCount must be >= 1, got \(classCount)") }
        try validateFieldLimits()
        let architecture = family.architecture
        try architecture.validateStructure(of: self)
        try validateWidthTable(expectedNames: architecture.widthNames(for: self))
        let layers = try architecture.makeGraph(for: self).layerCosts()
        try validateCostLimits(layers)
        return layers
    }

    /// Each expected name exactly once, nothing else, every width >= 1.
    private func validateWidthTable(expectedNames: [String]) throws {
        var seen = Set<String>()
        let expected = Set(expectedNames)
        for entry in widths {
            guard expected.contains(entry.name) else {
                let known = expectedNames.count > 6
                    ? expectedNames.prefix(4).joined(separator: ", ") + ", ..., " + expectedNames.last!
                    : expectedNames.joined(separator: ", ")
                throw specError("layer '\(entry.name)' in the width table is not a width of this \(family.rawValue) "
                                + "(depth \(depth)); its widths are \(known)")
            }
            guard seen.insert(entry.name).inserted else {
                throw specError("layer '\(entry.name)' appears more than once in the width table")
            }
            guard entry.width >= 1 else {
                throw specError("layer '\(entry.name)' has width \(entry.width); widths must be >= 1")
            }
        }
        if let missing = expectedNames.first(where: { !seen.contains($0) }) {
            throw specError("layer '\(missing)' is missing from the width table")
        }
    }
}
