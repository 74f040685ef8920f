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
        let importer = try InvoiceImporter(self, db, source: source, now: now, progress: nil)
        for input in inputs { try importer.add(input) }
        return try importer.finish()
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
    var payments: String
    /// The values as text, to compare (worked out only when an invoice is imported again).
    var texts: [String?] {
        values.map { v in
            guard let value = v?.databaseValue, !value.isNull else { return nil }
            return "\(value)"
        }
    }

    init(_ i: Invoice, receiptDate: CivilDate?) {
        values = [i.id, i.group, i.kind.rawValue, i.entity, i.site, i.sentTo, i.orderNumber, i.orderType, i.deliveryNote,
                  i.issueDate.description, i.deliveryDate?.description, receiptDate?.description, i.dueDate.description, i.dueDateGiven,
                  i.amount.minorUnits, i.amount.currency, i.method.rawValue, i.discounted, i.salesRep, i.credits, i.channel]
        payments = i.payments.sorted { ($0.date, $0.amount.minorUnits) < ($1.date, $1.amount.minorUnits) }
            .map { "\($0.date)=\($0.amount.minorUnits)" }.joined(separator: ";")
    }

    init(row: Row, payments: String) {
        values = InvoiceRow.fields.map { row[$0] as DatabaseValue }
        self.payments = payments
    }

    /// (field, old, new) for every difference.
    func differences(from new: InvoiceRow) -> [(String, String?, String?)] {
        var result: [(String, String?, String?)] = []
        let texts = self.texts, newTexts = new.texts
        for (i, f) in InvoiceRow.fields.enumerated() where texts[i] != newTexts[i] { result.append((f, texts[i], newTexts[i])) }
        if payments != new.payments { result.append(("payments", payments, new.payments)) }
        return result
    }
}
