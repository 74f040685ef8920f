import Foundation
import GRDB

/// What an account may do in the web workspace.
public enum AccountRole: String, Sendable, CaseIterable, Codable {
    /// Everything, on every customer.
    case manager
    /// Reads everything and records call outcomes and events.
    case collector
    /// Reads and records, but only on the invoices that carry its sales-rep name.
    case salesRep = "sales-rep"
    /// Reads everything, changes nothing.
    case readOnly = "read-only"

    /// Whether the role may record events.
    public var canWrite: Bool { self != .readOnly }
}

/// A person who signs in to the web workspace.
public struct Account: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public var role: AccountRole
    /// For a sales rep: the name on the invoices it may see (the invoice's `sales_rep`).
    public var salesRep: String?
    public var createdAt: String
}

/// A signed-in session (web) or an API token, found by the hash of its secret.
public struct AccountSession: Sendable, Hashable {
    public enum Kind: String, Sendable { case web, api }
    public var account: Account
    public var kind: Kind
    /// The synchroniser token every state-changing form of this session must send back (web sessions).
    public var csrf: String?
    public var expiresAt: Date
}

/// Why an account cannot be created.
public struct AccountError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Store {
    /// Adds an account. The password arrives already hashed (the store never sees a password).
    @discardableResult
    public func addAccount(name: String, role: AccountRole, salesRep: String? = nil, passwordHash: String, now: Date = Date()) throws -> Account {
        guard Account.isValidName(name) else {
            throw AccountError("account name '\(name)' is not valid: use 1 to 64 letters, digits, '.', '-', '_' or '@'")
        }
        if role == .salesRep, (salesRep ?? name).isEmpty { throw AccountError("a sales-rep account needs a sales-rep name") }
        let stamp = ISO8601DateFormatter().string(from: now)
        return try writer.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM account WHERE name = ?", arguments: [name]) == true {
                throw AccountError("an account named '\(name)' already exists")
            }
            let rep = role == .salesRep ? (salesRep ?? name) : nil
            try db.execute(sql: "INSERT INTO account (name, role, sales_rep, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [name, role.rawValue, rep, passwordHash, stamp])
            return Account(id: db.lastInsertedRowID, name: name, role: role, salesRep: rep, createdAt: stamp)
        }
    }

    /// Every account, by name.
    public func accounts() throws -> [Account] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, role, sales_rep, created_at FROM account ORDER BY name").compactMap(Account.init(row:))
        }
    }

    /// An account and its password hash, by name (to check a password).
    public func credentials(name: String) throws -> (account: Account, passwordHash: String)? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, name, role, sales_rep, created_at, password_hash FROM account WHERE name = ?",
                                             arguments: [name]),
                  let account = Account(row: row) else { return nil }
            return (account, row["password_hash"])
        }
    }

    /// Records a session or an API token under the hash of its secret.
    public func addSession(tokenHash: String, account: Int64, kind: AccountSession.Kind, csrf: String?, label: String? = nil,
                           expiresAt: Date, now: Date = Date()) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expires_at <= ?", arguments: [Int64(now.timeIntervalSince1970)])
            try db.execute(sql: """
                INSERT INTO session (token_hash, account_id, kind, csrf, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [tokenHash, account, kind.rawValue, csrf, label, Int64(now.timeIntervalSince1970), Int64(expiresAt.timeIntervalSince1970)])
        }
    }

    /// The live session or token whose secret has this hash (`nil` when unknown or expired).
    public func session(tokenHash: String, now: Date = Date()) throws -> AccountSession? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT a.id, a.name, a.role, a.sales_rep, a.created_at, s.kind, s.csrf, s.expires_at
                FROM session s JOIN account a ON a.id = s.account_id
                WHERE s.token_hash = ? AND s.expires_at > ?
                """, arguments: [tokenHash, Int64(now.timeIntervalSince1970)]),
                  let account = Account(row: row), let kind = AccountSession.Kind(rawValue: row["kind"]) else { return nil }
            return AccountSession(account: account, kind: kind, csrf: row["csrf"],
                                  expiresAt: Date(timeIntervalSince1970: TimeInterval(row["expires_at"] as Int64)))
        }
    }

    /// Ends a session (signing out) or revokes a token.
    public func deleteSession(tokenHash: String) throws {
        try writer.write { db in try db.execute(sql: "DELETE FROM session WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    /// A value that changes whenever invoices, events, payments or organisations change, so that readers can
    /// keep what they computed until it does. Every import and every appended event writes an import batch.
    public func changeStamp() throws -> String {
        try writer.read { db in
            // max(rowid) is a look-up at the end of each table's b-tree, not a scan.
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT max(rowid) FROM import_batch) AS b, (SELECT max(rowid) FROM invoice_change) AS c,
                       (SELECT max(imported_at) FROM customer_group) AS g, (SELECT max(rowid) FROM invoice) AS i,
                       (SELECT max(rowid) FROM event) AS e, (SELECT max(rowid) FROM payment) AS p
                """)
            let b: Int64? = row?["b"], c: Int64? = row?["c"], g: String? = row?["g"]
            let i: Int64? = row?["i"], e: Int64? = row?["e"], p: Int64? = row?["p"]
            return "\(b ?? 0)/\(c ?? 0)/\(g ?? "-")/\(i ?? 0)/\(e ?? 0)/\(p ?? 0)"
        }
    }
}

extension Account {
    init?(row: Row) {
        guard let role = AccountRole(rawValue: row["role"]) else { return nil }
        self.init(id: row["id"], name: row["name"], role: role, salesRep: row["sales_rep"], createdAt: row["created_at"])
    }

    /// 1 to 64 characters: letters, digits, `.`, `-`, `_`, `@`.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64 && name.allSatisfy { ($0.isLetter || $0.isNumber || ".-_@".contains($0)) && !$0.isWhitespace }
    }
}
