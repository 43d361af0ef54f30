import Foundation
import PruneKit

/// `prune-cli info`: the build's numeric environment and a self-check of sgemm and ssyevd.
struct InfoCommand: Command {
    static let name = "info"
    static let abstract = "Show the numeric environment and check OpenBLAS sgemm and LAPACK ssyevd."
    static let usage = "info"
    static let options: [OptionSpec] = []

    init(_ arguments: Arguments) throws { try arguments.requirePositionals(0, "no arguments") }

    func run() throws {
        print(environmentLine())
        let check = try NumericSelfCheck.run()
        print(String(format: "sgemm 64x48x33 vs reference: max |difference| %.2e", check.gemmError))
        print(String(format: "ssyevd 32x32: max |A v - lambda v| %.2e", check.eigenResidual))
        guard check.passed else { throw PruneKitError.libraryFailure(library: "OpenBLAS", message: "self-check failed") }
    }
}
