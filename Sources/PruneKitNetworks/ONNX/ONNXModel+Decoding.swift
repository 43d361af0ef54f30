import PruneKitCore

/// Decoding `.onnx` bytes (`ProtobufReader`) into `ONNXModel`: only the fields an import needs; other fields are
/// skipped, wrong wire types and malformed bytes throw `malformedFile` with the byte offset.
///
/// ModelProto: ir_version 1, producer_name 2, graph 7, opset_import 8 (OperatorSetIdProto domain 1, version 2).
/// GraphProto: node 1, name 2, initializer 5, input 11, output 12. NodeProto: input 1, output 2, name 3, op_type 4,
/// attribute 5, domain 7. AttributeProto: name 1, f 2, i 3, s 4, t 5, ints 8, type 20.
///
/// ```swift
/// let model = try ONNXModel(decoding: Array(try Data(contentsOf: url)), source: url.path)
/// model.graph.nodes.map(\.operatorType)     // ["Conv", "BatchNormalization", "Relu", ...]
/// ```
extension ONNXModel {
    /// The model encoded in `bytes`; `source` names them in errors. The default-domain ("" or "ai.onnx") operator
    /// set's version becomes `operatorSetVersion` (0 when the file imports none); a node of another domain throws.
    public init(decoding bytes: [UInt8], source: String) throws {
        var reader = ProtobufReader(bytes, source: source)
        var graph: ONNXGraph?
        var (irVersion, producer, operatorSet) = (0, "", 0)
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            switch field {
            case 1: try reader.require(type, .varint, field: "ModelProto.ir_version"); irVersion = try reader.integer()
            case 2: try reader.require(type, .lengthDelimited, field: "ModelProto.producer_name"); producer = try reader.string()
            case 7:
                try reader.require(type, .lengthDelimited, field: "ModelProto.graph")
                var inner = try reader.message()
                graph = try ONNXGraph(decoding: &inner)
            case 8:
                try reader.require(type, .lengthDelimited, field: "ModelProto.opset_import")
                var inner = try reader.message()
                if let version = try Self.defaultDomainVersion(&inner) { operatorSet = version }
            default: try reader.skip(type)
            }
        }
        guard let graph else { throw reader.error("a ModelProto with a graph (field 7)", found: "none") }
        self.init(graph: graph)
        (self.irVersion, producerName, operatorSetVersion) = (irVersion, producer, operatorSet)
    }

    /// An OperatorSetIdProto's version when its domain is the default one, else nil.
    private static func defaultDomainVersion(_ reader: inout ProtobufReader) throws -> Int? {
        var (domain, version) = ("", 0)
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            switch (field, type) {
            case (1, .lengthDelimited): domain = try reader.string()
            case (2, .varint): version = try reader.integer()
            default: try reader.skip(type)
            }
        }
        return domain.isEmpty || domain == "ai.onnx" ? version : nil
    }
}

extension ONNXGraph {
    /// A GraphProto's nodes, initializers, inputs and outputs.
    init(decoding reader: inout ProtobufReader) throws {
        self.init(name: "", nodes: [], initializers: [], inputs: [], outputs: [])
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            guard [1, 2, 5, 11, 12].contains(field) else { try reader.skip(type); continue }
            try reader.require(type, .lengthDelimited, field: "GraphProto field \(field)")
            if field == 2 { name = try reader.string(); continue }
            var inner = try reader.message()
            switch field {
            case 1: nodes.append(try ONNXNode(decoding: &inner))
            case 5: initializers.append(try ONNXTensor(decoding: &inner))
            case 11: inputs.append(try ONNXValueInfo(decoding: &inner))
            default: outputs.append(try ONNXValueInfo(decoding: &inner))
            }
        }
    }
}

extension ONNXNode {
    /// A NodeProto; throws for an operator outside the default domain.
    init(decoding reader: inout ProtobufReader) throws {
        self.init(name: "", operatorType: "", inputs: [], outputs: [])
        let start = reader.position
        var domain = ""
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            guard [1, 2, 3, 4, 5, 7].contains(field) else { try reader.skip(type); continue }
            try reader.require(type, .lengthDelimited, field: "NodeProto field \(field)")
            switch field {
            case 1: inputs.append(try reader.string())
            case 2: outputs.append(try reader.string())
            case 3: name = try reader.string()
            case 4: operatorType = try reader.string()
            case 5:
                var inner = try reader.message()
                attributes.append(try ONNXAttribute(decoding: &inner))
            default: domain = try reader.string()
            }
        }
        guard domain.isEmpty || domain == "ai.onnx" else {
            throw reader.error("operators of the default domain", found: "node '\(name)' (\(operatorType)) of domain '\(domain)'", at: start)
        }
    }
}

extension ONNXAttribute {
    /// An AttributeProto of type FLOAT, INT, STRING, TENSOR or INTS; other types throw naming the attribute.
    init(decoding reader: inout ProtobufReader) throws {
        let start = reader.position
        var name = "", kind = 0, float: Float = 0, integer = 0, text = "", integers: [Int] = [], tensor: ONNXTensor?
        while !reader.isAtEnd {
            let (field, type) = try reader.key()
            switch field {
            case 1: try reader.require(type, .lengthDelimited, field: "AttributeProto.name"); name = try reader.string()
            case 2: try reader.require(type, .fixed32, field: "AttributeProto.f"); float = try reader.float()
            case 3: try reader.require(type, .varint, field: "AttributeProto.i"); integer = try reader.integer()
            case 4: try reader.require(type, .lengthDelimited, field: "AttributeProto.s"); text = try reader.string()
            case 5:
                try reader.require(type, .lengthDelimited, field: "AttributeProto.t")
                var inner = try reader.message()
                tensor = try ONNXTensor(decoding: &inner)
            case 8: try reader.appendIntegers(type, to: &integers, field: "AttributeProto.ints")
            case 20: try reader.require(type, .varint, field: "AttributeProto.type"); kind = try reader.integer()
            default: try reader.skip(type)
            }
        }
        switch kind {
        case 1: self.init(name, .float(float))
        case 2: self.init(name, .integer(integer))
        case 3: self.init(name, .string(text))
        case 4:
            guard let tensor else { throw reader.error("attribute '\(name)' of type TENSOR with a tensor (field 5)", found: "none", at: start) }
            self.init(name, .tensor(tensor))
        case 7: self.init(name, .integers(integers))
        default:
            throw reader.error("attribute '\(name)' of type FLOAT (1), INT (2), STRING (3), TENSOR (4) or INTS (7)", found: "type \(kind)", at: start)
        }
    }
}
