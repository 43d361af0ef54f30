import Foundation
import PruneKitCore

/// MD5 message digest (RFC 1321), used only to verify downloads against published checksums.
///
/// Not for security (MD5 is broken for that); it is what the MNIST and CIFAR pages publish. Streaming:
/// `update` any number of times, then `finalize()` once. Per 64-byte block, 64 steps of
/// `a = b + ((a + F(b, c, d) + K[i] + M[g]) <<< s[i])` over four rounds (F, G, H, I), words little-endian.
///
/// ```swift
/// MD5.hexDigest(of: [UInt8]())                              // "d41d8cd98f00b204e9800998ecf8427e"
/// var md5 = MD5(); md5.update([0x61, 0x62, 0x63]); md5.finalize()   // md5("abc")
/// ```
public struct MD5 {
    private var a0: UInt32 = 0x6745_2301
    private var b0: UInt32 = 0xEFCD_AB89
    private var c0: UInt32 = 0x98BA_DCFE
    private var d0: UInt32 = 0x1032_5476
    private var pending = [UInt8](repeating: 0, count: 64)
    private var pendingCount = 0
    private var totalBytes: UInt64 = 0

    /// A fresh digest state.
    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var cursor = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        totalBytes &+= UInt64(remaining)
        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            pending.withUnsafeMutableBytes { ($0.baseAddress! + pendingCount).copyMemory(from: cursor, byteCount: take) }
            pendingCount += take
            cursor += take
            remaining -= take
            guard pendingCount == 64 else { return }
            let block = pending
            block.withUnsafeBytes { compress($0.baseAddress!) }
            pendingCount = 0
        }
        while remaining >= 64 {
            compress(cursor)
            cursor += 64
            remaining -= 64
        }
        if remaining > 0 {
            pending.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: cursor, byteCount: remaining) }
            pendingCount = remaining
        }
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Pads (0x80, zeros, 64-bit little-endian bit length) and returns the 16-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalBytes &* 8
        let padCount = pendingCount < 56 ? 56 - pendingCount : 120 - pendingCount
        var tail = [UInt8](repeating: 0, count: padCount + 8)
        tail[0] = 0x80
        for byte in 0..<8 { tail[padCount + byte] = UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(byte))) }
        update(tail)
        return [a0, b0, c0, d0].flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }

    /// Lower-case hex of the digest of `bytes`.
    public static func hexDigest(of bytes: [UInt8]) -> String {
        var md5 = MD5()
        md5.update(bytes)
        return hex(md5.finalize())
    }

    /// Lower-case hex of the digest of the file at `path` (read in 1 MiB pieces). Throws `.fileError`.
    public static func hexDigest(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PruneKitError.fileError(path: path, message: "cannot open for reading")
        }
        defer { try? handle.close() }
        var md5 = MD5()
        do {
            while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
                piece.withUnsafeBytes { md5.update($0) }
            }
        } catch {
            throw PruneKitError.fileError(path: path, message: "read failed: \(error.localizedDescription)")
        }
        return hex(md5.finalize())
    }

    /// Lower-case hexadecimal rendering of bytes.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    // Legend: M the 16 message words of one block, K the sine constants, S the rotation amounts.
    private mutating func compress(_ block: UnsafeRawPointer) {
        var (a, b, c, d) = (a0, b0, c0, d0)
        MD5.constants.withUnsafeBufferPointer { constants in
            MD5.shifts.withUnsafeBufferPointer { shifts in
                for step in 0..<64 {
                    var mixed: UInt32
                    let word: Int
                    switch step >> 4 {
                    case 0: mixed = (b & c) | (~b & d); word = step
                    case 1: mixed = (d & b) | (~d & c); word = (5 &* step &+ 1) & 15
                    case 2: mixed = b ^ c ^ d; word = (3 &* step &+ 5) & 15
                    default: mixed = c ^ (b | ~d); word = (7 &* step) & 15
                    }
                    let message = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * word, as: UInt32.self))
                    mixed = mixed &+ a &+ constants[step] &+ message
                    a = d
                    d = c
                    c = b
                    let shift = shifts[step]
                    b = b &+ ((mixed << shift) | (mixed >> (32 - shift)))
                }
            }
        }
        a0 &+= a
        b0 &+= b
        c0 &+= c
        d0 &+= d
    }

    /// Rotation amounts: four per round, repeated four times within the round.
    private static let shifts: [UInt32] = (0..<64).map { step in
        [[7, 12, 17, 22], [5, 9, 14, 20], [4, 11, 16, 23], [6, 10, 15, 21]][step >> 4][step & 3]
    }

    /// K[i] = ⌊|sin(i + 1)| · 2^32⌋.
    private static let constants: [UInt32] = [
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
        0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
        0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
        0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
        0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
        0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
        0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
    ]
}
