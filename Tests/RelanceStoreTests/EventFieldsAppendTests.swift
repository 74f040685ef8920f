import Foundation
import GRDB
import RelanceCore
import RelanceImport
import RelanceSamples
@testable import RelanceStore
import Testing

/// Events appended from the bytes of their fields (`EventAppender.append(_:file:line:)`, what
/// `relance import events` does with a CSV file) are stored exactly as the same events appended as values
/// (`append(_: EventInput)`): the same columns, identity, inferred departments, counts and problems.
@Suite struct EventFieldsAppendTests {
    static let now = StreamingEventImportTests.now

    /// Events on the sample invoices: departments named, inferred or unknown, notes long and short,
    /// quoted and multi-line, offsets, dates, duplicates (in the file and of each other once inferred).
    static let rows = [
        "FA-2026-10398,received,2026-10-26 09:12,Europe/Paris,mtx-ssc-mailroom,,erp,,,,Scanned by the shared-service centre,,,",
        "FA-2026-10398,goods-received,2026-10-27 16:40,Europe/Paris,mtx-ste-reception,mtx-ste-fontaine,call,,,,\"Receipt posted on 27/10, \"\"MIGO\"\"\",,,",
        "FA-2026-10412,received,2026-10-21T09:00:00+02:00,,,,CDAR,205,,,,,,",
        "FA-2026-10412,approved,2026-10-22T10:00:00Z,,,,cdar,205,CMD_ERR,NIN,,,,",
        "FA-2026-10412,in-dispute,2026-10-23 10:00:30.75,,,,portal,,,,\"two\r\nlines\",,,",
        "FA-2026-10412,scheduled,2026-11-24 15:30,Europe/Paris,mtx-ssc-ap,mtx-ssc-durand,call,,,,In the payment run of 10 December,,,2026-12-10",
        "FA-2026-10412,note,2026-11-25 09:00,,,,call,,,," + String(repeating: "n", count: 60) + ",,,",
        "FA-2026-10412,note,2026-11-25 09:00,,,,call,,,," + String(repeating: "n", count: 40) + "different tail,,,",
        "FA-2026-10377,promised,2026-11-25 11:00,Europe/Paris,sgc-depense,,call,,,,The accountant will pay this week,,,2026-11-27",
        "FA-2026-10377,partially-paid,2026-11-26 11:00,,,,erp,,,,,120.50,EUR,",
        "FA-2026-10377,note,2026-11-26 12:00,,,,letter,,,,Relance envoyée à l’acheteur,,,",
        "FA-2026-10398,received,2026-10-26 09:12,Europe/Paris,mtx-ssc-mailroom,,erp,,,,Scanned by the shared-service centre,,,",
        "FA-2026-10412,received,2026-10-21T09:00:00+02:00,,,,cdar,205,,,,,,",
    ]

    static func write(_ rows: [String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relance-append-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("events.csv")
        try Data((["invoice,state,at,time_zone,department,contact,source,raw_code,reason,action,note,amount,currency,date"] + rows)
            .joined(separator: "\r\n").utf8).write(to: url)
        return url
    }

    /// Imports `url` into a new sample store, from bytes or as values; the report, or the problems.
    static func imported(_ url: URL, fromBytes: Bool, batchRows: Int = PendingEvents.rowLimit) throws -> (store: Store, outcome: String) {
        let store = try StreamingEventImportTests().store()
        let file = url.lastPathComponent
        var readProblems: [String] = []
        do {
            let report = try store.appendEvents(source: file, now: now, inferDepartments: true, batchRows: batchRows, progress: nil) { appender in
                func value(_ r: EventRecord) throws { try appender.append(EventInput(event: r.event, place: "\(r.file):\(r.line ?? 0)")) }
                let problems = { (p: [Diagnostic]) in readProblems += p.map(\.description); appender.stopInserting() }
                if fromBytes {
                    try EventFileReader.streamCSVFields(contentsOf: url, fields: { try appender.append($0, file: file, line: $1) },
                                                        event: value, problems: problems)
                } else {
                    try EventFileReader.streamCSV(contentsOf: url, event: value, problems: problems)
                }
            }
            return (store, "\(report)\n" + readProblems.joined(separator: "\n"))
        } catch let refused as RowProblems {
            return (store, "\(refused)\n" + readProblems.joined(separator: "\n"))
        }
    }

    /// Every stored event, every column but the row id, in the order events are read (invoice, time, id).
    static func storedRows(_ store: Store) throws -> [String] {
        try store.writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY invoice_id, at, id").map { row in
                row.columnNames.filter { $0 != "id" }.map { "\($0)=\(row[$0] as DatabaseValue)" }.joined(separator: " ")
            }
        }
    }

    @Test func eventsFromBytesAreStoredAsTheSameEventsAsValues() throws {
        let url = try Self.write(Self.rows)
        let bytes = try Self.imported(url, fromBytes: true)
        let values = try Self.imported(url, fromBytes: false)
        #expect(bytes.outcome == values.outcome)
        #expect(bytes.outcome.contains("added: 10") && bytes.outcome.contains("ignored: 3"), "\(bytes.outcome)")
        let stored = try Self.storedRows(bytes.store)
        #expect(stored == (try Self.storedRows(values.store)))
        // Departments inferred from the route where the file names none: the CDAR 205 receipt at the mailroom.
        #expect(stored.contains { $0.contains("invoice_id=\"FA-2026-10412\"") && $0.contains("department_id=\"mtx-ssc-mailroom\"") })
    }

    @Test func problemsFromBytesAreTheProblemsOfValues() throws {
        var rows = Self.rows
        rows[2] = "FA-2026-99999,received,2026-10-21T09:00:00+02:00,,,,cdar,205,,,,,,"
        rows[3] = "FA-2026-10412,approved,2026-10-22T10:00:00Z,,nowhere,nobody,cdar,205,,,,,,"
        rows[4] = "FA-2026-10412,approved,2031-10-22T10:00:00Z,,,,cdar,,,,,,,"
        rows[5] = "FA-2026-10412,approved,2024-10-22T10:00:00Z,,,,cdar,,,,,,,"
        rows[6] = "FA-2026-10412,approved,2026-10-22,,,,fax,,,,,,,"
        let url = try Self.write(rows)
        let bytes = try Self.imported(url, fromBytes: true)
        let values = try Self.imported(url, fromBytes: false)
        #expect(bytes.outcome == values.outcome)
        for expected in ["events.csv:4: invoice: unknown invoice 'FA-2026-99999'", "events.csv:5: department: unknown department 'nowhere'",
                         "events.csv:5: contact: unknown contact 'nobody'", "events.csv:6: at: 2031-10-22T10:00:00Z is in the future",
                         "events.csv:7: at: 2024-10-22 is more than a year before", "events.csv:8: source: 'fax' is not one of"] {
            #expect(bytes.outcome.contains(expected), "\(expected) in \(bytes.outcome)")
        }
        #expect(try bytes.store.count(.event) == 0)
    }

    /// Events are inserted in batches sorted by invoice and second: whatever the batches, the same rows are
    /// stored, read back in the same order, and of two rows with the same identity the first in the file is
    /// the one kept (here three rows of one second differ by their reason, which the identity leaves out, and
    /// the first has the largest fraction of a second).
    @Test(arguments: [1, 2, 3, 5, PendingEvents.rowLimit])
    func batchesStoreTheSameRowsAndKeepTheFirstOfTwoDuplicates(batchRows: Int) throws {
        var rows = Self.rows
        rows.insert("FA-2026-10290,received,2026-10-26 09:12:30.9,,,,erp,,FIRST,,,,,", at: 1)
        rows.insert("FA-2026-10290,received,2026-10-26 09:12:30,,,,erp,,SECOND,,,,,", at: 6)
        rows.insert("FA-2026-10290,received,2026-10-26 09:12:30.4,,,,erp,,THIRD,,,,,", at: 7)
        let url = try Self.write(rows)
        let batched = try Self.imported(url, fromBytes: true, batchRows: batchRows)
        let reference = try Self.imported(url, fromBytes: false, batchRows: 1)
        #expect(batched.outcome == reference.outcome)
        #expect(batched.outcome.contains("added: 11") && batched.outcome.contains("ignored: 5"), "\(batched.outcome)")
        let stored = try Self.storedRows(batched.store)
        #expect(stored == (try Self.storedRows(reference.store)))
        #expect(stored.contains { $0.contains("reason=\"FIRST\"") } && !stored.contains { $0.contains("SECOND") || $0.contains("THIRD") })
    }
}
