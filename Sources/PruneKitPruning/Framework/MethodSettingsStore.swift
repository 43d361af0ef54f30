import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Every method's `MethodSettings`, keyed by `key`; absent settings read as their defaults. `PruningConfig`
/// holds one (`methodSettings`) and each method folder adds a typed accessor over it.
///
/// Equality: two stores are equal when every key holds equal settings, an absent key counting as the defaults.
/// Coding: the settings of every type the registry lists (`PrunerRegistry.settingsTypes`) are encoded flat,
/// one top-level key each, into the encoder's keyed container (so `PruningConfig`'s shared options sit beside
/// them); decoding reads those keys and leaves absent ones at their defaults.
///
/// ```swift
/// var store = MethodSettingsStore()
/// store[TaylorPruner.Settings.self].updatesPerStep = 5     // stored under "taylor"
/// ```
public struct MethodSettingsStore: Codable, Equatable {
    /// A settings type's JSON key.
    public struct Key: CodingKey {
        /// The settings type's `key`, e.g. "softFilter".
        public let stringValue: String
        /// Always nil: settings are keyed by name only.
        public var intValue: Int? { nil }

        /// The key `name`.
        public init(_ name: String) { stringValue = name }
        /// The key `stringValue` (never fails).
        public init?(stringValue: String) { self.init(stringValue) }
        /// Nil: integer keys are not used.
        public init?(intValue: Int) { nil }
    }

    /// Stored settings by `key` (only those ever written).
    private var values: [String: any MethodSettings] = [:]

    /// No settings stored: every method reads its defaults.
    public init() {}

    /// The settings of type `Settings` (its defaults when never set).
    public subscript<Settings: MethodSettings>(_ type: Settings.Type) -> Settings {
        get { values[Settings.key] as? Settings ?? Settings() }
        set { values[Settings.key] = newValue }
    }

    /// Equal when every key stored in either holds equal settings, an absent key counting as the defaults.
    public static func == (lhs: MethodSettingsStore, rhs: MethodSettingsStore) -> Bool {
        Set(lhs.values.keys).union(rhs.values.keys).allSatisfy { key in
            switch (lhs.values[key], rhs.values[key]) {
            case let (left?, right?): return left.isEqual(to: right)
            case let (left?, nil): return left.isDefault
            case let (nil, right?): return right.isDefault
            case (nil, nil): return true
            }
        }
    }

    /// Reads every registered settings type's key from the decoder's keyed container; absent keys stay defaults.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for type in PrunerRegistry.settingsTypes {
            if let settings = try type.decodeIfPresent(from: container) { values[type.key] = settings }
        }
    }

    /// Writes every registered settings type (stored or default) under its key into the encoder's keyed
    /// container, flat beside whatever else the caller encodes there.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for type in PrunerRegistry.settingsTypes {
            try (values[type.key] ?? type.init()).encode(into: &container)
        }
    }
}
