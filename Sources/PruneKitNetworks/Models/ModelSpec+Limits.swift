import Foundation
import PruneKitCore

/// The `ModelLimits` checks, in two passes around the geometry walk (see `validatedGeometry()`).
extension ModelSpec {
    /// Fields alone, before the width table is listed or any shape multiplied: `depth`, `widthFactor`,
    /// `inputShape` (already three positive extents), `classCount` (already >= 1) and every width.
    /// Afterwards every factor of a shape product is at most 2^16, so the geometry walk cannot overflow.
    func validateFieldLimits() throws {
        guard depth <= ModelLimits.maximumDepth else {
            throw specError("depth \(depth) exceeds the limit of \(ModelLimits.maximumDepth)")
        }
        if let widthFactor, widthFactor > ModelLimits.maximumWidthFactor {
            throw specError("widthFactor \(widthFactor) exceeds the limit of \(ModelLimits.maximumWidthFactor) "
                            + "(64 x widthFactor channels must stay <= \(ModelLimits.maximumWidth))")
        }
        guard inputShape[0] <= ModelLimits.maximumWidth else {
            throw specError("inputShape \(inputShape): \(inputShape[0]) channels exceed the limit of \(ModelLimits.maximumWidth)")
        }
        for (axis, extent) in zip(["height", "width"], inputShape.dropFirst()) where extent > ModelLimits.maximumInputExtent {
            throw specError("inputShape \(inputShape): \(axis) \(extent) exceeds the limit of \(ModelLimits.maximumInputExtent)")
        }
        guard classCount <= ModelLimits.maximumClassCount else {
            throw specError("classCount \(classCount) exceeds the limit of \(ModelLimits.maximumClassCount)")
        }
        if let entry = widths.first(where: { $0.width > ModelLimits.maximumWidth }) {
            throw specError("layer '\(entry.name)' has width \(entry.width), above the limit of \(ModelLimits.maximumWidth)")
        }
    }

    /// The recorded layers: each one's activations per image, then total parameters (with BatchNorm's
    /// running statistics) and FLOPs, summed with overflow checks.
    func validateCostLimits(_ layers: [LayerCost]) throws {
        let inputCount = inputShape.reduce(1, *)  // <= 2^16 * 2^14 * 2^14 after validateFieldLimits
        guard inputCount <= ModelLimits.maximumActivationCount else {
            throw specError("inputShape \(inputShape) has \(inputCount) elements per image, above the limit of "
                            + "\(ModelLimits.maximumActivationCount)")
        }
        for layer in layers {
            for (side, shape) in [("input", layer.inputShape), ("output", layer.outputShape)] {
                let count = LayerCost.product(shape)
                guard let count, count <= ModelLimits.maximumActivationCount else {
                    throw specError("layer '\(layer.name)' has an \(side) of \(shape) = \(count.map(String.init) ?? "> Int.max") "
                                    + "elements per image, above the limit of \(ModelLimits.maximumActivationCount)")
                }
            }
        }
        let scalars = LayerCost.sum(layers.map { LayerCost.sum([$0.checkedParameterCount, $0.bufferScalarCount]) })
        guard let scalars, scalars <= ModelLimits.maximumParameterCount else {
            let amount = scalars.map { "\($0) parameter and buffer scalars (" + gigabytes($0) + ")" }
                ?? "more parameter and buffer scalars than Int.max"
            throw specError("the model needs \(amount), above the limit of \(ModelLimits.maximumParameterCount) ("
                            + gigabytes(ModelLimits.maximumParameterCount) + ")")
        }
        let flops = LayerCost.sum(layers.map(\.checkedFlops))
        guard let flops, flops <= ModelLimits.maximumFlops else {
            throw specError("the model needs \(flops.map(String.init) ?? "more than Int.max") FLOPs per image, above the "
                            + "limit of \(ModelLimits.maximumFlops)")
        }
    }

    /// "4.29 GB of Float32" for a scalar count.
    private func gigabytes(_ scalars: Int) -> String {
        String(format: "%.3g GB of Float32", Double(scalars) * Double(MemoryLayout<Float>.size) / 1e9)
    }
}
