import Foundation

/// Text and number formatting for SVG output: XML escaping and fixed-point coordinates, both independent of
/// the locale, so the same chart always gives the same bytes.
///
/// ```swift
/// SVGText.escape("a < b & \"c\"")   // a &lt; b &amp; &quot;c&quot;
/// SVGText.number(12.345)            // 12.35 (two decimals at most, no trailing zeros, never "-0")
/// ```
enum SVGText {
    /// `text` with `& < > " '` replaced by entities and characters that XML 1.0 forbids (C0 controls other than
    /// tab, line feed and carriage return) replaced by U+FFFD, so it is safe in element content and attributes.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `value` rounded to hundredths, without trailing zeros (`12.5`, `3`, `-0.25`); zero is always `0`.
    /// Non-finite values become `0` so that a malformed point cannot break the document.
    static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "0" }
        let hundredths = Int64((value * 100).rounded())
        if hundredths == 0 { return "0" }
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = hundredths.magnitude
        let whole = magnitude / 100, fraction = magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        let digits = fraction % 10 == 0 ? "\(fraction / 10)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return "\(sign)\(whole).\(digits)"
    }

    /// `<name a="1" b="2"/>`, or `<name …>content</name>` with `content` escaped; attributes in the given
    /// order, values escaped.
    static func element(_ name: String, _ attributes: KeyValuePairs<String, String>, content: String? = nil) -> String {
        let list = attributes.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
        return content.map { "<\(name)\(list)>\(escape($0))</\(name)>" } ?? "<\(name)\(list)/>"
    }

    /// A rough width in pixels of `text` in a sans-serif face of `fontSize` (0.6 em per character, wider than the
    /// average of common faces), used only to reserve room for labels.
    static func estimatedWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.count) * fontSize * 0.6
    }
}
