import Foundation
import GRDB
import GRDBSQLite
import RelanceCore

/// What the database held when a model was learned, so that a reader can tell whether the model is still
/// current. Each part is a high-water mark that only grows when the data a model depends on changes:
///
/// - `events`: the largest event id. Events are append-only (never updated nor deleted), so a new event,
///   whatever its date, raises it.
/// - `invoices`: the largest invoice rowid: a new invoice or credit note raises it.
/// - `changes`: the largest id of the invoice change log: a re-import that changes an invoice (its due date,
///   its amount, its payments…) writes one row per changed field.
/// - `imports`: the largest import batch id: every import of invoices or events writes one.
/// - `organisation`: when the group's organisation was last imported (`customer_group.imported_at`): its
///   routes, departments and calendars decide the positions.
///
/// The first four are global: any import makes every group's stored model stale, which is conservative
/// and costs four look-ups of an index's last entry. Two imports of the same organisation file within one
/// second leave `organisation` unchanged; that is the one change the version does not see.
public struct DataVersion: Hashable, Sendable, CustomStringConvertible {
    public var events: Int64
    public var invoices: Int64
    public var changes: Int64
    public var imports: Int64
    public var organisation: String

    public init(events: Int64, invoices: Int64, changes: Int64, imports: Int64, organisation: String) {
        self.events = events
        self.invoices = invoices
        self.changes = changes
        self.imports = imports
        self.organisation = organisation
    }

    /// The stored form, `e1203.i311.c4.b9@2026-11-29T10:12:00Z`.
    public var description: String { "e\(events).i\(invoices).c\(changes).b\(imports)@\(organisation)" }
}

/// A model learned for one group, ready to be stored.
public struct LearnedGroupModel: Sendable {
    public var group: String
    public var model: LearnedDwellModel
    /// The data version read before the group's data (see ``DataVersion``).
    public var version: DataVersion
    /// Invoices (not credit notes) and events it was learned from.
    public var invoices: Int
    public var events: Int
    /// Wall time spent loading and learning this group.
    public var seconds: Double

    public init(group: String, model: LearnedDwellModel, version: DataVersion, invoices: Int, events: Int, seconds: Double) {
        self.group = group
        self.model = model
        self.version = version
        self.invoices = invoices
        self.events = events
        self.seconds = seconds
    }
}

/// A stored model as listed by ``Store/storedDwellModels()``.
public struct StoredDwellModel: Sendable {
    public var group: String
    public var asOf: CivilDate
    public var dataVersion: String
    /// Whether the data has not changed since it was learned.
    public var current: Bool
    public var learnedAt: String
    public var seconds: Double
    public var invoices: Int
    public var events: Int
    public var model: LearnedDwellModel
}

/// What ``Store/learnDwellModels(asOf:minimumObservations:groups:)`` did.
public struct LearnReport: Sendable {
    public var models: [LearnedGroupModel]
    public var invoices: Int { models.reduce(0) { $0 + $1.invoices } }
    public var events: Int { models.reduce(0) { $0 + $1.events } }
    /// Departments and actions with a learned law, over all groups.
    public var laws: Int { models.reduce(0) { $0 + $1.model.laws.count } }
}

extension Store {
    // MARK: - Data version

    /// The data version of a group now (``DataVersion``).
    public func dataVersion(group: String) throws -> DataVersion {
        try writer.read { db in try dataVersion(group: group, db) }
    }

    func dataVersion(group: String, _ db: Database) throws -> DataVersion {
        // MAX over an integer primary key or a rowid reads the last entry of the table's b-tree.
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT MAX(id) FROM event), (SELECT MAX(rowid) FROM invoice), (SELECT MAX(id) FROM invoice_change),
                   (SELECT MAX(id) FROM import_batch), (SELECT imported_at FROM customer_group WHERE id = ?)
            """), arguments: [group])
        return DataVersion(events: row?[0] ?? 0, invoices: row?[1] ?? 0, changes: row?[2] ?? 0, imports: row?[3] ?? 0,
                           organisation: row?[4] ?? "")
    }

    // MARK: - Stored models

    /// Stores learned models for `asOf`, replacing any stored for the same group and day. One transaction.
    public func saveDwellModels(_ models: [LearnedGroupModel], asOf: CivilDate, now: Date = Date()) throws {
        let stamp = ISO8601DateFormatter().string(from: now)
        // Encoded before the transaction, spread over the cores (thousands of models after `relance learn`).
        let encoded = models.concurrentMap(minimumChunk: 16) { m -> Result<(json: String, binary: Data), any Error> in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return Result { (String(decoding: try encoder.encode(m.model), as: UTF8.self), ModelBinary.encode(m.model)) }
        }
        try writer.write { db in
            let insert = try db.makeStatement(sql: """
                INSERT INTO dwell_model (group_id, as_of, data_version, minimum_observations, invoices, events, learned_at, seconds, model, model_binary)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(group_id, as_of) DO UPDATE SET data_version = excluded.data_version,
                  minimum_observations = excluded.minimum_observations, invoices = excluded.invoices, events = excluded.events,
                  learned_at = excluded.learned_at, seconds = excluded.seconds, model = excluded.model, model_binary = excluded.model_binary
                """)
            for (m, forms) in zip(models, encoded) {
                let forms = try forms.get()
                try insert.execute(arguments: [m.group, asOf.description, m.version.description, m.model.minimumObservations, m.invoices, m.events,
                                               stamp, m.seconds, forms.json, forms.binary])
            }
        }
    }

    /// The stored model of a group for `asOf`, only if it is current: learned with the same minimum of
    /// observations, and the data has not changed since (its ``DataVersion`` is today's). `nil` otherwise:
    /// the caller learns the model itself (``book(group:asOf:minimumObservations:useStoredModel:)`` does).
    public func dwellModel(group: String, asOf: CivilDate, minimumObservations: Int = 15) throws -> LearnedDwellModel? {
        try writer.read { db in
            try dwellModel(group: group, asOf: asOf, minimumObservations: minimumObservations, current: dataVersion(group: group, db), db)
        }
    }

    /// ``dwellModel(group:asOf:minimumObservations:)`` inside a read, with the group's data version read in it.
    func dwellModel(group: String, asOf: CivilDate, minimumObservations: Int, current: DataVersion, _ db: Database) throws -> LearnedDwellModel? {
        // The version first: while it is current, a model decoded before is the same model (`relance where`
        // in a long-lived process should not decode it every time).
        guard let head = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT data_version, minimum_observations FROM dwell_model WHERE group_id = ? AND as_of = ?
            """), arguments: [group, asOf.description]) else { return nil }
        let version: String = head[0]
        guard head[1] as Int == minimumObservations, version == current.description else { return nil }
        let key = "\(group)|\(asOf)|\(minimumObservations)|\(version)"
        if let model = decodedModels.value(for: key) { return model }
        // The binary form (ModelBinary); the JSON only for a model the v10 migration could not have made one of.
        guard let stored = try Row.fetchOne(db.cachedStatement(sql: "SELECT model_binary, model FROM dwell_model WHERE group_id = ? AND as_of = ?"),
                                            arguments: [group, asOf.description]) else { return nil }
        let model: LearnedDwellModel
        if let binary = stored[0] as Data? {
            model = try ModelBinary.decode(binary, what: "\(group) on \(asOf)")
        } else {
            model = try JSONDecoder().decode(LearnedDwellModel.self, from: Data((stored[1] as String).utf8))
        }
        guard model.minimumObservations == minimumObservations else { return nil }
        decodedModels.set(model, for: key)
        return model
    }

    /// Every stored model, current or not, by group and day.
    public func storedDwellModels() throws -> [StoredDwellModel] {
        try writer.read { db in
            var versions: [String: String] = [:]
            return try Row.fetchAll(db, sql: "SELECT * FROM dwell_model ORDER BY group_id, as_of").compactMap { r -> StoredDwellModel? in
                let group: String = r["group_id"]
                guard let asOf = CivilDate(iso: r["as_of"] as String) else { return nil }
                if versions[group] == nil { versions[group] = try dataVersion(group: group, db).description }
                let version: String = r["data_version"]
                let model = try JSONDecoder().decode(LearnedDwellModel.self, from: Data((r["model"] as String).utf8))
                return StoredDwellModel(group: group, asOf: asOf, dataVersion: version, current: version == versions[group],
                                        learnedAt: r["learned_at"], seconds: r["seconds"], invoices: r["invoices"], events: r["events"], model: model)
            }
        }
    }

    // MARK: - Learning

    /// Learns every group's dwell model as of a day (or only `groups`), exactly as
    /// ``book(group:asOf:minimumObservations:useStoredModel:)`` learns it, without storing it
    /// (``saveDwellModels(_:asOf:now:)`` does). Groups are loaded and learned one at a time per core, so that
    /// memory holds at most one group's events per core; with fewer groups than cores × 4, the groups go one
    /// after the other and each group's positions are spread over the cores instead.
    public func learnDwellModels(asOf: CivilDate, minimumObservations: Int = 15, groups: [String]? = nil) throws -> LearnReport {
        let ids = try groups ?? writer.read { db in try String.fetchAll(db, sql: "SELECT id FROM customer_group ORDER BY id") }
        let manyGroups = ids.count >= 4 * ProcessInfo.processInfo.activeProcessorCount
        let results = ids.concurrentMap(minimumChunk: manyGroups ? 1 : Int.max) { group in
            Result { try self.learnDwellModel(group: group, asOf: asOf, minimumObservations: minimumObservations, concurrent: !manyGroups) }
        }
        return LearnReport(models: try results.compactMap { try $0.get() })
    }

    /// The end of the as-of day, as the book counts it: events at or before it are known.
    static func cutoff(_ asOf: CivilDate) -> Date {
        asOf.adding(days: 1).start(in: TimeZone(identifier: "Europe/Paris") ?? .gmt)
    }

    /// The model learned from a group's invoices and events as of a day: the positions the prior gives
    /// (only what events show of them: ``PositionEngine/observedPosition(of:events:asOf:)``) teach the
    /// ``DwellLearner``. `invoices` are as known on `asOf`.
    static func learnDwellModel(graph: OrgGraph, invoices: [Invoice], events: [String: [InvoiceEvent]], asOf: CivilDate, minimumObservations: Int,
                                concurrent: Bool = false) -> LearnedDwellModel {
        let engine = PositionEngine(graph: graph, model: PriorDwellModel())
        let bills = invoices.filter { $0.kind == .invoice }
        let observe: @Sendable (Invoice) -> InvoicePosition = { engine.observedPosition(of: $0, events: events[$0.id] ?? [], asOf: asOf) }
        let observed = concurrent ? bills.concurrentMap(observe) : bills.map(observe)
        return DwellLearner(minimumObservations: minimumObservations).learn(positions: observed, group: graph.group.id)
    }

    /// Every event up to `until` (all when `nil`), by invoice in time order (then id), one at a time: what an
    /// export needs, in constant memory. Returns the number of events.
    @discardableResult
    public func forEachEvent(until: Date? = nil, _ body: (InvoiceEvent) throws -> Void) throws -> Int {
        try writer.read { db in
            var count = 0
            try Store.stepEvents(db, sql: "SELECT \(EventRowDecoder.columns(prefix: "")) FROM event WHERE at <= ? ORDER BY invoice_id, at, id",
                                 arguments: [Int64((until ?? .distantFuture).timeIntervalSince1970)]) { e in
                count += 1
                try body(e)
            }
            return count
        }
    }

    /// Runs a query over the event table whose columns are ``EventRowDecoder/columns(prefix:)``, stepping the
    /// SQLite statement directly.
    static func stepEvents(_ db: Database, sql: String, arguments: StatementArguments, _ body: (InvoiceEvent) throws -> Void) throws {
        var decoder = EventRowDecoder()
        try stepEvents(db, sql: sql, arguments: arguments, decoder: &decoder, body)
    }

    /// ``stepEvents(_:sql:arguments:_:)`` with a decoder kept across queries (its interned texts are reused).
    static func stepEvents(_ db: Database, sql: String, arguments: StatementArguments, decoder: inout EventRowDecoder,
                           _ body: (InvoiceEvent) throws -> Void) throws {
        try stepRows(db, sql: sql, arguments: arguments) { s in try body(decoder.event(s)) }
    }

    /// Runs a query, handing each row to `body` as the SQLite statement to read columns from by position.
    /// The statement is prepared once per connection (cached): the open book runs one query per invoice.
    static func stepRows(_ db: Database, sql: String, arguments: StatementArguments, _ body: (SQLiteStatement) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        try statement.setArguments(arguments)
        let s = statement.sqliteStatement
        defer { sqlite3_reset(s) }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: db.lastErrorMessage) }
            try body(s)
        }
    }
}

/// Turns rows of the event table (the columns of ``columns(prefix:)``) into ``InvoiceEvent``s, reading the
/// columns by position: repeated texts (zones, departments, contacts, sources,
/// states) become strings once, and the invoice number once per run of rows of the same invoice.
struct EventRowDecoder {
    static func columns(prefix p: String) -> String {
        ["id", "invoice_id", "state", "at", "time_zone", "department_id", "contact_id", "source", "raw_code", "reason", "action", "note",
         "amount_minor", "currency", "date"].map { p + $0 }.joined(separator: ", ")
    }

    private var texts = TextInterner()
    private var states: [String: CanonicalState] = [:]
    private var sources: [String: EventSource] = [:]
    private var invoice = ""

    mutating func event(_ s: SQLiteStatement) -> InvoiceEvent {
        let idBytes = UnsafeBufferPointer(start: sqlite3_column_text(s, 1), count: Int(sqlite3_column_bytes(s, 1)))
        if !TextInterner.same(invoice, idBytes) { invoice = String(decoding: idBytes, as: UTF8.self) }
        var state: CanonicalState?
        if let text = texts.text(s, 2) {
            if let known = states[text] { state = known } else { state = CanonicalState(rawValue: text); states[text] = state }
        }
        let sourceText = texts.text(s, 7) ?? ""
        let source: EventSource
        if let known = sources[sourceText] { source = known } else { source = EventSource(rawValue: sourceText) ?? .erp; sources[sourceText] = source }
        let amount: Money? = sqlite3_column_type(s, 12) == SQLITE_NULL
            ? nil : Money(minorUnits: sqlite3_column_int64(s, 12), currency: texts.text(s, 13) ?? "EUR")
        return InvoiceEvent(
            id: sqlite3_column_int64(s, 0), invoice: invoice, state: state,
            at: Date(timeIntervalSince1970: Double(sqlite3_column_int64(s, 3))), timeZone: texts.text(s, 4) ?? "",
            department: texts.text(s, 5), contact: texts.text(s, 6), source: source, rawCode: texts.text(s, 8),
            reason: texts.text(s, 9), action: texts.text(s, 10), note: EventRowDecoder.plainText(s, 11), amount: amount,
            date: EventRowDecoder.plainText(s, 14).flatMap { CivilDate(iso: $0) })
    }

    /// A text column read as is (free text, rarely repeated).
    static func plainText(_ s: SQLiteStatement, _ column: Int32) -> String? {
        guard let p = sqlite3_column_text(s, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, column))), as: UTF8.self)
    }
}

/// Texts read from a statement's columns, each distinct text made into a `String` once: the same
/// department or invoice number read again is found by its bytes' hash and compared byte by byte.
struct TextInterner {
    private var known: [UInt64: [String]] = [:]

    mutating func text(_ s: SQLiteStatement, _ column: Int32) -> String? {
        guard let p = sqlite3_column_text(s, column) else { return nil }
        let bytes = UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, column)))
        // FNV-1a.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        if let candidates = known[hash] {
            for c in candidates where TextInterner.same(c, bytes) { return c }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        known[hash, default: []].append(text)
        return text
    }

    /// Whether `text` is these bytes: a length check and `memcmp` on the string's storage (a generic
    /// `elementsEqual` walked the bytes one by one, 1% of a portfolio's forecast).
    static func same(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let utf8 = text.utf8
        guard utf8.count == bytes.count else { return false }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return true }
        return utf8.withContiguousStorageIfAvailable { stored in
            stored.baseAddress.map { memcmp($0, base, bytes.count) == 0 } ?? false
        } ?? utf8.elementsEqual(bytes)
    }
}
