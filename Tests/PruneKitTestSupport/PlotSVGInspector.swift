import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document parsed with Foundation's XMLParser: every element in document order with its attributes and
/// text, or the parser's error when the document is not well-formed XML.
package final class PlotSVGInspector: NSObject, XMLParserDelegate {
    /// One element.
    package struct Element {
        package let name: String, attributes: [String: String]
        package var text = ""

        /// A numeric attribute, or nil.
        package func number(_ key: String) -> Double? { attributes[key].flatMap(Double.init) }
    }

    package private(set) var elements: [Element] = []
    private var open: [Int] = []

    package init(_ svg: String) {
        let parser = XMLParser(data: Data(svg.utf8))
        super.init()
        parser.delegate = self
        if !parser.parse() { parseFailure = parser.parserError ?? NSError(domain: "XMLParser", code: -1) }
    }

    /// Set when parsing failed.
    package private(set) var parseFailure: Error?

    /// Elements named `name`.
    package func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    /// Text elements' contents in order.
    package var texts: [String] { all("text").map(\.text) }

    package func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        open.append(elements.count)
        elements.append(Element(name: elementName, attributes: attributes))
    }

    package func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
    }

    package func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last { elements[index].text += string }
    }
}
