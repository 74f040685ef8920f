import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement run through SQLite's C interface for bulk imports: values are bound straight from
/// Swift strings and integers, without GRDB's `StatementArguments` (which box every value and cost about a
/// third of an event import's time). Only for the import paths; everything else uses GRDB's API.
struct RawStatement {
    let statement: Statement
    let db: Database

    init(_ db: Database, sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
    }

    /// Clears the previous row's values: every parameter not bound again is NULL.
    func reset() {
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    /// Makes the statement ready to run again, keeping its bound values (each must be bound again before
    /// it runs: see ``bindText(_:_:)``).
    func rewind() {
        sqlite3_reset(statement.sqliteStatement)
    }

    /// Binds bytes as text without copying them: they must stay valid until the parameter is bound again
    /// or the statement reset with ``reset()``. For rows bound from a reader's buffer and run at once.
    func bindText(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int32) {
        let handle = statement.sqliteStatement
        guard let start = bytes.baseAddress, !bytes.isEmpty else { _ = sqlite3_bind_text(handle, index, "", 0, nil); return }
        _ = start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            sqlite3_bind_text(handle, index, $0, Int32(bytes.count), nil)
        }
    }

    /// Binds bytes as text without copying them (as ``bindText(_:_:)``), or NULL when there are none.
    func bindOptionalText(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int32) {
        if bytes.isEmpty { bindNull(index) } else { bindText(bytes, index) }
    }

    func bindNull(_ index: Int32) {
        sqlite3_bind_null(statement.sqliteStatement, index)
    }

    /// Binds text (SQLite copies it), or leaves the parameter NULL.
    func bind(_ text: String?, _ index: Int32) {
        guard var text else { return }
        let handle = statement.sqliteStatement
        text.withUTF8 { bytes in
            guard let start = bytes.baseAddress, !bytes.isEmpty else { _ = sqlite3_bind_text(handle, index, "", 0, nil); return }
            _ = start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), sqliteTransient)
            }
        }
    }

    /// Binds an integer, or leaves the parameter NULL.
    func bind(_ value: Int64?, _ index: Int32) {
        guard let value else { return }
        sqlite3_bind_int64(statement.sqliteStatement, index, value)
    }

    /// Binds any database value (GRDB's boxed form), for rows built as GRDB values.
    func bind(_ value: DatabaseValue, _ index: Int32) {
        switch value.storage {
        case .null: break
        case .int64(let v): sqlite3_bind_int64(statement.sqliteStatement, index, v)
        case .double(let v): sqlite3_bind_double(statement.sqliteStatement, index, v)
        case .string(let v): bind(v, index)
        case .blob(let v):
            _ = v.withUnsafeBytes { sqlite3_bind_blob(statement.sqliteStatement, index, $0.baseAddress, Int32($0.count), sqliteTransient) }
        }
    }

    /// Steps a query: `true` when a row is available (read it with ``text(_:)``), `false` when there are no more.
    func nextRow() throws -> Bool {
        let code = sqlite3_step(statement.sqliteStatement)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
        sqlite3_reset(statement.sqliteStatement)
        throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_extended_errcode(db.sqliteConnection)), message: message, sql: statement.sql)
    }

    /// A column of the current row as text (0-based), `nil` when NULL.
    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement.sqliteStatement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement.sqliteStatement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// Runs the statement with the bound values; returns the number of rows it changed (0 for an ignored insert).
    @discardableResult
    func step() throws -> Int {
        let code = sqlite3_step(statement.sqliteStatement)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            let extended = sqlite3_extended_errcode(db.sqliteConnection)
            sqlite3_reset(statement.sqliteStatement)
            throw DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
        }
        return Int(sqlite3_changes(db.sqliteConnection))
    }
}

/// SQLite's `SQLITE_TRANSIENT`: the bound bytes are copied before the call returns.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
