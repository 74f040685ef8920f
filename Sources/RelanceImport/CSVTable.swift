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

    init(file: String, header: [String]) {
        self.file = file
        self.header = header
        records = []
    }

    init(text: String, file: String) throws(ImportError) {
        self.file = file
        let bytes = Array(text.utf8)
        var parser = CSVParser(file: file, firstBytes: bytes[...])
        var rows: [Record] = []
        bytes.withUnsafeBufferPointer { parser.consume($0) { line, fields in rows.append(Record(line: line, fields: fields)) } }
        try parser.finish { line, fields in rows.append(Record(line: line, fields: fields)) }
        guard let head = rows.first else { throw ImportError([Diagnostic(file: file, message: "the file is empty (a header line is needed)")]) }
        header = head.fields.map(CSVTable.normalise)
        records = Array(rows.dropFirst())
    }

    /// The text without the white space (spaces, tabs, no-break spaces…) at its ends; as is when there is none.
    static func trimmed(_ text: String) -> String {
        // The usual case, from the bytes: printable ASCII at both ends.
        if let first = text.utf8.first, let last = text.utf8.last, (0x21..<0x80).contains(first), (0x21..<0x80).contains(last) { return text }
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
