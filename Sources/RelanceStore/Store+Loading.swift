import Foundation
import GRDB
import RelanceCore

extension Store {
    /// Every customer group, by name.
    public func groups() throws -> [CustomerGroup] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, responsible, notes FROM customer_group ORDER BY name, id").map {
                CustomerGroup(id: $0["id"], name: $0["name"], responsible: $0["responsible"], notes: $0["notes"])
            }
        }
    }

    /// The organisation of a group, without archived elements (or with them, for history).
    public func graph(_ groupID: String, includeArchived: Bool = false) throws -> OrgGraph? {
        try writer.read { db in try loadGraph(groupID, includeArchived: includeArchived, db) }
    }

    /// Every group's organisation.
    public func allGraphs() throws -> [OrgGraph] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM customer_group ORDER BY name, id").compactMap { try loadGraph($0, includeArchived: false, db) }
        }
    }

    /// The group a user means: its id, its name, or the id, name or SIREN of one of its entities
    /// (case-insensitive). Throws ``StoreError/unknownCustomer(_:known:)`` listing the known ones.
    public func resolveCustomer(_ text: String) throws -> String {
        try writer.read { db in
            let needle = text.lowercased()
            if let id = try String.fetchOne(db, sql: """
                SELECT id FROM customer_group WHERE lower(id) = ? OR lower(name) = ?
                UNION SELECT group_id FROM legal_entity WHERE lower(id) = ? OR lower(name) = ? OR siren = ?
                LIMIT 1
                """, arguments: [needle, needle, needle, needle, text.filter { $0 != " " }]) {
                return id
            }
            let known = try String.fetchAll(db, sql: "SELECT id FROM customer_group ORDER BY id")
            throw StoreError.unknownCustomer(text, known: known)
        }
    }

    /// A group's organisation; without its contacts when `contacts` is false (what positions and learning need
    /// leaves them out). The statements are cached and the columns named and read by position (a lookup by
    /// name compares names case-insensitively, every time): `relance learn` and `relance forecast` load
    /// thousands of organisations.
    func loadGraph(_ groupID: String, includeArchived: Bool, contacts: Bool = true, _ db: Database) throws -> OrgGraph? {
        guard let g = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, name, responsible, notes FROM customer_group WHERE id = ?"),
                                       arguments: [groupID]) else {
            return nil
        }
        let live = includeArchived ? "" : " AND archived_at IS NULL"
        // Rows read through cursors: a cursor's row reads SQLite's columns in place, where a copied row
        // (fetchAll) decodes each value through GRDB's generic path.
        func rows(_ table: String, _ columns: String, _ each: (Row) throws -> Void) throws {
            try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(columns) FROM \(table) WHERE group_id = ?\(live) ORDER BY position"),
                                arguments: [groupID]).forEach(each)
        }
        // One decoder for the organisation's JSON columns (a decoder per value cost as much as the decoding).
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try decoder.decode(type, from: Data(text.utf8)) }
        // Texts decoded once each: entities mostly share a handful of calendars (a calendar is the largest
        // JSON of an organisation), sites their addresses (a head office's), contacts their office hours,
        // routes of many customers their step names.
        func calendar(_ text: String) throws -> PayablesCalendar {
            try decodedCalendars.value(for: text) { try decode(CalendarRecord.self, text).calendar }
        }
        func address(_ text: String) throws -> Address { try decodedAddresses.value(for: text) { try decode(AddressRecord.self, text).address } }
        func hours(_ text: String) -> WorkingHours {
            // The import checked the text; office hours stand for one it could not read.
            parsedHours.value(for: text) { WorkingHours(text: text) ?? .office }
        }
        func predecessors(_ text: String) throws -> [String] { try decodedPredecessors.value(for: text) { try decode([String].self, text) } }
        func rule(_ text: String) throws -> RouteRule { try decodedRules.value(for: text) { try decode(RuleRecord.self, text).rule } }
        var graph = OrgGraph(group: CustomerGroup(id: g[0], name: g[1], responsible: g[2], notes: g[3]))
        try rows("legal_entity", """
            id, name, siren, vat, terms_days, terms_end_of_month, terms_basis, terms_pay_day, calendar, invoice_address, requires_purchase_order
            """) { r in
            let days: Int? = r[4]
            let terms = days.map {
                PaymentTerms(days: $0, endOfMonth: EndOfMonthRule(rawValue: r[5] ?? "") ?? .none,
                             basis: TermsBasis(rawValue: r[6] ?? "") ?? .invoiceDate, payDay: r[7])
            }
            graph.entities.append(LegalEntity(
                id: r[0], name: r[1], siren: r[2], vatNumber: r[3], terms: terms,
                calendar: try calendar(r[8]), invoiceAddress: r[9], requiresPurchaseOrder: r[10]))
        }
        try rows("site", "id, entity_id, name, kind, siret, address, paid_by, receives_deliveries") { r in
            let addressText: String? = r[5]
            graph.sites.append(Site(
                id: r[0], entity: r[1], name: r[2], kind: SiteKind(rawValue: r[3]) ?? .office, siret: r[4],
                address: try addressText.map(address(_:)), paidBy: r[6], receivesDeliveries: r[7]))
        }
        try rows("department", "id, site_id, name, role, email, phone") { r in
            graph.departments.append(Department(
                id: r[0], site: r[1], name: r[2], role: DepartmentRole(rawValue: r[3]) ?? .management, email: r[4], phone: r[5]))
        }
        if contacts { try rows("contact", "id, department_id, name, title, phone, email, hours, time_zone, language, channel") { r in
            graph.contacts.append(Contact(
                id: r[0], department: r[1], name: r[2], title: r[3], phone: r[4], email: r[5],
                hours: hours(r[6]), timeZone: r[7], language: r[8], channel: Channel(rawValue: r[9]) ?? .phone))
        } }
        try rows("route", "id, name, applies_to") { r in
            let id: String = r[0]
            let stepRows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT step_id, name, action, department_id, site_role, after, carries, expected_days FROM route_step WHERE route_id = ? ORDER BY position
                """), arguments: [id])
            var steps: [RouteStep] = []
            while let s = try stepRows.next() {
                let department: String? = s[3]
                let role: String? = s[4]
                let ref: DepartmentRef = department.map(DepartmentRef.fixed)
                    ?? .atDeliverySite(role.flatMap(DepartmentRole.init(rawValue:)) ?? .accountsPayable)
                let carries: String? = s[6]
                steps.append(RouteStep(id: s[0], name: s[1], action: StepAction(rawValue: s[2]) ?? .matching, department: ref,
                                       after: try predecessors(s[5]), carries: carries.flatMap(Carried.init(rawValue:)), expectedDays: s[7]))
            }
            graph.routes.append(Route(id: id, name: r[1], appliesTo: try rule(r[2]), steps: steps))
        }
        return graph
    }
}

/// The stored form of a payables calendar (JSON in `legal_entity.calendar`).
struct CalendarRecord: Codable {
    var timeZone: String
    var workingDays: [String]
    var holidays: String
    var closed: [[String]]
    var runWeekdays: [String]
    var runDays: [String]

    init(_ c: PayablesCalendar) {
        timeZone = c.timeZone
        workingDays = c.workingDays.sorted().map(\.rawValue)
        holidays = c.holidays.rawValue
        closed = c.closedPeriods.map { [$0.from.description, $0.to.description] }
        runWeekdays = c.runWeekdays.sorted().map(\.rawValue)
        runDays = c.runDays.map(\.description)
    }

    var calendar: PayablesCalendar {
        PayablesCalendar(
            timeZone: timeZone, workingDays: Set(workingDays.compactMap(Weekday.init(rawValue:))),
            holidays: HolidayRegion(rawValue: holidays) ?? .france,
            closedPeriods: closed.compactMap { p in
                guard p.count == 2, let f = MonthDay(text: p[0]), let t = MonthDay(text: p[1]) else { return nil }
                return ClosedPeriod(from: f, to: t)
            },
            runWeekdays: Set(runWeekdays.compactMap(Weekday.init(rawValue:))),
            runDays: runDays.compactMap { $0 == "last" ? .last : Int($0).map(RunDay.day) })
    }
}

struct AddressRecord: Codable {
    var lines: [String]
    var postcode: String
    var city: String
    var country: String
    init(_ a: Address) { (lines, postcode, city, country) = (a.lines, a.postcode, a.city, a.country) }
    var address: Address { Address(lines: lines, postcode: postcode, city: city, country: country) }
}

struct RuleRecord: Codable {
    var entities: [String]
    var sites: [String]
    var orderTypes: [String]
    init(_ r: RouteRule) { (entities, sites, orderTypes) = (r.entities, r.sites, r.orderTypes) }
    var rule: RouteRule { RouteRule(entities: entities, sites: sites, orderTypes: orderTypes) }
}
