import Foundation
import RelanceCore

/// One customer group's structure and the working days it costs each invoice against the portfolio.
public struct StructureRow: Sendable {
    public var group: String
    public var name: String
    /// Invoices issued in the period that follow a known route.
    public var invoices: Int
    /// Invoice-weighted averages over the routes the invoices take.
    public var steps: Double
    public var handOffs: Double
    public var departments: Double
    public var sites: Double
    public var entities: Double
    /// Average working days an invoice waits for the next payment run, and the runs per month.
    public var runWait: Double
    public var runsPerMonth: Double
    /// Working days the structure adds to the critical path of an invoice, against the portfolio's typical
    /// times for the same steps (invoice-weighted over the routes taken).
    public var daysAdded: Double
    /// Why, one line each, the costliest first.
    public var evidence: [String]
}

extension BottleneckReport {
    /// The customers' structures, the costliest first. `rows` are the department rows from ``rows(_:)``.
    public func structures(_ histories: [CustomerHistory], rows: [BottleneckRow]) -> [StructureRow] {
        let typical = typicalDays(observations(histories))
        var median: [String: Int] = [:]        // "department|action" → median, ranked rows only
        var slow: [String: BottleneckRow] = [:]
        for r in rows where r.ranked {
            median["\(r.department)|\(r.action.rawValue)"] = r.median
            if (r.daysAdded ?? 0) > 0 { slow["\(r.department)|\(r.action.rawValue)"] = r }
        }
        // Payment runs: the mean wait of every paying calendar, and the portfolio's invoice-weighted mean.
        var waits: [PayablesCalendar: Double] = [:]
        var used: [(calendar: PayablesCalendar, count: Int)] = []
        for h in histories {
            for i in h.invoices where i.kind == .invoice && period.contains(i.issueDate) {
                guard let c = h.graph.paymentCalendarOwner(forSite: i.site, orderType: i.orderType)?.calendar else { continue }
                if waits[c] == nil { waits[c] = runWait(c) }
                used.append((c, 1))
            }
        }
        let typicalWait = used.isEmpty ? 0 : used.reduce(0.0) { $0 + (waits[$1.calendar] ?? 0) } / Double(used.count)

        var out: [StructureRow] = []
        for h in histories {
            let g = h.graph
            var paths: [String: (route: Route, site: String, orderType: String?, count: Int)] = [:]
            for i in h.invoices where i.kind == .invoice && period.contains(i.issueDate) {
                guard let r = g.route(forSite: i.site, orderType: i.orderType) else { continue }
                paths["\(r.id)|\(i.site)", default: (r, i.site, i.orderType, 0)].count += 1
            }
            let total = paths.values.reduce(0) { $0 + $1.count }
            guard total > 0 else { continue }
            var acc = (steps: 0.0, handOffs: 0.0, departments: 0.0, sites: 0.0, entities: 0.0, wait: 0.0, runs: 0.0, added: 0.0)
            var routeLines: [(added: Double, total: Double, line: String)] = []
            var slowHere: [String: BottleneckRow] = [:]
            var calendars: [String: (calendar: PayablesCalendar, count: Int)] = [:]
            for (_, p) in paths.sorted(by: { $0.key < $1.key }) {
                let w = Double(p.count) / Double(total)
                let depts = Dictionary(p.route.steps.compactMap { s in g.department(for: s, deliveredAt: p.site).map { (s.id, $0) } },
                                       uniquingKeysWith: { a, _ in a })
                let owner = g.paymentCalendarOwner(forSite: p.site, orderType: p.orderType)
                let calendar = owner?.calendar ?? PayablesCalendar()
                let wait = waits[calendar] ?? runWait(calendar)
                if let owner { calendars[owner.id, default: (calendar, 0)].count += p.count }
                // Step weights: the department's median where ranked, the portfolio's typical time otherwise.
                func weight(_ s: RouteStep, own: Bool) -> Double {
                    if s.action == .paymentRun || s.action == .payment { return own ? wait : typicalWait }
                    let fallback = Double(typical[s.action] ?? Int((s.expectedDays ?? 1).rounded()))
                    guard own, let d = depts[s.id], let m = median["\(d.id)|\(s.action.rawValue)"] else { return fallback }
                    return Double(m)
                }
                let own = Self.criticalPath(p.route) { weight($0, own: true) }
                let usual = Self.criticalPath(p.route) { weight($0, own: false) }
                let handOffs = p.route.steps.reduce(0) { n, s in
                    n + s.after.filter { depts[$0]?.id != depts[s.id]?.id }.count
                }
                let deptSet = Set(depts.values.map(\.id)), siteSet = Set(depts.values.map(\.site))
                let entitySet = Set(siteSet.compactMap { g.site($0)?.entity })
                acc.steps += w * Double(p.route.steps.count)
                acc.handOffs += w * Double(handOffs)
                acc.departments += w * Double(deptSet.count)
                acc.sites += w * Double(siteSet.count)
                acc.entities += w * Double(entitySet.count)
                acc.wait += w * wait
                acc.runs += w * runsPerMonth(calendar)
                acc.added += w * (own - usual)
                routeLines.append((own - usual, (own - usual) * Double(p.count), "route \(p.route.id) from \(p.site) (\(Self.count(p.count, "invoice"))): "
                    + "\(Self.count(p.route.steps.count, "step")), \(Self.count(handOffs, "hand-off")) across \(Self.count(deptSet.count, "department")), "
                    + "\(Self.count(siteSet.count, "site")), \(Self.count(entitySet.count, "entity", "entities")); "
                    + "critical path \(Self.days(own)) vs \(Self.days(usual)) typical"))
                for d in deptSet { for (k, r) in slow where r.department == d { slowHere[k] = r } }
            }
            var evidence: [(Double, String)] = []
            for r in slowHere.values {
                let what = r.action == .approval ? "slow approver" : "slow \(r.action.rawValue)"
                evidence.append((Double(r.daysAdded ?? 0), "\(what): \(r.departmentName) (\(r.department)) median \(r.median ?? 0) working days "
                    + "vs \(r.typical ?? 0) typical (+\(r.daysAdded ?? 0)), \(r.completed) observations"))
            }
            for (id, c) in calendars.sorted(by: { $0.key < $1.key }) {
                let wait = waits[c.calendar] ?? 0
                let runs = runsPerMonth(c.calendar)
                let shape = !c.calendar.hasKnownRuns ? "unknown (any working day)" : runs <= 1.5 ? "monthly" : runs <= 3 ? "twice a month" : "weekly or more"
                evidence.append((wait - typicalWait, "payment runs of \(id): \(shape), \(Self.days(runs)) a month; an approved invoice waits "
                    + "\(Self.days(wait)) working days for the run vs \(Self.days(typicalWait)) typical"))
            }
            // The routes that cost the most days in all (days added × invoices), three at most.
            evidence += routeLines.sorted { ($0.total, $1.line) > ($1.total, $0.line) }.prefix(3).map { ($0.added, $0.line) }
            out.append(StructureRow(
                group: g.group.id, name: g.group.name, invoices: total, steps: acc.steps, handOffs: acc.handOffs,
                departments: acc.departments, sites: acc.sites, entities: acc.entities, runWait: acc.wait, runsPerMonth: acc.runs,
                daysAdded: acc.added, evidence: evidence.sorted { ($0.0, $1.1) > ($1.0, $0.1) }.map(\.1)))
        }
        return out.sorted { ($0.daysAdded, $1.group) > ($1.daysAdded, $0.group) }
    }

    /// The longest path through the route's steps, each weighing `weight(step)` working days.
    static func criticalPath(_ route: Route, weight: (RouteStep) -> Double) -> Double {
        var finish: [String: Double] = [:]
        for s in route.topologicalOrder() ?? route.steps {
            finish[s.id] = (s.after.compactMap { finish[$0] }.max() ?? 0) + weight(s)
        }
        return finish.values.max() ?? 0
    }

    /// Mean working days from a working day of the period to the next payment run (0 on a run day; 0 when
    /// the runs are unknown, since any working day may then be a run).
    func runWait(_ calendar: PayablesCalendar) -> Double {
        let table = WorkingDayTable.shared(for: calendar)
        var total = 0, count = 0
        var d = period.from
        while d <= period.to {
            if calendar.isWorkingDay(d), let run = table.nextPaymentRun(onOrAfter: d) {
                total += table.count(before: run) - table.count(before: d)
                count += 1
            }
            d = d.adding(days: 1)
        }
        return count == 0 ? 0 : Double(total) / Double(count)
    }

    /// Distinct payment-run days per month over the period (21 or so when the runs are unknown).
    func runsPerMonth(_ calendar: PayablesCalendar) -> Double {
        let table = WorkingDayTable.shared(for: calendar)
        var runs = Set<CivilDate>()
        var d = period.from
        while d <= period.to {
            if let r = table.nextPaymentRun(onOrAfter: d), r <= period.to { runs.insert(r) }
            d = d.adding(days: 1)
        }
        return Double(runs.count) / (Double(period.days) / 30.44)
    }

    static func days(_ x: Double) -> String { String(format: "%.1f", x) }

    /// `1 site`, `3 sites`.
    static func count(_ n: Int, _ one: String, _ many: String? = nil) -> String { "\(n) \(n == 1 ? one : many ?? one + "s")" }
}
