/// Elementwise sum of two same-shaped tensors (the residual add): y = a + b.
/// Backward: both inputs receive dy (accumulated, so a shortcut's fan-out sums correctly).
public func add(_ lhs: Variable, _ rhs: Variable) throws -> Variable {
    let output = try lhs.value + rhs.value
    return Variable(output, operation: "add", parents: [lhs, rhs]) { dy in
        lhs.accumulateGradient(dy)
        rhs.accumulateGradient(dy)
    }
}
