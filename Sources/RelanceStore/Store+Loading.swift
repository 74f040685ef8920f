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
    /// leaves them out). The statements are cached: `relance learn` loads thousands of organisations.
    func loadGraph(_ groupID: String, includeArchived: Bool, contacts: Bool = true, _ db: Database) throws -> OrgGraph? {
        guard let g = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM customer_group WHERE id = ?"), arguments: [groupID]) else {
            return nil
        }
        let live = includeArchived ? "" : " AND archived_at IS NULL"
        func rows(_ table: String) throws -> [Row] {
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM \(table) WHERE group_id = ?\(live) ORDER BY position"), arguments: [groupID])
        }
        // One decoder for the organisation's JSON columns (a decoder per value cost as much as the decoding).
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T { try decoder.decode(type, from: Data(text.utf8)) }
        var graph = OrgGraph(group: CustomerGroup(id: g["id"], name: g["name"], responsible: g["responsible"], notes: g["notes"]))
        for r in try rows("legal_entity") {
            let days: Int? = r["terms_days"]
            let terms = days.map {
                PaymentTerms(days: $0, endOfMonth: EndOfMonthRule(rawValue: r["terms_end_of_month"] ?? "") ?? .none,
                             basis: TermsBasis(rawValue: r["terms_basis"] ?? "") ?? .invoiceDate, payDay: r["terms_pay_day"])
            }
            graph.entities.append(LegalEntity(
                id: r["id"], name: r["name"], siren: r["siren"], vatNumber: r["vat"], terms: terms,
                calendar: try calendar(r["calendar"], decode), invoiceAddress: r["invoice_address"],
                requiresPurchaseOrder: r["requires_purchase_order"]))
        }
        for r in try rows("site") {
            let address: String? = r["address"]
            graph.sites.append(Site(
                id: r["id"], entity: r["entity_id"], name: r["name"], kind: SiteKind(rawValue: r["kind"]) ?? .office, siret: r["siret"],
                address: try address.map { try decode(AddressRecord.self, $0).address }, paidBy: r["paid_by"],
                receivesDeliveries: r["receives_deliveries"]))
        }
        for r in try rows("department") {
            graph.departments.append(Department(
                id: r["id"], site: r["site_id"], name: r["name"], role: DepartmentRole(rawValue: r["role"]) ?? .management,
                email: r["email"], phone: r["phone"]))
        }
        for r in contacts ? try rows("contact") : [] {
            graph.contacts.append(Contact(
                id: r["id"], department: r["department_id"], name: r["name"], title: r["title"], phone: r["phone"], email: r["email"],
                hours: hours(r["hours"]), timeZone: r["time_zone"], language: r["language"],
                channel: Channel(rawValue: r["channel"]) ?? .phone))
        }
        for r in try rows("route") {
            let id: String = r["id"]
            let stepRows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM route_step WHERE route_id = ? ORDER BY position"), arguments: [id])
            let steps = try stepRows.map { s in
                let department: String? = s["department_id"]
                let role: String? = s["site_role"]
                let ref: DepartmentRef = department.map(DepartmentRef.fixed)
                    ?? .atDeliverySite(role.flatMap(DepartmentRole.init(rawValue:)) ?? .accountsPayable)
                let carries: String? = s["carries"]
                return RouteStep(id: s["step_id"], name: s["name"], action: StepAction(rawValue: s["action"]) ?? .matching, department: ref,
                                 after: try decode([String].self, s["after"]), carries: carries.flatMap(Carried.init(rawValue:)),
                                 expectedDays: s["expected_days"])
            }
            graph.routes.append(Route(id: id, name: r["name"], appliesTo: try decode(RuleRecord.self, r["applies_to"]).rule, steps: steps))
        }
        return graph
    }

    /// A stored calendar, decoded once per text: entities mostly share a handful of calendars (the country's
    /// holidays, the usual payment runs), and a calendar is the largest JSON of an organisation.
    private func calendar(_ text: String, _ decode: (CalendarRecord.Type, String) throws -> CalendarRecord) throws -> PayablesCalendar {
        if let known = decodedCalendars.value(for: text) { return known }
        let calendar = try decode(CalendarRecord.self, text).calendar
        decodedCalendars.set(calendar, for: text)
        return calendar
    }

    /// A contact's stored hours, read once per text (most contacts share office hours).
    private func hours(_ text: String) -> WorkingHours {
        if let known = parsedHours.value(for: text) { return known }
        // The import checked the text; office hours stand for one it could not read.
        let hours = WorkingHours(text: text) ?? .office
        parsedHours.set(hours, for: text)
        return hours
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
