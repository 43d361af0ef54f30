/// Whether ops record the tape. Evaluation runs inside `GradientMode.withoutGradients { ... }` so that no
/// backward closures or cached activations are kept.
public enum GradientMode {
    nonisolated(unsafe) public private(set) static var isEnabled = true

    /// Runs `body` with recording off, restoring the previous mode afterwards (also on throw).
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        let previous = isEnabled
        isEnabled = false
        defer { isEnabled = previous }
        return try body()
    }
}

extension Variable {
    /// Reverse-mode sweep from this node: seeds d(self)/d(self) with `seed` (ones for a scalar loss),
    /// visits nodes in reverse topological order and runs each backward function once. Intermediate
    /// gradients are released as soon as they have been propagated; leaf gradients stay.
    public func backward(seed: Tensor? = nil) throws {
        let start = seed ?? Tensor(repeating: 1, shape: value.shape)
        guard start.shape == value.shape else {
            throw PruneKitError.shapeMismatch(operation: "backward", expected: "seed of shape \(value.shape)",
                                              found: "\(start.shape)")
        }
        guard requiresGradient else {
            throw PruneKitError.invalidArgument(operation: "backward",
                                                message: "the output does not depend on any variable that requires a gradient")
        }
        let order = topologicalOrder()
        accumulateGradient(start)
        for node in order.reversed() {
            guard let function = node.backwardFunction, let gradient = node.gradient else { continue }
            if Profiler.isEnabled {
                let start = Profiler.now()
                function(gradient)
                Profiler.record("backward." + node.operation, Profiler.now() - start)
            } else {
                function(gradient)
            }
            node.gradient = nil  // intermediate: its value has been passed on
        }
    }

    /// Nodes reachable through `parents`, each after all of its parents (iterative DFS: no recursion
    /// limit for ResNet-110's thousands of nodes).
    func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGradient, visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
