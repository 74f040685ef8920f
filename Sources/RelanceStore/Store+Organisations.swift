import Foundation
import GRDB
import RelanceCore

/// What saving one organisation did.
public struct SaveReport: Hashable, Sendable {
    public var group: String
    public var added = 0
    public var updated = 0
    public var unchanged = 0
    public var removed = 0
    public var archived = 0
    /// `true` when the group was not in the database before.
    public var isNew = false
}

extension Store {
    /// Saves organisation graphs, all or nothing, in one transaction.
    ///
    /// Each graph replaces the stored version of its group in place: elements are matched by id, so
    /// importing the same file twice changes nothing and an edited file updates what changed. Elements
    /// absent from the new file are deleted, unless history refers to them: then the whole save is refused
    /// with ``StoreError/removalRefused(_:)``, or, with `archiveRemoved`, they are kept as archived (out of
    /// the organisation, still known to history). Ids must not belong to another group.
    ///
    /// - Parameter sources: for each graph, the file it came from (named in errors and stored).
    @discardableResult
    public func save(_ graphs: [OrgGraph], sources: [String?] = [], archiveRemoved: Bool = false, now: Date = Date()) throws -> [SaveReport] {
        try writer.write { db in
            var reports: [SaveReport] = []
            for (i, graph) in graphs.enumerated() {
                let source = i < sources.count ? sources[i] : nil
                reports.append(try save(graph, source: source, archiveRemoved: archiveRemoved, now: now, db))
            }
            return reports
        }
    }

    func save(_ g: OrgGraph, source: String?, archiveRemoved: Bool, now: Date, _ db: Database) throws -> SaveReport {
        let stamp = ISO8601DateFormatter().string(from: now)
        let previous = try loadGraph(g.group.id, includeArchived: true, db)
        var report = SaveReport(group: g.group.id, isNew: previous == nil)

        // Ids are unique across the database.
        let mine: [(String, String, String)] = g.entities.map { ("legal_entity", "entity", $0.id) } + g.sites.map { ("site", "site", $0.id) }
            + g.departments.map { ("department", "department", $0.id) } + g.contacts.map { ("contact", "contact", $0.id) }
            + g.routes.map { ("route", "route", $0.id) }
        for (table, kind, id) in mine {
            if let other = try String.fetchOne(db, sql: "SELECT group_id FROM \(table) WHERE id = ? AND group_id <> ?", arguments: [id, g.group.id]) {
                throw StoreError.idTaken(id: id, kind: kind, file: source, otherGroup: other)
            }
        }
        // What the new file removes, and whether history refers to it.
        let removedIDs: [(table: String, kind: String, id: String)] = previous.map { p in
            diff(p.entities.map(\.id), g.entities.map(\.id)).map { ("legal_entity", "entity", $0) }
                + diff(p.sites.map(\.id), g.sites.map(\.id)).map { ("site", "site", $0) }
                + diff(p.departments.map(\.id), g.departments.map(\.id)).map { ("department", "department", $0) }
                + diff(p.contacts.map(\.id), g.contacts.map(\.id)).map { ("contact", "contact", $0) }
                + diff(p.routes.map(\.id), g.routes.map(\.id)).map { ("route", "route", $0) }
        } ?? []
        var referenced: [HistoryReference] = []
        for r in removedIDs {
            for ref in Schema.historyReferences where ref.kind == r.kind {
                guard try db.tableExists(ref.table) else { continue }
                let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(ref.table) WHERE \(ref.column) = ?", arguments: [r.id]) ?? 0
                if n > 0 { referenced.append(HistoryReference(group: g.group.id, kind: r.kind, id: r.id, count: n, what: ref.what)) }
            }
        }
        if !referenced.isEmpty && !archiveRemoved { throw StoreError.removalRefused(referenced) }
        // An archived element keeps its ancestors (as archived too, when the file removes them), so that
        // history can still say where it was.
        var keep = Set(referenced.map { "\($0.kind)/\($0.id)" })
        if let p = previous {
            for c in p.contacts where keep.contains("contact/\(c.id)") { keep.insert("department/\(c.department)") }
            for d in p.departments where keep.contains("department/\(d.id)") { keep.insert("site/\(d.site)") }
            for s in p.sites where keep.contains("site/\(s.id)") { keep.insert("entity/\(s.entity)") }
        }
        // Delete children before parents so that nothing dangles.
        for r in removedIDs.reversed() {
            if keep.contains("\(r.kind)/\(r.id)") {
                let wasArchived = try Bool.fetchOne(db, sql: "SELECT archived_at IS NOT NULL FROM \(r.table) WHERE id = ?", arguments: [r.id]) ?? false
                if !wasArchived {
                    try db.execute(sql: "UPDATE \(r.table) SET archived_at = ? WHERE id = ?", arguments: [stamp, r.id])
                    report.archived += 1
                }
            } else {
                try db.execute(sql: "DELETE FROM \(r.table) WHERE id = ?", arguments: [r.id])
                report.removed += 1
            }
        }

        try db.execute(sql: """
            INSERT INTO customer_group (id, name, responsible, notes, source, imported_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, responsible = excluded.responsible, notes = excluded.notes,
              source = excluded.source, imported_at = excluded.imported_at
            """, arguments: [g.group.id, g.group.name, g.group.responsible, g.group.notes, source, stamp])

        func count<T: Hashable & Identifiable>(_ new: [T], _ old: [T]?) where T.ID == String {
            for n in new {
                if let o = old?.first(where: { $0.id == n.id }) {
                    if o == n { report.unchanged += 1 } else { report.updated += 1 }
                } else {
                    report.added += 1
                }
            }
        }
        count(g.entities, previous?.entities)
        count(g.sites, previous?.sites)
        count(g.departments, previous?.departments)
        count(g.contacts, previous?.contacts)
        count(g.routes, previous?.routes)

        for (i, e) in g.entities.enumerated() {
            try db.execute(sql: """
                INSERT INTO legal_entity (id, group_id, position, name, siren, vat, terms_days, terms_end_of_month, terms_basis,
                  terms_pay_day, calendar, invoice_address, requires_purchase_order, archived_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                ON CONFLICT(id) DO UPDATE SET group_id = excluded.group_id, position = excluded.position, name = excluded.name,
                  siren = excluded.siren, vat = excluded.vat, terms_days = excluded.terms_days,
                  terms_end_of_month = excluded.terms_end_of_month, terms_basis = excluded.terms_basis,
                  terms_pay_day = excluded.terms_pay_day, calendar = excluded.calendar, invoice_address = excluded.invoice_address,
                  requires_purchase_order = excluded.requires_purchase_order, archived_at = NULL
                """, arguments: [e.id, g.group.id, i, e.name, e.siren, e.vatNumber, e.agreedTerms?.days,
                                 e.agreedTerms?.endOfMonth.rawValue, e.agreedTerms?.basis.rawValue, e.agreedTerms?.payDay, try json(CalendarRecord(e.calendar)), e.invoiceAddress,
                                 e.requiresPurchaseOrder])
        }
        for (i, s) in g.sites.enumerated() {
            try db.execute(sql: """
                INSERT INTO site (id, group_id, entity_id, position, name, kind, siret, address, paid_by, receives_deliveries, archived_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                ON CONFLICT(id) DO UPDATE SET group_id = excluded.group_id, entity_id = excluded.entity_id, position = excluded.position,
                  name = excluded.name, kind = excluded.kind, siret = excluded.siret, address = excluded.address,
                  paid_by = excluded.paid_by, receives_deliveries = excluded.receives_deliveries, archived_at = NULL
                """, arguments: [s.id, g.group.id, s.entity, i, s.name, s.kind.rawValue, s.siret,
                                 try s.address.map { try json(AddressRecord($0)) }, s.paidBy, s.receivesDeliveries])
        }
        for (i, d) in g.departments.enumerated() {
            try db.execute(sql: """
                INSERT INTO department (id, group_id, site_id, position, name, role, email, phone, archived_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
                ON CONFLICT(id) DO UPDATE SET group_id = excluded.group_id, site_id = excluded.site_id, position = excluded.position,
                  name = excluded.name, role = excluded.role, email = excluded.email, phone = excluded.phone, archived_at = NULL
                """, arguments: [d.id, g.group.id, d.site, i, d.name, d.role.rawValue, d.email, d.phone])
        }
        for (i, c) in g.contacts.enumerated() {
            try db.execute(sql: """
                INSERT INTO contact (id, group_id, department_id, position, name, title, phone, email, hours, time_zone, language, channel, archived_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                ON CONFLICT(id) DO UPDATE SET group_id = excluded.group_id, department_id = excluded.department_id,
                  position = excluded.position, name = excluded.name, title = excluded.title, phone = excluded.phone,
                  email = excluded.email, hours = excluded.hours, time_zone = excluded.time_zone, language = excluded.language,
                  channel = excluded.channel, archived_at = NULL
                """, arguments: [c.id, g.group.id, c.department, i, c.name, c.title, c.phone, c.email, c.hours.description,
                                 c.timeZone, c.language, c.channel.rawValue])
        }
        for (i, r) in g.routes.enumerated() {
            try db.execute(sql: """
                INSERT INTO route (id, group_id, position, name, applies_to, archived_at) VALUES (?, ?, ?, ?, ?, NULL)
                ON CONFLICT(id) DO UPDATE SET group_id = excluded.group_id, position = excluded.position, name = excluded.name,
                  applies_to = excluded.applies_to, archived_at = NULL
                """, arguments: [r.id, g.group.id, i, r.name, try json(RuleRecord(r.appliesTo))])
            try db.execute(sql: "DELETE FROM route_step WHERE route_id = ?", arguments: [r.id])
            for (j, s) in r.steps.enumerated() {
                var department: String?, role: String?
                switch s.department {
                case .fixed(let id): department = id
                case .atDeliverySite(let r): role = r.rawValue
                }
                try db.execute(sql: """
                    INSERT INTO route_step (route_id, step_id, position, name, action, department_id, site_role, after, carries, expected_days)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [r.id, s.id, j, s.name, s.action.rawValue, department, role, try json(s.after), s.carries?.rawValue, s.expectedDays])
            }
        }
        return report
    }

    private func diff(_ old: [String], _ new: [String]) -> [String] {
        let keep = Set(new)
        return old.filter { !keep.contains($0) }
    }
}

func json<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
    try JSONDecoder().decode(type, from: Data(text.utf8))
}
