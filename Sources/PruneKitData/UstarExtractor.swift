import Foundation
import PruneKitCore

/// Streaming reader for tar archives (POSIX ustar, with GNU long names and pax `path` records) that writes
/// selected regular files under a destination folder.
///
/// A tar file is a sequence of 512-byte header blocks, each followed by the member's data padded to a
/// multiple of 512, and ends with two zero blocks. Header fields used: name [0, 100), size [124, 136) octal
/// (or GNU base-256), checksum [148, 156) = sum of the header bytes with the checksum field read as spaces,
/// type [156], prefix [345, 500) when magic [257, 263) is "ustar". Each file is written to `name.part` and
/// renamed when complete. Names that are absolute or contain `..` are refused.
///
/// ```swift
/// let tar = UstarExtractor(archivePath: "c.tar.gz", destination: root) { $0.hasSuffix(".bin") }
/// try tar.consume(decompressedPiece)   // any chunking
/// try tar.finish()                     // tar.extractedFiles == ["cifar-10-batches-bin/data_batch_1.bin", ...]
/// ```
public final class UstarExtractor {
    /// Archive path, for error messages.
    public let archivePath: String
    /// Folder the members are written under.
    public let destination: String
    /// Relative paths of the files written so far, in archive order.
    public private(set) var extractedFiles: [String] = []
    private let shouldExtract: (String) -> Bool
    private var header: [UInt8] = []
    private var dataRemaining = 0
    private var paddingRemaining = 0
    private var member = MemberSink.skip
    private var overrideName: String?
    private var zeroBlocks = 0
    private var archiveOffset = 0

    /// What happens to the data of the current member.
    private enum MemberSink {
        case skip
        case file(handle: FileHandle, relativePath: String)
        case longName([UInt8])
        case paxRecords([UInt8])
    }

    /// An extractor writing the members for which `shouldExtract(relativePath)` is true.
    public init(archivePath: String, destination: String, shouldExtract: @escaping (String) -> Bool) {
        self.archivePath = archivePath
        self.destination = destination
        self.shouldExtract = shouldExtract
    }

    /// Processes the next piece of the (decompressed) archive.
    public func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var position = 0
        while position < bytes.count {
            let available = bytes.count - position
            if dataRemaining > 0 {
                let take = min(dataRemaining, available)
                try writeMemberData(UnsafeRawBufferPointer(rebasing: bytes[position..<position + take]))
                dataRemaining -= take
                position += take
                archiveOffset += take
                if dataRemaining == 0 { try endMember() }
            } else if paddingRemaining > 0 {
                let take = min(paddingRemaining, available)
                paddingRemaining -= take
                position += take
                archiveOffset += take
            } else if zeroBlocks >= 2 {
                archiveOffset += available
                return   // after the end marker only record padding follows
            } else {
                let take = min(512 - header.count, available)
                header.append(contentsOf: bytes[position..<position + take])
                position += take
                archiveOffset += take
                if header.count == 512 { try parseHeader() }
            }
        }
    }

    /// Throws when the archive stopped inside a header or a member's data.
    public func finish() throws {
        guard dataRemaining == 0 && header.isEmpty else {
            throw PruneKitError.malformedFile(path: archivePath, expected: "a complete tar archive",
                                              found: "the archive ends inside a member after \(archiveOffset) bytes")
        }
    }

    private func parseHeader() throws {
        let block = header
        header.removeAll(keepingCapacity: true)
        if block.allSatisfy({ $0 == 0 }) { zeroBlocks += 1; return }
        zeroBlocks = 0
        let stored = Int(octal(block[148..<156]))
        let computed = block.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 32 : Int($1.element)) }
        guard stored == computed else {
            throw PruneKitError.malformedFile(path: archivePath, expected: "tar header checksum \(computed)",
                                              found: "\(stored) in the header ending at byte \(archiveOffset)")
        }
        let size = Int(fieldSize(block[124..<136]))
        dataRemaining = size
        paddingRemaining = (512 - size % 512) % 512
        try beginMember(type: block[156], name: overrideName ?? headerName(block))
        if size == 0 { try endMember() }
    }

    private func beginMember(type: UInt8, name: String) throws {
        switch type {
        case UInt8(ascii: "L"): member = .longName([])
        case UInt8(ascii: "x"): member = .paxRecords([])
        case UInt8(ascii: "0"), 0:
            overrideName = nil
            member = shouldExtract(name) ? try openOutput(relativePath: name) : .skip
        default:
            overrideName = nil
            member = .skip
        }
    }

    private func writeMemberData(_ bytes: UnsafeRawBufferPointer) throws {
        switch member {
        case .skip: break
        case let .file(handle, relativePath):
            do { try handle.write(contentsOf: Data(bytes)) } catch {
                throw PruneKitError.fileError(path: partPath(relativePath), message: "write failed: \(error.localizedDescription)")
            }
        case var .longName(collected):
            collected.append(contentsOf: bytes)
            member = .longName(collected)
        case var .paxRecords(collected):
            collected.append(contentsOf: bytes)
            member = .paxRecords(collected)
        }
    }

    private func endMember() throws {
        switch member {
        case .skip: break
        case let .file(handle, relativePath):
            try? handle.close()
            let finalPath = DataFile.joined(destination, relativePath)
            try? FileManager.default.removeItem(atPath: finalPath)
            do { try FileManager.default.moveItem(atPath: partPath(relativePath), toPath: finalPath) } catch {
                throw PruneKitError.fileError(path: finalPath, message: "cannot rename from .part: \(error.localizedDescription)")
            }
            extractedFiles.append(relativePath)
        case let .longName(collected):
            overrideName = String(decoding: collected.prefix { $0 != 0 }, as: UTF8.self)
        case let .paxRecords(collected):
            overrideName = UstarExtractor.paxPath(collected) ?? overrideName
        }
        member = .skip
    }

    private func openOutput(relativePath: String) throws -> MemberSink {
        let components = relativePath.split(separator: "/")
        guard !relativePath.hasPrefix("/"), !components.contains(".."), !components.isEmpty else {
            throw PruneKitError.malformedFile(path: archivePath, expected: "relative member names",
                                              found: "unsafe member name '\(relativePath)'")
        }
        let part = partPath(relativePath)
        let folder = (part as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PruneKitError.fileError(path: folder, message: "cannot create folder: \(error.localizedDescription)")
        }
        guard FileManager.default.createFile(atPath: part, contents: nil),
              let handle = FileHandle(forWritingAtPath: part) else {
            throw PruneKitError.fileError(path: part, message: "cannot create file")
        }
        return .file(handle: handle, relativePath: relativePath)
    }

    private func partPath(_ relativePath: String) -> String { DataFile.joined(destination, relativePath) + ".part" }

    private func headerName(_ block: [UInt8]) -> String {
        let name = String(decoding: block[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        guard block[257..<262].elementsEqual("ustar".utf8) else { return name }
        let prefix = String(decoding: block[345..<500].prefix { $0 != 0 }, as: UTF8.self)
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// Octal digits, ignoring leading spaces and stopping at NUL or space.
    private func octal(_ field: ArraySlice<UInt8>) -> UInt64 {
        field.drop { $0 == 32 }.prefix { $0 >= 48 && $0 <= 55 }.reduce(0) { $0 << 3 | UInt64($1 - 48) }
    }

    /// Size field: octal, or big-endian base-256 when the top bit of the first byte is set (GNU, > 8 GB).
    private func fieldSize(_ field: ArraySlice<UInt8>) -> UInt64 {
        guard let first = field.first, first & 0x80 != 0 else { return octal(field) }
        return field.dropFirst().reduce(UInt64(first & 0x7F)) { $0 << 8 | UInt64($1) }
    }

    /// The `path` value of pax extended-header records `"<length> path=<value>\n"`.
    static func paxPath(_ records: [UInt8]) -> String? {
        let text = String(decoding: records, as: UTF8.self)
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            if record.hasPrefix("path=") { return String(record.dropFirst(5)) }
        }
        return nil
    }
}
