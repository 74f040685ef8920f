import Foundation
import GRDB
import RelanceCore

extension Store {
    /// The open part of a customer's book as of a day, for a dwell model learned beforehand (`relance learn`):
    /// the organisation, the invoices still unpaid that day with their events, every credit note, and the
    /// positions of those invoices. Nothing of the settled history is read, so this costs what the open
    /// book weighs, not what the whole history does: what the agenda and bulk forecasts need at scale.
    ///
    /// The positions are those ``book(group:asOf:minimumObservations:)`` gives for the same invoices when
    /// `model` is the model it would learn (tests check it).
    public func openBook(group: String, asOf: CivilDate, model: LearnedDwellModel) throws -> CustomerBook? {
        try writer.read { db in try openBookRows(group: group, asOf: asOf, db) }.map { $0.book(asOf: asOf, model: model) }
    }

    /// The open book of a group with the stored dwell model and forecast context it is forecast with, all
    /// read in one transaction, so from one state of the database (an import in between cannot pair a model
    /// with another day's events) and at the cost of one read (each costs a connection from the pool and a
    /// transaction's begin and end: 7% of a portfolio's forecast when a group took five). `nil` when the
    /// group is unknown or its stored model or context is missing or not current (the caller learns them).
    /// The positions are worked out to `detail` (``PositionDetail/ahead`` for what only forecasts and plans).
    public func storedForecastInputs(group: String, asOf: CivilDate, minimumObservations: Int = 15,
                                     detail: PositionDetail = .full) throws -> (book: CustomerBook, context: Data)? {
        let read: (rows: OpenBookRows, model: LearnedDwellModel, context: Data)? = try writer.read { db in
            // Both are current only for the data version of now, read once for the two.
            let current = try dataVersion(group: group, db)
            guard let model = try dwellModel(group: group, asOf: asOf, minimumObservations: minimumObservations, current: current, db),
                  let context = try forecastContext(group: group, asOf: asOf, current: current, db),
                  let rows = try openBookRows(group: group, asOf: asOf, db) else { return nil }
            return (rows, model, context)
        }
        return read.map { ($0.rows.book(asOf: asOf, model: $0.model, detail: detail), $0.context) }
    }

    /// What an open book reads from the database; its positions are worked out after the read.
    struct OpenBookRows {
        var graph: OrgGraph
        var invoices: [Invoice]
        var events: [String: [InvoiceEvent]]
        var learned: [(name: String, phone: String?, email: String?, department: String?)]

        func book(asOf: CivilDate, model: LearnedDwellModel, detail: PositionDetail = .full) -> CustomerBook {
            let known = invoices.map { $0.known(on: asOf) }
            let credited = CustomerBook.credited(by: known)
            let engine = PositionEngine(graph: graph, model: model)
            let positions = known.filter { $0.kind == .invoice }.map { engine.position(of: $0, events: events[$0.id] ?? [], asOf: asOf, detail: detail) }
            return CustomerBook(graph: graph, invoices: known, events: events, credited: credited, model: model, positions: positions, learned: learned)
        }
    }

    func openBookRows(group: String, asOf: CivilDate, _ db: Database) throws -> OpenBookRows? {
        guard let graph = try loadGraph(group, includeArchived: false, db) else { return nil }
        let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt
        let cutoff = Int64(asOf.adding(days: 1).start(in: zone).timeIntervalSince1970)
        let day = asOf.description
        // The invoices unpaid on the day, and every credit note (netted later, by the positions' open
        // amounts). Paid so far is kept on the invoice row (migration v9, written by the invoice import):
        // only an invoice paid after the day needs its payments summed up to the day.
        // A cursor, not fetchAll: its rows read SQLite's columns in place, where copied rows decode each
        // value through GRDB's generic path (5% of a forecast's CPU).
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(Store.invoiceColumns) FROM invoice i
            WHERE i.group_id = ?1 AND i.issue_date <= ?2 AND (i.kind <> 'invoice' OR \(Store.unpaidOn("?2")))
            ORDER BY i.id
            """), arguments: [group, day])
        var invoices: [Invoice] = []
        var events: [String: [InvoiceEvent]] = [:]
        let eventsOf = "SELECT \(EventRowDecoder.columns(prefix: "")) FROM event WHERE invoice_id = ? AND at <= ? ORDER BY at, id"
        var decoder = EventRowDecoder()
        while let r = try rows.next() {
            let invoice = try Store.invoice(columns: r, payments: try Store.payments(of: r, through: day, db))
            invoices.append(invoice)
            // Only the events of the unpaid invoices, through the (invoice_id, at, id) index.
            guard invoice.kind == .invoice else { continue }
            var list: [InvoiceEvent] = []
            try Store.stepEvents(db, sql: eventsOf, arguments: [invoice.id, cutoff], decoder: &decoder) { list.append($0) }
            if !list.isEmpty { events[invoice.id] = list }
        }
        return OpenBookRows(graph: graph, invoices: invoices, events: events, learned: try learnedContacts(group: group, db))
    }

    /// One invoice's book as of a day, for a dwell model learned beforehand: the organisation, the invoice with
    /// its payments and events up to that day, the credit notes that credit it, and its position — what
    /// `relance where` shows, without reading the rest of the customer's history. `nil` when the invoice is
    /// unknown, is a credit note, or was not issued yet on that day.
    public func invoiceBook(_ id: String, asOf: CivilDate, model: LearnedDwellModel) throws -> (book: CustomerBook, position: InvoicePosition)? {
        guard let invoice = try invoice(id) else { return nil }
        return try invoiceBook(invoice, asOf: asOf, model: model)
    }

    /// ``invoiceBook(_:asOf:model:)`` for an invoice already read (with its payments).
    public func invoiceBook(_ invoice: Invoice, asOf: CivilDate, model: LearnedDwellModel) throws -> (book: CustomerBook, position: InvoicePosition)? {
        guard invoice.kind == .invoice, invoice.issueDate <= asOf else { return nil }
        let id = invoice.id
        // The organisation changes only with an import of it, which moves its stamp.
        let stamp = try writer.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT imported_at FROM customer_group WHERE id = ?"), arguments: [invoice.group])
        }
        let graphKey = "\(invoice.group)|\(stamp ?? "")"
        let cached = loadedGraphs.value(for: graphKey)
        guard let graph = try cached ?? self.graph(invoice.group) else { return nil }
        if cached == nil { loadedGraphs.set(graph, for: graphKey) }
        let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt
        let events = try self.events(of: id, until: asOf.adding(days: 1).start(in: zone))
        let credits: [Invoice] = try writer.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT \(Store.invoiceColumns) FROM invoice i WHERE i.credits = ? AND i.kind <> 'invoice' AND i.issue_date <= ? ORDER BY i.id
                """), arguments: [id, asOf.description])
                .map { try Store.invoice(columns: $0, payments: []) }
        }
        let credited = CustomerBook.credited(by: credits)
        let known = invoice.known(on: asOf)
        let position = PositionEngine(graph: graph, model: model).position(of: known, events: events, asOf: asOf)
        let book = CustomerBook(graph: graph, invoices: [known] + credits.map { $0.known(on: asOf) }, events: [id: events], credited: credited,
                                model: model, positions: [position], learned: try learnedContacts(group: invoice.group))
        return (book, position)
    }
}
