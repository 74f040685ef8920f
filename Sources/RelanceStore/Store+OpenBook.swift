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
    /// The open invoices and their events come from the group's packed open book when `relance learn` packed
    /// one for the day and the data has not changed since (``packOpenBooks(groups:asOf:chunk:)``), else from
    /// their rows: the same values either way (tests check it).
    /// The positions are worked out to `detail` (``PositionDetail/ahead`` for what only forecasts and plans).
    public func storedForecastInputs(group: String, asOf: CivilDate, minimumObservations: Int = 15,
                                     detail: PositionDetail = .full) throws -> (book: CustomerBook, context: Data)? {
        typealias Read = (graph: OrgGraph, learned: [(name: String, phone: String?, email: String?, department: String?)],
                          rows: OpenInvoiceRows, model: LearnedDwellModel, context: Data)
        let read: Read? = try writer.read { db in
            // Both are current only for the data version of now, read once for the two.
            let current = try dataVersion(group: group, db)
            guard let model = try dwellModel(group: group, asOf: asOf, minimumObservations: minimumObservations, current: current, db),
                  let context = try forecastContext(group: group, asOf: asOf, current: current, db),
                  let graph = try loadGraph(group, includeArchived: false, db) else { return nil }
            // A packed book is decoded from SQLite's own bytes, inside the read: copied out first, each book
            // (136 KiB on average at a million open invoices) was a fresh block of memory, its pages zeroed by
            // the kernel, then filled by a copy, then decoded (5% of a portfolio's forecast for the copy alone).
            let packed = try withPackedOpenBook(group: group, asOf: asOf, current: current, db) { bytes in
                try OpenBookBinary.decode(bytes, what: "\(group) on \(asOf)")
            }
            return (graph, try learnedContacts(group: group, db), try packed ?? openInvoiceRows(group: group, asOf: asOf, db), model, context)
        }
        guard let read else { return nil }
        let book = OpenBookRows(graph: read.graph, invoices: read.rows.invoices, events: read.rows.events, learned: read.learned)
        return (book.book(asOf: asOf, model: read.model, detail: detail), read.context)
    }

    /// The open book of each group packed for `asOf` (``OpenBookBinary``), with the data version it was read
    /// at, replacing the group's packed book of any day: what ``storedForecastInputs(group:asOf:minimumObservations:detail:)``
    /// reads on that day while the data has not changed. Groups are read on every core, `chunk` at a time,
    /// and each chunk is written in one transaction (995,602 open invoices packed to 408 MiB).
    /// Unknown groups are skipped. A book larger than `maximumBytes` is not kept (SQLite refuses values over
    /// a gigabyte, and such a book would be held whole in memory): that customer's forecasts read its rows,
    /// as without `relance learn`, and any book packed for it before is removed. Returns the books packed,
    /// their invoices and credit notes, their bytes, and the customers whose book was too large.
    @discardableResult
    public func packOpenBooks(groups: [String], asOf: CivilDate, chunk: Int = 64, maximumBytes: Int = 256 << 20) throws
        -> (books: Int, invoices: Int, bytes: Int, tooLarge: [String]) {
        var books = 0, invoices = 0, bytes = 0
        var tooLarge: [String] = []
        for start in stride(from: 0, to: groups.count, by: max(chunk, 1)) {
            let part = Array(groups[start..<min(start + max(chunk, 1), groups.count)])
            let packed: [Result<(group: String, version: String, invoices: Int, rows: Data)?, any Error>] = part.concurrentMap(minimumChunk: 1) { group in
                Result {
                    let read = try writer.read { db -> (version: DataVersion, rows: OpenInvoiceRows)? in
                        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM customer_group WHERE id = ?"), arguments: [group]) != nil else { return nil }
                        return (try dataVersion(group: group, db), try openInvoiceRows(group: group, asOf: asOf, db))
                    }
                    return read.map { (group, $0.version.description, $0.rows.invoices.count, OpenBookBinary.encode(invoices: $0.rows.invoices, events: $0.rows.events)) }
                }
            }
            let read = try packed.compactMap { try $0.get() }
            let rows = read.filter { $0.rows.count <= maximumBytes }
            let large = read.filter { $0.rows.count > maximumBytes }.map(\.group)
            try writer.write { db in
                let upsert = try db.makeStatement(sql: """
                    INSERT INTO open_book (group_id, as_of, data_version, invoices, rows) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(group_id) DO UPDATE SET as_of = excluded.as_of, data_version = excluded.data_version,
                      invoices = excluded.invoices, rows = excluded.rows
                    """)
                for r in rows { try upsert.execute(arguments: [r.group, asOf.description, r.version, r.invoices, r.rows]) }
                let remove = try db.makeStatement(sql: "DELETE FROM open_book WHERE group_id = ?")
                for g in large { try remove.execute(arguments: [g]) }
            }
            books += rows.count
            invoices += rows.reduce(0) { $0 + $1.invoices }
            bytes += rows.reduce(0) { $0 + $1.rows.count }
            tooLarge += large
        }
        return (books, invoices, bytes, tooLarge)
    }

    /// The packed open books kept, one per customer: the day each is for, its invoices and credit notes, its
    /// bytes, and whether it is current (packed at today's data version, so read by that day's forecasts).
    public func storedOpenBooks() throws -> [(group: String, asOf: String, invoices: Int, bytes: Int, current: Bool)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT group_id, as_of, invoices, length(rows), data_version FROM open_book ORDER BY group_id").map { r in
                let group: String = r[0]
                return (group, r[1], r[2], r[3], (r[4] as String) == (try dataVersion(group: group, db)).description)
            }
        }
    }

    /// The packed open book of a group for `asOf`, only if it was packed at the data version `current`.
    func packedOpenBook(group: String, asOf: CivilDate, current: DataVersion, _ db: Database) throws -> Data? {
        // Copied out of SQLite's buffer: the bytes handed to the closure live only as long as the statement's row.
        try withPackedOpenBook(group: group, asOf: asOf, current: current, db) { bytes in bytes.withUnsafeBytes { Data($0) } }
    }

    /// `body` applied to the packed open book of a group for `asOf`, read in place from SQLite's buffer (not
    /// copied), only if it was packed at the data version `current`; `nil` otherwise. The bytes are valid only
    /// during `body`, which must not keep them.
    func withPackedOpenBook<T>(group: String, asOf: CivilDate, current: DataVersion, _ db: Database,
                               _ body: (Data) throws -> T) throws -> T? {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT data_version, rows FROM open_book WHERE group_id = ? AND as_of = ?"),
                                       arguments: [group, asOf.description])
        guard let row = try rows.next(), row[0] as String == current.description else { return nil }
        return try row.withUnsafeData(atIndex: 1) { bytes in try body(bytes ?? Data()) }
    }

    /// What an open book reads from the database; its positions are worked out after the read.
    struct OpenBookRows {
        var graph: OrgGraph
        var invoices: [Invoice]
        var events: [String: [InvoiceEvent]]
        var learned: [(name: String, phone: String?, email: String?, department: String?)]

        func book(asOf: CivilDate, model: LearnedDwellModel, detail: PositionDetail = .full) -> CustomerBook {
            // The invoices as known on the day, copied only where a payment after the day must be dropped (never
            // for a packed book, which holds none): mapped, each invoice was copied, a dozen texts retained.
            var known = invoices
            for i in known.indices where known[i].payments.contains(where: { $0.date > asOf }) {
                known[i] = known[i].known(on: asOf)
            }
            let credited = CustomerBook.credited(by: known)
            let engine = PositionEngine(graph: graph, model: model)
            // Each position moved into an array with room for all (a lazy filter's array grew by doubling, and
            // moved every position made so far at each growth: 2% of an agenda's time in memmove).
            var positions: [InvoicePosition] = []
            positions.reserveCapacity(known.count)
            for i in known.indices where known[i].kind == .invoice {
                positions.append(engine.position(of: known[i], events: events[known[i].id] ?? [], asOf: asOf, detail: detail))
            }
            return CustomerBook(graph: graph, invoices: known, events: events, credited: credited, model: model, positions: positions, learned: learned)
        }
    }

    func openBookRows(group: String, asOf: CivilDate, _ db: Database) throws -> OpenBookRows? {
        guard let graph = try loadGraph(group, includeArchived: false, db) else { return nil }
        let rows = try openInvoiceRows(group: group, asOf: asOf, db)
        return OpenBookRows(graph: graph, invoices: rows.invoices, events: rows.events, learned: try learnedContacts(group: group, db))
    }

    typealias OpenInvoiceRows = (invoices: [Invoice], events: [String: [InvoiceEvent]])

    /// The invoices of a group unpaid on `asOf` with their payments up to it, every credit note issued by then,
    /// and the events of the unpaid invoices up to the end of the day, by invoice.
    func openInvoiceRows(group: String, asOf: CivilDate, _ db: Database) throws -> OpenInvoiceRows {
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
        return (invoices, events)
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
