import Foundation

/// One bar of a chart: a value, and optionally a second mark further right (a P90 beside a median).
public struct ChartBar: Hashable, Sendable {
    public var label: String
    public var value: Double
    /// What is written after the bar (`12 d`, `45,000.00 EUR`).
    public var valueText: String
    /// A second value drawn as a thin line from the bar's end (a 90th percentile), when given.
    public var whisker: Double?
    /// Drawn in the warning colour.
    public var highlighted: Bool

    public init(label: String, value: Double, valueText: String, whisker: Double? = nil, highlighted: Bool = false) {
        self.label = label
        self.value = value
        self.valueText = valueText
        self.whisker = whisker
        self.highlighted = highlighted
    }
}

/// A horizontal bar chart: one labelled bar per row, largest scale at the right.
public struct BarChart: Hashable, Sendable {
    public var title: String
    /// A line under the title: what the bars and the whiskers mean.
    public var subtitle: String
    public var bars: [ChartBar]

    public init(title: String, subtitle: String, bars: [ChartBar]) {
        self.title = title
        self.subtitle = subtitle
        self.bars = bars
    }
}

/// Hand-written SVG charts (no dependency, no Graphviz): readable at a glance, valid XML, text escaped.
public enum Charts {
    static let width = 760, labelWidth = 240, barArea = 380, rowHeight = 26, top = 64

    /// The chart as an SVG document. Each bar is a `<rect class="bar">`, each whisker a `<line class="p90">`.
    public static func svg(_ chart: BarChart) -> String {
        let height = top + max(chart.bars.count, 1) * rowHeight + 30
        let scale = chart.bars.map { max($0.value, $0.whisker ?? 0) }.max() ?? 0
        let x = { (v: Double) -> Double in scale > 0 ? Double(barArea) * max(v, 0) / scale : 0 }
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
            font-family="Helvetica, Arial, sans-serif" font-size="13">
            <title>\(escape(chart.title))</title>
            <style>.bar{fill:#4a7fb5}.bar.hot{fill:#d2572d}.p90{stroke:#333;stroke-width:2}.label{fill:#222}.value{fill:#444}.axis{stroke:#bbb}</style>
            <rect x="0" y="0" width="\(width)" height="\(height)" fill="#fff"/>
            <text x="16" y="26" font-size="17" font-weight="bold">\(escape(chart.title))</text>
            <text x="16" y="46" fill="#555">\(escape(chart.subtitle))</text>
            <line class="axis" x1="\(labelWidth)" y1="\(top - 6)" x2="\(labelWidth)" y2="\(height - 24)"/>

            """
        if chart.bars.isEmpty {
            out += "<text x=\"\(labelWidth + 8)\" y=\"\(top + 16)\" fill=\"#555\">nothing to show</text>\n"
        }
        for (i, b) in chart.bars.enumerated() {
            let y = top + i * rowHeight
            let w = x(b.value)
            out += "<g>\n"
            out += "<text class=\"label\" x=\"\(labelWidth - 8)\" y=\"\(y + 15)\" text-anchor=\"end\">\(escape(clip(b.label, 34)))</text>\n"
            out += "<rect class=\"bar\(b.highlighted ? " hot" : "")\" x=\"\(labelWidth)\" y=\"\(y + 3)\" width=\"\(fmt(w))\" height=\"\(rowHeight - 8)\"/>\n"
            var textX = Double(labelWidth) + w + 6
            if let p = b.whisker, p > b.value {
                let end = Double(labelWidth) + x(p)
                out += "<line class=\"p90\" x1=\"\(fmt(Double(labelWidth) + w))\" y1=\"\(y + 12)\" x2=\"\(fmt(end))\" y2=\"\(y + 12)\"/>\n"
                out += "<line class=\"p90\" x1=\"\(fmt(end))\" y1=\"\(y + 6)\" x2=\"\(fmt(end))\" y2=\"\(y + 18)\"/>\n"
                textX = end + 6
            }
            out += "<text class=\"value\" x=\"\(fmt(textX))\" y=\"\(y + 15)\">\(escape(b.valueText))</text>\n"
            out += "</g>\n"
        }
        return out + "</svg>\n"
    }

    /// Escapes the five XML special characters, and drops the control characters XML 1.0 forbids.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += " "
            default: if c.value >= 0x20 && !(0xFFFE...0xFFFF).contains(c.value) { out.unicodeScalars.append(c) }
            }
        }
        return out
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}
