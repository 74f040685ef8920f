import Foundation
import GRDB
import RelanceCore

/// An event to store, with where it came from (`cdar.xml:14`).
public struct EventInput: Sendable {
    public var event: InvoiceEvent
    public var place: String
    /// A person the message names, to remember as a contact of the customer.
    public var contactName: String?
    public var contactPhone: String?
    public var contactEmail: String?
    /// What makes the event the same observation as another (``InvoiceEvent/identityKey`` of the event as
    /// received, before Relance fills in a department), so that a re-import is recognised as a duplicate.
    public var identity: String

    public init(event: InvoiceEvent, place: String, contactName: String? = nil, contactPhone: String? = nil, contactEmail: String? = nil,
                identity: String? = nil) {
        self.identity = identity ?? event.identityKey
        self.event = event
        self.place = place
        self.contactName = contactName
        self.contactPhone = contactPhone
        self.contactEmail = contactEmail
    }
}

extension Store {
    /// Appends events to the log, all or nothing. Every event must name a known invoice, and a department
    /// and contact of that invoice's customer when it names one; times must not be in the future nor
    /// more than a year before the invoice. Duplicates (already stored, or twice in the batch) are ignored.
    /// Events may arrive in any order: positions sort them by time.
    @discardableResult
    public func appendEvents(_ inputs: [EventInput], source: String, now: Date = Date()) throws -> ImportReport {
        try writer.write { db in try appendEvents(inputs, source: source, now: now, db) }
    }

    @discardableResult
    func appendEvents(_ inputs: [EventInput], source: String, now: Date, _ db: Database) throws -> ImportReport {
        let appender = try EventAppender(self, db, source: source, now: now, inferDepartments: false, progress: nil)
        for input in inputs { try appender.append(input) }
        return try appender.finish()
    }

    /// The events of an invoice, in time order (then in the order they were recorded).
    public func events(of invoice: String, until: Date? = nil) throws -> [InvoiceEvent] {
        try writer.read { db in
            var events: [InvoiceEvent] = []
            try Store.stepEvents(db, sql: "SELECT \(EventRowDecoder.columns(prefix: "")) FROM event WHERE invoice_id = ? AND at <= ? ORDER BY at, id",
                                 arguments: [invoice, Int64((until ?? .distantFuture).timeIntervalSince1970)]) { events.append($0) }
            return events
        }
    }

    /// Every event of a customer group (or of all), grouped by invoice, in time order, up to `until`.
    public func eventsByInvoice(group: String? = nil, until: Date? = nil) throws -> [String: [InvoiceEvent]] {
        try writer.read { db in
            let limit = Int64((until ?? .distantFuture).timeIntervalSince1970)
            var events: [String: [InvoiceEvent]] = [:]
            let collect = { (e: InvoiceEvent) in events[e.invoice, default: []].append(e) }
            if let group {
                try Store.stepEvents(db, sql: """
                    SELECT \(EventRowDecoder.columns(prefix: "e.")) FROM event e JOIN invoice i ON i.id = e.invoice_id
                    WHERE i.group_id = ? AND e.at <= ? ORDER BY e.invoice_id, e.at, e.id
                    """, arguments: [group, limit], collect)
            } else {
                try Store.stepEvents(db, sql: "SELECT \(EventRowDecoder.columns(prefix: "")) FROM event WHERE at <= ? ORDER BY invoice_id, at, id",
                                     arguments: [limit], collect)
            }
            return events
        }
    }

    /// Invoices (and credit notes) of a customer group, or of all, with their payments.
    public func invoices(group: String? = nil) throws -> [Invoice] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT \(Store.invoiceColumns) FROM invoice i" + (group == nil ? "" : " WHERE i.group_id = ?") + " ORDER BY i.id",
                                        arguments: group.map { [$0] } ?? [])
            var payments: [String: [Payment]] = [:]
            let prows = try Row.fetchAll(db, sql: group == nil ? "SELECT p.* FROM payment p ORDER BY date"
                                         : "SELECT p.* FROM payment p JOIN invoice i ON i.id = p.invoice_id WHERE i.group_id = ? ORDER BY date",
                                         arguments: group.map { [$0] } ?? [])
            let currencies = Dictionary(rows.map { ($0[0] as String, $0[14] as String) }, uniquingKeysWith: { a, _ in a })
            for p in prows {
                let id: String = p["invoice_id"]
                payments[id, default: []].append(Payment(date: try Store.paymentDate(p["date"], of: id), amount: Money(minorUnits: p["amount_minor"], currency: currencies[id] ?? "EUR"),
                                                         reference: p["reference"]))
            }
            return try rows.map { r in try Store.invoice(columns: r, payments: payments[r[0] as String] ?? []) }
        }
    }

    /// One invoice by number.
    public func invoice(_ id: String) throws -> Invoice? {
        try writer.read { db in
            guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Store.invoiceColumns) FROM invoice i WHERE i.id = ?"), arguments: [id])
            else { return nil }
            let currency: String = r[14]
            let payments = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM payment WHERE invoice_id = ? ORDER BY date"), arguments: [id]).map { p -> Payment in
                Payment(date: try Store.paymentDate(p["date"], of: id), amount: Money(minorUnits: p["amount_minor"], currency: currency), reference: p["reference"])
            }
            return try Store.invoice(columns: r, payments: payments)
        }
    }

    /// The changes recorded on an invoice by re-imports: (date, field, old, new).
    public func changes(of invoice: String) throws -> [(at: String, field: String, old: String?, new: String?)] {
        try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM invoice_change WHERE invoice_id = ? ORDER BY id"), arguments: [invoice]).map {
                ($0["changed_at"], $0["field"], $0["old_value"], $0["new_value"])
            }
        }
    }

    /// Contacts learned from messages, for a group: (name, phone, email, department).
    public func learnedContacts(group: String) throws -> [(name: String, phone: String?, email: String?, department: String?)] {
        try writer.read { db in try learnedContacts(group: group, db) }
    }

    func learnedContacts(group: String, _ db: Database) throws -> [(name: String, phone: String?, email: String?, department: String?)] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT name, phone, email, department_id FROM learned_contact WHERE group_id = ? ORDER BY name"),
                         arguments: [group]).map { ($0[0], $0[1], $0[2], $0[3]) }
    }

    /// The columns ``invoice(columns:payments:)`` reads, in its order, for a query naming the invoice table `i`;
    /// then what migration v9 keeps on the row: paid so far and the last payment's date.
    static let invoiceColumns = """
        i.id, i.kind, i.group_id, i.entity_id, i.site_id, i.sent_to, i.order_number, i.order_type, i.delivery_note, i.issue_date, \
        i.delivery_date, i.due_date, i.due_date_given, i.amount_minor, i.currency, i.method, i.sales_rep, i.credits, i.discounted, i.channel, \
        i.paid_minor, i.last_paid_on
        """

    /// An SQL condition: invoice `i` is not fully paid on `day` (an SQL expression, a parameter), its
    /// payments up to that day summed up only when it had some after it.
    static func unpaidOn(_ day: String) -> String {
        """
        (CASE WHEN i.last_paid_on IS NULL OR i.last_paid_on <= \(day) THEN i.paid_minor
              ELSE (SELECT coalesce(sum(p.amount_minor), 0) FROM payment p WHERE p.invoice_id = i.id AND p.date <= \(day)) END) < i.amount_minor
        """
    }

    /// An invoice from a row of ``invoiceColumns``, read by position. Throws when a stored date does not read
    /// (the import checks them; this names the invoice rather than dropping it).
    static func invoice(columns r: Row, payments: [Payment]) throws -> Invoice {
        let id: String = r[0]
        guard let issue = CivilDate(iso: r[9] as String), let due = CivilDate(iso: r[11] as String) else {
            throw StoreError.corrupt("invoice \(id) has an unreadable issue or due date")
        }
        let delivery: String? = r[10]
        return Invoice(
            id: id, kind: Invoice.Kind(rawValue: r[1]) ?? .invoice, group: r[2], entity: r[3], site: r[4],
            sentTo: r[5], orderNumber: r[6], orderType: r[7], deliveryNote: r[8],
            issueDate: issue, deliveryDate: delivery.flatMap { CivilDate(iso: $0) }, dueDate: due, dueDateGiven: r[12],
            amount: Money(minorUnits: r[13], currency: r[14]), method: PaymentMethod(rawValue: r[15]) ?? .transfer,
            salesRep: r[16], credits: r[17], discounted: r[18], payments: payments, channel: r[19])
    }

    /// A stored payment's date; throws naming the invoice when it does not read (the import checks dates:
    /// a payment is never dropped silently).
    static func paymentDate(_ text: String, of invoice: String) throws -> CivilDate {
        guard let date = CivilDate(iso: text) else { throw StoreError.corrupt("a payment of invoice \(invoice) has an unreadable date '\(text)'") }
        return date
    }

    /// The payments up to `day` of the invoice in a row of ``invoiceColumns``, read only when it has some.
    static func payments(of r: Row, through day: String, _ db: Database) throws -> [Payment] {
        guard (r[21] as String?) != nil else { return [] }
        let id: String = r[0], currency: String = r[14]
        return try Row.fetchAll(db.cachedStatement(sql: "SELECT date, amount_minor, reference FROM payment WHERE invoice_id = ? AND date <= ? ORDER BY date, rowid"),
                                arguments: [id, day]).map { p in
            Payment(date: try Store.paymentDate(p[0], of: id), amount: Money(minorUnits: p[1], currency: currency), reference: p[2])
        }
    }
}
