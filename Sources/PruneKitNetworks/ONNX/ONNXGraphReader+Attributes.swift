import PruneKitCore

/// Reading and checking one ONNX node's attributes, and naming the network nodes made from it.
extension ONNXGraphReader {
    /// Throws naming the first attribute of `node` not in `allowed`.
    func checkAttributes(_ node: ONNXNode, _ allowed: Set<String>) throws {
        if let unknown = node.attributes.first(where: { !allowed.contains($0.name) }) {
            throw nodeError("has the attribute '\(unknown.name)', which is not supported; supported: "
                            + (allowed.isEmpty ? "none" : allowed.sorted().joined(separator: ", ")))
        }
    }

    /// The value of attribute `name`, if present.
    func attribute(_ node: ONNXNode, _ name: String) -> ONNXAttribute.Value? {
        node.attributes.first { $0.name == name }?.value
    }

    /// An INT attribute; throws when it has another type.
    func integer(_ node: ONNXNode, _ name: String) throws -> Int? {
        switch attribute(node, name) {
        case nil: return nil
        case let .integer(value)?: return value
        case let other?: throw attributeError(node, name, "\(other)", "an integer")
        }
    }

    /// An INTS attribute; throws when it has another type.
    func integers(_ node: ONNXNode, _ name: String) throws -> [Int]? {
        switch attribute(node, name) {
        case nil: return nil
        case let .integers(values)?: return values
        case let other?: throw attributeError(node, name, "\(other)", "a list of integers")
        }
    }

    /// A two-element INTS attribute of equal values (H and W alike); `fallback` when absent (nil: required); `only`
    /// restricts the value.
    func square(_ node: ONNXNode, _ name: String, default fallback: Int?, only: Int? = nil) throws -> Int {
        guard let values = try integers(node, name) else {
            guard let fallback else { throw nodeError("needs the attribute '\(name)'") }
            return fallback
        }
        guard values.count == 2, values[0] == values[1], values[0] >= 1, only == nil || values[0] == only else {
            throw attributeError(node, name, "\(values)", only.map { "[\($0), \($0)]" } ?? "two equal positive values (square)")
        }
        return values[0]
    }

    /// Throws unless INTS attribute `name` is absent or equals `expected`.
    func expect(_ node: ONNXNode, _ name: String, _ expected: [Int], _ meaning: String) throws {
        if let values = try integers(node, name), values != expected { throw attributeError(node, name, "\(values)", "\(expected) (\(meaning))") }
    }

    /// Throws unless auto_pad is absent or NOTSET (explicit pads).
    func expectDefaultAutoPad(_ node: ONNXNode) throws {
        if case let .string(mode)? = attribute(node, "auto_pad"), mode != "NOTSET" {
            throw attributeError(node, "auto_pad", mode, "NOTSET (explicit pads)")
        }
    }

    /// An error about the value of attribute `name`.
    func attributeError(_ node: ONNXNode, _ name: String, _ found: String, _ supported: String) -> PruneKitError {
        nodeError("has \(name) = \(found), which is not supported; supported: \(supported)")
    }

    /// A parameterised node's module name: its weight initializer's name without `.weight`, else `pathName`.
    func moduleName(_ weight: String, _ node: ONNXNode) -> String {
        if weight.hasSuffix(".weight"), weight.count > 7, !weight.contains("::") { return String(weight.dropLast(7)) }
        return pathName(node, parameterised: true)
    }

    /// A network node name from an ONNX node. PyTorch's scope path `/layer1/layer1.0/conv1/Conv` gives the module's
    /// qualified name `layer1.0.conv1` (a component already qualified by its parent's name is taken whole); a
    /// parameterised node takes that name, others append their last component (`/layer1/layer1.0/Add_1` ->
    /// `layer1.0.add_1`). Other names are kept; an empty name becomes the operator's, lower-cased.
    func pathName(_ node: ONNXNode, parameterised: Bool = false) -> String {
        guard node.name.hasPrefix("/") else { return node.name.isEmpty ? node.operatorType.lowercased() : node.name }
        let parts = node.name.split(separator: "/").map(String.init)
        guard let last = parts.last else { return node.operatorType.lowercased() }
        var module = ""
        for part in parts.dropLast() {
            module = module.isEmpty || part.hasPrefix(module + ".") ? part : module + "." + part
        }
        if module.isEmpty { return last.lowercased() }
        return parameterised ? module : module + "." + last.lowercased()
    }
}
