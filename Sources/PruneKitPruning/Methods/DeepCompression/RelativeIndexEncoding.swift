import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// Deep Compression's sparse index format (Han et al., ICLR 2016, figure 2): the flat positions of the kept
/// weights are stored as gaps from the previous kept position in `bits`-bit fields; a gap that does not fit
/// inserts a filler entry (a stored zero weight) at previous + (2^bits - 1). Convention (baselines.md
/// [proposal]): the previous position starts at 0, so a first kept weight at position p has gap p.
///
/// ```swift
/// RelativeIndexEncoding.encode([1, 4, 15], bits: 3)
/// // gaps [1, 3, 7, 4]; the 7 is a filler at position 11
/// ```
public enum RelativeIndexEncoding {
    /// One stored entry: a gap, and whether it is a filler (stored weight 0) rather than a kept weight.
    public struct Entry: Equatable {
        /// Distance from the previous entry's position.
        public var gap: Int
        /// A filler zero inserted because the real gap was too large.
        public var isFiller: Bool

        /// An entry.
        public init(gap: Int, isFiller: Bool) {
            self.gap = gap
            self.isFiller = isFiller
        }
    }

    /// Entries for ascending `positions` with gaps of at most 2^bits - 1.
    public static func encode(_ positions: [Int], bits: Int) -> [Entry] {
        let largest = (1 << bits) - 1
        var entries: [Entry] = [], previous = 0
        for position in positions {
            while position - previous > largest {
                entries.append(Entry(gap: largest, isFiller: true))
                previous += largest
            }
            entries.append(Entry(gap: position - previous, isFiller: false))
            previous = position
        }
        return entries
    }

    /// The kept positions back from `entries`.
    public static func decode(_ entries: [Entry]) -> [Int] {
        var positions: [Int] = [], current = 0
        for entry in entries {
            current += entry.gap
            if !entry.isFiller { positions.append(current) }
        }
        return positions
    }
}
