import XCTest
@testable import PruneKitCore
@testable import PruneKitNetworks
@testable import PruneKitData
@testable import PruneKitTraining
import PruneKitTestSupport

final class MetricsLogTests: XCTestCase {
    func testCSVAndJSONLines() throws {
        let records = [EpochRecord(epoch: 0, learningRate: 0.1, trainLoss: 2.5, trainAccuracy: 0.25, testLoss: nil, testAccuracy: nil,
                                   seconds: 1.5, imagesPerSecond: 100),
                       EpochRecord(epoch: 1, learningRate: 0.05, trainLoss: 1.25, trainAccuracy: 0.5, testLoss: 1.5, testAccuracy: 0.375,
                                   seconds: 2, imagesPerSecond: 75)]
        XCTAssertEqual(MetricsLog.csv(records), """
            epoch,learning_rate,train_loss,train_accuracy,test_loss,test_accuracy,seconds,images_per_second
            0,0.1,2.5,0.25,,,1.500,100.0
            1,0.05,1.25,0.5,1.5,0.375,2.000,75.0

            """)
        let lines = try MetricsLog.jsonLines(records).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(try JSONDecoder().decode(EpochRecord.self, from: Data(lines[1].utf8)), records[1])
        let folder = NSTemporaryDirectory() + "metrics-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try MetricsLog.write(records, to: folder)
        try MetricsLog.write(records, to: folder)  // rewriting never duplicates rows
        XCTAssertEqual(try String(contentsOfFile: folder + "/metrics.csv").split(separator: "\n").count, 3)
        assertThrowsPruneKitError(["/nonexistent-folder/metrics.csv"]) { try MetricsLog.write(records, to: "/nonexistent-folder") }
    }
}
