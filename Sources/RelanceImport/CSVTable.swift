import Foundation

/// A CSV file read into records, each with the line it starts on, so that every problem can name its line.
///
/// RFC 4180: fields separated by `,` or `;` (detected from the header line), quoted with `"` (a doubled
/// quote inside), quoted fields may span lines. A UTF-8 byte-order mark is skipped. The first record is
/// the header; names are compared case-insensitively, with `-`, `_` and spaces treated alike.
/// (Hand-written rather than CSV.swift because the diagnostics need each record's starting line.)
struct CSVTable {
    struct Record {
        let line: Int
        let fields: [String]
    }

    let file: String
    let header: [String]
    let records: [Record]

    init(text: String, file: String) throws(ImportError) {
        self.file = file
        // Read as UTF-8 bytes: every byte that matters (quote, separators, line ends) is ASCII, and
        // multi-byte characters pass through untouched.
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let firstLine = bytes.prefix { $0 != lf && $0 != cr }
        let separator: UInt8 = firstLine.filter { $0 == UInt8(ascii: ";") }.count > firstLine.filter { $0 == UInt8(ascii: ",") }.count
            ? UInt8(ascii: ";") : UInt8(ascii: ",")
        var rows: [Record] = []
        var field: [UInt8] = [], fields: [String] = []
        field.reserveCapacity(64)
        var line = 1, recordLine = 1
        var inQuotes = false, wasQuoted = false
        func endField() {
            let text = String(decoding: field, as: UTF8.self)
            fields.append(wasQuoted ? text : CSVTable.trimmed(text))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { rows.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if inQuotes {
                if c == quote {
                    if i + 1 < n && bytes[i + 1] == quote { field.append(quote); i += 1 } else { inQuotes = false }
                } else {
                    if c == lf { line += 1 }
                    field.append(c)
                }
            } else if c == quote && field.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                inQuotes = true
                wasQuoted = true
                field.removeAll(keepingCapacity: true)
            } else if c == separator {
                endField()
            } else if c == lf || c == cr {
                endRecord()
                if c == cr && i + 1 < n && bytes[i + 1] == lf { i += 1 }
                line += 1
                recordLine = line
            } else {
                field.append(c)
            }
            i += 1
        }
        if inQuotes {
            throw ImportError([Diagnostic(file: file, line: recordLine, message: "a quoted field is not closed")])
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let head = rows.first else { throw ImportError([Diagnostic(file: file, message: "the file is empty (a header line is needed)")]) }
        header = head.fields.map(CSVTable.normalise)
        records = Array(rows.dropFirst())
    }

    /// The text without the white space (spaces, tabs, no-break spaces…) at its ends; as is when there is none.
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        func blank(_ u: Unicode.Scalar) -> Bool { u.properties.isWhitespace && u != "\n" && u != "\r" }
        guard let first = scalars.first, let last = scalars.last, blank(first) || blank(last) else { return text }
        var view = Substring(text).unicodeScalars
        while let f = view.first, blank(f) { view.removeFirst() }
        while let l = view.last, blank(l) { view.removeLast() }
        return String(view)
    }

    static func normalise(_ name: String) -> String {
        String(name.lowercased().map { $0 == "-" || $0 == " " ? "_" : $0 })
    }

    /// Checks the header: every required column present, no unknown or repeated one.
    func checkHeader(required: [String], optional: [String]) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        for r in required where !header.contains(r) {
            problems.append(Diagnostic(file: file, line: 1, field: r, message: "missing column '\(r)'"))
        }
        var seen = Set<String>()
        for h in header {
            if !seen.insert(h).inserted { problems.append(Diagnostic(file: file, line: 1, field: h, message: "column '\(h)' appears twice")) }
            if !required.contains(h) && !optional.contains(h) {
                problems.append(Diagnostic(file: file, line: 1, field: h,
                                           message: "unknown column '\(h)'; expected: \((required + optional).joined(separator: ", "))"))
            }
        }
        return problems
    }

    /// A record's value for a column: `nil` when the column is absent or the cell empty.
    func value(_ record: Record, _ column: String) -> String? {
        guard let i = header.firstIndex(of: column), i < record.fields.count else { return nil }
        let v = record.fields[i]
        return v.isEmpty ? nil : v
    }
}

/// Column-name normalisation shared by every CSV reader.
public enum CSVNames {
    /// Lower case, with `-` and spaces read as `_`.
    public static func normalise(_ name: String) -> String { CSVTable.normalise(name) }
}

extension EventFileReader {
    /// The header and records of any CSV file, with their lines (for readers defined elsewhere).
    public static func csvRecords(text: String, file: String) throws(ImportError) -> (header: [String], rows: [(line: Int, fields: [String])]) {
        let table = try CSVTable(text: text, file: file)
        return (table.header, table.records.map { ($0.line, $0.fields) })
    }
}
