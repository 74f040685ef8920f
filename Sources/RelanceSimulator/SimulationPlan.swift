import Foundation
import RelanceCore

/// What a customer group's invoices need from its organisation, looked up once per group instead of once
/// per invoice: the route, its steps in order with their departments, the payer and the paying calendar,
/// for every delivery site and order type.
struct GroupPlan {
    let graph: OrgGraph
    /// The order types the group's routes name, sorted.
    let orderTypes: [String]
    /// Where the customer's statuses come from: Chorus Pro, an e-invoicing platform or a supplier portal.
    let source: EventSource
    /// `plans[site.id][0]` for an order without a type, `[k + 1]` for `orderTypes[k]`; `nil` when the
    /// organisation gives no complete route for it (no such invoice is generated).
    private let plans: [String: [InvoicePlan?]]

    init(_ graph: OrgGraph) {
        self.graph = graph
        orderTypes = Set(graph.routes.flatMap(\.appliesTo.orderTypes)).sorted()
        source = graph.group.id.contains("chu") ? .chorus
            : (graph.routes.contains { $0.steps.contains { $0.action == .platformRouting } } ? .einvoicing : .portal)
        var plans: [String: [InvoicePlan?]] = [:]
        for site in graph.sites where site.receivesDeliveries {
            plans[site.id] = ([nil] + orderTypes.map { Optional($0) }).map { InvoicePlan(graph, site: site, orderType: $0) }
        }
        self.plans = plans
    }

    /// The time zones of the paying calendars.
    var timeZones: Set<String> { Set(plans.values.flatMap { $0.compactMap { $0?.calendar.timeZone } }) }

    func plan(site: String, orderType: String?) -> InvoicePlan? {
        guard let forSite = plans[site] else { return nil }
        guard let orderType else { return forSite[0] }
        guard let k = orderTypes.firstIndex(of: orderType) else { return nil }
        return forSite[k + 1]
    }
}

/// The route an invoice delivered at one site, for one order type, takes, with everything the walk needs.
struct InvoicePlan {
    struct Step {
        let step: RouteStep
        /// `nil` when the organisation names no department for it: the walk stops there (no invoice).
        let department: Department?
        let carried: Carried
        /// Indices in ``InvoicePlan/steps`` of the steps this one waits for.
        let predecessors: [Int]
    }

    let payer: LegalEntity
    let sentTo: String?
    /// In topological order.
    let steps: [Step]
    let calendar: PayablesCalendar
    let zone: TimeZone
    let table: WorkingDayTable

    init?(_ g: OrgGraph, site: Site, orderType: String?) {
        guard let payer = g.payer(of: site.id), let route = g.route(forSite: site.id, orderType: orderType),
              let order = route.topologicalOrder() else { return nil }
        self.payer = payer
        sentTo = g.entities.first { $0.id == payer.id }?.invoiceAddress
        let carried = route.carriedByStep()
        var index: [String: Int] = [:]
        for (i, s) in order.enumerated() { index[s.id] = i }
        steps = order.map { s in
            Step(step: s, department: g.department(for: s, deliveredAt: site.id), carried: carried[s.id] ?? .invoice,
                 predecessors: s.after.compactMap { index[$0] })
        }
        calendar = g.paymentCalendarOwner(forSite: site.id, orderType: orderType)?.calendar ?? PayablesCalendar()
        zone = TimeZone(identifier: calendar.timeZone) ?? .gmt
        table = WorkingDayTable.shared(for: calendar)
    }
}

/// The instants days start at in the simulation's time zones, worked out once: `CivilDate.start(in:)` goes
/// through Foundation's `Calendar`, which is slow, and a simulation asks for the same few hundred days
/// millions of times. Days outside the range are computed as they come.
final class DayStarts: Sendable {
    private let first: Int
    private let starts: [String: [Date]]

    init(zones: Set<String>, from: CivilDate, to: CivilDate) {
        first = from.dayNumber
        var starts: [String: [Date]] = [:]
        for id in zones {
            let zone = TimeZone(identifier: id) ?? .gmt
            starts[id] = (from.dayNumber...max(from.dayNumber, to.dayNumber)).map { CivilDate(dayNumber: $0).start(in: zone) }
        }
        self.starts = starts
    }

    /// For a simulation: from a little before its first day to a year and more after its last one (payments
    /// and reminders after the as-of date are computed before they are cut).
    convenience init(zones: Set<String>, settings: SimulationSettings) {
        self.init(zones: zones, from: settings.start.adding(days: -31), to: settings.asOf.adding(days: 500))
    }

    /// The same instant as `day.start(in: zone)`.
    func start(of day: CivilDate, in zone: TimeZone) -> Date {
        if let days = starts[zone.identifier] {
            let k = day.dayNumber - first
            if k >= 0 && k < days.count { return days[k] }
        }
        return day.start(in: zone)
    }
}
