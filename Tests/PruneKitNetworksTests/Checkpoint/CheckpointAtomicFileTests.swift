import Foundation
@testable import PruneKitCore
@testable import PruneKitNetworks
import PruneKitTestSupport
import XCTest

/// `AtomicFile` replaces whole files or nothing, and never leaves its temporary file behind on failure.
final class CheckpointAtomicFileTests: XCTestCase {
    private typealias Support = CheckpointTestSupport
    private var directory = ""
    private let oldBytes = Data("old content that must survive".utf8)
    private let newBytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })

    override func setUpWithError() throws { directory = try Support.makeScratchDirectory() }

    override func tearDownWithError() throws {
        chmod(directory, 0o755)
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func contents(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    private func assertFileError(naming path: String, file: StaticString = #filePath, line: UInt = #line,
                                 _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case let .fileError(errorPath, message)? = error as? PruneKitError else {
                return XCTFail("expected fileError, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(errorPath, path, file: file, line: line)
            XCTAssertTrue(message.hasPrefix("atomic write: "), message, file: file, line: line)
        }
    }

    func testWriteCreatesFileWithExactContent() throws {
        let path = directory + "/new.bin"
        try AtomicFile.write(newBytes, to: path)
        XCTAssertEqual(try contents(path), newBytes)
        try AtomicFile.write(Data(), to: directory + "/empty.bin")
        XCTAssertEqual(try contents(directory + "/empty.bin"), Data())
        XCTAssertEqual(try Support.contents(of: directory), ["empty.bin", "new.bin"])
    }

    func testWriteReplacesExistingFileAndLeavesNoTemporaryFiles() throws {
        let path = directory + "/model.safetensors"
        try oldBytes.write(to: URL(fileURLWithPath: path))
        try AtomicFile.write(newBytes, to: path)
        XCTAssertEqual(try contents(path), newBytes)
        try AtomicFile.write(oldBytes, to: path)
        XCTAssertEqual(try contents(path), oldBytes)
        XCTAssertEqual(try Support.contents(of: directory), ["model.safetensors"])
    }

    func testWriteIntoMissingDirectoryThrowsNamingPath() throws {
        let path = directory + "/missing/model.safetensors"
        assertFileError(naming: path) { try AtomicFile.write(newBytes, to: path) }
        XCTAssertEqual(try Support.contents(of: directory), [])
    }

    /// Renaming a file over a directory fails (EISDIR) after the temporary file is complete: the
    /// directory and its content stay, and the temporary file is removed.
    func testFailedRenameKeepsTargetAndRemovesTemporaryFile() throws {
        let target = directory + "/occupied"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try oldBytes.write(to: URL(fileURLWithPath: target + "/inner"))
        assertFileError(naming: target) { try AtomicFile.write(newBytes, to: target) }
        XCTAssertEqual(try Support.contents(of: directory), ["occupied"])
        XCTAssertEqual(try contents(target + "/inner"), oldBytes)
    }

    /// Simulates a crash at the last moment: the temporary file is complete and synced, the final name
    /// still holds the old bytes; after the failure only the old file remains.
    func testFailureJustBeforeRenameKeepsOldFileAndRemovesTemporaryFile() throws {
        struct SimulatedCrash: Error {}
        let path = directory + "/model.safetensors"
        try oldBytes.write(to: URL(fileURLWithPath: path))
        var observedTemporaryPath = ""
        XCTAssertThrowsError(try AtomicFile.write(newBytes, to: path) { temporaryPath in
            observedTemporaryPath = temporaryPath
            XCTAssertEqual(try self.contents(temporaryPath), self.newBytes)
            XCTAssertEqual(try self.contents(path), self.oldBytes)
            throw SimulatedCrash()
        }) { XCTAssertTrue($0 is SimulatedCrash) }
        XCTAssertTrue(observedTemporaryPath.hasPrefix(directory + "/.model.safetensors.tmp-\(getpid())-"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: observedTemporaryPath))
        XCTAssertEqual(try contents(path), oldBytes)
        XCTAssertEqual(try Support.contents(of: directory), ["model.safetensors"])
    }

    /// Root ignores directory permissions, so this runs only as an ordinary user.
    func testWriteIntoReadOnlyDirectoryKeepsOldFile() throws {
        try XCTSkipIf(geteuid() == 0, "root bypasses permission checks")
        let path = directory + "/model.safetensors"
        try oldBytes.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(chmod(directory, 0o555), 0)
        assertFileError(naming: path) { try AtomicFile.write(newBytes, to: path) }
        XCTAssertEqual(try contents(path), oldBytes)
        XCTAssertEqual(try Support.contents(of: directory), ["model.safetensors"])
    }

    func testExistingPermissionsAreKept() throws {
        let path = directory + "/script.sh"
        try oldBytes.write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(chmod(path, 0o640), 0)
        try AtomicFile.write(newBytes, to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o640)
    }

    /// Leftovers of dead processes go; those of live processes, this one, and unrelated files stay.
    func testRemoveStaleTemporaryFilesDeletesOnlyDeadWritersFiles() throws {
        let path = directory + "/model.safetensors"
        let hex = "0123456789abcdef"
        let names = [
            ".model.safetensors.tmp-999999999-\(hex)",  // above Linux's pid_max: no such process
            ".model.safetensors.tmp-1-\(hex)",          // init is always alive
            ".model.safetensors.tmp-\(getpid())-\(hex)",
            ".model.safetensors.tmp-999999999-short",
            ".other.safetensors.tmp-999999999-\(hex)",
            "model.safetensors",
        ]
        for name in names { try oldBytes.write(to: URL(fileURLWithPath: directory + "/" + name)) }
        XCTAssertEqual(AtomicFile.removeStaleTemporaryFiles(for: path), [directory + "/" + names[0]])
        XCTAssertEqual(try Support.contents(of: directory), names.dropFirst().sorted())
        XCTAssertEqual(AtomicFile.removeStaleTemporaryFiles(for: directory + "/missing/x"), [])
    }

    func testTemporaryPathsAreHiddenUniqueAndBesideTheTarget() {
        let first = AtomicFile.temporaryPath(for: "/runs/a/model.safetensors")
        let second = AtomicFile.temporaryPath(for: "/runs/a/model.safetensors")
        XCTAssertNotEqual(first, second)
        XCTAssertTrue(first.hasPrefix("/runs/a/.model.safetensors.tmp-\(getpid())-"), first)
        XCTAssertEqual(first.count, "/runs/a/.model.safetensors.tmp-\(getpid())-".count + 16)
        XCTAssertTrue(AtomicFile.temporaryPath(for: "bare.bin").hasPrefix(".bare.bin.tmp-"))
        XCTAssertTrue(AtomicFile.temporaryPath(for: "/root.bin").hasPrefix("/.root.bin.tmp-"))
    }
}
