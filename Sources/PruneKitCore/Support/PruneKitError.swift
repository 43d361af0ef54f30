/// Every error PruneKit throws on a user-reachable path.
///
/// Each case names where the problem is (an op, a file, a parameter), what was expected and what was found,
/// so that a message reads on its own: `conv2d: input has 3 channels, weight expects 4 ([2, 3, 8, 8] vs [5, 4, 3, 3])`.
public enum PruneKitError: Error, CustomStringConvertible, Equatable {
    /// An op received tensors whose shapes do not fit together.
    case shapeMismatch(operation: String, expected: String, found: String)
    /// An argument is outside its valid range (a negative stride, an empty batch, ...).
    case invalidArgument(operation: String, message: String)
    /// A file could not be read or written.
    case fileError(path: String, message: String)
    /// A file exists but its content is not what the format requires.
    case malformedFile(path: String, expected: String, found: String)
    /// A native library (OpenBLAS, LAPACK, zlib) reported a failure.
    case libraryFailure(library: String, message: String)
    /// A configuration value is outside what its parameter accepts. `name` is the library's name for the
    /// parameter (`maximumGroupRatio`, a method option such as `sfp-interval`); a front end maps it to its own
    /// vocabulary (prune-cli names the flag that set it and exits with 64).
    case invalidParameter(name: String, expected: String, found: String)
    /// A command-line flag or value is wrong (exit code 64); thrown only by front ends such as prune-cli.
    case usage(String)
    /// Memory for `purpose` (a tensor or model named by it) could not be had: `bytes` is the request (a number,
    /// or a product when it overflows `Int`), `reason` the system's ("Cannot allocate memory").
    case allocationFailed(purpose: String, bytes: String, reason: String)

    /// The one-line message: where the problem is, then what was expected and found, e.g.
    /// `conv2d: shape mismatch: expected ..., found ...` (a `usage` error is its message alone).
    public var description: String {
        switch self {
        case let .shapeMismatch(operation, expected, found):
            return "\(operation): shape mismatch: expected \(expected), found \(found)"
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        case let .fileError(path, message):
            return "\(path): \(message)"
        case let .malformedFile(path, expected, found):
            return "\(path): malformed file: expected \(expected), found \(found)"
        case let .libraryFailure(library, message):
            return "\(library): \(message)"
        case let .invalidParameter(name, expected, found):
            return "parameter '\(name)': expected \(expected), found \(found)"
        case let .usage(message):
            return message
        case let .allocationFailed(purpose, bytes, reason):
            return "\(purpose): cannot allocate \(bytes) bytes: \(reason)"
        }
    }
}
