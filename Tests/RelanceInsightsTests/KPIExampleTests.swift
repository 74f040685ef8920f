import RelanceCore
import RelanceInsights
import Testing

/// The worked example of `docs/kpis.md`, number for number: one customer, Q1 2026, nine invoices and a
/// credit note. Every expected value below is the doc's hand computation, written as the same fraction.
@Suite struct KPIExampleTests {
    static func day(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso)) }
    static func eur(_ units: Int64) -> Money { Money(minorUnits: units * 100, currency: "EUR") }

    static func invoice(_ id: String, issued: String, due: String, amount: Int64, paid: [(String, Int64)] = [],
                        kind: Invoice.Kind = .invoice, credits: String? = nil) throws -> Invoice {
        Invoice(id: id, kind: kind, group: "acme", entity: "acme-sa", site: "acme-plant", issueDate: try day(issued),
                dueDate: try day(due), amount: eur(amount), credits: credits,
                payments: try paid.map { Payment(date: try day($0.0), amount: eur($0.1)) })
    }

    /// The table of docs/kpis.md ("The example").
    static func example() throws -> [Invoice] {
        [
            try invoice("A", issued: "2025-12-10", due: "2026-01-09", amount: 1_000, paid: [("2026-01-20", 1_000)]),
            try invoice("B", issued: "2025-12-20", due: "2026-01-19", amount: 2_000, paid: [("2026-01-19", 2_000)]),
            try invoice("C", issued: "2026-01-15", due: "2026-02-14", amount: 3_000, paid: [("2026-03-01", 3_000)]),
            try invoice("D", issued: "2026-02-10", due: "2026-03-12", amount: 4_000, paid: [("2026-03-20", 1_000)]),
            try invoice("E", issued: "2026-03-05", due: "2026-04-04", amount: 5_000),
            try invoice("F", issued: "2025-11-20", due: "2025-12-20", amount: 600),
            try invoice("G", issued: "2026-01-05", due: "2026-02-04", amount: 1_000),
            try invoice("H", issued: "2026-02-20", due: "2026-02-20", amount: -500, kind: .creditNote, credits: "G"),
            try invoice("I", issued: "2025-12-15", due: "2026-01-14", amount: 800),
        ]
    }

    static func row() throws -> KPIRow {
        let period = try #require(ReportPeriod(from: try day("2026-01-01"), to: try day("2026-03-31")))
        return KPIReport(period: period, grouping: .portfolio).row(key: "acme", label: "Acme", currency: "EUR", invoices: try example())
    }

    @Test func ageingAtTheEndOfThePeriod() throws {
        let r = try Self.row()
        #expect(r.ageing.amounts == [Self.eur(5_000), Self.eur(3_000), Self.eur(500), Self.eur(800), Self.eur(600)])
        #expect(r.open == Self.eur(9_900))
        #expect(r.overdue == Self.eur(4_900))
        #expect(r.openAtStart == Self.eur(4_400))
        #expect(r.netSales == Self.eur(12_500))
        #expect(r.invoicesIssued == 4)
    }

    @Test func standardDSO() throws {
        let r = try Self.row()
        #expect(abs((r.dsoStandard ?? 0) - 9_900.0 / 12_500.0 * 90) < 1e-9)
        #expect(abs((r.dsoStandard ?? 0) - 71.28) < 1e-9)
    }

    @Test func countBackDSO() throws {
        let r = try Self.row()
        // March absorbs 5,000 (31 days), February 3,500 (28 days), January the remaining 1,400 of 4,000.
        #expect(abs(r.dsoCountBack - (31 + 28 + 1_400.0 / 4_000.0 * 31)) < 1e-9)
        #expect(abs(r.dsoCountBack - 69.85) < 1e-9)
    }

    @Test func daysLatePlainAndWeighted() throws {
        let r = try Self.row()
        #expect(r.settled == 3)
        #expect(abs((r.averageDaysLate ?? 0) - 26.0 / 3) < 1e-9)
        #expect(abs((r.weightedDaysLate ?? 0) - 56_000.0 / 6_000) < 1e-9)
    }

    @Test func collectionEffectivenessIndex() throws {
        let r = try Self.row()
        #expect(abs((r.collectionEffectiveness ?? 0) - 7_000.0 / 11_900 * 100) < 1e-9)
    }

    @Test func shareOfInvoicesPaidByTheirDueDate() throws {
        let r = try Self.row()
        #expect(r.due == 6 && r.paidByDue == 1)
        #expect(abs((r.shareOnTime ?? 0) - 1.0 / 6) < 1e-12)
    }

    @Test func ageingBucketsAtTheirLimits() {
        #expect([0, -5, 1, 30, 31, 60, 61, 90, 91, 400].map { KPIFormulas.ageingBucket(daysPastDue: $0) } == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
    }

    @Test func countBackRunsOutOfMonths() {
        // More owed than all the months' sales: every month's days count, and no more.
        #expect(KPIFormulas.dsoCountBack(receivables: 10_000, months: [(31, 1_000), (30, 2_000)]) == 61)
        #expect(KPIFormulas.dsoCountBack(receivables: 0, months: [(31, 1_000)]) == 0)
        #expect(KPIFormulas.dsoStandard(receivables: 100, sales: 0, days: 90) == nil)
        #expect(KPIFormulas.collectionEffectiveness(start: 0, sales: 0, end: 0, endCurrent: 0) == nil)
    }

    @Test func rowsPerKeyAndCurrency() throws {
        var invoices = try Self.example()
        invoices[4].salesRep = "Marc"
        invoices.append(Invoice(id: "J", group: "acme", entity: "acme-sa", site: "acme-plant", issueDate: try Self.day("2026-03-02"),
                                dueDate: try Self.day("2026-04-01"), amount: Money(minorUnits: 70_000, currency: "USD"), salesRep: "Marc"))
        let graph = OrgGraph(group: CustomerGroup(id: "acme", name: "Acme"), entities: [], sites: [], departments: [], contacts: [], routes: [])
        let period = try #require(ReportPeriod(from: try Self.day("2026-01-01"), to: try Self.day("2026-03-31")))
        let rows = KPIReport(period: period, grouping: .salesRep).rows([CustomerHistory(graph: graph, invoices: invoices)])
        #expect(rows.map { "\($0.key) \($0.currency)" } == ["- EUR", "Marc EUR", "Marc USD"])
        #expect(rows.first { $0.key == "Marc" && $0.currency == "EUR" }?.open == Self.eur(5_000))
        #expect(rows.first { $0.currency == "USD" }?.open == Money(minorUnits: 70_000, currency: "USD"))
    }
}
