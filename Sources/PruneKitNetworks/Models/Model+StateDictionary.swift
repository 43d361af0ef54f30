import PruneKitCore

/// One entry of a PyTorch-style state_dict: a Float32 tensor, or BatchNorm's int64 `num_batches_tracked`.
public enum StateDictionaryValue: Equatable {
    case tensor(Tensor)
    case count(Int)
}

extension Model {
    /// The state_dict in PyTorch order and naming: conv OIHW weights, linear [out, in], BN weight, bias,
    /// running_mean, running_var and num_batches_tracked, a channel scatter's fill (STYLE.md: names as
    /// `layer1.0.conv1.weight`).
    public func stateDictionary() -> [(name: String, value: StateDictionaryValue)] {
        layerNames.flatMap { name -> [(name: String, value: StateDictionaryValue)] in
            let layer = namedLayers[name]!
            var entries = layer.ownParameters.map { (name: $0.name, value: StateDictionaryValue.tensor($0.value)) }
            if let scatter = layer as? ChannelScatter { entries.append((name + ".fill", .tensor(scatter.fill))) }
            if let norm = layer as? BatchNorm {
                entries += [(name + ".running_mean", .tensor(norm.statistics.runningMean)),
                            (name + ".running_var", .tensor(norm.statistics.runningVariance)),
                            (name + ".num_batches_tracked", .count(norm.statistics.batchesTracked))]
            }
            return entries
        }
    }

    /// Loads every state_dict entry through `lookup`, checking presence and shapes first so that a bad file
    /// changes nothing. `source` names the file in errors.
    public func loadStateDictionary(source: String, _ lookup: (String) throws -> StateDictionaryValue?) throws {
        let current = stateDictionary()
        var loaded: [StateDictionaryValue] = []
        for (name, value) in current {
            guard let found = try lookup(name) else {
                throw PruneKitError.malformedFile(path: source, expected: "tensor '\(name)'", found: "no such entry")
            }
            switch (value, found) {
            case let (.tensor(mine), .tensor(theirs)) where mine.shape == theirs.shape: loaded.append(found)
            case (.count, .count): loaded.append(found)
            case let (.tensor(mine), .tensor(theirs)):
                throw PruneKitError.malformedFile(path: source, expected: "'\(name)' of shape \(mine.shape)", found: "shape \(theirs.shape)")
            default:
                throw PruneKitError.malformedFile(path: source, expected: "'\(name)' as \(value.kindName)", found: found.kindName)
            }
        }
        for ((name, _), value) in zip(current, loaded) { assign(value, to: name) }
        try refreshSparsityMasks()
    }

    private func assign(_ value: StateDictionaryValue, to key: String) {
        for layerName in layerNames where key.hasPrefix(layerName + ".") {
            let field = String(key.dropFirst(layerName.count + 1))
            let layer = namedLayers[layerName]!
            if case let .tensor(tensor) = value, let parameter = layer.ownParameters.first(where: { $0.name == key }) {
                parameter.value = tensor
                return
            }
            if let scatter = layer as? ChannelScatter, field == "fill", case let .tensor(tensor) = value { scatter.fill = tensor; return }
            guard let norm = layer as? BatchNorm else { continue }
            switch (field, value) {
            case let ("running_mean", .tensor(tensor)): norm.statistics.runningMean = tensor; return
            case let ("running_var", .tensor(tensor)): norm.statistics.runningVariance = tensor; return
            case let ("num_batches_tracked", .count(count)): norm.statistics.batchesTracked = count; return
            default: continue
            }
        }
    }
}

extension StateDictionaryValue {
    var kindName: String {
        switch self {
        case let .tensor(tensor): return "a float32 tensor of shape \(tensor.shape)"
        case .count: return "an int64 count"
        }
    }
}
