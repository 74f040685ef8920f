import Foundation
import GRDB
import RelanceCore

extension Store {
    /// Stores invoices streamed by `feed` in one write transaction, all or nothing.
    ///
    /// `feed` hands invoices to the ``InvoiceImporter`` one at a time, so that a million invoices never need
    /// to be in memory together. Each is checked (known entity, a site of the same customer group, a credited
    /// invoice that exists or comes in the same import, not already stored for another customer) and written
    /// at once; after the first problem nothing more is written but every invoice is still checked, and the
    /// transaction is rolled back with every problem (``RowProblems``).
    ///
    /// - Parameter progress: called with the number of invoices handled since the last call (every 1,024
    ///   and at the end).
    @discardableResult
    public func importInvoices(source: String, now: Date = Date(), progress: ((Int) -> Void)? = nil,
                               _ feed: (InvoiceImporter) throws -> Void) throws -> ImportReport {
        try writer.write { db in
            let importer = try InvoiceImporter(self, db, source: source, now: now, progress: progress)
            try feed(importer)
            return try importer.finish()
        }
    }
}

/// Checks and writes invoices one at a time inside a write transaction (see
/// ``Store/importInvoices(source:now:progress:_:)``). A missing due date is computed from the entity's terms;
/// an invoice already stored is updated, and each changed field recorded.
public final class InvoiceImporter {
    private let store: Store
    private let db: Database
    private let source: String
    private let stamp: String
    private let progress: ((Int) -> Void)?
    private var unreported = 0
    private var report = ImportReport()
    /// The problems found so far against the database (the import will be refused if there is any).
    public private(set) var problems: [RowProblem] = []
    private var writing = true
    private var groupOfEntity: [String: String?] = [:]
    private var graphs: [String: OrgGraph] = [:]
    /// The numbers of this import's invoices, for credit notes that come before the invoice they credit.
    private var imported = Set<String>()
    private var creditsToCheck: [(place: String, invoice: String)] = []
    private let upsert: RawStatement
    private let insertPayment: RawStatement

    init(_ store: Store, _ db: Database, source: String, now: Date, progress: ((Int) -> Void)?) throws {
        self.store = store
        self.db = db
        self.source = source
        self.progress = progress
        stamp = ISO8601DateFormatter().string(from: now)
        upsert = try RawStatement(db, sql: """
            INSERT INTO invoice (id, group_id, kind, entity_id, site_id, sent_to, order_number, order_type, delivery_note, issue_date,
              delivery_date, receipt_date, due_date, due_date_given, amount_minor, currency, method, discounted, sales_rep, credits, channel,
              source, imported_at, paid_minor, last_paid_on)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, entity_id = excluded.entity_id, site_id = excluded.site_id,
              sent_to = excluded.sent_to, order_number = excluded.order_number, order_type = excluded.order_type,
              delivery_note = excluded.delivery_note, issue_date = excluded.issue_date, delivery_date = excluded.delivery_date,
              receipt_date = excluded.receipt_date, due_date = excluded.due_date, due_date_given = excluded.due_date_given,
              amount_minor = excluded.amount_minor, currency = excluded.currency, method = excluded.method,
              discounted = excluded.discounted, sales_rep = excluded.sales_rep, credits = excluded.credits, channel = excluded.channel,
              source = excluded.source, imported_at = excluded.imported_at,
              paid_minor = excluded.paid_minor, last_paid_on = excluded.last_paid_on
            """)
        insertPayment = try RawStatement(db, sql: "INSERT INTO payment (invoice_id, date, amount_minor, reference) VALUES (?, ?, ?, ?)")
    }

    /// Keeps checking the invoices that follow but writes none: a problem was found before they reached the
    /// store (a malformed row), so the import will be refused.
    public func stopWriting() { writing = false }

    /// Checks one invoice and, when every invoice so far was good, writes it.
    public func add(_ input: InvoiceInput) throws {
        defer { counted() }
        var inv = input.invoice
        func bad(_ f: String, _ m: String) { problems.append(RowProblem(place: input.place, field: f, message: m)) }
        guard let group = try group(ofEntity: inv.entity) else {
            bad("entity", "unknown legal entity '\(inv.entity)' (import its organisation file first)"); return
        }
        if graphs[group] == nil { graphs[group] = try store.loadGraph(group, includeArchived: true, db) }
        guard let graph = graphs[group] else { return }
        inv.group = group
        guard graph.site(inv.site) != nil else { bad("site", "unknown site '\(inv.site)' in customer \(group)"); return }
        if let s = inv.sentTo, graph.site(s) == nil { bad("sent_to", "unknown site '\(s)' in customer \(group)") }
        if let c = inv.credits, !imported.contains(c),
           try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM invoice WHERE id = ?"), arguments: [c]) != true {
            creditsToCheck.append((input.place, c))
        }
        imported.insert(inv.id)
        let old = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM invoice WHERE id = ?"), arguments: [inv.id])
        if let old, let other = old["group_id"] as String?, other != group {
            bad("invoice", "invoice \(inv.id) already exists for customer \(other)")
        }
        if let due = input.givenDueDate {
            inv.dueDate = due
            inv.dueDateGiven = true
        } else if let entity = graph.entity(inv.entity) {
            let basis: CivilDate
            switch entity.terms.basis {
            case .invoiceDate: basis = inv.issueDate
            case .deliveryDate: basis = inv.deliveryDate ?? inv.issueDate
            case .receiptDate: basis = input.receiptDate ?? inv.issueDate
            }
            inv.dueDate = entity.terms.dueDate(from: basis)
            inv.dueDateGiven = false
        }
        guard writing, problems.isEmpty else { return }
        try write(inv, receiptDate: input.receiptDate, old: old)
    }

    /// Ends the import: throws every problem found (the transaction is then rolled back), or records the
    /// batch's counts and returns them.
    func finish() throws -> ImportReport {
        if unreported > 0 { progress?(unreported); unreported = 0 }
        for (place, credited) in creditsToCheck where !imported.contains(credited) {
            problems.append(RowProblem(place: place, field: "credits", message: "credit note for unknown invoice '\(credited)'"))
        }
        guard problems.isEmpty else { throw RowProblems(problems: problems) }
        try db.cachedStatement(sql: "INSERT INTO import_batch (kind, files, at, added, updated, ignored) VALUES ('invoices', ?, ?, ?, ?, 0)")
            .execute(arguments: [source, stamp, report.added, report.updated])
        return report
    }

    private func counted() {
        guard let progress else { return }
        unreported += 1
        if unreported >= 1_024 { progress(unreported); unreported = 0 }
    }

    private func group(ofEntity entity: String) throws -> String? {
        if let known = groupOfEntity[entity] { return known }
        let group = try String.fetchOne(db.cachedStatement(sql: "SELECT group_id FROM legal_entity WHERE id = ?"), arguments: [entity])
        groupOfEntity[entity] = group
        return group
    }

    private func write(_ inv: Invoice, receiptDate: CivilDate?, old: Row?) throws {
        let row = InvoiceRow(inv, receiptDate: receiptDate)
        if let old {
            let oldRow = InvoiceRow(row: old, payments: try store.paymentsText(inv.id, db))
            let changes = oldRow.differences(from: row)
            if changes.isEmpty { report.unchanged += 1; return }
            for (field, was, now) in changes {
                try db.cachedStatement(sql: "INSERT INTO invoice_change (invoice_id, changed_at, source, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)")
                    .execute(arguments: [inv.id, stamp, source, field, was, now])
            }
            report.updated += 1
            try db.cachedStatement(sql: "DELETE FROM payment WHERE invoice_id = ?").execute(arguments: [inv.id])
        } else {
            report.added += 1
        }
        upsert.reset()
        for (i, value) in row.values.enumerated() { upsert.bind(value?.databaseValue ?? .null, Int32(i + 1)) }
        upsert.bind(source, Int32(row.values.count + 1))
        upsert.bind(stamp, Int32(row.values.count + 2))
        // What was paid so far and the last payment's date (migration v9), from the payments written below:
        // this import is the one writer of payments, so the invoice row always agrees with them.
        upsert.bind(inv.payments.reduce(Int64(0)) { $0 + $1.amount.minorUnits }, Int32(row.values.count + 3))
        upsert.bind(inv.payments.map(\.date).max()?.description, Int32(row.values.count + 4))
        try upsert.step()
        for p in inv.payments {
            insertPayment.reset()
            insertPayment.bind(inv.id, 1)
            insertPayment.bind(p.date.description, 2)
            insertPayment.bind(p.amount.minorUnits, 3)
            insertPayment.bind(p.reference, 4)
            try insertPayment.step()
        }
    }
}
