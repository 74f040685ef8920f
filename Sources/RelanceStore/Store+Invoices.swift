import Foundation
import GRDB
import RelanceCore

/// An invoice to store, as given by a reader, before it is checked against the organisations.
public struct InvoiceInput: Sendable {
    public var invoice: Invoice
    /// The due date when the file gave one; computed from the entity's terms otherwise.
    public var givenDueDate: CivilDate?
    public var receiptDate: CivilDate?
    /// Where it came from, for errors: `invoices.csv:12`.
    public var place: String

    public init(invoice: Invoice, givenDueDate: CivilDate?, receiptDate: CivilDate?, place: String) {
        self.invoice = invoice
        self.givenDueDate = givenDueDate
        self.receiptDate = receiptDate
        self.place = place
    }
}

/// A problem with one input row, found against the database (unknown entity, unknown invoice…).
public struct RowProblem: Error, Sendable, Hashable {
    public var place: String
    public var field: String
    public var message: String
}

/// Problems found against the database; nothing was written.
public struct RowProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [RowProblem]
    public var description: String {
        "import refused, nothing was written (\(problems.count == 1 ? "1 problem" : "\(problems.count) problems")):\n"
            + problems.map { "  \($0.place): \($0.field): \($0.message)" }.joined(separator: "\n")
    }
}

/// What an import did.
public struct ImportReport: Hashable, Sendable {
    public var added = 0
    public var updated = 0
    public var unchanged = 0
    /// Duplicates recognised and ignored.
    public var ignored = 0
    public var learnedContacts = 0
}

extension Store {
    /// Stores invoices, all or nothing. Each invoice must name a known entity and a site of the same
    /// customer group; a missing due date is computed from the entity's terms. Importing the same rows
    /// again changes nothing; a changed row updates the invoice and records each changed field.
    @discardableResult
    public func importInvoices(_ inputs: [InvoiceInput], source: String, now: Date = Date()) throws -> ImportReport {
        try writer.write { db in try importInvoices(inputs, source: source, now: now, db) }
    }

    func importInvoices(_ inputs: [InvoiceInput], source: String, now: Date, _ db: Database) throws -> ImportReport {
        do {
            let stamp = ISO8601DateFormatter().string(from: now)
            var graphs: [String: OrgGraph] = [:]
            var problems: [RowProblem] = []
            var report = ImportReport()
            var prepared: [Invoice] = []
            let batchIDs = Set(inputs.map(\.invoice.id))
            for input in inputs {
                var inv = input.invoice
                func bad(_ f: String, _ m: String) { problems.append(RowProblem(place: input.place, field: f, message: m)) }
                guard let group = try String.fetchOne(db.cachedStatement(sql: "SELECT group_id FROM legal_entity WHERE id = ?"), arguments: [inv.entity]) else {
                    bad("entity", "unknown legal entity '\(inv.entity)' (import its organisation file first)"); continue
                }
                if graphs[group] == nil { graphs[group] = try loadGraph(group, includeArchived: true, db) }
                guard let graph = graphs[group] else { continue }
                inv.group = group
                guard let site = graph.site(inv.site) else {
                    bad("site", "unknown site '\(inv.site)' in customer \(group)"); continue
                }
                _ = site
                if let s = inv.sentTo, graph.site(s) == nil { bad("sent_to", "unknown site '\(s)' in customer \(group)") }
                if let c = inv.credits, !batchIDs.contains(c),
                   try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM invoice WHERE id = ?"), arguments: [c]) != true {
                    bad("credits", "credit note for unknown invoice '\(c)'")
                }
                if let other = try String.fetchOne(db.cachedStatement(sql: "SELECT group_id FROM invoice WHERE id = ?"), arguments: [inv.id]), other != group {
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
                prepared.append(inv)
            }
            guard problems.isEmpty else { throw RowProblems(problems: problems) }
            for (inv, input) in zip(prepared, inputs) {
                let row = InvoiceRow(inv, receiptDate: input.receiptDate)
                if let old = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM invoice WHERE id = ?"), arguments: [inv.id]) {
                    let oldRow = InvoiceRow(row: old, payments: try paymentsText(inv.id, db))
                    let changes = oldRow.differences(from: row)
                    if changes.isEmpty { report.unchanged += 1; continue }
                    for (field, was, now) in changes {
                        try db.cachedStatement(sql: "INSERT INTO invoice_change (invoice_id, changed_at, source, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)").execute(arguments: [inv.id, stamp, source, field, was, now])
                    }
                    report.updated += 1
                } else {
                    report.added += 1
                }
                try db.cachedStatement(sql: """
                    INSERT INTO invoice (id, group_id, kind, entity_id, site_id, sent_to, order_number, order_type, delivery_note, issue_date,
                      delivery_date, receipt_date, due_date, due_date_given, amount_minor, currency, method, discounted, sales_rep, credits, channel,
                      source, imported_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, entity_id = excluded.entity_id, site_id = excluded.site_id,
                      sent_to = excluded.sent_to, order_number = excluded.order_number, order_type = excluded.order_type,
                      delivery_note = excluded.delivery_note, issue_date = excluded.issue_date, delivery_date = excluded.delivery_date,
                      receipt_date = excluded.receipt_date, due_date = excluded.due_date, due_date_given = excluded.due_date_given,
                      amount_minor = excluded.amount_minor, currency = excluded.currency, method = excluded.method,
                      discounted = excluded.discounted, sales_rep = excluded.sales_rep, credits = excluded.credits, channel = excluded.channel,
                      source = excluded.source, imported_at = excluded.imported_at
                    """).execute(arguments: StatementArguments(row.values + [source, stamp]))
                try db.cachedStatement(sql: "DELETE FROM payment WHERE invoice_id = ?").execute(arguments: [inv.id])
                for p in inv.payments {
                    try db.cachedStatement(sql: "INSERT INTO payment (invoice_id, date, amount_minor, reference) VALUES (?, ?, ?, ?)").execute(arguments: [inv.id, p.date.description, p.amount.minorUnits, p.reference])
                }
            }
            try db.cachedStatement(sql: "INSERT INTO import_batch (kind, files, at, added, updated, ignored) VALUES ('invoices', ?, ?, ?, ?, 0)").execute(arguments: [source, stamp, report.added, report.updated])
            return report
        }
    }

    /// Saves new customers' organisations, their invoices and their events in one transaction (a plain
    /// ledger's first import): all or nothing.
    @discardableResult
    public func importLedger(organisations: [OrgGraph], invoices: [InvoiceInput], events: [EventInput], source: String, now: Date = Date()) throws
        -> (invoices: ImportReport, events: ImportReport) {
        try writer.write { db in
            for g in organisations { _ = try save(g, source: source, archiveRemoved: false, now: now, db) }
            let i = try importInvoices(invoices, source: source, now: now, db)
            let e = try appendEvents(events, source: source, now: now, db)
            return (i, e)
        }
    }

    func paymentsText(_ invoice: String, _ db: Database) throws -> String {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT date, amount_minor FROM payment WHERE invoice_id = ? ORDER BY date, amount_minor"), arguments: [invoice])
            .map { "\($0["date"] as String)=\($0["amount_minor"] as Int64)" }.joined(separator: ";")
    }
}

/// The stored columns of an invoice, to insert and to compare.
struct InvoiceRow {
    static let fields = ["id", "group_id", "kind", "entity_id", "site_id", "sent_to", "order_number", "order_type", "delivery_note",
                         "issue_date", "delivery_date", "receipt_date", "due_date", "due_date_given", "amount_minor", "currency", "method",
                         "discounted", "sales_rep", "credits", "channel"]
    var values: [(any DatabaseValueConvertible)?]
    var texts: [String?]
    var payments: String

    init(_ i: Invoice, receiptDate: CivilDate?) {
        values = [i.id, i.group, i.kind.rawValue, i.entity, i.site, i.sentTo, i.orderNumber, i.orderType, i.deliveryNote,
                  i.issueDate.description, i.deliveryDate?.description, receiptDate?.description, i.dueDate.description, i.dueDateGiven,
                  i.amount.minorUnits, i.amount.currency, i.method.rawValue, i.discounted, i.salesRep, i.credits, i.channel]
        texts = values.map { v in v.map { "\($0.databaseValue)" } }
        payments = i.payments.sorted { ($0.date, $0.amount.minorUnits) < ($1.date, $1.amount.minorUnits) }
            .map { "\($0.date)=\($0.amount.minorUnits)" }.joined(separator: ";")
    }

    init(row: Row, payments: String) {
        values = InvoiceRow.fields.map { row[$0] as DatabaseValue }
        texts = InvoiceRow.fields.map { f in
            let v: DatabaseValue = row[f]
            return v.isNull ? nil : "\(v)"
        }
        self.payments = payments
    }

    /// (field, old, new) for every difference.
    func differences(from new: InvoiceRow) -> [(String, String?, String?)] {
        var result: [(String, String?, String?)] = []
        for (i, f) in InvoiceRow.fields.enumerated() where texts[i] != new.texts[i] { result.append((f, texts[i], new.texts[i])) }
        if payments != new.payments { result.append(("payments", payments, new.payments)) }
        return result
    }
}
