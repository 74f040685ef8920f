import Foundation
import RelanceCore
import RelanceInsights
import RelanceRender

/// A cell of a report: typed, so that JSON gets numbers where text and CSV get formatted text.
enum ReportCell {
    case text(String)
    case int(Int)
    /// A ratio or a number of days, shown with `decimals` digits; `nil` shows as `-` (JSON `null`).
    case number(Double?, decimals: Int)
    /// An amount; JSON and CSV get it plain (`1234.56`), text grouped (`1,234.56`).
    case money(Money)

    var text: String {
        switch self {
        case .text(let s): return s
        case .int(let n): return String(n)
        case .number(let x, let d): return x.map { String(format: "%.\(d)f", $0) } ?? "-"
        case .money(let m): return m.amountText
        }
    }

    var csv: String {
        switch self {
        case .money(let m): return m.amountText.replacingOccurrences(of: ",", with: "")
        case .number(nil, _): return ""
        default: return text
        }
    }

    var json: Any {
        switch self {
        case .text(let s): return s
        case .int(let n): return n
        case .number(let x, let d):
            guard let x else { return NSNull() }
            return Decimal(string: String(format: "%.\(d)f", x)) ?? NSNull()
        case .money: return Decimal(string: csv) ?? NSNull()
        }
    }
}

/// Columns and rows of a report, written as a text table, CSV or JSON objects.
struct ReportTable {
    var columns: [String]
    var rows: [[ReportCell]]

    func text() -> String { PositionRenderer.table(columns, rows.map { $0.map(\.text) }) }

    func csv() -> String {
        ([columns.map(CSVWriters.field).joined(separator: ",")] + rows.map { $0.map { CSVWriters.field($0.csv) }.joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// One object per row, keyed by the column names.
    func objects() -> [[String: Any]] {
        rows.map { Dictionary(uniqueKeysWithValues: zip(columns, $0.map(\.json))) }
    }
}

/// Pretty-printed JSON with sorted keys, ending with a newline.
func jsonText(_ object: Any) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    return String(decoding: data, as: UTF8.self) + "\n"
}

extension ReportCell {
    /// Amounts of one currency as an amount (plain in CSV and JSON); of several, as text (`12.00 EUR + 3.00 USD`).
    static func amounts(_ a: Amounts, currency: String) -> ReportCell {
        let values = a.values
        if values.count > 1 { return .text(a.description) }
        return .money(values.first ?? .zero(currency))
    }
}

extension [CustomerHistory] {
    /// The currency most invoices are in (EUR when there are none): the one zero amounts are shown in.
    var mainCurrency: String {
        let counts = Dictionary(flatMap(\.invoices).map { ($0.amount.currency, 1) }, uniquingKeysWith: +)
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? "EUR"
    }
}
