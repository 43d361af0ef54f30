import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document parsed with Foundation's XMLParser: every element in document order with its attributes and
/// text, or the parser's error when the document is not well-formed XML.
final class PlotSVGInspector: NSObject, XMLParserDelegate {
    /// One element.
    struct Element {
        let name: String, attributes: [String: String]
        var text = ""

        /// A numeric attribute, or nil.
        func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []

    init(_ svg: String) {
        let parser = XMLParser(data: Data(svg.utf8))
        super.init()
        parser.delegate = self
        if !parser.parse() { parseFailure = parser.parserError ?? NSError(domain: "XMLParser", code: -1) }
    }

    /// Set when parsing failed.
    private(set) var parseFailure: Error?

    /// Elements named `name`.
    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// Text elements' contents in order.
    var texts: [String] { all("text").map(\.text) }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: elementName, attributes: attributes))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }
}
