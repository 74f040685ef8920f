import Foundation
import RelanceCore
import RelanceRender
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses SVG with Foundation's XMLParser and keeps what the tests look at: bars, whiskers and texts.
private final class SVGScan: NSObject, XMLParserDelegate {
    var bars: [(cls: String, width: Double)] = []
    var whiskers = 0
    var texts: [String] = []
    var root: String?
    private var inText = false
    private var current = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "rect", let cls = attributes["class"], cls.hasPrefix("bar") { bars.append((cls, Double(attributes["width"] ?? "") ?? -1)) }
        if name == "line", attributes["class"] == "p90" { whiskers += 1 }
        if name == "text" || name == "title" { inText = true; current = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(current); inText = false }
    }

    /// `nil` when the document is not well-formed XML.
    static func scan(_ svg: String) -> SVGScan? {
        let scan = SVGScan()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = scan
        return parser.parse() ? scan : nil
    }
}

@Suite struct ChartTests {
    @Test func aDwellChartHasOneBarPerRowAndAWhiskerForEachP90() throws {
        let chart = Charts.dwell(title: "Where invoices wait", rows: [
            ("Réception <Saint-Étienne> & co", 9, 37, true), ("Achats \"groupe\"", 5, 12, false), ("Mailroom", 2, nil, false),
        ])
        let svg = Charts.svg(chart)
        let scan = try #require(SVGScan.scan(svg), "not well-formed XML:\n\(svg)")
        #expect(scan.root == "svg")
        #expect(scan.bars.count == 3)
        #expect(scan.bars.map(\.cls) == ["bar hot", "bar", "bar"])
        // Widths follow the medians on one scale (the largest P90 spans the whole area).
        #expect(scan.bars[0].width > scan.bars[1].width && scan.bars[1].width > scan.bars[2].width && scan.bars[2].width > 0)
        #expect(abs(scan.bars[0].width / scan.bars[2].width - 9.0 / 2) < 0.05)
        #expect(scan.whiskers == 2 * 2)
        // Text comes back unescaped, exactly as given.
        #expect(scan.texts.contains("Réception <Saint-Étienne> & co"))
        #expect(scan.texts.contains("Achats \"groupe\""))
        #expect(scan.texts.contains("9 d (P90 37)"))
        #expect(!svg.contains("<Saint"))
    }

    @Test func anAgeingChartShowsTheFiveBucketsWithTheirAmounts() throws {
        let amounts = [500_000, 300_000, 50_000, 80_000, 60_000].map { Money(minorUnits: Int64($0), currency: "EUR") }
        let svg = Charts.svg(Charts.ageing(title: "Receivables by age", labels: ["not due", "1-30", "31-60", "61-90", "over 90"], amounts: amounts))
        let scan = try #require(SVGScan.scan(svg))
        #expect(scan.bars.count == 5)
        #expect(scan.bars.filter { $0.cls == "bar hot" }.count == 2)
        #expect(scan.texts.contains("5,000.00 EUR") && scan.texts.contains("600.00 EUR"))
        #expect(abs(scan.bars[0].width / scan.bars[1].width - 5.0 / 3) < 0.01)
    }

    @Test func anInvoicingChartHighlightsTheSitesBeyondTheTarget() throws {
        let svg = Charts.svg(Charts.invoicingDelay(title: "Delay", targetDays: 2, rows: [("Angers", 13, 23), ("Cholet", 3, 6), ("Reims", 2, 4)]))
        let scan = try #require(SVGScan.scan(svg))
        #expect(scan.bars.map(\.cls) == ["bar hot", "bar hot", "bar"])
        #expect(scan.whiskers == 6)
    }

    @Test func controlCharactersAndEmptyChartsStayValid() throws {
        let svg = Charts.svg(BarChart(title: "a\u{1}b'c", subtitle: "x\ty", bars: []))
        let scan = try #require(SVGScan.scan(svg))
        #expect(scan.bars.isEmpty)
        #expect(scan.texts.contains("ab'c"))
        #expect(scan.texts.contains("nothing to show"))
        #expect(Charts.escape("<&>\"'") == "&lt;&amp;&gt;&quot;&apos;")
    }
}
