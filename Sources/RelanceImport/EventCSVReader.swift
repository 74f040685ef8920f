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
        return isJSONLines(url) ? try readJSONLines(text: text, file: name) : try readCSV(text: text, file: name)
    }

    /// Whether a file holds JSON Lines (`.jsonl`, `.ndjson`) rather than CSV.
    public static func isJSONLines(_ url: URL) -> Bool {
        ["jsonl", "ndjson"].contains(url.pathExtension.lowercased())
    }

    public static func readCSV(text: String, file: String) throws(ImportError) -> [EventRecord] {
        let table = try CSVTable(text: text, file: file)
        let problems = table.checkHeader(required: required, optional: optional)
        guard problems.isEmpty else { throw ImportError(problems) }
        let columns = EventColumns(header: table.header)
        var zones = TimeZoneCache()
        var result: [EventRecord] = []
        var diagnostics: [Diagnostic] = []
        for r in table.records {
            guard r.fields.count == table.header.count else {
                throw ImportError([Diagnostic(file: file, line: r.line, message: "\(r.fields.count) fields where the header has \(table.header.count)")])
            }
            switch record(line: r.line, file: file, zones: &zones, { columns.value($0, in: r.fields) }) {
            case .success(let event): result.append(event)
            case .failure(let error): diagnostics += error.diagnostics
            }
        }
        guard diagnostics.isEmpty else { throw ImportError(diagnostics) }
        return result
    }

    /// Reads a CSV file of events in chunks, handing each row to `event` as soon as it is read, or its
    /// problems (file, line, field) to `problems`, so that memory does not grow with the file.
    ///
    /// A problem with the file as a whole (unreadable, not UTF-8, a bad header, a row with the wrong number
    /// of fields, an unclosed quote) is thrown as an ``ImportError``.
    /// - Parameters:
    ///   - chunkSize: the size of the pieces read (1 MiB; tests use tiny ones to cross every boundary).
    ///   - bytesRead: called with the size of each chunk read.
    public static func streamCSV(contentsOf url: URL, chunkSize: Int = CSVFileStream.chunkSize, bytesRead: (Int) -> Void = { _ in },
                                 event: (EventRecord) throws -> Void, problems: ([Diagnostic]) throws -> Void) throws {
        let file = url.lastPathComponent
        try streamCSVFields(contentsOf: url, chunkSize: chunkSize, bytesRead: bytesRead, fields: { fields, line in
            try event(EventRecord(event: fields.event, file: file, line: line))
        }, event: event, problems: problems)
    }

    /// ``streamCSV(contentsOf:chunkSize:bytesRead:event:problems:)`` for bulk imports: a row of ASCII text
    /// is handed to `fields` as the bytes of its fields (valid only during the call) with its line, without
    /// a `String` per field; any other row (non-ASCII text, an amount) to `event`, as the whole-file reader
    /// reads it. Both give the same events, checked by the same rules, with the same problems.
    public static func streamCSVFields(contentsOf url: URL, chunkSize: Int = CSVFileStream.chunkSize, bytesRead: (Int) -> Void = { _ in },
                                       fields: (EventFields, Int) throws -> Void, event: (EventRecord) throws -> Void,
                                       problems: ([Diagnostic]) throws -> Void) throws {
        let file = url.lastPathComponent
        var rows = EventRowParser(file: file, header: [])
        var width = 0
        try CSVByteStream.read(url, chunkSize: chunkSize, bytesRead: bytesRead, header: { header in
            let table = CSVTable(file: file, header: header)
            let problems = table.checkHeader(required: required, optional: optional)
            guard problems.isEmpty else { throw ImportError(problems) }
            rows = EventRowParser(file: file, header: header)
            width = header.count
        }, record: { r in
            guard r.count == width else {
                throw ImportError([Diagnostic(file: file, line: r.line, message: "\(r.count) fields where the header has \(width)")])
            }
            try rows.parse(r, fields: fields, event: event, problems: problems)
        })
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
        var zones = TimeZoneCache()
        for (line, row) in rows {
            switch record(line: line, file: file, zones: &zones, { row[$0.name] }) {
            case .success(let event): result.append(event)
            case .failure(let error): problems += error.diagnostics
            }
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return result
    }

    /// One row as an event, or its problems; `value` gives a column's text (`nil` when absent or empty).
    static func record(line: Int, file: String, zones: inout TimeZoneCache, _ value: (EventColumn) -> String?) -> Result<EventRecord, ImportError> {
        var problems: [Diagnostic] = []
        func bad(_ field: String, _ message: String) -> Result<EventRecord, ImportError> {
            problems.append(Diagnostic(file: file, line: line, field: field, message: message))
            return .failure(ImportError(problems))
        }
        guard let invoice = value(.invoice) else { return bad("invoice", "the invoice number is empty") }
        let stateText = value(.state) ?? ""
        var state: CanonicalState?
        if stateText.lowercased() != "note" {
            guard let s = CanonicalState(rawValue: stateText) ?? CanonicalState(rawValue: stateText.lowercased()) else {
                return bad("state", "'\(stateText)' is not a canonical state (docs/states.md), nor 'note'")
            }
            state = s
        }
        let zoneName = value(.timeZone) ?? "Europe/Paris"
        guard let zone = zones.zone(zoneName) else { return bad("time_zone", "unknown time zone '\(zoneName)'") }
        guard let atText = value(.at) else { return bad("at", "the time is empty") }
        guard let (at, parsedZone) = Instants.parse(atText, zone: zone) else {
            return bad("at", "'\(atText)' is not a date-time (ISO 8601 such as 2026-11-12T09:30:00+01:00, or 2026-11-12 09:30) between \(Instants.years.lowerBound) and \(Instants.years.upperBound)")
        }
        // An explicit offset fixes the instant; the named zone, when given, is how to show it.
        let given = value(.timeZone) ?? parsedZone
        var source = EventSource.erp
        if let s = value(.source) {
            guard let parsed = EventSource(rawValue: s) ?? EventSource(rawValue: s.lowercased()) else {
                return bad("source", "'\(s)' is not one of: \(EventSource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            source = parsed
        }
        var amount: Money?
        if let a = value(.amount) {
            let currency = (value(.currency) ?? "EUR").uppercased()
            guard let m = Money(parsing: a, currency: currency) else { return bad("amount", "'\(a)' is not an amount") }
            amount = m
        }
        var date: CivilDate?
        if let d = value(.date) {
            guard let parsed = Instants.day(d) else { return bad("date", "'\(d)' is not a date YYYY-MM-DD") }
            date = parsed
        }
        let note = value(.note)
        if state == .promised && date == nil { problems.append(Diagnostic(file: file, line: line, field: "date", message: "a promise to pay needs the promised date")) }
        if state == nil && note == nil { problems.append(Diagnostic(file: file, line: line, field: "note", message: "a note (state 'note') needs its text")) }
        guard problems.isEmpty else { return .failure(ImportError(problems)) }
        return .success(EventRecord(
            event: InvoiceEvent(invoice: invoice, state: state, at: at, timeZone: given, department: value(.department),
                                contact: value(.contact), source: source, rawCode: value(.rawCode), reason: value(.reason),
                                action: value(.action), note: note, amount: amount, date: date),
            file: file, line: line))
    }
}

/// The columns of an event file.
enum EventColumn: Int, CaseIterable {
    case invoice, state, at, timeZone, department, contact, source, rawCode, reason, action, note, amount, currency, date

    static let names = ["invoice", "state", "at", "time_zone", "department", "contact", "source", "raw_code", "reason", "action", "note",
                        "amount", "currency", "date"]

    /// The column's name in a header (normalised).
    var name: String { EventColumn.names[rawValue] }
}

/// Where each event column sits in a CSV header, worked out once per file.
struct EventColumns {
    private var index: [Int?]

    init(header: [String]) {
        index = EventColumn.names.map { header.firstIndex(of: $0) }
    }

    /// Where the column is in a record, `nil` when the header does not have it.
    func position(_ column: EventColumn) -> Int? { index[column.rawValue] }

    /// The column's text in a record, `nil` when the column is absent or the cell empty.
    func value(_ column: EventColumn, in fields: [String]) -> String? {
        guard let i = index[column.rawValue], i < fields.count else { return nil }
        let v = fields[i]
        return v.isEmpty ? nil : v
    }
}

/// Time zones by name, each looked up once per file (`TimeZone(identifier:)` is slow to call per row).
struct TimeZoneCache {
    private var zones: [String: TimeZone] = [:]

    mutating func zone(_ name: String) -> TimeZone? {
        if let known = zones[name] { return known }
        guard let zone = TimeZone(identifier: name) else { return nil }
        zones[name] = zone
        return zone
    }
}
