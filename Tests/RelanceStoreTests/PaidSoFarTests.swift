import Foundation
import GRDB
import RelanceCore
@testable import RelanceStore
import Testing

/// What migration v9 keeps on each invoice row (paid so far, the last payment's date) must be what the
/// payment table says: after the migration, an import, and re-imports that change or remove payments.
@Suite struct PaidSoFarTests {
    /// Each invoice's stored totals next to the totals recomputed from its payments.
    static func totals(_ store: Store) throws -> [(id: String, stored: Int64, lastStored: String?, paid: Int64, last: String?)] {
        try store.writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.id, i.paid_minor, i.last_paid_on,
                       coalesce((SELECT sum(amount_minor) FROM payment p WHERE p.invoice_id = i.id), 0) AS paid,
                       (SELECT max(date) FROM payment p WHERE p.invoice_id = i.id) AS last
                FROM invoice i ORDER BY i.id
                """).map { ($0["id"], $0["paid_minor"], $0["last_paid_on"], $0["paid"], $0["last"]) }
        }
    }

    static func expectConsistent(_ store: Store, _ when: String) throws {
        let rows = try totals(store)
        #expect(!rows.isEmpty)
        for r in rows {
            #expect(r.stored == r.paid, "paid so far of \(r.id) \(when)")
            #expect(r.lastStored == r.last, "last payment of \(r.id) \(when)")
        }
    }

    /// A stored date that does not read (written by hand: the import checks them) is an error naming the
    /// invoice, in every read of invoices, never a row left out.
    @Test func anUnreadableStoredDateIsAnErrorNotAMissingInvoice() throws {
        let store = try Book.store()
        try store.importInvoices(try Book.invoices(try Book.sampleInvoiceText()), source: "invoices.csv", now: Book.now)
        let group = try #require(try store.invoices().first { $0.id == "FA-2026-10290" }?.group)
        let count = try store.invoices(group: group).count
        try store.writer.write { db in try db.execute(sql: "UPDATE payment SET date = '2026-13-45' WHERE invoice_id = 'FA-2026-10290'") }
        for read in [{ _ = try store.invoices(group: group) }, { _ = try store.invoices() }, { _ = try store.invoice("FA-2026-10290") }] {
            #expect { try read() } throws: { "\($0)".contains("FA-2026-10290") && "\($0)".contains("2026-13-45") }
        }
        try store.writer.write { db in
            try db.execute(sql: "DELETE FROM payment WHERE invoice_id = 'FA-2026-10290'")
            try db.execute(sql: "UPDATE invoice SET issue_date = 'someday' WHERE id = 'FA-2026-10290'")
        }
        #expect { _ = try store.invoices(group: group) } throws: { "\($0)".contains("FA-2026-10290") }
        try store.writer.write { db in try db.execute(sql: "UPDATE invoice SET issue_date = '2026-10-01' WHERE id = 'FA-2026-10290'") }
        #expect(try store.invoices(group: group).count == count)
    }

    @Test func importsAndChangesKeepThePaidTotalsOnTheInvoice() throws {
        let store = try Book.store()
        let text = try Book.sampleInvoiceText()
        try store.importInvoices(try Book.invoices(text), source: "invoices.csv", now: Book.now)
        try Self.expectConsistent(store, "after the first import")
        let paid = try #require(try Self.totals(store).first { $0.id == "FA-2026-10290" })
        #expect(paid.stored == 987_000 && paid.lastStored == "2026-11-10")

        // A re-import that splits the payment in two (the old one deleted, two inserted), then one that drops it.
        let split = text.replacingOccurrences(of: "2026-11-10=9870.00", with: "2026-11-10=4870.00;2026-11-25=5000.00")
        #expect(split != text)
        try store.importInvoices(try Book.invoices(split), source: "invoices-v2.csv", now: Book.now.addingTimeInterval(60))
        try Self.expectConsistent(store, "after the split")
        let twice = try #require(try Self.totals(store).first { $0.id == "FA-2026-10290" })
        #expect(twice.stored == 987_000 && twice.lastStored == "2026-11-25")
        let none = text.replacingOccurrences(of: "2026-11-10=9870.00", with: "")
        try store.importInvoices(try Book.invoices(none), source: "invoices-v3.csv", now: Book.now.addingTimeInterval(120))
        try Self.expectConsistent(store, "after the payment was removed")
        let unpaid = try #require(try Self.totals(store).first { $0.id == "FA-2026-10290" })
        #expect(unpaid.stored == 0 && unpaid.lastStored == nil)
    }

    @Test func migrationV9FillsThePaidTotalsOfExistingInvoices() throws {
        let db = try DatabaseQueue()
        try Schema.migrator.migrate(db, upTo: "v8-event-learning-index")
        try db.write { db in
            try db.execute(sql: "INSERT INTO customer_group (id, name, imported_at) VALUES ('g', 'G', '2026-11-27')")
            for (id, amount) in [("A", 1_000), ("B", 2_000), ("C", 3_000)] {
                try db.execute(sql: """
                    INSERT INTO invoice (id, group_id, kind, entity_id, site_id, issue_date, due_date, due_date_given, amount_minor, currency,
                                         method, discounted, imported_at)
                    VALUES (?, 'g', 'invoice', 'e', 's', '2026-10-01', '2026-11-30', 0, ?, 'EUR', 'transfer', 0, '2026-11-27')
                    """, arguments: [id, amount])
            }
            try db.execute(sql: """
                INSERT INTO payment (invoice_id, date, amount_minor) VALUES ('A', '2026-11-02', 400), ('A', '2026-11-20', 600), ('B', '2026-10-15', 500)
                """)
        }
        try Schema.migrator.migrate(db)
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, paid_minor, last_paid_on FROM invoice ORDER BY id").map { ($0[0] as String, $0[1] as Int64, $0[2] as String?) }
        }
        #expect(rows.map(\.0) == ["A", "B", "C"])
        #expect(rows.map(\.1) == [1_000, 500, 0])
        #expect(rows.map(\.2) == ["2026-11-20", "2026-10-15", nil])
    }

    @Test func theOpenBookCountsOnlyPaymentsUpToTheDay() throws {
        let store = try Book.store()
        try store.importInvoices(try Book.sampleInvoices(), source: "invoices.csv", now: Book.now)
        let model = LearnedDwellModel()
        // FA-2026-10290 was paid in full on 2026-11-10: open the day before, not on the day.
        let dayBefore = try #require(CivilDate(iso: "2026-11-09")), dayPaid = try #require(CivilDate(iso: "2026-11-10"))
        let before = try #require(try store.openBook(group: "metalux", asOf: dayBefore, model: model))
        #expect(before.open.map(\.invoice.id).contains("FA-2026-10290"))
        #expect(before.invoices.first { $0.id == "FA-2026-10290" }?.payments.isEmpty == true)
        let on = try #require(try store.openBook(group: "metalux", asOf: dayPaid, model: model))
        #expect(!on.open.map(\.invoice.id).contains("FA-2026-10290"))
        #expect(on.invoices.contains { $0.id == "FA-2026-10290" } == false)
    }
}
