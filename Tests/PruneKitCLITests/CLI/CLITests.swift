import XCTest
@testable import PruneKit
import PruneKitTestSupport

final class CLITests: XCTestCase {
    func testTopLevelHelpIsGolden() throws {
        let run = try CLIRun.run(["--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.output, """
            prune-cli: train, prune and evaluate convolutional networks (PruneKit).

            usage: prune-cli <command> [options]

            commands:
              train              Train a zoo model or a JSON-defined network on a dataset (checkpoints every epoch, resumable).
              prune              Prune a checkpoint with a method to a target, fine-tune, and report (physically smaller model).
              eval               Evaluate a checkpoint: top-1, loss, per-class accuracy and latency.
              methods            List the pruning methods, one line each (--detail NAME for a method's flags).
              sensitivity        Prune one group at a time over a range of ratios; write a CSV and an SVG plot.
              info               Show a checkpoint's or model's layers, params, FLOPs and channel groups (or, alone, check OpenBLAS).
              models             List the model zoo with parameters and FLOPs.
              data fetch         Download a dataset (mnist, fashion-mnist, cifar10, cifar100) with MD5 checks.
              data list          List the datasets PruneKit knows and where each is found locally.
              export             Write a checkpoint's model without optimizer state (for sharing, PyTorch or ONNX).
              import             Bring a network from ONNX or a PyTorch state_dict into a PruneKit checkpoint.
              edit               Remove residual blocks, factorise convolutions or prune conv columns of a checkpoint's network (graph edits).
              bench ops          Benchmark conv2d forward/backward against sgemm alone (release build).
              bench cpu          Print the CPU's fp32 peak GFLOP/s and how it was derived (CPUID table x measured clock x threads).
              bench              Benchmark a zoo model's training or inference throughput, or a checkpoint's latency vs dense.
              experiment         Batch experiments: run a plan's grid of models x methods x targets x seeds, resumably (see its --help).
              experiment plan    List the plan file's keys, or validate a plan and list its cells (exit 64 naming a bad key).
              experiment run     Run a plan's cells into DIR (skips finished cells, resumes an interrupted one), then report.
              experiment list    Print one runnable 'experiment run --cell ID' command per cell (for GNU parallel).
              experiment report  Write DIR's results.csv/.json/.md, timings.csv and plots from the finished cells.
              experiment slurm   Write (and with --submit, submit) Slurm job arrays for a plan: dense models, then cells, then the report.

            Run 'prune-cli <command> --help' for a command's options.

            """)
    }

    func testEvalHelpIsGolden() throws {
        let run = try CLIRun.run(["eval", "--help"])
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.output, """
            Evaluate a checkpoint: top-1, loss, per-class accuracy and latency.

            usage: prune-cli eval CKPT [--dataset NAME] [--data-dir DIR] [--batch-size N] [--test-flip on|off] [--threads N] [--json]

            options:
              --dataset <value>     mnist, fashion-mnist, cifar10 or cifar100.
              --data-dir <value>    Data folder (default: $PRUNEKIT_DATA, else ./data), or the dataset's own folder.
              --test-limit <value>  Use only the first N test images (quick runs).
              --batch-size <value>  Images per evaluation batch (default 256).
              --test-flip <value>   on or off: average the logits of each image and its mirror image (default off).
              --threads <value>     Worker threads (default: PRUNEKIT_THREADS or all cores).
              --json                Print the results as JSON on stdout.
              --help                Show this help.

            """)
    }

    func testEveryCommandHasHelp() throws {
        for command in ["train", "prune", "methods", "sensitivity", "eval", "info", "models", "data fetch", "data list", "export", "bench ops", "bench cpu", "bench train",
                        "experiment", "experiment plan", "experiment run", "experiment list", "experiment report",
                        "experiment slurm"] {
            let run = try CLIRun.run(command.split(separator: " ").map(String.init) + ["--help"])
            XCTAssertEqual(run.status, 0, command)
            XCTAssertTrue(run.output.contains("usage: prune-cli \(command.split(separator: " ")[0])"), "\(command) help: \(run.output)")
            // The last line is --help, whole, even for a command with no options (it was once cut to "--he").
            let last = run.output.split(separator: "\n").last.map(String.init) ?? ""
            XCTAssertTrue(last.hasPrefix("  --help ") && last.hasSuffix("Show this help."), "\(command) help ends with '\(last)'")
        }
    }

    func testUsageErrorsExit64NamingTheFlag() throws {
        let cases: [([String], String)] = [
            (["train", "--model", "lenet5", "--dataset", "mnist", "--out", "/tmp/x", "--bogus"], "'--bogus'"),
            (["train", "--model", "lenet5", "--dataset", "mnist", "--out", "/tmp/x", "--epochs", "ten"], "'--epochs'"),
            (["train", "--model", "lenet5", "--dataset", "imagenet", "--out", "/tmp/x"], "imagenet"),
            (["train", "--model", "resnet21", "--dataset", "cifar10", "--out", "/tmp/x"], "'--model'"),
            (["train", "--dataset", "mnist", "--out", "/tmp/x"], "'--model'"),
            (["train", "--model", "lenet5", "--dataset", "mnist", "--out", "/tmp/x", "--schedule", "weird"], "'--schedule'"),
            (["eval"], "checkpoint"),
            (["frobnicate"], "unknown command 'frobnicate'"),
        ]
        for (arguments, fragment) in cases {
            let run = try CLIRun.run(arguments)
            XCTAssertEqual(run.status, 64, "\(arguments): \(run.error)")
            XCTAssertTrue(run.error.contains(fragment), "\(arguments): stderr '\(run.error)' should mention \(fragment)")
            XCTAssertEqual(run.output, "", "usage errors print nothing on stdout")
        }
    }

    func testFailuresExit1NamingTheFile() throws {
        let run = try CLIRun.run(["eval", "/nonexistent/model.safetensors"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.error.contains("/nonexistent/model.safetensors"), run.error)
        let info = try CLIRun.run(["info", "--model", "resnet56", "--json"])
        XCTAssertEqual(info.status, 0)
        let decoded = try JSONSerialization.jsonObject(with: Data(info.output.utf8)) as? [String: Any]
        XCTAssertEqual(decoded?["parameters"] as? Int, 853_018)
    }

    /// Train 1 epoch, "interrupt", resume to 2 epochs: the result equals a straight 2-epoch run bit for bit.
    func testTrainResumeEqualsUninterruptedRun() throws {
        let root = try realDataRoot(containing: "mnist")
        let folder = NSTemporaryDirectory() + "cli-train-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let common = ["train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", root, "--train-limit", "512",
                      "--test-limit", "256", "--batch-size", "64", "--lr", "0.02", "--schedule", "constant", "--seed", "5", "--threads", "2"]
        let straight = try CLIRun.run(common + ["--epochs", "2", "--out", folder + "/straight", "--json"])
        XCTAssertEqual(straight.status, 0, straight.error)
        XCTAssertEqual(try CLIRun.run(common + ["--epochs", "1", "--out", folder + "/resumed"]).status, 0)
        let resumed = try CLIRun.run(common + ["--epochs", "2", "--out", folder + "/resumed", "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.error)
        XCTAssertTrue(resumed.error.contains("resuming from"), resumed.error)
        let a = try ModelCheckpoint.read(path: folder + "/straight/last.safetensors")
        let b = try ModelCheckpoint.read(path: folder + "/resumed/last.safetensors")
        XCTAssertEqual(a.trainingState?.completedEpochs, 2)
        for ((name, x), (_, y)) in zip(a.model.stateDictionary(), b.model.stateDictionary()) { XCTAssertEqual(x, y, name) }
        XCTAssertEqual(try String(contentsOfFile: folder + "/resumed/metrics.csv").split(separator: "\n").count, 3)
        let summary = try JSONSerialization.jsonObject(with: Data(straight.output.utf8)) as? [String: Any]
        XCTAssertGreaterThan(summary?["finalTestAccuracy"] as? Double ?? 0, 0.5, "LeNet-5 learns MNIST in 2 short epochs")
        let evaluation = try CLIRun.run(["eval", folder + "/straight/best.safetensors", "--data-dir", root, "--test-limit", "256", "--json"])
        XCTAssertEqual(evaluation.status, 0, evaluation.error)
        XCTAssertTrue(evaluation.output.contains("\"perClassAccuracy\""))
    }
}
