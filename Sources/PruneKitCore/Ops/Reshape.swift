/// The same elements under a new shape of equal count (no copy). Backward reshapes dy back.
/// `flatten` is reshape to [N, C*H*W]: channel c owns columns c*H*W ..< (c+1)*H*W.
public func reshape(_ input: Variable, to shape: [Int]) throws -> Variable {
    let output = try input.value.reshaped(shape)
    let original = input.shape
    return Variable(output, operation: "reshape", parents: [input]) { dy in
        input.accumulateGradient(try! dy.reshaped(original))
    }
}

/// [N, d1, d2, ...] -> [N, d1*d2*...].
public func flatten(_ input: Variable) throws -> Variable {
    guard let batch = input.shape.first else {
        throw PruneKitError.shapeMismatch(operation: "flatten", expected: "rank >= 1", found: "\(input.shape)")
    }
    return try reshape(input, to: [batch, input.shape.dropFirst().reduce(1, *)])
}
