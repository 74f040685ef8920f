import Foundation
import GRDB
import RelanceCore

extension Store {
    /// Appends events streamed by `feed` to the log in one write transaction, all or nothing.
    ///
    /// `feed` hands events to the ``EventAppender`` one at a time, so that a file of ten million events
    /// never needs ten million values in memory. Each event is checked (known invoice, department and
    /// contact of that invoice's customer, time not in the future nor more than a year before the invoice)
    /// and inserted at once; after the first problem nothing more is inserted but every row is still
    /// checked, and the transaction is rolled back with every problem (``RowProblems``). Duplicates
    /// (already stored, or twice in the stream) are recognised by the unique identity and counted as ignored.
    ///
    /// - Parameters:
    ///   - inferDepartments: give an event with a state but no department the department of the route step
    ///     its state shows done, when exactly one step fits (``OrgGraph/likelyDepartment(of:for:)``).
    ///   - progress: called with the number of events handled since the last call (every 1,024 events and
    ///     at the end); keeps this module free of terminal code.
    @discardableResult
    public func appendEvents(source: String, now: Date = Date(), inferDepartments: Bool = false, progress: ((Int) -> Void)? = nil,
                             _ feed: (EventAppender) throws -> Void) throws -> ImportReport {
        try writer.write { db in
            let appender = try EventAppender(self, db, source: source, now: now, inferDepartments: inferDepartments, progress: progress)
            try feed(appender)
            return try appender.finish()
        }
    }
}

/// Checks and inserts events one at a time inside a write transaction (see
/// ``Store/appendEvents(source:now:inferDepartments:progress:_:)``).
///
/// Values are bound through SQLite's C interface on GRDB's prepared statement (``RawStatement``).
public final class EventAppender {
    private let store: Store
    private let db: Database
    private let insert: RawStatement
    private let invoiceLookup: RawStatement
    private let now: Date
    private let latest: Date
    private let stamp: String
    private let batch: Int64
    private let inferDepartments: Bool
    private let progress: ((Int) -> Void)?
    private var unreported = 0
    private var report = ImportReport()
    /// The problems found so far against the database (the import will be refused if there is any).
    public private(set) var problems: [RowProblem] = []
    private var inserting = true
    private let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt

    /// What the checks need of an invoice: its group, issue date and where its route starts.
    private struct InvoiceFacts {
        var group: String
        var issue: CivilDate
        var site: String
        var orderType: String?
    }

    /// What the checks need of a customer group: the ids of its departments and contacts (archived ones
    /// included: history may name them), and its organisation once a department is inferred.
    private struct GroupFacts {
        var departments: Set<String>
        var contacts: Set<String>
        var graph: OrgGraph??
    }

    private struct InferenceKey: Hashable {
        var group: String
        var site: String
        var orderType: String?
        var state: CanonicalState
    }

    /// Invoices looked up so far. Files list an invoice's events together, so the cache is emptied when it
    /// grows past `invoiceCacheLimit` rather than kept for every invoice of a large portfolio.
    private var invoices: [String: InvoiceFacts] = [:]
    private let invoiceCacheLimit = 100_000
    private var groups: [String: GroupFacts] = [:]
    private var inferred: [InferenceKey: String?] = [:]

    init(_ store: Store, _ db: Database, source: String, now: Date, inferDepartments: Bool, progress: ((Int) -> Void)?) throws {
        self.store = store
        self.db = db
        self.now = now
        self.latest = now.addingTimeInterval(86_400)
        self.inferDepartments = inferDepartments
        self.progress = progress
        stamp = ISO8601DateFormatter().string(from: now)
        try db.cachedStatement(sql: "INSERT INTO import_batch (kind, files, at, added, updated, ignored) VALUES ('events', ?, ?, 0, 0, 0)")
            .execute(arguments: [source, stamp])
        batch = db.lastInsertedRowID
        invoiceLookup = try RawStatement(db, sql: "SELECT group_id, issue_date, site_id, order_type FROM invoice WHERE id = ?")
        insert = try RawStatement(db, sql: """
            INSERT OR IGNORE INTO event (invoice_id, state, at, time_zone, department_id, contact_id, source, raw_code, reason, action,
              note, amount_minor, currency, date, identity, import_id, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// Keeps checking the events that follow but inserts none: a problem was found before they reached the
    /// store (a malformed row), so the import will be refused.
    public func stopInserting() { inserting = false }

    /// Checks one event and, when every event so far was good, inserts it.
    public func append(_ input: EventInput) throws {
        defer { counted(1) }
        var e = input.event
        func bad(_ field: String, _ message: String) { problems.append(RowProblem(place: input.place, field: field, message: message)) }
        guard let invoice = try facts(of: e.invoice) else { bad("invoice", "unknown invoice '\(e.invoice)' (import it first)"); return }
        let group = try groupFacts(invoice.group)
        if inferDepartments, e.department == nil, let state = e.state {
            e.department = try likelyDepartment(of: state, for: e.invoice, invoice)
        }
        if let d = e.department, !group.departments.contains(d) { bad("department", "unknown department '\(d)' in customer \(invoice.group)") }
        if let c = e.contact, !group.contacts.contains(c) { bad("contact", "unknown contact '\(c)' in customer \(invoice.group)") }
        if e.at > latest { bad("at", "\(ISO8601DateFormatter().string(from: e.at)) is in the future") }
        // The day in Paris is only worked out near the limit: Paris is ahead of UTC, so an instant after the
        // limit day's start in UTC is after its start in Paris too.
        let earliest = invoice.issue.adding(days: -366)
        if e.at.timeIntervalSince1970 < Double(earliest.dayNumber + 1) * 86_400 {
            let day = CivilDate(e.at, in: paris)
            if day < earliest { bad("at", "\(day) is more than a year before the invoice date \(invoice.issue)") }
        }
        guard inserting, problems.isEmpty else { return }
        if try insertRow(e, identity: input.identity) { report.added += 1 } else { report.ignored += 1 }
        if let name = input.contactName {
            let known = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM learned_contact WHERE group_id = ? AND name = ?"),
                                          arguments: [invoice.group, name]) == true
            try db.cachedStatement(sql: """
                INSERT INTO learned_contact (group_id, name, phone, email, department_id, source, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(group_id, name) DO UPDATE SET phone = coalesce(excluded.phone, phone), email = coalesce(excluded.email, email)
                """).execute(arguments: [invoice.group, name, input.contactPhone, input.contactEmail, e.department, e.source.rawValue, stamp])
            if !known { report.learnedContacts += 1 }
        }
    }

    /// Ends the import: throws every problem found (the transaction is then rolled back), or records the
    /// batch's counts and returns them.
    func finish() throws -> ImportReport {
        if unreported > 0 { progress?(unreported); unreported = 0 }
        guard problems.isEmpty else { throw RowProblems(problems: problems) }
        try db.cachedStatement(sql: "UPDATE import_batch SET added = ?, ignored = ? WHERE id = ?")
            .execute(arguments: [report.added, report.ignored, batch])
        return report
    }

    private func counted(_ n: Int) {
        guard let progress else { return }
        unreported += n
        if unreported >= 1_024 { progress(unreported); unreported = 0 }
    }

    private func facts(of invoice: String) throws -> InvoiceFacts? {
        if let known = invoices[invoice] { return known }
        invoiceLookup.reset()
        invoiceLookup.bind(invoice, 1)
        defer { invoiceLookup.reset() }
        guard try invoiceLookup.nextRow(), let group = invoiceLookup.text(0), let site = invoiceLookup.text(2) else { return nil }
        let issue = invoiceLookup.text(1).flatMap { CivilDate(iso: $0) } ?? CivilDate(dayNumber: 0)
        let facts = InvoiceFacts(group: group, issue: issue, site: site, orderType: invoiceLookup.text(3))
        if invoices.count >= invoiceCacheLimit { invoices.removeAll(keepingCapacity: true) }
        invoices[invoice] = facts
        return facts
    }

    private func groupFacts(_ group: String) throws -> GroupFacts {
        if let known = groups[group] { return known }
        func ids(_ table: String) throws -> Set<String> {
            Set(try String.fetchAll(db, sql: "SELECT id FROM \(table) WHERE group_id = ?", arguments: [group]))
        }
        let facts = GroupFacts(departments: try ids("department"), contacts: try ids("contact"), graph: nil)
        groups[group] = facts
        return facts
    }

    /// The department an event with `state` and no department most likely comes from; the same for every
    /// invoice of a group delivered at the same site with the same order type, so it is worked out once.
    private func likelyDepartment(of state: CanonicalState, for id: String, _ invoice: InvoiceFacts) throws -> String? {
        let key = InferenceKey(group: invoice.group, site: invoice.site, orderType: invoice.orderType, state: state)
        if let known = inferred[key] { return known }
        if groups[invoice.group]?.graph == nil {
            groups[invoice.group]?.graph = .some(try store.loadGraph(invoice.group, includeArchived: false, db))
        }
        var department: String?
        if let graph = groups[invoice.group]?.graph ?? nil,
           let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM invoice WHERE id = ?"), arguments: [id]),
           let full = Store.invoice(row, payments: []) {
            department = graph.likelyDepartment(of: state, for: full)
        }
        inferred[key] = department
        return department
    }

    /// Binds the event's columns through SQLite's C interface and steps the statement; `true` when a row
    /// was added, `false` when its identity was already stored.
    private func insertRow(_ e: InvoiceEvent, identity: String) throws -> Bool {
        insert.reset()
        insert.bind(e.invoice, 1)
        insert.bind(e.state?.rawValue, 2)
        insert.bind(Int64(e.at.timeIntervalSince1970.rounded(.down)), 3)
        insert.bind(e.timeZone, 4)
        insert.bind(e.department, 5)
        insert.bind(e.contact, 6)
        insert.bind(e.source.rawValue, 7)
        insert.bind(e.rawCode, 8)
        insert.bind(e.reason, 9)
        insert.bind(e.action, 10)
        insert.bind(e.note, 11)
        insert.bind(e.amount?.minorUnits, 12)
        insert.bind(e.amount?.currency, 13)
        insert.bind(e.date?.description, 14)
        insert.bind(identity, 15)
        insert.bind(batch, 16)
        insert.bind(stamp, 17)
        return try insert.step() > 0
    }
}
