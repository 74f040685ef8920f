import Foundation
import RelanceCore
import RelanceRender

/// The pictures the pages draw: the cash-in chart (hand-written SVG) and the organisation with its open invoices
/// (DOT laid out by Graphviz).
enum Pictures {
    /// Bars of expected receipts by week with the 80% band as a whisker; amounts in major units.
    static func cashInChart(_ weeks: [CashWeek], language: Language, currency: String) -> String {
        let width = 760.0, height = 260.0, left = 70.0, bottom = 40.0, top = 16.0
        guard !weeks.isEmpty else {
            return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"40\" role=\"img\"><text x=\"4\" y=\"24\">—</text></svg>"
        }
        let top80 = max(weeks.map(\.high).max() ?? 1, 1)
        let plotH = height - bottom - top, plotW = width - left - 10
        let slot = plotW / Double(weeks.count), barW = slot * 0.6
        func y(_ v: Double) -> Double { top + plotH * (1 - v / top80) }
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(html(language.text("overview_forecast")))\">"]
        out.append("<line x1=\"\(left)\" y1=\"\(y(0))\" x2=\"\(width - 10)\" y2=\"\(y(0))\" stroke=\"#888\"/>")
        for frac in [0.5, 1.0] {
            let v = top80 * frac
            out.append("<line x1=\"\(left)\" y1=\"\(fmt(y(v)))\" x2=\"\(width - 10)\" y2=\"\(fmt(y(v)))\" stroke=\"#e3e3e3\"/>")
            out.append("<text x=\"\(left - 6)\" y=\"\(fmt(y(v) + 4))\" text-anchor=\"end\" font-size=\"11\">\(html(Format.number(v, language: language)))</text>")
        }
        for (i, w) in weeks.enumerated() {
            let x = left + Double(i) * slot + (slot - barW) / 2, cx = x + barW / 2
            let title = "\(w.weekOf): \(Format.number(w.expected, language: language)) \(currency) (\(Format.number(w.low, language: language))–\(Format.number(w.high, language: language)))"
            out.append("<g><title>\(html(title))</title>")
            out.append("<rect class=\"bar\" x=\"\(fmt(x))\" y=\"\(fmt(y(w.expected)))\" width=\"\(fmt(barW))\" height=\"\(fmt(y(0) - y(w.expected)))\" fill=\"#3b6fb6\"/>")
            out.append("<line class=\"band\" x1=\"\(fmt(cx))\" y1=\"\(fmt(y(w.low)))\" x2=\"\(fmt(cx))\" y2=\"\(fmt(y(w.high)))\" stroke=\"#d9822b\" stroke-width=\"2\"/>")
            for v in [w.low, w.high] {
                out.append("<line x1=\"\(fmt(cx - 5))\" y1=\"\(fmt(y(v)))\" x2=\"\(fmt(cx + 5))\" y2=\"\(fmt(y(v)))\" stroke=\"#d9822b\" stroke-width=\"2\"/>")
            }
            out.append("</g>")
            out.append("<text x=\"\(fmt(cx))\" y=\"\(fmt(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"10\">\(html(String(w.weekOf.dropFirst(5))))</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// The organisation with each open invoice hung on the department where it most probably is, coloured by risk.
    /// More than four invoices at one department are drawn as one node.
    static func organisationDOT(_ graph: OrgGraph, invoices: [InvoiceSummary]) -> String {
        var dot = OrgDiagramRenderer.dot(graph)
        guard let end = dot.lastIndex(of: "}") else { return dot }
        var extra: [String] = []
        let byDepartment = Dictionary(grouping: invoices.filter { $0.department != nil }, by: { $0.department ?? "" })
        let order = ["blocked": 3, "high": 2, "medium": 1, "low": 0]
        for (dept, list) in byDepartment.sorted(by: { $0.key < $1.key }) {
            let sorted = list.sorted { $0.id < $1.id }
            if sorted.count > 4 {
                let worst = sorted.max { (order[$0.risk] ?? 0) < (order[$1.risk] ?? 0) }?.risk ?? "medium"
                let total = sorted.reduce(Int64(0)) { $0 + $1.open.minor }
                let currency = sorted.first?.open.currency ?? "EUR"
                let node = "invs:\(dept)"
                extra.append("  \(quote(node)) [label=\(quote("\(sorted.count) invoices\n\(AmountValue(minor: total, currency: currency).text) \(currency)")), shape=note, style=filled, fillcolor=\(quote(color(worst))), URL=\(quote("#dept-\(dept)"))];")
                extra.append("  \(quote(dept)) -> \(quote(node)) [style=dotted, arrowhead=none, color=\"#777777\"];")
            } else {
                for inv in sorted {
                    let node = "inv:\(inv.id)"
                    extra.append("  \(quote(node)) [label=\(quote("\(inv.id)\n\(inv.open.text) \(inv.open.currency)")), shape=note, style=filled, fillcolor=\(quote(color(inv.risk))), URL=\(quote("/invoices/\(inv.id)")), tooltip=\(quote("\(inv.id): \(inv.risk)"))];")
                    extra.append("  \(quote(dept)) -> \(quote(node)) [style=dotted, arrowhead=none, color=\"#777777\"];")
                }
            }
        }
        dot.insert(contentsOf: extra.joined(separator: "\n") + "\n", at: end)
        return dot
    }

    static func color(_ risk: String) -> String {
        switch risk {
        case "low": return "#cdebc5"
        case "medium": return "#ffe9a8"
        case "high": return "#f7b7a3"
        default: return "#e06666"
        }
    }

    /// The SVG element of Graphviz's output (without the XML prolog and doctype), ready to inline.
    static func inlineSVG(_ svg: String) -> String {
        guard let start = svg.range(of: "<svg") else { return svg }
        return String(svg[start.lowerBound...])
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n") + "\""
    }

    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// HTML escaping for the few fragments built outside templates.
func html(_ s: String) -> String {
    var out = ""
    for c in s {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(c)
        }
    }
    return out
}

/// Numbers and amounts as each language writes them.
enum Format {
    /// `12,345` (en) or `12 345` (fr), rounded to units.
    static func number(_ v: Double, language: Language) -> String {
        let whole = Int64(v.rounded())
        return group(String(whole.magnitude), language: language, negative: whole < 0)
    }

    /// `12,345.67 EUR` or `12 345,67 EUR`.
    static func amount(_ a: AmountValue, language: Language) -> String {
        let parts = a.text.split(separator: ".", maxSplits: 1)
        let negative = a.text.hasPrefix("-")
        let whole = group(String((parts.first ?? "0").drop { $0 == "-" }), language: language, negative: negative)
        let frac = parts.count > 1 ? (language == .fr ? "," : ".") + parts[1] : ""
        return whole + frac + (language == .fr ? "\u{202F}" : " ") + a.currency
    }

    static func percent(_ p: Double, language: Language) -> String {
        "\(Int((p * 100).rounded()))" + (language == .fr ? "\u{202F}%" : "%")
    }

    private static func group(_ digits: String, language: Language, negative: Bool) -> String {
        var grouped = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { grouped.append(language == .fr ? "\u{202F}" : ",") }
            grouped.append(c)
        }
        return (negative ? "-" : "") + String(grouped.reversed())
    }
}
