import Foundation
import XCTest

/// A Python HTTP server on 127.0.0.1 serving a folder, for fetcher tests; stopped by `stop()` or deinit.
///
/// `rangeRequests: false` runs `python3 -m http.server` (which ignores `Range` and answers 200);
/// `true` runs a small handler that answers `Range: bytes=n-` with 206 and `Content-Range`.
final class LocalHTTPServer {
    let port: Int
    private let process: Process

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private static let rangeServer = """
    import functools, http.server, os, re, sys
    class RangeHandler(http.server.SimpleHTTPRequestHandler):
        def send_head(self):
            path = self.translate_path(self.path)
            match = re.fullmatch(r'bytes=(\\d+)-', self.headers.get('Range') or '')
            if match is None or not os.path.isfile(path):
                return super().send_head()
            size, start = os.path.getsize(path), int(match.group(1))
            if start >= size:
                self.send_error(416)
                return None
            f = open(path, 'rb')
            f.seek(start)
            self.send_response(206)
            self.send_header('Content-Type', 'application/octet-stream')
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (start, size - 1, size))
            self.send_header('Content-Length', str(size - start))
            self.end_headers()
            return f
    handler = functools.partial(RangeHandler, directory=sys.argv[1])
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    print('Serving HTTP on 127.0.0.1 port %d' % server.server_address[1], flush=True)
    server.serve_forever()
    """

    /// Starts the server and waits (≤ 15 s) for the port it prints; skips the test if python3 is missing.
    init(directory: String, rangeRequests: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = rangeRequests
            ? ["python3", "-u", "-c", LocalHTTPServer.rangeServer, directory]
            : ["python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw XCTSkip("cannot start python3: \(error)") }
        self.process = process
        guard let port = LocalHTTPServer.readPort(from: output.fileHandleForReading) else {
            process.terminate()
            process.waitUntilExit()
            throw XCTSkip("python3 http.server did not report a port")
        }
        self.port = port
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Reads stdout until a line `... port N ...` appears (on a helper thread so a silent server times out).
    private static func readPort(from handle: FileHandle) -> Int? {
        final class Box: @unchecked Sendable { var port: Int? }
        let box = Box()
        let found = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var text = ""
            while box.port == nil {
                let data = handle.availableData
                if data.isEmpty { break }
                text += String(decoding: data, as: UTF8.self)
                if let range = text.range(of: #"port (\d+)"#, options: .regularExpression) {
                    box.port = Int(text[range].dropFirst(5))
                }
            }
            found.signal()
        }
        guard found.wait(timeout: .now() + 15) == .success else { return nil }
        return box.port
    }
}
