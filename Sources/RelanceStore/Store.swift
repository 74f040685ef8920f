import Foundation
import GRDB
import RelanceCore
import Synchronization

/// Relance's database: one SQLite file, opened in WAL mode so that the command-line tool and the web
/// server can use it at the same time. All SQL lives in this module.
public final class Store: Sendable {
    let writer: any DatabaseWriter
    /// Where the database is, or `:memory:`.
    public let path: String
    /// Stored dwell models already decoded, by group, day and data version (a new version is a new key).
    let decodedModels = Memo<String, LearnedDwellModel>(limit: 4_096)
    /// Organisations already loaded for one-invoice books, by group and organisation import stamp.
    let loadedGraphs = Memo<String, OrgGraph>(limit: 4_096)
    /// Calendars, site addresses, contact hours, step predecessors and route rules as stored, by their text
    /// (``loadGraph(_:includeArchived:contacts:_:)``).
    let decodedCalendars = Memo<String, PayablesCalendar>(limit: 256)
    let decodedAddresses = Memo<String, Address>(limit: 1_024)
    let parsedHours = Memo<String, WorkingHours>(limit: 256)
    let decodedPredecessors = Memo<String, [String]>(limit: 1_024)
    let decodedRules = Memo<String, RouteRule>(limit: 1_024)

    /// The default file name, in the working directory.
    public static let defaultFileName = "relance.sqlite"
    /// The environment variable that names the database when `--db` is not given.
    public static let environmentVariable = "RELANCE_DB"

    init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        // 64 MiB of page cache per connection (SQLite's default is 2 MiB): imports touch the event table's
        // indexes all over; the cache grows only as it is used.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -65536") }
        return config
    }

    /// Creates the database file if needed and brings its schema up to date.
    public static func create(at path: String) throws -> Store {
        let store = Store(writer: try DatabasePool(path: path, configuration: configuration()), path: path)
        try store.migrate()
        return store
    }

    /// Opens an existing database, bringing its schema up to date; throws ``StoreError/noDatabase(path:)``
    /// when there is no file.
    public static func open(at path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError.noDatabase(path: path) }
        return try create(at: path)
    }

    /// A private database in memory, for tests.
    public static func inMemory() throws -> Store {
        let store = Store(writer: try DatabaseQueue(configuration: configuration()), path: ":memory:")
        try store.migrate()
        return store
    }

    func migrate() throws {
        let migrator = Schema.migrator
        try writer.read { db in
            let applied = try migrator.appliedIdentifiers(db)
            let known = Set(migrator.migrations)
            if let unknown = applied.first(where: { !known.contains($0) }) { throw StoreError.newerSchema(unknown) }
        }
        try migrator.migrate(writer)
    }

    /// The migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// The number of rows in a table of the store (for reports and tests).
    public func count(_ table: StoredTable) throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.rawValue)") ?? 0 }
    }
}

/// The tables whose sizes ``Store/count(_:)`` reports.
public enum StoredTable: String, Sendable, CaseIterable {
    case customerGroup = "customer_group"
    case legalEntity = "legal_entity"
    case site, department, contact, route
    case routeStep = "route_step"
    case invoice, payment, event
    case invoiceChange = "invoice_change"
    case learnedContact = "learned_contact"
}
