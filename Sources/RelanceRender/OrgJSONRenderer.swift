import Foundation
import RelanceCore

/// The organisation as JSON (sorted keys, stable), with what the graph derives: each site's payer and
/// routes, each route's served sites and paths.
public enum OrgJSONRenderer {
    public static func render(_ g: OrgGraph) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Document(g)), as: UTF8.self) + "\n"
    }

    struct Document: Encodable {
        struct Group: Encodable { var id, name: String; var responsible, notes: String? }
        struct Terms: Encodable { var days: Int; var endOfMonth, basis, summary: String; var payDay: Int? }
        struct Calendar: Encodable {
            var timeZone, holidays: String
            var workingDays, runWeekdays, runDays, closed: [String]
        }
        struct Entity: Encodable {
            var id, name: String; var siren, vat, invoiceAddress: String?; var requiresPurchaseOrder: Bool
            var terms: Terms; var termsAgreed: Bool; var payablesCalendar: Calendar
        }
        struct SiteDoc: Encodable {
            var id, entity, name, kind: String; var siret: String?; var address: [String]?; var paidBy: String?
            var receivesDeliveries: Bool; var payer: String?; var routes: [String]
        }
        struct Dept: Encodable { var id, site, name, role: String; var phone, email: String? }
        struct Person: Encodable {
            var id, department, name, hours, timeZone, language, channel: String; var title, phone, email: String?
        }
        struct Step: Encodable {
            var id, action: String; var name: String?; var department: String?; var siteRole: String?
            var after: [String]; var carries: String; var expectedDays: Double?
        }
        struct RouteDoc: Encodable {
            var id: String; var name: String?; var appliesTo: [String: [String]]; var steps: [Step]
            var serves: [String]; var paths: [[String]]
        }
        var group: Group
        var entities: [Entity]
        var sites: [SiteDoc]
        var departments: [Dept]
        var contacts: [Person]
        var routes: [RouteDoc]

        init(_ g: OrgGraph) {
            group = Group(id: g.group.id, name: g.group.name, responsible: g.group.responsible, notes: g.group.notes)
            entities = g.entities.map { e in
                Entity(id: e.id, name: e.name, siren: e.siren, vat: e.vatNumber, invoiceAddress: e.invoiceAddress,
                       requiresPurchaseOrder: e.requiresPurchaseOrder,
                       terms: Terms(days: e.terms.days, endOfMonth: e.terms.endOfMonth.rawValue, basis: e.terms.basis.rawValue,
                                    summary: e.terms.summary, payDay: e.terms.payDay),
                       termsAgreed: e.agreedTerms != nil,
                       payablesCalendar: Calendar(
                        timeZone: e.calendar.timeZone, holidays: e.calendar.holidays.rawValue,
                        workingDays: e.calendar.workingDays.sorted().map(\.rawValue), runWeekdays: e.calendar.runWeekdays.sorted().map(\.rawValue),
                        runDays: e.calendar.runDays.map(\.description), closed: e.calendar.closedPeriods.map(\.description)))
            }
            sites = g.sites.map { s in
                SiteDoc(id: s.id, entity: s.entity, name: s.name, kind: s.kind.rawValue, siret: s.siret,
                        address: s.address.map { $0.lines + ["\($0.postcode) \($0.city)", $0.country] }, paidBy: s.paidBy,
                        receivesDeliveries: s.receivesDeliveries, payer: g.payer(of: s.id)?.id,
                        routes: g.routes.filter { r in g.sites(servedBy: r).contains { $0.id == s.id } }.map(\.id))
            }
            departments = g.departments.map { Dept(id: $0.id, site: $0.site, name: $0.name, role: $0.role.rawValue, phone: $0.phone, email: $0.email) }
            contacts = g.contacts.map {
                Person(id: $0.id, department: $0.department, name: $0.name, hours: $0.hours.description, timeZone: $0.timeZone,
                       language: $0.language, channel: $0.channel.rawValue, title: $0.title, phone: $0.phone, email: $0.email)
            }
            routes = g.routes.map { r in
                let carried = r.carriedByStep()
                return RouteDoc(
                    id: r.id, name: r.name,
                    appliesTo: ["entities": r.appliesTo.entities, "sites": r.appliesTo.sites, "orderTypes": r.appliesTo.orderTypes],
                    steps: r.steps.map { s in
                        var dept: String?, role: String?
                        switch s.department {
                        case .fixed(let id): dept = id
                        case .atDeliverySite(let r): role = r.rawValue
                        }
                        return Step(id: s.id, action: s.action.rawValue, name: s.name, department: dept, siteRole: role, after: s.after,
                                    carries: carried[s.id]?.rawValue ?? "invoice", expectedDays: s.expectedDays)
                    },
                    serves: g.sites(servedBy: r).map(\.id), paths: r.paths())
            }
        }
    }
}
