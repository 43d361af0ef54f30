import Foundation
import PruneKitCore

/// Downloads a dataset from its official URLs (or a mirror) into a data root and verifies every file's MD5.
///
/// Per file: download into `NAME.part` (resuming a part file left by an interrupted run with an HTTP Range
/// request when the server allows it, else starting over), compute the MD5, then rename to `NAME`. A file
/// under its final name is therefore always complete and verified. On an MD5 mismatch the part file is
/// deleted and `.malformedFile(path: NAME, expected: "MD5 …", found: "MD5 …")` is thrown. A file already in
/// place with the right MD5 is not downloaded again. CIFAR archives are then unpacked (`UstarExtractor`
/// over `GzipInflater`, members to `.part` then renamed), each `.bin` size-checked, and the archive deleted.
///
/// ```swift
/// let fetcher = DatasetFetcher(baseURL: nil) { event in FileHandle.standardError.write(Data("\(event)\n".utf8)) }
/// let located = try fetcher.fetch(.mnist, into: DataDirectory.resolve(explicit: nil).path)   // root/mnist
/// ```
public struct DatasetFetcher {
    /// Mirror replacing scheme, host and port of every canonical URL (path kept); nil for the official hosts.
    public var baseURL: String?
    /// Seconds without data before a request fails.
    public var timeout: TimeInterval
    /// Receives progress and status events (on the calling thread or the download queue).
    public var onEvent: (FetchEvent) -> Void

    /// A fetcher; `onEvent` defaults to ignoring events.
    public init(baseURL: String? = nil, timeout: TimeInterval = 60, onEvent: @escaping (FetchEvent) -> Void = { _ in }) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.onEvent = onEvent
    }

    /// Downloads (if needed) and verifies `kind` under `root/<distribution.folderName>`; returns that folder.
    @discardableResult
    public func fetch(_ kind: DatasetKind, into root: String) throws -> LocatedDataset {
        let distribution = kind.distribution
        let folder = DataFile.joined(root, distribution.folderName)
        guard distribution.isArchive else {
            try createFolder(folder)
            for file in distribution.files { _ = try fetchFile(file, into: folder) }
            return LocatedDataset(kind: kind, folder: folder)
        }
        if extractionIsComplete(distribution, folder: folder) {
            onEvent(.alreadyPresent(file: folder))
            return LocatedDataset(kind: kind, folder: folder)
        }
        try createFolder(root)
        let archive = try fetchFile(distribution.files[0], into: root)
        try extract(archive: archive, distribution: distribution, root: root)
        try? FileManager.default.removeItem(atPath: archive)
        return LocatedDataset(kind: kind, folder: folder)
    }

    /// Downloads one file into `folder` through `NAME.part`, verifies its MD5 and renames it; returns the path.
    public func fetchFile(_ file: RemoteFile, into folder: String) throws -> String {
        let finalPath = DataFile.joined(folder, file.name)
        let partPath = finalPath + ".part"
        if FileManager.default.fileExists(atPath: finalPath), (try? MD5.hexDigest(ofFileAt: finalPath)) == file.md5 {
            onEvent(.alreadyPresent(file: finalPath))
            return finalPath
        }
        let url = try file.url(baseURL: baseURL)
        let name = file.name
        let resumedFrom = try HTTPDownloader.download(from: url, to: partPath, timeout: timeout) { [onEvent] received, total in
            onEvent(.downloading(file: name, receivedBytes: received, totalBytes: total))
        }
        if resumedFrom > 0 { onEvent(.resumed(file: name, fromByte: resumedFrom)) }
        let found = try MD5.hexDigest(ofFileAt: partPath)
        guard found == file.md5 else {
            try? FileManager.default.removeItem(atPath: partPath)
            throw PruneKitError.malformedFile(path: finalPath, expected: "MD5 \(file.md5)",
                                              found: "MD5 \(found) for the download from \(url.absoluteString); the partial file was deleted")
        }
        onEvent(.verified(file: name, md5: found))
        guard rename(partPath, finalPath) == 0 else {
            throw PruneKitError.fileError(path: finalPath, message: "cannot rename \(partPath): \(String(cString: strerror(errno)))")
        }
        return finalPath
    }

    /// Unpacks the dataset members of a `.tar.gz` into `root` and checks their sizes.
    private func extract(archive: String, distribution: DatasetDistribution, root: String) throws {
        onEvent(.extracting(archive: archive))
        let prefix = distribution.folderName + "/"
        let extractor = UstarExtractor(archivePath: archive, destination: root) { name in
            name.hasPrefix(prefix) && (name.hasSuffix(".bin") || name.hasSuffix(".txt"))
        }
        let inflater = try GzipInflater(path: archive)
        guard let handle = FileHandle(forReadingAtPath: archive) else {
            throw PruneKitError.fileError(path: archive, message: "cannot open for reading")
        }
        defer { try? handle.close() }
        do {
            while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
                try piece.withUnsafeBytes { bytes in try inflater.consume(bytes) { try extractor.consume($0) } }
            }
        } catch let error as PruneKitError {
            throw error
        } catch {
            throw PruneKitError.fileError(path: archive, message: "read failed: \(error.localizedDescription)")
        }
        try inflater.finish()
        try extractor.finish()
        extractor.extractedFiles.forEach { onEvent(.extracted(file: DataFile.joined(root, $0))) }
        for (name, size) in zip(distribution.extractedFiles, distribution.extractedSizes) {
            let path = DataFile.joined(DataFile.joined(root, distribution.folderName), name)
            let found = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
            guard found == size else {
                throw PruneKitError.malformedFile(path: archive, expected: "member \(prefix)\(name) of \(size) bytes",
                                                  found: found.map { "\($0) bytes" } ?? "no such member")
            }
        }
    }

    private func extractionIsComplete(_ distribution: DatasetDistribution, folder: String) -> Bool {
        zip(distribution.extractedFiles, distribution.extractedSizes).allSatisfy { name, size in
            let path = DataFile.joined(folder, name)
            return (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value == size
        }
    }

    private func createFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw PruneKitError.fileError(path: path, message: "cannot create folder: \(error.localizedDescription)")
        }
    }
}
