import Foundation
import RelanceCore

/// Reads events from CSV or JSON Lines (one JSON object per line), with the same fields (`docs/formats.md`).
public enum EventFileReader {
    public static let required = ["invoice", "state", "at"]
    public static let optional = ["time_zone", "department", "contact", "source", "raw_code", "reason", "action", "note",
                                  "amount", "currency", "date"]

    /// Reads a `.csv` or `.jsonl` file, chosen by its extension.
    public static func read(contentsOf url: URL) throws(ImportError) -> [EventRecord] {
        let text = try readText(url)
        let name = url.lastPathComponent
        return url.pathExtension.lowercased() == "jsonl" || url.pathExtension.lowercased() == "ndjson"
            ? try readJSONLines(text: text, file: name) : try readCSV(text: text, file: name)
    }

    public static func readCSV(text: String, file: String) throws(ImportError) -> [EventRecord] {
        let table = try CSVTable(text: text, file: file)
        let problems = table.checkHeader(required: required, optional: optional)
        guard problems.isEmpty else { throw ImportError(problems) }
        var rows: [(Int, [String: String])] = []
        for r in table.records {
            guard r.fields.count == table.header.count else {
                throw ImportError([Diagnostic(file: file, line: r.line, message: "\(r.fields.count) fields where the header has \(table.header.count)")])
            }
            var row: [String: String] = [:]
            for (h, v) in zip(table.header, r.fields) where !v.isEmpty { row[h] = v }
            rows.append((r.line, row))
        }
        return try build(rows, file: file)
    }

    public static func readJSONLines(text: String, file: String) throws(ImportError) -> [EventRecord] {
        var rows: [(Int, [String: String])] = []
        var problems: [Diagnostic] = []
        for (i, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) as? [String: Any] else {
                problems.append(Diagnostic(file: file, line: i + 1, message: "not a JSON object"))
                continue
            }
            var row: [String: String] = [:]
            for (k, v) in object {
                let key = CSVTable.normalise(k)
                guard required.contains(key) || optional.contains(key) else {
                    problems.append(Diagnostic(file: file, line: i + 1, field: k, message: "unknown field '\(k)'"))
                    continue
                }
                switch v {
                case let s as String: if !s.isEmpty { row[key] = s }
                case let n as NSNumber: row[key] = n.stringValue
                case is NSNull: break
                default: problems.append(Diagnostic(file: file, line: i + 1, field: k, message: "expected text or a number"))
                }
            }
            rows.append((i + 1, row))
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return try build(rows, file: file)
    }

    static func build(_ rows: [(Int, [String: String])], file: String) throws(ImportError) -> [EventRecord] {
        var problems: [Diagnostic] = []
        var result: [EventRecord] = []
        for (line, row) in rows {
            func bad(_ field: String, _ message: String) { problems.append(Diagnostic(file: file, line: line, field: field, message: message)) }
            guard let invoice = row["invoice"] else { bad("invoice", "the invoice number is empty"); continue }
            let stateText = row["state"] ?? ""
            var state: CanonicalState?
            if stateText.lowercased() != "note" {
                guard let s = CanonicalState(rawValue: stateText.lowercased()) else {
                    bad("state", "'\(stateText)' is not a canonical state (docs/states.md), nor 'note'"); continue
                }
                state = s
            }
            let zoneName = row["time_zone"] ?? "Europe/Paris"
            guard let zone = TimeZone(identifier: zoneName) else { bad("time_zone", "unknown time zone '\(zoneName)'"); continue }
            guard let atText = row["at"] else { bad("at", "the time is empty"); continue }
            guard let (at, parsedZone) = Instants.parse(atText, zone: zone) else {
                bad("at", "'\(atText)' is not a date-time (ISO 8601 such as 2026-11-12T09:30:00+01:00, or 2026-11-12 09:30) between \(Instants.years.lowerBound) and \(Instants.years.upperBound)")
                continue
            }
            // An explicit offset fixes the instant; the named zone, when given, is how to show it.
            let given = row["time_zone"] ?? parsedZone
            var source = EventSource.erp
            if let s = row["source"] {
                guard let parsed = EventSource(rawValue: s.lowercased()) else {
                    bad("source", "'\(s)' is not one of: \(EventSource.allCases.map(\.rawValue).joined(separator: ", "))"); continue
                }
                source = parsed
            }
            var amount: Money?
            if let a = row["amount"] {
                let currency = (row["currency"] ?? "EUR").uppercased()
                guard let m = Money(parsing: a, currency: currency) else { bad("amount", "'\(a)' is not an amount"); continue }
                amount = m
            }
            var date: CivilDate?
            if let d = row["date"] {
                guard let parsed = Instants.day(d) else { bad("date", "'\(d)' is not a date YYYY-MM-DD"); continue }
                date = parsed
            }
            if state == .promised && date == nil { bad("date", "a promise to pay needs the promised date") }
            if state == nil && row["note"] == nil { bad("note", "a note (state 'note') needs its text") }
            result.append(EventRecord(
                event: InvoiceEvent(invoice: invoice, state: state, at: at, timeZone: given, department: row["department"],
                                    contact: row["contact"], source: source, rawCode: row["raw_code"], reason: row["reason"],
                                    action: row["action"], note: row["note"], amount: amount, date: date),
                file: file, line: line))
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return result
    }
}
