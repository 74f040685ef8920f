import Foundation
import RelanceCore
import RelanceInsights
import Testing

/// Hand-made positions: two departments doing goods receipts, one of them slow, and a slowing trend.
@Suite struct BottleneckTests {
    static func day(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso)) }

    /// A plant route: goods receipt at the site's reception, then payment. Two sites: fast and slow.
    static func graph() -> OrgGraph {
        let route = Route(id: "r", steps: [
            RouteStep(id: "receipt", action: .goodsReceipt, department: .atDeliverySite(.reception), expectedDays: 2),
            RouteStep(id: "pay", action: .paymentRun, department: .fixed("ap"), after: ["receipt"]),
        ])
        return OrgGraph(
            group: CustomerGroup(id: "acme", name: "Acme"),
            entities: [LegalEntity(id: "acme-sa", name: "Acme SA")],
            sites: [Site(id: "fast", entity: "acme-sa", name: "Fast plant", kind: .plant),
                    Site(id: "slow", entity: "acme-sa", name: "Slow plant", kind: .plant),
                    Site(id: "hq", entity: "acme-sa", name: "HQ", kind: .headOffice)],
            departments: [Department(id: "fast-rec", site: "fast", name: "Fast reception", role: .reception),
                          Department(id: "slow-rec", site: "slow", name: "Slow reception", role: .reception),
                          Department(id: "ap", site: "hq", name: "Payables", role: .accountsPayable)],
            routes: [route])
    }
}

extension BottleneckTests {
    static let asOf = CivilDate(year: 2026, month: 11, day: 27) ?? CivilDate(dayNumber: 0)
    static let calendar = PayablesCalendar()

    /// An invoice delivered (and issued) on `delivered` whose goods receipt an event shows `days` working days later.
    static func received(_ id: String, site: String, delivered: CivilDate, days: Int?) -> (Invoice, [InvoiceEvent]) {
        let invoice = Invoice(id: id, group: "acme", entity: "acme-sa", site: site, issueDate: delivered, deliveryDate: delivered,
                              dueDate: delivered.adding(days: 60), amount: Money(minorUnits: 123_456, currency: "EUR"))
        guard let days, let done = calendar.adding(workingDays: days, to: delivered) else { return (invoice, []) }
        let at = done.start(in: TimeZone(identifier: "Europe/Paris") ?? .gmt).addingTimeInterval(10 * 3600)
        return (invoice, [InvoiceEvent(invoice: id, state: .goodsReceived, at: at, department: "\(site)-rec", source: .portal)])
    }

    /// Twelve receipts at each site, one every two weeks from Monday 2026-06-01:
    /// the fast site takes 2 working days; the slow one 6 days in the previous window and 10 in the recent one;
    /// and one invoice delivered the day before the as-of day is still at the slow reception.
    static func history() throws -> CustomerHistory {
        let g = graph()
        let engine = PositionEngine(graph: g)
        var cases: [(Invoice, [InvoiceEvent])] = []
        let recentStart = asOf.adding(days: -90)
        for k in 0..<12 {
            let monday = try #require(CivilDate(year: 2026, month: 6, day: 1)).adding(days: 14 * k)
            let d = try #require(calendar.nextWorkingDay(onOrAfter: monday))
            cases.append(received("F\(k)", site: "fast", delivered: d, days: 2))
            cases.append(received("S\(k)", site: "slow", delivered: d, days: d >= recentStart ? 10 : 6))
        }
        cases.append(received("NOW", site: "slow", delivered: asOf.adding(days: -1), days: nil))
        let positions = cases.map { engine.position(of: $0.0, events: $0.1, asOf: asOf) }
        return CustomerHistory(graph: g, invoices: cases.map(\.0), positions: positions)
    }

    static func report() throws -> BottleneckReport {
        BottleneckReport(period: try #require(ReportPeriod(from: try day("2026-03-02"), to: asOf)))
    }

    @Test func theSlowDepartmentComesFirstWithTheDaysItAdds() throws {
        let h = try Self.history()
        // Both windows need five completed observations: five recent and seven previous here (the recent window starts 90 days before the as-of day).
        let rows = try Self.report().rows([h])
        let slow = try #require(rows.first)
        #expect(slow.department == "slow-rec" && slow.action == .goodsReceipt)
        #expect(slow.completed == 12 && slow.censored == 1)
        #expect(slow.median == 6 && slow.typical == 2 && slow.daysAdded == 4)
        #expect(slow.p90 == 10)
        #expect(slow.ranked)
        let fast = try #require(rows.first { $0.department == "fast-rec" })
        #expect(fast.median == 2 && fast.daysAdded == 0)
        #expect(fast.trend == .steady)
    }

    @Test func theTrendComparesTheRecentWindowWithThePreviousOne() throws {
        let rows = try Self.report().rows([try Self.history()])
        let slow = try #require(rows.first { $0.department == "slow-rec" })
        #expect(slow.previousMedian == 6 && slow.recentMedian == 10)
        #expect(slow.trend == .slower)
        // With a higher bar for the number of observations, no trend is claimed.
        var strict = try Self.report()
        strict.trendMinimum = 7
        #expect(strict.rows([try Self.history()]).first { $0.department == "slow-rec" }?.trend == .unknown)
    }

    @Test func whatSitsThereNowAndForHowMuch() throws {
        let rows = try Self.report().rows([try Self.history()])
        let slow = try #require(rows.first { $0.department == "slow-rec" })
        #expect(slow.sittingNow == 1)
        #expect(slow.sittingAmount.values == [Money(minorUnits: 123_456, currency: "EUR")])
    }

    @Test func aMedianBeyondTheLongestCompletionIsNotReached() throws {
        // One receipt done in 2 days; three still waiting after about 40 working days. Kaplan–Meier leaves
        // three quarters beyond day 2: the report says the median is not reached, it does not extrapolate.
        let g = Self.graph()
        let engine = PositionEngine(graph: g)
        let early = try #require(Self.calendar.nextWorkingDay(onOrAfter: Self.asOf.adding(days: -60)))
        let cases = [Self.received("D", site: "slow", delivered: early, days: 2)]
            + (0..<3).map { Self.received("W\($0)", site: "slow", delivered: early, days: nil) }
        let history = CustomerHistory(graph: g, invoices: cases.map(\.0), positions: cases.map { engine.position(of: $0.0, events: $0.1, asOf: Self.asOf) })
        let row = try #require(try Self.report().rows([history]).first { $0.department == "slow-rec" })
        #expect(row.completed == 1 && row.censored == 3)
        #expect(row.median == nil && row.p90 == nil)
    }

    @Test func tooFewObservationsAreNotRanked() throws {
        var report = try Self.report()
        report.minimumObservations = 13
        let rows = report.rows([try Self.history()])
        #expect(rows.allSatisfy { !$0.ranked && $0.daysAdded == nil })
    }

    @Test func theStructureWithTheSlowReceptionCostsDays() throws {
        let h = try Self.history()
        let report = try Self.report()
        let s = try #require(report.structures([h], rows: report.rows([h])).first)
        #expect(s.group == "acme")
        // 13 invoices through the slow reception add 4 days each, 12 through the fast one none.
        #expect(s.invoices == 25)
        #expect(abs(s.daysAdded - 4.0 * 13 / 25) < 1e-9)
        #expect(s.steps == 2 && s.handOffs == 1 && s.departments == 2)
        #expect(s.evidence.contains { $0.hasPrefix("slow goods-receipt: Slow reception (slow-rec) median 6 working days vs 2 typical (+4)") })
        #expect(s.evidence.contains { $0.hasPrefix("payment runs of acme-sa: unknown") })
    }
}
