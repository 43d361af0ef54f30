/// Every key a plan file accepts, with its meaning: the parser takes the allowed keys of each object from this
/// table (so a key it accepts is always documented) and `prune-cli experiment plan --help` prints it.
///
/// Paths use `[]` for "any element of the list": `models[].training.epochs`.
///
/// ```swift
/// for key in PlanKeys.all { print(key.path, key.meaning) }
/// ```
public enum PlanKeys {
    /// One documented key.
    public struct Key: Sendable {
        /// Dotted path, `[]` marking list elements.
        public let path: String
        /// What the key sets, with its type and default.
        public let meaning: String
    }

    /// The recipe keys shared by `models[].training` and `fineTuning`.
    static let recipeKeys: [(String, String)] = [
        ("epochs", "integer; epochs to train"),
        ("batchSize", "integer; images per batch (default 128)"),
        ("learningRate", "number; base learning rate"),
        ("momentum", "number; SGD momentum (default 0.9)"),
        ("nesterov", "boolean; Nesterov momentum (default false)"),
        ("weightDecay", "number; L2 weight decay (default 5e-4)"),
        ("schedule", "string; constant, cosine, one-cycle, multi-step:E1,E2[:GAMMA] or table:E=LR,..."),
        ("warmupEpochs", "integer; linear warm-up epochs (default 0)"),
        ("labelSmoothing", "number in [0, 1); label smoothing (default 0)"),
        ("augment", "string; none or crop-flip (default: the dataset's)"),
        ("shuffle", "boolean; seeded shuffle every epoch (default true)"),
        ("normBiasWeightDecay", "number; L2 weight decay of batch-norm parameters and biases (default: weightDecay)"),
        ("testFlip", "boolean; evaluate with logits averaged over each image and its mirror image (default false)"),
    ]

    /// The whole table, in the order `--help` prints it.
    public static let all: [Key] = [
        Key(path: "name", meaning: "string; the experiment's title in reports (default 'experiment')"),
        Key(path: "datasets", meaning: "list of strings; mnist, fashion-mnist, cifar10, cifar100"),
        Key(path: "models", meaning: "list of objects; the dense models to prune"),
        Key(path: "models[].name", meaning: "string; zoo model (prune-cli models), e.g. lenet5, resnet20"),
        Key(path: "models[].training", meaning: "object; dense training recipe, trained once per dataset and seed (the keys below)"),
    ] + recipeKeys.map { Key(path: "models[].training." + $0.0, meaning: $0.1) } + [
        Key(path: "models[].checkpoint", meaning: "string; an existing dense checkpoint instead of training (path relative to the plan file)"),
        Key(path: "methods", meaning: "list of objects; the pruning methods"),
        Key(path: "methods[].name", meaning: "string; registry method (prune-cli methods)"),
        Key(path: "methods[].label", meaning: "string; the name in result tables (default: the method name); must be unique"),
        Key(path: "methods[].scope", meaning: "string; uniform or global (default: the method's choice)"),
        Key(path: "methods[].ignore", meaning: "list of strings; groups or layers never pruned, prefix* allowed (prune's --ignore)"),
        Key(path: "methods[].maxRatio", meaning: "number in (0, 1]; global scope: no group loses more than this fraction (prune's --max-ratio)"),
        Key(path: "methods[].roundTo", meaning: "integer; kept widths rounded up to a multiple of this (prune's --round-to)"),
        Key(path: "methods[].steps", meaning: "integer; reach the target in this many steps (prune's --steps)"),
        Key(path: "methods[].paper", meaning: "object; the paper's result nearest this plan's setting, shown beside the measured drop in results.md"),
        Key(path: "methods[].paper.drop", meaning: "number; the paper's accuracy drop in points (dense - pruned); absent: no comparable setting"),
        Key(path: "methods[].paper.setting", meaning: "string; the paper's setting (model, data, FLOPs removed, table), or why none compares"),
        Key(path: "methods[].options", meaning: "object; method options by name, as prune-cli prune's flags without '--', e.g. {\"slimming-penalty\": 1e-4}"),
        Key(path: "targets", meaning: "object; the pruning targets, each a list"),
        Key(path: "targets.flops", meaning: "list of numbers in (0, 1]; keep at most this fraction of the dense FLOPs"),
        Key(path: "targets.params", meaning: "list of numbers in (0, 1]; keep at most this fraction of the dense parameters"),
        Key(path: "targets.ratio", meaning: "list of numbers in [0, 1); remove this fraction of channels"),
        Key(path: "seeds", meaning: "list of integers; one run per seed (dense training, pruning, fine-tuning) (default [1])"),
        Key(path: "fineTuning", meaning: "object; fine-tuning after pruning: the method's recommended recipe with these keys overriding it"),
    ] + recipeKeys.map { Key(path: "fineTuning." + $0.0, meaning: $0.1 + ($0.0 == "epochs" ? " (default 0: no fine-tuning)" : "")) } + [
        Key(path: "evaluation", meaning: "object; data limits for quick runs"),
        Key(path: "evaluation.trainLimit", meaning: "integer; use only the first N training images (dense training, pruning, fine-tuning)"),
        Key(path: "evaluation.testLimit", meaning: "integer; evaluate on the first N test images only"),
        Key(path: "latency", meaning: "object; dense vs pruned timing, or null for none (default: none)"),
        Key(path: "latency.batchSizes", meaning: "list of integers; batch sizes to time, e.g. [128, 1]; [] for none"),
        Key(path: "cells", meaning: "list of objects; explicit cells run in addition to the grid (leave out targets for cells only)"),
        Key(path: "cells[].dataset", meaning: "string; one of datasets (default: the only one)"),
        Key(path: "cells[].model", meaning: "string; a models[].name"),
        Key(path: "cells[].method", meaning: "string; a methods[].label (or name)"),
        Key(path: "cells[].target", meaning: "string; flops=F, params=F or ratio=R"),
        Key(path: "cells[].seed", meaning: "integer; the seed (default: the first of seeds)"),
    ]

    /// The keys allowed directly under `parent` ("" for the root, "models[]", "fineTuning", ...).
    static func allowed(under parent: String) -> [String] {
        let prefix = parent.isEmpty ? "" : parent + "."
        return all.compactMap { key in
            guard key.path.hasPrefix(prefix) else { return nil }
            let rest = key.path.dropFirst(prefix.count)
            return rest.contains(".") || rest.contains("[") ? nil : String(rest)
        }
    }

    /// The table as aligned text, one key a line.
    public static var listing: String {
        let width = all.map(\.path.count).max() ?? 0
        return all.map { "  " + $0.path.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.meaning }.joined(separator: "\n")
    }
}
