import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// One method's own hyperparameters, stored in `PruningConfig` under `key` (STYLE.md rule 9: the configuration
/// is one value passed whole, yet a new method adds its settings without editing `PruningConfig`). A method
/// folder declares its settings struct, conforms it here, lists it in its registry entry (`settings:`) and adds
/// a typed accessor, so call sites read `config.softFilter.interval = 3`.
///
/// Encoding contract: `key` is the settings' JSON key at the top level of an encoded `PruningConfig`, next to
/// the shared options; an absent key decodes as `init()` (the defaults).
///
/// ```swift
/// extension SoftFilterPruner.Settings: MethodSettings { public static let key = "softFilter" }
/// extension PruningConfig {
///     public var softFilter: SoftFilterPruner.Settings {
///         get { methodSettings[SoftFilterPruner.Settings.self] }
///         set { methodSettings[SoftFilterPruner.Settings.self] = newValue }
///     }
/// }
/// ```
public protocol MethodSettings: Codable, Equatable {
    /// The JSON key and `PruningConfig` accessor name, e.g. "softFilter"; unique across methods.
    static var key: String { get }
    /// The paper's defaults.
    init()
}

extension MethodSettings {
    /// Whether `other` holds the same settings (false for another settings type).
    func isEqual(to other: any MethodSettings) -> Bool {
        (other as? Self) == self
    }

    /// Whether these are the defaults, `init()`.
    var isDefault: Bool { self == Self() }

    /// Stores these settings under `key` in `container`.
    func encode(into container: inout KeyedEncodingContainer<MethodSettingsStore.Key>) throws {
        try container.encode(self, forKey: MethodSettingsStore.Key(Self.key))
    }

    /// The settings stored under `key` in `container`, or nil when absent.
    static func decodeIfPresent(from container: KeyedDecodingContainer<MethodSettingsStore.Key>) throws -> (any MethodSettings)? {
        try container.decodeIfPresent(Self.self, forKey: MethodSettingsStore.Key(key))
    }
}
