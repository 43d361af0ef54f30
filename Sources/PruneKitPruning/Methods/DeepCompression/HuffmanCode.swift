import PruneKitCore
import PruneKitNetworks
import PruneKitData
import PruneKitTraining

/// A canonical Huffman code over symbols 0..<alphabet (Huffman 1952), as Deep Compression uses for the cluster
/// indices and the relative sparse indices (Han et al., ICLR 2016, section 4). Code lengths come from the
/// frequencies (two least frequent subtrees merged first, ties by lowest symbol), codes are canonical (sorted by
/// length, then symbol), so the lengths alone describe the code.
///
/// ```swift
/// let code = HuffmanCode(frequencies: [45, 13, 12, 16, 9, 5])
/// let bits = code.encode([0, 3, 5])            // [false, true, true, true, ...]
/// code.decode(bits, count: 3)                  // [0, 3, 5]
/// ```
public struct HuffmanCode: Equatable {
    /// Code length of each symbol in bits; 0 for symbols that never occur.
    public let lengths: [Int]
    /// Canonical code of each symbol, right-aligned in `lengths[symbol]` bits.
    public let codes: [UInt64]

    /// The code for `frequencies[symbol]` (a single occurring symbol gets a 1-bit code).
    public init(frequencies: [Int]) {
        var lengths = [Int](repeating: 0, count: frequencies.count)
        // Subtrees as (weight, smallest symbol, symbols); merge the two lightest until one remains.
        var trees = frequencies.indices.filter { frequencies[$0] > 0 }.map { (weight: frequencies[$0], first: $0, symbols: [$0]) }
        if trees.count == 1 { lengths[trees[0].first] = 1 }
        while trees.count > 1 {
            trees.sort { ($0.weight, $0.first) < ($1.weight, $1.first) }
            let (a, b) = (trees.removeFirst(), trees.removeFirst())
            for symbol in a.symbols + b.symbols { lengths[symbol] += 1 }
            trees.append((a.weight + b.weight, min(a.first, b.first), a.symbols + b.symbols))
        }
        self.lengths = lengths
        var codes = [UInt64](repeating: 0, count: frequencies.count), next: UInt64 = 0, previousLength = 0
        for symbol in lengths.indices.filter({ lengths[$0] > 0 }).sorted(by: { (lengths[$0], $0) < (lengths[$1], $1) }) {
            next <<= UInt64(lengths[symbol] - previousLength)
            codes[symbol] = next
            next += 1
            previousLength = lengths[symbol]
        }
        self.codes = codes
    }

    /// The code for the symbol frequencies of `symbols` over 0..<alphabet.
    public init(symbols: [Int], alphabet: Int) {
        var frequencies = [Int](repeating: 0, count: alphabet)
        for symbol in symbols { frequencies[symbol] += 1 }
        self.init(frequencies: frequencies)
    }

    /// sum_s frequency(s) * length(s): the encoded size in bits.
    public func encodedBitCount(frequencies: [Int]) -> Int {
        zip(frequencies, lengths).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The bits of `symbols`, most significant bit of each code first.
    public func encode(_ symbols: [Int]) -> [Bool] {
        symbols.flatMap { symbol in (0..<lengths[symbol]).reversed().map { (codes[symbol] >> UInt64($0)) & 1 == 1 } }
    }

    /// The first `count` symbols of `bits`.
    public func decode(_ bits: [Bool], count: Int) -> [Int] {
        var table: [Int: [UInt64: Int]] = [:]
        for symbol in lengths.indices where lengths[symbol] > 0 { table[lengths[symbol], default: [:]][codes[symbol]] = symbol }
        var result: [Int] = [], code: UInt64 = 0, length = 0
        for bit in bits where result.count < count {
            code = code << 1 | (bit ? 1 : 0)
            length += 1
            if let symbol = table[length]?[code] {
                result.append(symbol)
                (code, length) = (0, 0)
            }
        }
        return result
    }
}
