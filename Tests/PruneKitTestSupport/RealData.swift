import Foundation
import XCTest

/// The data folder for real-data tests: PRUNEKIT_DATA, else ./data; skip when neither exists, but when
/// PRUNEKIT_DATA is set and lacks the dataset, fail (CI sets it).
package func realDataRoot(containing dataset: String) throws -> String {
    let environment = ProcessInfo.processInfo.environment["PRUNEKIT_DATA"]
    let root = environment ?? "./data"
    let folder = root + "/" + dataset
    if FileManager.default.fileExists(atPath: folder) { return root }
    if environment != nil { XCTFail("PRUNEKIT_DATA=\(root) has no \(dataset) folder"); return root }
    throw XCTSkip("no data found: set PRUNEKIT_DATA to a folder with \(dataset)/")
}
