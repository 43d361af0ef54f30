import Foundation
import PruneKitCore
import PruneKitData
import PruneKitNetworks
import PruneKitPruning

/// Reading a plan: every object's keys are checked against `PlanKeys`, every value against its range, and
/// method names and options against the registry, each error naming the key path.
extension ExperimentPlan {
    init(node: PlanNode, directory: String) throws {
        let root = try node.object(allowed: PlanKeys.allowed(under: ""))
        name = try root["name"]?.string() ?? "experiment"
        datasets = try Self.list(root["datasets"], required: "datasets").map { node in
            try Self.rewrapping(node) { try DatasetKind(name: try node.string()) }
        }
        models = try Self.list(root["models"], required: "models").map { try Self.model($0, directory: directory) }
        methods = try Self.list(root["methods"], required: "methods").map(Self.method)
        try Self.requireUnique(methods.map(\.label), key: "methods", what: "label")
        try Self.requireUnique(models.map(\.name), key: "models", what: "name")
        if let node = root["targets"] { targets = try Self.targets(node) }
        if let node = root["seeds"] {
            seeds = try node.array().map { UInt64(try $0.integer(in: 0...Int(Int32.max))) }
            guard !seeds.isEmpty else { throw node.failure("at least one seed", found: "an empty list") }
        }
        if let node = root["fineTuning"] { fineTuning = try TrainingRecipe(node) }
        if let node = root["evaluation"] {
            let members = try node.object(allowed: PlanKeys.allowed(under: "evaluation"))
            trainLimit = try members["trainLimit"]?.integer(in: 1...10_000_000)
            testLimit = try members["testLimit"]?.integer(in: 1...10_000_000)
        }
        if let node = root["latency"], case .object = node.value {
            let members = try node.object(allowed: PlanKeys.allowed(under: "latency"))
            latencyBatchSizes = try members["batchSizes"]?.array().map { try $0.integer(in: 1...65_536) } ?? []
        } else if let node = root["latency"], case .null = node.value {
            latencyBatchSizes = []
        } else if let node = root["latency"] {
            throw node.failure("an object {\"batchSizes\": [...]} or null")
        }
        explicitCells = try root["cells"]?.array().map { try explicitCell($0) } ?? []
        guard !targets.isEmpty || !explicitCells.isEmpty else {
            throw PruneKitError.invalidParameter(name: "targets", expected: "at least one target (or explicit cells)", found: "none")
        }
    }

    private static func list(_ node: PlanNode?, required key: String) throws -> [PlanNode] {
        guard let node else { throw PruneKitError.invalidParameter(name: key, expected: "a non-empty list", found: "no '\(key)' key") }
        let elements = try node.array()
        guard !elements.isEmpty else { throw node.failure("a non-empty list", found: "an empty list") }
        return elements
    }

    /// Runs `body`, giving a library `invalidParameter` the node's key path instead of its parameter name.
    static func rewrapping<T>(_ node: PlanNode, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let PruneKitError.invalidParameter(_, expected, found) {
            throw PruneKitError.invalidParameter(name: node.name, expected: expected, found: found)
        }
    }

    private static func requireUnique(_ names: [String], key: String, what: String) throws {
        for (index, name) in names.enumerated() where names[..<index].contains(name) {
            throw PruneKitError.invalidParameter(name: "\(key)[\(index)].\(what)", expected: "a \(what) not used before in \(key)",
                                                 found: "a second '\(name)'")
        }
    }

    private static func model(_ node: PlanNode, directory: String) throws -> ModelEntry {
        let members = try node.object(allowed: PlanKeys.allowed(under: "models[]"))
        guard let nameNode = members["name"] else { throw node.failure("an object with a 'name'", found: "no 'name' key") }
        let name = try nameNode.string()
        _ = try rewrapping(nameNode) { try ModelZoo.spec(named: name) }
        if members["training"] != nil && members["checkpoint"] != nil {
            throw node.failure("either 'training' or 'checkpoint'", found: "both")
        }
        let training = try members["training"].map { try TrainingRecipe($0) } ?? (members["checkpoint"] == nil ? TrainingRecipe() : nil)
        let checkpoint = try members["checkpoint"].map { checkpointNode -> String in
            let path = try checkpointNode.string()
            let resolved = path.hasPrefix("/") ? path : directory + "/" + path
            guard FileManager.default.fileExists(atPath: resolved) else { throw checkpointNode.failure("an existing checkpoint file", found: "no file \(resolved)") }
            return resolved
        }
        return ModelEntry(name: name.lowercased(), training: training, checkpoint: checkpoint)
    }

    private static func method(_ node: PlanNode) throws -> MethodEntry {
        let members = try node.object(allowed: PlanKeys.allowed(under: "methods[]"))
        guard let nameNode = members["name"] else { throw node.failure("an object with a 'name'", found: "no 'name' key") }
        let requested = try nameNode.string()
        guard let entry = PrunerRegistry.entries.first(where: { $0.name == requested.lowercased() }) else {
            throw PruneKitError.invalidParameter(name: nameNode.name, expected: "one of \(PrunerRegistry.names.joined(separator: ", "))",
                                                 found: "unknown method '\(requested)'")
        }
        var method = MethodEntry(name: entry.name, label: try members["label"]?.string() ?? entry.name, scope: nil, options: [:])
        method.shared = try SharedSelection.parse(members)
        method.paper = try members["paper"].map(PaperReference.init)
        if let scopeNode = members["scope"] {
            guard let scope = PruningConfig.Scope(rawValue: try scopeNode.string()) else { throw scopeNode.failure("uniform or global") }
            method.scope = scope
        }
        if let optionsNode = members["options"] {
            guard case let .object(values) = optionsNode.value else { throw optionsNode.failure("an object") }
            let allowed = MethodOption.all.filter { $0.applies(to: entry.name) }
            for key in values.keys.sorted() {
                let child = PlanNode(value: values[key]!, path: optionsNode.path + "." + key)
                guard let option = allowed.first(where: { $0.name == key }) else {
                    let names = allowed.map(\.name)
                    throw PruneKitError.invalidParameter(name: child.name, expected: names.isEmpty ? "no options (method '\(entry.name)' has none)"
                                                         : "an option of method '\(entry.name)': \(names.joined(separator: ", "))", found: "unknown option '\(key)'")
                }
                let text = try child.optionText()
                var probe = PruningConfig()
                try rewrapping(child) { try option.apply(&probe, text) }
                method.options[key] = text
            }
        }
        return method
    }

    private static func targets(_ node: PlanNode) throws -> [PruningTarget] {
        let members = try node.object(allowed: PlanKeys.allowed(under: "targets"))
        var targets: [PruningTarget] = []
        let kinds: [(String, (Double) -> PruningTarget)] = [("flops", PruningTarget.flopsRatio), ("params", PruningTarget.parameterRatio), ("ratio", PruningTarget.channelRatio)]
        for (key, make) in kinds {
            for element in try members[key]?.array() ?? [] {
                let target = make(try element.number(in: 0...1))
                try rewrapping(element) { try target.validate() }
                targets.append(target)
            }
        }
        return targets
    }

    private func explicitCell(_ node: PlanNode) throws -> ExplicitCell {
        let members = try node.object(allowed: PlanKeys.allowed(under: "cells[]"))
        func pick(_ key: String, from names: [String], fallback: String?) throws -> String {
            guard let child = members[key] else {
                if let fallback { return fallback }
                throw node.failure("a '\(key)' key", found: "none")
            }
            let value = try child.string()
            guard names.contains(value) else { throw child.failure("one of \(names.joined(separator: ", "))", found: "'\(value)'") }
            return value
        }
        let dataset = try pick("dataset", from: datasets.map(\.name), fallback: datasets.count == 1 ? datasets[0].name : nil)
        let model = try pick("model", from: models.map(\.name), fallback: models.count == 1 ? models[0].name : nil)
        let method = try pick("method", from: methods.map(\.label), fallback: nil)
        guard let targetNode = members["target"] else { throw node.failure("a 'target' key", found: "none") }
        let targetText = try targetNode.string()
        let target = try Self.rewrapping(targetNode) { try PruningTarget(parsing: targetText) }
        let seed = try members["seed"].map { UInt64(try $0.integer(in: 0...Int(Int32.max))) } ?? seeds[0]
        return ExplicitCell(dataset: dataset, model: model, method: method, target: target, seed: seed)
    }
}
