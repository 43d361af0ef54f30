import Foundation
import PruneKit

/// `prune-cli import FILE --out CKPT`: a network from elsewhere as a PruneKit checkpoint (graph spec + weights) that
/// `eval`, `prune` and `export` accept. FILE ending in `.onnx`: the ONNX model's graph and weights (`ONNXImport`; input
/// shape and classes from the graph). Otherwise FILE is a plain PyTorch state_dict in safetensors, loaded into
/// `--model NAME` (zoo) or `--model-spec FILE` at the input shape and classes of `--dataset NAME` or of
/// `--input-shape C,H,W --classes K` (`StateDictionaryImport`: every name and shape checked, all mismatches in one error).
struct ImportCommand: Command {
    static let name = "import"
    static let abstract = "Bring a network from ONNX or a PyTorch state_dict into a PruneKit checkpoint."
    static let usage = "import FILE.onnx --out CKPT\n       prune-cli import STATE_DICT.safetensors (--model NAME | --model-spec FILE) "
        + "(--dataset NAME | --input-shape C,H,W --classes K) --out CKPT"
    static let options = [OptionSpec("out", "Destination checkpoint (safetensors, written atomically)."),
                          OptionSpec("model", "With a state_dict: the zoo architecture it belongs to (see 'prune-cli models')."),
                          OptionSpec("model-spec", "With a state_dict: the architecture as a JSON spec or graph file."),
                          OptionSpec("dataset", "With a state_dict: fixes the input shape and classes (mnist, fashion-mnist, cifar10, cifar100)."),
                          OptionSpec("input-shape", "With a state_dict: the input shape C,H,W (instead of --dataset)."),
                          OptionSpec("classes", "With a state_dict: the class count (with --input-shape).")]
    /// Where the architecture of a state_dict comes from.
    enum Architecture { case zoo(String), specFile(String) }
    let source: String, destination: String
    /// nil for an ONNX file.
    let architecture: Architecture?
    /// Input shape and classes for a state_dict.
    let shape: (input: [Int], classes: Int)?

    init(_ arguments: Arguments) throws {
        try arguments.requirePositionals(1, "one .onnx or .safetensors file")
        guard let out = arguments.string("out") else { throw PruneKitError.usage("option '--out' is required") }
        (source, destination) = (arguments.positionals[0], out)
        if source.lowercased().hasSuffix(".onnx") {
            try arguments.reject(["model", "model-spec", "dataset", "input-shape", "classes"],
                                 because: "applies to a PyTorch state_dict only (an ONNX file states its architecture)")
            (architecture, shape) = (nil, nil)
            return
        }
        switch (arguments.string("model"), arguments.string("model-spec")) {
        case let (name?, nil): architecture = .zoo(name)
        case let (nil, path?): architecture = .specFile(path)
        default: throw PruneKitError.usage("a state_dict needs exactly one of '--model' and '--model-spec'")
        }
        shape = try Self.shape(arguments)
    }

    /// The input shape and classes from `--dataset` or `--input-shape` + `--classes`.
    private static func shape(_ arguments: Arguments) throws -> (input: [Int], classes: Int) {
        if let dataset = arguments.string("dataset") {
            try arguments.reject(["input-shape", "classes"], because: "conflicts with '--dataset'")
            let kind = try DatasetKind(name: dataset)
            return (kind.imageShape, kind.classCount)
        }
        guard let text = arguments.string("input-shape"), arguments.string("classes") != nil else {
            throw PruneKitError.usage("a state_dict needs '--dataset NAME' or '--input-shape C,H,W --classes K'")
        }
        let input = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard input.count == 3, input.allSatisfy({ (1...65_536).contains($0) }) else {
            throw PruneKitError.usage("option '--input-shape': expected C,H,W (three positive integers), found '\(text)'")
        }
        return (input, try arguments.integer("classes", default: 0, in: 1...1_000_000))
    }

    func run() throws {
        let model = try architecture == nil ? importONNX() : importStateDictionary()
        try ModelCheckpoint(model: model, metadata: ["imported_from": (source as NSString).lastPathComponent]).write(to: destination)
        let graph = model.graph
        print("\(destination): imported \(source): \(graph.nodes.count) nodes (\(graph.parameterisedNodeNames.count) with weights), "
              + "input \(model.spec.inputShape), \(model.spec.classCount) classes, \(model.parameterCount) parameters, "
              + "\(try model.cost().flops) FLOPs per image")
    }

    private func importONNX() throws -> Model {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: source)) } catch {
            throw PruneKitError.fileError(path: source, message: "cannot read: \(error.localizedDescription)")
        }
        let onnx = try ONNXModel(decoding: [UInt8](data), source: source)
        let name = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        return try ONNXImport(onnx, source: source).model(name: name)
    }

    private func importStateDictionary() throws -> Model {
        var spec: ModelSpec
        switch architecture! {
        case let .zoo(name): spec = try ModelZoo.spec(named: name)
        case let .specFile(path): spec = try TrainCommand.specFile(path)
        }
        if spec.family == .graph {
            guard spec.inputShape == shape!.input, spec.classCount == shape!.classes else {
                throw PruneKitError.usage("option '--model-spec': the graph takes \(spec.inputShape) inputs in \(spec.classCount) classes, "
                                          + "not \(shape!.input) in \(shape!.classes)")
            }
        }
        (spec.inputShape, spec.classCount) = (shape!.input, shape!.classes)
        return try StateDictionaryImport(file: try SafeTensors.read(path: source)).model(spec: spec)
    }
}
