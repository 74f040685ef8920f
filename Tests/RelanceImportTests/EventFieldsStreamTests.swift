import Foundation
import RelanceCore
@testable import RelanceImport
import Testing

/// `EventFileReader.streamCSVFields`: rows read from the bytes of their fields give the same events and the
/// same problems (file, line, field, message) as the reference reader of each row, `EventFileReader.record`.
@Suite struct EventFieldsStreamTests {
    static let header = "invoice,state,at,time_zone,department,contact,source,raw_code,reason,action,note,amount,currency,date"

    /// Values for each column, good and bad, ASCII and not, quoted and not.
    static let values: [[String]] = [
        ["FA-2026-10412", "FA-1", "", "\"FA-2\"", "FA-é"],
        ["received", "RECEIVED", "Note", "note", "promised", "arrived", "", "payment-sent", "\"approved\""],
        ["2026-10-21T09:00:00+02:00", "2026-10-21T09:00:00Z", "2026-10-21 09:30", "2026-10-21", "2026-10-21T25:00:00+02:00",
         "2026-13-45 09:00", "\" 2026-10-21 09:00 \"", "2026-10-21T09:00:00.5+02:00", "2026-10-21T09:00:00+0200", "", "1999-12-31 23:00",
         "2026-10-21T09:00:00-05:30", "2026-10-21T09:00:00+02:00x", "2026-03-29 02:30"],
        ["", "Europe/Paris", "America/New_York", "Mars/Base", "UTC"],
        ["", "d-1", "\"d,2\"", "dépt"],
        ["", "c-1"],
        ["erp", "", "Call", "E-INVOICING", "fax"],
        ["", "205", "\"a \"\"b\"\"\""],
        ["", "CMD_ERR"],
        ["", "NIN"],
        ["", "call back", "\"Reçu, \"\"scanné\"\"\r\nle matin\"", "Appel à 10 h – pas de réponse", String(repeating: "x", count: 45),
         "\"line one\r\nline two\"", "e\u{301}" + String(repeating: "y", count: 41)],
        ["", "", "12.50", "abc"],
        ["", "EUR", "jpy"],
        ["", "", "2026-11-02", "02/11/2026", "2026-02-30", "soon"],
    ]

    /// Each row's outcome in a comparable form: the event (with its line) or the problems.
    static func outcome(_ r: Result<EventRecord, ImportError>) -> String {
        switch r {
        case .success(let e): return "\(e.line ?? 0): \(e.event) at \(e.event.at.timeIntervalSince1970)"
        case .failure(let error): return error.diagnostics.map(\.description).joined(separator: " | ")
        }
    }

    @Test func rowsFromBytesGiveTheEventsAndProblemsOfTheReference() throws {
        var generator = SystemRandomNumberGenerator()
        var rows: [String] = []
        for _ in 0..<3_000 {
            // Mostly the first two values of each column (the usual rows, read from bytes), sometimes any.
            rows.append(Self.values.map { column in
                let common = Int.random(in: 0..<10, using: &generator) < 8
                return column[Int.random(in: 0..<(common ? min(2, column.count) : column.count), using: &generator)]
            }.joined(separator: ","))
        }
        let text = ([Self.header] + rows).joined(separator: "\r\n") + "\r\n"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relance-fields-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("events.csv")
        try Data(text.utf8).write(to: url)

        // The reference: each record of the whole-file table through `record`.
        let table = try CSVTable(text: text, file: "events.csv")
        let columns = EventColumns(header: table.header)
        var zones = TimeZoneCache()
        var expected: [String] = []
        for r in table.records {
            expected.append(Self.outcome(EventFileReader.record(line: r.line, file: "events.csv", zones: &zones) { columns.value($0, in: r.fields) }))
        }

        var found: [String] = []
        var fromBytes = 0
        try EventFileReader.streamCSVFields(contentsOf: url, chunkSize: 4_096, fields: { fields, line in
            fromBytes += 1
            found.append(Self.outcome(.success(EventRecord(event: fields.event, file: "events.csv", line: line))))
        }, event: { found.append(Self.outcome(.success($0))) }, problems: { found.append($0.map(\.description).joined(separator: " | ")) })
        #expect(found.count == expected.count)
        for (i, (a, b)) in zip(found, expected).enumerated() where a != b {
            Issue.record("row \(i + 2): from bytes \(a)\nreference \(b)")
        }
        #expect(fromBytes > 100, "most rows are read from their bytes")
    }

    @Test func aBadDateInAQuotedUTF8RowNamesItsLineAndField() throws {
        let text = "invoice,state,at,note\r\nFA-1,note,2026-10-21 09:00,\"Reçu\r\nle matin\"\r\nFA-2,note,2026-10-32 09:00,\"à 10 h\"\r\n"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relance-fields-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("late.csv")
        try Data(text.utf8).write(to: url)
        var problems: [String] = []
        var notes: [String?] = []
        try EventFileReader.streamCSVFields(contentsOf: url, chunkSize: 7, fields: { f, _ in notes.append(f.event.note) },
                                            event: { notes.append($0.event.note) }, problems: { problems += $0.map(\.description) })
        #expect(notes == ["Reçu\r\nle matin"])
        #expect(problems == ["late.csv:4: at: '2026-10-32 09:00' is not a date-time (ISO 8601 such as 2026-11-12T09:30:00+01:00, or 2026-11-12 09:30) between 2000 and 2100"])
    }
}
