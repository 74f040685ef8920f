import Foundation
import GRDB
import RelanceCore

extension Store {
    /// Appends events streamed by `feed` to the log in one write transaction, all or nothing.
    ///
    /// `feed` hands events to the ``EventAppender`` one at a time, so that a file of ten million events
    /// never needs ten million values in memory. Each event is checked (known invoice, department and
    /// contact of that invoice's customer, time not in the future nor more than a year before the invoice)
    /// as it comes, then inserted with the events around it, in batches sorted by invoice (``PendingEvents``);
    /// after the first problem nothing more is inserted but every row is still checked, and the transaction
    /// is rolled back with every problem (``RowProblems``). Duplicates (already stored, or twice in the
    /// stream) are recognised by the unique identity and counted as ignored; of two in the stream, the
    /// first is the one stored.
    ///
    /// - Parameters:
    ///   - inferDepartments: give an event with a state but no department the department of the route step
    ///     its state shows done, when exactly one step fits (``OrgGraph/likelyDepartment(of:for:)``).
    ///   - progress: called with the number of events handled since the last call (every 1,024 events and
    ///     at the end); keeps this module free of terminal code.
    @discardableResult
    public func appendEvents(source: String, now: Date = Date(), inferDepartments: Bool = false, progress: ((Int) -> Void)? = nil,
                             _ feed: (EventAppender) throws -> Void) throws -> ImportReport {
        try appendEvents(source: source, now: now, inferDepartments: inferDepartments, batchRows: PendingEvents.rowLimit, progress: progress, feed)
    }

    /// The same, inserting at most `batchRows` events at a time (tests use small batches).
    func appendEvents(source: String, now: Date, inferDepartments: Bool, batchRows: Int, progress: ((Int) -> Void)?,
                      _ feed: (EventAppender) throws -> Void) throws -> ImportReport {
        try writer.write { db in
            let appender = try EventAppender(self, db, source: source, now: now, inferDepartments: inferDepartments, progress: progress)
            appender.batchRows = batchRows
            try feed(appender)
            return try appender.finish()
        }
    }
}

/// Checks events one at a time and inserts them in sorted batches inside a write transaction (see
/// ``Store/appendEvents(source:now:inferDepartments:progress:_:)`` and ``PendingEvents``).
///
/// Events come as values (``append(_:)``) or, from a large file, as the bytes of their fields
/// (``append(_:file:line:)``): both are checked by the same code against caches keyed by bytes, so that a
/// row of a ten-million-row file is checked and inserted without making a `String` of any field. Values
/// are bound through SQLite's C interface on GRDB's prepared statement (``RawStatement``).
public final class EventAppender {
    private let store: Store
    private let db: Database
    private let insert: RawStatement
    private let invoiceLookup: RawStatement
    private let now: Date
    private let latest: Double
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

    /// What the checks need of an invoice: its group, issue date and where its route starts (indexes into
    /// `groups`, `sites` and `orderTypes`).
    private struct InvoiceFacts {
        var group: Int32
        var issue: Int32
        var site: Int32
        var orderType: Int32
    }

    /// A customer group met in the file; its departments and contacts (archived ones included: history may
    /// name them) are in `departments` and `contacts`, and its organisation is loaded once a department is inferred.
    private struct GroupFacts {
        var id: String
        var graph: OrgGraph??
    }

    private struct InferenceKey: Hashable {
        var group: Int32
        var site: Int32
        var orderType: Int32
        var state: CanonicalState
    }

    /// Keys, and texts bound without a copy (inferred departments, the import stamp), for the appender's life.
    private let arena = ByteArena()
    /// Every invoice looked up so far, by number (a few dozen bytes each: a million invoices fit in tens of MiB).
    private var invoices: ByteKeyedTable<InvoiceFacts>
    private var groups: [GroupFacts] = []
    private var groupIndex: [String: Int32] = [:]
    /// The groups whose departments and contacts are in `departments` and `contacts`.
    private var loaded: Set<Int32> = []
    /// Departments and contacts of the groups met so far, by id, with their group (ids are unique across groups).
    private var departments: ByteKeyedTable<Int32>
    private var contacts: ByteKeyedTable<Int32>
    private var sites: [String: Int32] = [:]
    private var orderTypes: [String: Int32] = [:]
    private var inferred: [InferenceKey: UnsafeBufferPointer<UInt8>?] = [:]
    /// Checked events not inserted yet (see ``PendingEvents`` for why they are inserted in batches, sorted).
    private var pending = PendingEvents()
    /// The most events pending before they are inserted (or ``PendingEvents/byteLimit`` bytes of text).
    var batchRows = PendingEvents.rowLimit
    /// The identity of the row being inserted (reused from row to row).
    private var identity: [UInt8] = []
    private let stampBytes: UnsafeBufferPointer<UInt8>
    /// The text of each source and state, bound without a copy.
    private let sourceNames: [EventSource: UnsafeBufferPointer<UInt8>]
    private let stateNames: [CanonicalState: UnsafeBufferPointer<UInt8>]

    init(_ store: Store, _ db: Database, source: String, now: Date, inferDepartments: Bool, progress: ((Int) -> Void)?) throws {
        self.store = store
        self.db = db
        self.now = now
        self.latest = now.timeIntervalSince1970 + 86_400
        self.inferDepartments = inferDepartments
        self.progress = progress
        stamp = ISO8601DateFormatter().string(from: now)
        invoices = ByteKeyedTable(arena: arena, capacity: 1_024)
        departments = ByteKeyedTable(arena: arena)
        contacts = ByteKeyedTable(arena: arena)
        stampBytes = arena.copy(stamp)
        sourceNames = Dictionary(uniqueKeysWithValues: EventSource.allCases.map { [arena] in ($0, arena.copy($0.rawValue)) })
        stateNames = Dictionary(uniqueKeysWithValues: CanonicalState.allCases.map { [arena] in ($0, arena.copy($0.rawValue)) })
        identity.reserveCapacity(256)
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

    /// Checks one event and, when every event so far was good, queues it for insertion (an event that
    /// teaches a contact is inserted at once, after those queued before it).
    public func append(_ input: EventInput) throws {
        defer { counted(1) }
        var e = input.event
        var number = e.invoice
        let checked = try number.withUTF8 { invoice in
            try withBytes(e.department) { department in
                try withBytes(e.contact) { contact in
                    try check(invoice: invoice, state: e.state, at: e.at.timeIntervalSince1970, department: department, contact: contact,
                              place: { input.place })
                }
            }
        }
        guard let checked, inserting, problems.isEmpty else { return }
        if let department = checked.inferred { e.department = String(decoding: department, as: UTF8.self) }
        guard let name = input.contactName else {
            pending.append(e, identity: input.identity)
            if pending.rows.count >= batchRows || pending.isFull { try flush() }
            return
        }
        // An event that teaches a contact is inserted at once, after the events before it.
        try flush()
        if try insertRow(e, identity: input.identity) { report.added += 1 } else { report.ignored += 1 }
        do {
            let group = groups[Int(checked.invoice.group)].id
            let known = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM learned_contact WHERE group_id = ? AND name = ?"),
                                          arguments: [group, name]) == true
            try db.cachedStatement(sql: """
                INSERT INTO learned_contact (group_id, name, phone, email, department_id, source, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(group_id, name) DO UPDATE SET phone = coalesce(excluded.phone, phone), email = coalesce(excluded.email, email)
                """).execute(arguments: [group, name, input.contactPhone, input.contactEmail, e.department, e.source.rawValue, stamp])
            if !known { report.learnedContacts += 1 }
        }
    }

    /// Checks one event given as the bytes of its fields (read from `file` at `line`) and, when every event
    /// so far was good, queues it for insertion (its bytes are copied). Its identity is
    /// ``InvoiceEvent/identityKey`` of the event as given.
    public func append(_ e: EventFields, file: String, line: Int) throws {
        defer { counted(1) }
        let checked = try check(invoice: e.invoice, state: e.state, at: e.at, department: e.department.isEmpty ? nil : e.department,
                                contact: e.contact.isEmpty ? nil : e.contact, place: { "\(file):\(line)" })
        guard let checked, inserting, problems.isEmpty else { return }
        pending.append(e, department: checked.inferred ?? e.department, inferred: checked.inferred != nil)
        if pending.rows.count >= batchRows || pending.isFull { try flush() }
    }

    /// Ends the import: throws every problem found (the transaction is then rolled back), or inserts the
    /// events still pending, records the batch's counts and returns them.
    func finish() throws -> ImportReport {
        if unreported > 0 { progress?(unreported); unreported = 0 }
        guard problems.isEmpty else { throw RowProblems(problems: problems) }
        try flush()
        insert.reset()
        try db.cachedStatement(sql: "UPDATE import_batch SET added = ?, ignored = ? WHERE id = ?")
            .execute(arguments: [report.added, report.ignored, batch])
        return report
    }

    private func counted(_ n: Int) {
        guard let progress else { return }
        unreported += n
        if unreported >= 1_024 { progress(unreported); unreported = 0 }
    }

    private struct Checked {
        var invoice: InvoiceFacts
        /// The department inferred for an event that names none.
        var inferred: UnsafeBufferPointer<UInt8>?
    }

    /// The checks of an event against the database: known invoice, department and contact of that
    /// invoice's customer, time not in the future nor more than a year before the invoice. Records each
    /// problem found; returns `nil` when there was one.
    private func check(invoice id: UnsafeBufferPointer<UInt8>, state: CanonicalState?, at: Double, department: UnsafeBufferPointer<UInt8>?,
                       contact: UnsafeBufferPointer<UInt8>?, place: () -> String) throws -> Checked? {
        let before = problems.count
        func bad(_ field: String, _ message: String) { problems.append(RowProblem(place: place(), field: field, message: message)) }
        func text(_ b: UnsafeBufferPointer<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
        guard let invoice = try facts(of: id) else { bad("invoice", "unknown invoice '\(text(id))' (import it first)"); return nil }
        try loadGroup(invoice.group)
        var checked = Checked(invoice: invoice, inferred: nil)
        if inferDepartments, department == nil, let state { checked.inferred = try likelyDepartment(of: state, for: id, invoice) }
        if let d = department, departments[d] != invoice.group {
            bad("department", "unknown department '\(text(d))' in customer \(groups[Int(invoice.group)].id)")
        }
        if let c = contact, contacts[c] != invoice.group {
            bad("contact", "unknown contact '\(text(c))' in customer \(groups[Int(invoice.group)].id)")
        }
        if at > latest { bad("at", "\(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: at))) is in the future") }
        // The day in Paris is only worked out near the limit: Paris is ahead of UTC, so an instant after the
        // limit day's start in UTC is after its start in Paris too.
        let issue = CivilDate(dayNumber: Int(invoice.issue))
        let earliest = issue.adding(days: -366)
        if at < Double(earliest.dayNumber + 1) * 86_400 {
            let day = CivilDate(Date(timeIntervalSince1970: at), in: paris)
            if day < earliest { bad("at", "\(day) is more than a year before the invoice date \(issue)") }
        }
        return problems.count == before ? checked : nil
    }

    private func facts(of invoice: UnsafeBufferPointer<UInt8>) throws -> InvoiceFacts? {
        if let known = invoices[invoice] { return known }
        invoiceLookup.reset()
        invoiceLookup.bindText(invoice, 1)
        defer { invoiceLookup.reset() }
        guard try invoiceLookup.nextRow(), let group = invoiceLookup.text(0), let site = invoiceLookup.text(2) else { return nil }
        let issue = invoiceLookup.text(1).flatMap { CivilDate(iso: $0) } ?? CivilDate(dayNumber: 0)
        let facts = InvoiceFacts(group: index(group), issue: Int32(clamping: issue.dayNumber), site: intern(site, in: &sites),
                                 orderType: invoiceLookup.text(3).map { intern($0, in: &orderTypes) } ?? -1)
        invoices.set(facts, for: invoice)
        return facts
    }

    private func intern(_ text: String, in table: inout [String: Int32]) -> Int32 {
        if let known = table[text] { return known }
        let i = Int32(table.count)
        table[text] = i
        return i
    }

    /// The index of a customer group in `groups`, added (not yet loaded) when new.
    private func index(_ group: String) -> Int32 {
        if let known = groupIndex[group] { return known }
        let i = Int32(groups.count)
        groups.append(GroupFacts(id: group, graph: nil))
        groupIndex[group] = i
        return i
    }

    /// Reads a group's departments and contacts into `departments` and `contacts`, once.
    private func loadGroup(_ group: Int32) throws {
        guard loaded.insert(group).inserted else { return }
        let id = groups[Int(group)].id
        for d in try String.fetchAll(db, sql: "SELECT id FROM department WHERE group_id = ?", arguments: [id]) {
            withBytes(d) { departments.set(group, for: $0 ?? .empty) }
        }
        for c in try String.fetchAll(db, sql: "SELECT id FROM contact WHERE group_id = ?", arguments: [id]) {
            withBytes(c) { contacts.set(group, for: $0 ?? .empty) }
        }
    }

    /// The department an event with `state` and no department most likely comes from; the same for every
    /// invoice of a group delivered at the same site with the same order type, so it is worked out once.
    private func likelyDepartment(of state: CanonicalState, for id: UnsafeBufferPointer<UInt8>,
                                  _ invoice: InvoiceFacts) throws -> UnsafeBufferPointer<UInt8>? {
        let key = InferenceKey(group: invoice.group, site: invoice.site, orderType: invoice.orderType, state: state)
        if let known = inferred[key] { return known }
        let g = Int(invoice.group)
        if groups[g].graph == nil {
            groups[g].graph = .some(try store.loadGraph(groups[g].id, includeArchived: false, db))
        }
        var department: UnsafeBufferPointer<UInt8>?
        if let graph = groups[g].graph ?? nil,
           let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Store.invoiceColumns) FROM invoice i WHERE i.id = ?"),
                                      arguments: [String(decoding: id, as: UTF8.self)]) {
            let full = try Store.invoice(columns: row, payments: [])
            department = graph.likelyDepartment(of: state, for: full).map { arena.copy($0) }
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

    /// Inserts the pending events, sorted (``PendingEvents/order()``), each bound from the batch's bytes
    /// without a copy: every parameter is bound again for each row (NULL when absent), so none still points
    /// at a previous row's bytes when the statement runs.
    private func flush() throws {
        guard !pending.isEmpty else { return }
        let order = pending.order()
        try pending.bytes.withUnsafeBufferPointer { all in
            func text(_ s: PendingEvents.Span) -> UnsafeBufferPointer<UInt8>? {
                s.count < 0 ? nil : UnsafeBufferPointer(rebasing: all[Int(s.start)..<Int(s.start + s.count)])
            }
            func bind(_ s: PendingEvents.Span, _ index: Int32) {
                if let t = text(s) { insert.bindText(t, index) } else { insert.bindNull(index) }
            }
            for i in order {
                let r = pending.rows[Int(i)]
                let state = r.state < 0 ? nil : PendingEvents.states[Int(r.state)]
                let source = PendingEvents.sources[Int(r.source)]
                let date = r.date == Int32.min ? nil : CivilDate(dayNumber: Int(r.date))
                insert.rewind()
                bind(r.invoice, 1)
                if let state { insert.bindText(stateNames[state, default: .empty], 2) } else { insert.bindNull(2) }
                insert.bind(Int64(r.at.rounded(.down)), 3)
                bind(r.timeZone, 4)
                bind(r.department, 5)
                bind(r.contact, 6)
                insert.bindText(sourceNames[source, default: .empty], 7)
                bind(r.rawCode, 8)
                bind(r.reason, 9)
                bind(r.action, 10)
                bind(r.note, 11)
                if r.hasAmount { insert.bind(r.amount, 12) } else { insert.bindNull(12) }
                bind(r.currency, 13)
                if let date { insert.bind(date.description, 14) } else { insert.bindNull(14) }
                func run(identity: UnsafeBufferPointer<UInt8>) throws {
                    insert.bindText(identity, 15)
                    insert.bind(batch, 16)
                    insert.bindText(stampBytes, 17)
                    if try insert.step() > 0 { report.added += 1 } else { report.ignored += 1 }
                }
                if let given = text(r.identity) {
                    try run(identity: given)
                } else {
                    let fields = EventFields(invoice: text(r.invoice) ?? .empty, state: state, at: r.at, timeZone: text(r.timeZone) ?? .empty,
                                             department: r.departmentInferred ? .empty : text(r.department) ?? .empty,
                                             contact: text(r.contact) ?? .empty, source: source, rawCode: text(r.rawCode) ?? .empty,
                                             reason: text(r.reason) ?? .empty, action: text(r.action) ?? .empty, note: text(r.note) ?? .empty,
                                             date: date)
                    fields.identity(into: &identity)
                    try identity.withUnsafeBufferPointer { try run(identity: $0) }
                }
            }
        }
        pending.removeAll()
    }
}

/// Runs `body` with the UTF-8 of `text`, or `nil`.
private func withBytes<R>(_ text: String?, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
    guard var text else { return try body(nil) }
    return try text.withUTF8 { try body($0) }
}
