import Foundation
import PruneKitCore

/// SHA-256 message digest (FIPS 180-4 §6.2), used to record which file a checkpoint derives from
/// (`pruned_from.sha256`). Foundation on Linux has no hash API (CryptoKit is Apple-only and swift-crypto
/// would be a package dependency), so the 64-round compression is written out here.
///
/// Per 64-byte block: the schedule `W[t] = σ1(W[t−2]) + W[t−7] + σ0(W[t−15]) + W[t−16]` for t ≥ 16, then
/// 64 rounds of `T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t]`, `T2 = Σ0(a) + Maj(a, b, c)`; words big-endian.
/// Streaming: `update` any number of times, then `finalize()` once.
///
/// ```swift
/// SHA256.hexDigest(of: Array("abc".utf8))   // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// try SHA256.hexDigest(ofFileAt: "Models/lenet5-mnist.safetensors")
/// ```
public struct SHA256 {
    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var pending: [UInt8] = []
    private var totalBytes: UInt64 = 0

    /// A fresh digest state.
    public init() { pending.reserveCapacity(64) }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        totalBytes &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending += UnsafeRawBufferPointer(start: base, count: take)
            offset = take
            guard pending.count == 64 else { return }
            let block = pending
            block.withUnsafeBytes { compress($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= 64 {
            compress(base + offset)
            offset += 64
        }
        if offset < bytes.count { pending += UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset) }
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Pads (0x80, zeros, 64-bit big-endian bit length) and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        let padCount = pending.count < 56 ? 56 - pending.count : 120 - pending.count
        var tail = [UInt8](repeating: 0, count: padCount + 8)
        tail[0] = 0x80
        for byte in 0..<8 { tail[padCount + byte] = UInt8(truncatingIfNeeded: bitLength >> (56 - 8 * UInt64(byte))) }
        update(tail)
        return state.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * UInt32($0))) } }
    }

    /// Lower-case hex of the digest of `bytes`.
    public static func hexDigest(of bytes: [UInt8]) -> String {
        var sha = SHA256()
        sha.update(bytes)
        return hex(sha.finalize())
    }

    /// Lower-case hex of the digest of the file at `path` (memory-mapped). Throws `.fileError` naming `path`.
    public static func hexDigest(ofFileAt path: String) throws -> String {
        try MappedFile.withBytes(path: path) { bytes in
            var sha = SHA256()
            sha.update(bytes)
            return hex(sha.finalize())
        }
    }

    /// Lower-case hexadecimal rendering of bytes.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    // Legend: W the 64-word message schedule of one block, K the round constants, a...h the working variables.
    private mutating func compress(_ block: UnsafeRawPointer) {
        var schedule = [UInt32](repeating: 0, count: 64)   // [64]
        for t in 0..<16 { schedule[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self)) }
        for t in 16..<64 {
            let (w15, w2) = (schedule[t - 15], schedule[t - 2])
            let sigma0 = rotate(w15, 7) ^ rotate(w15, 18) ^ (w15 >> 3)
            let sigma1 = rotate(w2, 17) ^ rotate(w2, 19) ^ (w2 >> 10)
            schedule[t] = sigma1 &+ schedule[t - 7] &+ sigma0 &+ schedule[t - 16]
        }
        var (a, b, c, d, e, f, g, h) = (state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7])
        for t in 0..<64 {
            let choice = (e & f) ^ (~e & g)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t1 = h &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ choice &+ SHA256.constants[t] &+ schedule[t]
            let t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ majority
            (h, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
        }
        for (index, value) in [a, b, c, d, e, f, g, h].enumerated() { state[index] &+= value }
    }

    @inline(__always)
    private func rotate(_ word: UInt32, _ count: UInt32) -> UInt32 { (word >> count) | (word << (32 - count)) }

    /// K[t]: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    private static let constants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}
