import RelanceCore
import RelanceInsights
import Testing

/// Two customers with the same circuit; one pays in a monthly run, the other every Tuesday.
@Suite struct StructureTests {
    static func customer(_ id: String, calendar: PayablesCalendar, invoices: Int) throws -> CustomerHistory {
        let route = Route(id: "\(id)-route", steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("\(id)-mail"), expectedDays: 1),
            RouteStep(id: "match", action: .matching, department: .fixed("\(id)-ap"), after: ["scan"], expectedDays: 2),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("\(id)-ap"), after: ["match"]),
        ])
        let graph = OrgGraph(
            group: CustomerGroup(id: id, name: id.uppercased()),
            entities: [LegalEntity(id: "\(id)-sa", name: "\(id) SA", calendar: calendar)],
            sites: [Site(id: "\(id)-plant", entity: "\(id)-sa", name: "Plant", kind: .plant),
                    Site(id: "\(id)-hq", entity: "\(id)-sa", name: "HQ", kind: .headOffice)],
            departments: [Department(id: "\(id)-mail", site: "\(id)-hq", name: "Mailroom", role: .mailroom),
                          Department(id: "\(id)-ap", site: "\(id)-hq", name: "Payables", role: .accountsPayable)],
            routes: [route])
        let first = try #require(CivilDate(iso: "2026-02-02"))
        let list = (0..<invoices).map { k in
            Invoice(id: "\(id)-\(k)", group: id, entity: "\(id)-sa", site: "\(id)-plant", issueDate: first.adding(days: 7 * k),
                    dueDate: first.adding(days: 7 * k + 45), amount: Money(minorUnits: 100_000, currency: "EUR"))
        }
        return CustomerHistory(graph: graph, invoices: list)
    }

    @Test func aMonthlyPaymentRunCostsDaysAndSaysSo() throws {
        let monthly = try Self.customer("monthly", calendar: PayablesCalendar(runDays: [.day(25)]), invoices: 10)
        let weekly = try Self.customer("weekly", calendar: PayablesCalendar(runWeekdays: [.tuesday]), invoices: 10)
        let from = try #require(CivilDate(iso: "2026-01-01")), to = try #require(CivilDate(iso: "2026-12-31"))
        let period = try #require(ReportPeriod(from: from, to: to))
        let rows = BottleneckReport(period: period).structures([weekly, monthly], rows: [])
        #expect(rows.map(\.group) == ["monthly", "weekly"])
        let m = try #require(rows.first), w = try #require(rows.last)
        // Same circuit, same (typical) step times: the difference is the wait for the run, split around the portfolio's mean.
        #expect(abs(m.daysAdded + w.daysAdded) < 1e-9)
        #expect(abs(m.daysAdded - (m.runWait - w.runWait) / 2) < 1e-9)
        #expect(m.runWait > 7 && w.runWait < 3, "monthly \(m.runWait), weekly \(w.runWait)")
        #expect(abs(m.runsPerMonth - 1) < 0.1 && abs(w.runsPerMonth - 4.3) < 0.3)
        #expect(m.steps == 3 && m.handOffs == 1 && m.departments == 2 && m.sites == 1 && m.entities == 1)
        #expect(m.evidence.contains { $0.hasPrefix("payment runs of monthly-sa: monthly, 1.0 a month; an approved invoice waits ") }, "\(m.evidence)")
        #expect(m.evidence.contains { $0.hasPrefix("route monthly-route from monthly-plant (10 invoices): 3 steps, 1 hand-off across 2 departments, 1 site, 1 entity") },
                "\(m.evidence)")
        #expect(w.evidence.contains { $0.hasPrefix("payment runs of weekly-sa: weekly or more") })
    }
}
