import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// The one mask mechanism (unstructured, channel, column and block sparsity, described by `MaskPattern`): a 0/1 mask per parameter, kept beside the weights (by parameter name) and re-applied
/// after every optimizer step so pruned weights stay exactly zero (Han et al., NeurIPS 2015: "masked weights and
/// gradients stay 0"). Gradients are masked after backward too, so momentum at pruned positions stays zero.
/// Surgery slices masks along with their weights.
///
/// As a `TrainingHook`: `afterBackward` masks gradients, `afterOptimizerStep` masks weights.
///
/// ```swift
/// let masks = WeightMasks()
/// try masks.set(mask, for: conv.weight)       // mask: same shape, entries 0 or 1
/// masks.apply(to: model.parameters)
/// trainer.hooks.append(masks)
/// ```
public final class WeightMasks: TrainingHook {
    /// Parameter name -> mask of the parameter's shape.
    public private(set) var masks: [String: Tensor] = [:]

    /// No masks.
    public init() {}

    /// Whether no parameter is masked.
    public var isEmpty: Bool { masks.isEmpty }

    /// Sets `parameter`'s mask; throws `shapeMismatch` naming the parameter if the shapes differ.
    public func set(_ mask: Tensor, for parameter: Variable) throws {
        guard mask.shape == parameter.shape else {
            throw PruneKitError.shapeMismatch(operation: "mask of \(parameter.name)", expected: "\(parameter.shape)",
                                              found: "\(mask.shape)")
        }
        masks[parameter.name] = mask
    }

    /// Sets `parameter`'s mask from a pattern (elements, channel or column slices, DARB's row blocks); throws
    /// `shapeMismatch` when the pattern does not fit the parameter.
    public func set(_ pattern: MaskPattern, for parameter: Variable) throws {
        try set(pattern.tensor(shape: parameter.shape), for: parameter)
    }

    /// Replaces the mask stored under `name` without a shape check (surgery, after slicing).
    func replace(_ name: String, with mask: Tensor) { masks[name] = mask }

    /// Removes every mask.
    public func removeAll() { masks = [:] }

    /// w *= mask for every masked parameter among `parameters`.
    public func apply(to parameters: [Variable]) {
        for parameter in parameters {
            guard let mask = masks[parameter.name], mask.shape == parameter.shape else { continue }
            Self.multiply(&parameter.value, by: mask)
        }
    }

    /// grad *= mask for every masked parameter that has a gradient.
    public func maskGradients(of parameters: [Variable]) {
        for parameter in parameters where parameter.gradient != nil {
            guard let mask = masks[parameter.name], mask.shape == parameter.shape else { continue }
            Self.multiply(&parameter.gradient!, by: mask)
        }
    }

    /// Number of zero entries over all masks.
    public var maskedCount: Int { masks.values.reduce(0) { total, mask in total + mask.scalars.filter { $0 == 0 }.count } }

    /// Masks the gradients.
    public func afterBackward(_ context: TrainingContext) throws { maskGradients(of: context.model.parameters) }

    /// Masks the weights.
    public func afterOptimizerStep(_ context: TrainingContext) throws { apply(to: context.model.parameters) }

    /// target *= mask, elementwise (shapes already checked).
    static func multiply(_ target: inout Tensor, by mask: Tensor) {
        mask.withUnsafeBufferPointer { m in
            target.withUnsafeMutableBufferPointer { t in
                for i in 0..<t.count { t[i] *= m[i] }
            }
        }
    }
}
