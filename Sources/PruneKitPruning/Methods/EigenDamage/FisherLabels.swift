import PruneKitCore

/// Which labels the Fisher's backward pass uses (eigendamage.md "K-FAC factors" 1; official config `fisher_type`).
public enum FisherLabels: String, Codable, Sendable, CaseIterable {
    /// The true Fisher: labels drawn from the model's own softmax, y ~ softmax(logits), from an explicit seed (the
    /// paper's and the official configs' choice, `fisher_type: "true"`).
    case sampled
    /// The empirical Fisher: the data's labels.
    case empirical
}

extension FisherLabels {
    /// The labels named by an option's text ("sampled" or "empirical"); throws `invalidParameter` naming `option`.
    ///
    /// ```swift
    /// try FisherLabels(parsing: "sampled", option: "eigendamage-fisher")   // .sampled
    /// ```
    init(parsing text: String, option: String) throws {
        guard let labels = FisherLabels(rawValue: text) else {
            throw PruneKitError.invalidParameter(name: option, expected: "sampled or empirical", found: "'\(text)'")
        }
        self = labels
    }
}
