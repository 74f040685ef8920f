import Foundation
import GRDB
import RelanceCore

/// What the follow-up log refuses (an unknown invoice, a date out of range); nothing was written.
public struct FollowUpError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension Store {
    /// The scope of the portfolio's own policy settings (a customer's overrides use its group id).
    public static let portfolioScope = "*"

    // MARK: Policy

    /// The stored policy settings, by scope (``portfolioScope`` or a customer group id), then by key.
    public func policySettings() throws -> [String: [String: String]] {
        try writer.read { db in
            var result: [String: [String: String]] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT scope, key, value FROM follow_up_setting ORDER BY scope, key") {
                result[r["scope"] as String, default: [:]][r["key"]] = r["value"] as String
            }
            return result
        }
    }

    /// Sets and removes policy settings of one scope, all or nothing. `validate` is called with the
    /// settings the scope would have; when it throws, nothing is written.
    public func updatePolicy(scope: String, set: [String: String], unset: [String],
                             validate: ([String: String]) throws -> Void) throws {
        try writer.write { db in
            if scope != Store.portfolioScope,
               try Bool.fetchOne(db, sql: "SELECT 1 FROM customer_group WHERE id = ?", arguments: [scope]) != true {
                throw StoreError.unknownCustomer(scope, known: try String.fetchAll(db, sql: "SELECT id FROM customer_group ORDER BY id"))
            }
            var current: [String: String] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT key, value FROM follow_up_setting WHERE scope = ?", arguments: [scope]) {
                current[r["key"]] = r["value"] as String
            }
            for k in unset { current[k] = nil }
            for (k, v) in set { current[k] = v }
            try validate(current)
            for k in unset { try db.execute(sql: "DELETE FROM follow_up_setting WHERE scope = ? AND key = ?", arguments: [scope, k]) }
            for (k, v) in set.sorted(by: { $0.key < $1.key }) {
                try db.execute(sql: """
                    INSERT INTO follow_up_setting (scope, key, value) VALUES (?, ?, ?)
                    ON CONFLICT(scope, key) DO UPDATE SET value = excluded.value
                    """, arguments: [scope, k, v])
            }
        }
    }

    // MARK: Log

    /// The follow-up log of a customer (or of all), oldest first, up to a day included.
    public func followUps(group: String? = nil, through day: CivilDate? = nil) throws -> [FollowUpRecord] {
        try writer.read { db in
            // Cached statements: the agenda reads each customer's log, thousands of times in a portfolio.
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM follow_up WHERE (? IS NULL OR group_id = ?) AND day <= ? ORDER BY day, id
                """), arguments: [group, group, (day ?? CivilDate(dayNumber: 1_000_000)).description])
            var invoices: [Int64: [(String, String?)]] = [:]
            for r in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT fi.follow_up_id, fi.invoice_id, fi.forecast_p50 FROM follow_up_invoice fi JOIN follow_up f ON f.id = fi.follow_up_id
                WHERE (? IS NULL OR f.group_id = ?) ORDER BY fi.follow_up_id, fi.rowid
                """), arguments: [group, group]) {
                invoices[r["follow_up_id"], default: []].append((r["invoice_id"], r["forecast_p50"]))
            }
            let decoder = JSONDecoder()
            return rows.map { r in
                let id: Int64 = r["id"]
                let items = invoices[id] ?? []
                var p50: [String: CivilDate] = [:]
                for (inv, d) in items { if let d, let day = CivilDate(iso: d) { p50[inv] = day } }
                let outcome = (r["outcome"] as String?).flatMap { try? decoder.decode(FollowUpOutcome.self, from: Data($0.utf8)) }
                return FollowUpRecord(id: id, kind: FollowUpKind(rawValue: r["kind"]) ?? .call, day: CivilDate(iso: r["day"] as String) ?? CivilDate(dayNumber: 0),
                                      group: r["group_id"], contact: r["contact"], person: r["person"], invoices: items.map(\.0),
                                      level: (r["level"] as String?).flatMap(LetterLevel.init(rawValue:)), outcome: outcome, note: r["note"],
                                      forecastP50: p50)
            }
        }
    }

    /// Records follow-up actions (letters sent, requests to sales reps, calls without an outcome), all or
    /// nothing. Each must name known invoices of its customer.
    @discardableResult
    public func recordFollowUps(_ records: [FollowUpRecord], now: Date = Date()) throws -> [FollowUpRecord] {
        try writer.write { db in try records.map { try insert($0, now: now, db) } }
    }

    /// Records the outcome of a call or a visit about some invoices on a day, and the events it becomes
    /// (through the same path as imported events, so positions and forecasts move), in one transaction.
    /// Refuses, writing nothing: an unknown invoice, invoices of several customers, a day before an
    /// invoice's date or after `now`'s day.
    @discardableResult
    public func logOutcome(_ outcome: FollowUpOutcome, invoices: [String], day: CivilDate, kind: FollowUpKind = .call, contact: String? = nil,
                           person: String? = nil, note: String? = nil, forecastP50: [String: CivilDate] = [:], now: Date = Date())
        throws -> (record: FollowUpRecord, events: [InvoiceEvent]) {
        let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt
        guard !invoices.isEmpty else { throw FollowUpError("name at least one invoice") }
        return try writer.write { db in
            var group: String?
            for id in invoices {
                guard let r = try Row.fetchOne(db, sql: "SELECT group_id, issue_date, kind FROM invoice WHERE id = ?", arguments: [id]) else {
                    throw FollowUpError("unknown invoice '\(id)': nothing was logged")
                }
                let g: String = r["group_id"], issue = CivilDate(iso: r["issue_date"] as String) ?? CivilDate(dayNumber: 0)
                if (r["kind"] as String) != Invoice.Kind.invoice.rawValue { throw FollowUpError("\(id) is a credit note: log the invoice it credits") }
                if let group, group != g { throw FollowUpError("\(id) belongs to customer \(g), not \(group): log one customer at a time") }
                group = g
                if day < issue { throw FollowUpError("date \(day) is before the date of invoice \(id) (\(issue)): nothing was logged") }
            }
            let today = CivilDate(now, in: paris)
            if day > today { throw FollowUpError("date \(day) is in the future (today is \(today)): nothing was logged") }
            guard let group else { throw FollowUpError("name at least one invoice") }
            // Who answered: a contact of the customer (and its department), a department, or just a name.
            var contactID: String?, department: String?
            if let c = contact {
                if let d = try String.fetchOne(db, sql: "SELECT department_id FROM contact WHERE id = ? AND group_id = ?", arguments: [c, group]) {
                    contactID = c
                    department = d
                } else if try Bool.fetchOne(db, sql: "SELECT 1 FROM department WHERE id = ? AND group_id = ?", arguments: [c, group]) == true {
                    department = c
                }
            }
            let record = FollowUpRecord(kind: kind, day: day, group: group, contact: contact, person: person, invoices: invoices,
                                        outcome: outcome, note: note, forecastP50: forecastP50)
            let stored = try insert(record, now: now, db)
            // Midday on the day (or now, if that is earlier): the event must not be in the future.
            let at = min(day.start(in: paris).addingTimeInterval(12 * 3600), now)
            let who = contactID == nil ? contact.map { "\(kind.rawValue) with \($0)" } : nil
            let events = invoices.map { id in
                outcome.event(invoice: id, at: at, department: department, contact: contactID, source: .call,
                              note: [who, note].compactMap { $0 }.joined(separator: "; ").nilIfEmpty)
            }
            try appendEvents(events.map { EventInput(event: $0, place: "relance log") }, source: "relance log", now: now, db)
            return (stored, events)
        }
    }

    private func insert(_ r: FollowUpRecord, now: Date, _ db: Database) throws -> FollowUpRecord {
        let stamp = ISO8601DateFormatter().string(from: now)
        for id in r.invoices {
            guard let g = try String.fetchOne(db, sql: "SELECT group_id FROM invoice WHERE id = ?", arguments: [id]) else {
                throw FollowUpError("unknown invoice '\(id)'")
            }
            if g != r.group { throw FollowUpError("\(id) belongs to customer \(g), not \(r.group)") }
        }
        let outcome = try r.outcome.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.execute(sql: """
            INSERT INTO follow_up (kind, day, group_id, contact, person, level, outcome, note, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [r.kind.rawValue, r.day.description, r.group, r.contact, r.person, r.level?.rawValue, outcome, r.note, stamp])
        var stored = r
        stored.id = db.lastInsertedRowID
        for id in r.invoices {
            try db.execute(sql: "INSERT OR IGNORE INTO follow_up_invoice (follow_up_id, invoice_id, forecast_p50) VALUES (?, ?, ?)",
                           arguments: [stored.id, id, r.forecastP50[id]?.description])
        }
        return stored
    }
}

extension String {
    fileprivate var nilIfEmpty: String? { isEmpty ? nil : self }
}
