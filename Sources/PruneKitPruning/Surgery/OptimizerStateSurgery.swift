import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Keeps optimizer state in step with surgery (STYLE.md rule 12). `Optimizer.stateTensors()` names every state
/// tensor "<parameter name>.<state name>" (SGD: `conv1.weight.momentum_buffer`), so the state of a parameter is
/// found by name and sliced along the same axis as the parameter: momentum is carried over, not reset.
/// Tensors whose shape is not the parameter's (scalars such as step counters) are left alone.
///
/// ```swift
/// var state = optimizer.stateTensors()
/// try OptimizerStateSurgery.keep([0, 2], alongAxis: 0, of: "conv1.weight", shape: [4, 3, 3, 3], in: &state)
/// try optimizer.loadStateTensors(state)
/// ```
public enum OptimizerStateSurgery {
    /// Slices every state tensor of parameter `name` (old shape `shape`) to indices `kept` of `axis`.
    public static func keep(_ kept: [Int], alongAxis axis: Int, of name: String, shape: [Int],
                            in state: inout [String: Tensor]) throws {
        for key in keys(of: name, shape: shape, in: state) {
            state[key] = try state[key]!.keeping(kept, alongAxis: axis)
        }
    }

    /// Multiplies every state tensor of parameter `name` by `mask` (same shape): pruned positions lose their
    /// momentum, as they would under a fresh mask.
    public static func mask(_ mask: Tensor, of name: String, in state: inout [String: Tensor]) {
        for key in keys(of: name, shape: mask.shape, in: state) {
            WeightMasks.multiply(&state[key]!, by: mask)
        }
    }

    private static func keys(of name: String, shape: [Int], in state: [String: Tensor]) -> [String] {
        state.keys.filter { $0.hasPrefix(name + ".") && !$0.dropFirst(name.count + 1).contains(".") && state[$0]!.shape == shape }
    }
}
