import RelanceCore
import RelanceInsights
import Testing

@Suite struct InvoicingTests {
    static func day(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso)) }

    /// Acme: invoices go to the shared-service centre (accounts payable); the plant only receives goods;
    /// the head office has a mailroom but is not the invoice address; purchase orders are required.
    static func graph() -> OrgGraph {
        OrgGraph(
            group: CustomerGroup(id: "acme", name: "Acme"),
            entities: [LegalEntity(id: "acme-sa", name: "Acme SA", invoiceAddress: "ssc", requiresPurchaseOrder: true)],
            sites: [Site(id: "plant", entity: "acme-sa", name: "Plant", kind: .plant),
                    Site(id: "ssc", entity: "acme-sa", name: "Shared services", kind: .sharedServiceCentre),
                    Site(id: "hq", entity: "acme-sa", name: "Head office", kind: .headOffice)],
            departments: [Department(id: "plant-rec", site: "plant", name: "Reception", role: .reception),
                          Department(id: "ssc-ap", site: "ssc", name: "Payables", role: .accountsPayable),
                          Department(id: "hq-mail", site: "hq", name: "Mailroom", role: .mailroom)])
    }

    static func invoice(_ id: String, delivered: String, issued: String, euros: Int64, sentTo: String? = "ssc", order: String? = "PO-1",
                        rep: String? = nil) throws -> Invoice {
        Invoice(id: id, group: "acme", entity: "acme-sa", site: "plant", sentTo: sentTo, orderNumber: order, issueDate: try day(issued),
                deliveryDate: try day(delivered), dueDate: try day(issued).adding(days: 30),
                amount: Money(minorUnits: euros * 100, currency: "EUR"), salesRep: rep)
    }

    static let period = ReportPeriod(from: CivilDate(year: 2026, month: 1, day: 1) ?? CivilDate(dayNumber: 0),
                                     to: CivilDate(year: 2026, month: 3, day: 31) ?? CivilDate(dayNumber: 0))

    @Test func delaysAndWhatTheDaysBeyondTheTargetCost() throws {
        let history = CustomerHistory(graph: Self.graph(), invoices: [
            try Self.invoice("A", delivered: "2026-02-01", issued: "2026-02-11", euros: 10_000, rep: "Lucie"),   // 10 days
            try Self.invoice("B", delivered: "2026-02-02", issued: "2026-02-03", euros: 5_000, rep: "Marc"),     // 1 day
            try Self.invoice("C", delivered: "2026-02-02", issued: "2026-02-06", euros: 2_000, rep: "Marc"),     // 4 days
            try Self.invoice("D", delivered: "2025-12-20", issued: "2025-12-30", euros: 9_000, rep: "Lucie"),    // before the period
        ])
        let period = try #require(Self.period)
        let site = try #require(InvoicingReport(period: period).delays([history]).first)
        #expect(site.key == "plant" && site.invoices == 3)
        #expect(site.median == 4 && site.p90 == 10 && abs(site.mean - 5) < 1e-12)
        #expect(site.excessDays == 8 + 2)
        #expect(site.lateAmount.values == [Money(minorUnits: 1_200_000, currency: "EUR")])
        // 10,000.00 × 8 days × 4 % / 365 = 8.767… → 8.77; 2,000.00 × 2 × 4 % / 365 = 0.438… → together 9.21 (rounded once).
        #expect(site.cost.values == [Money(minorUnits: 921, currency: "EUR")])

        let reps = InvoicingReport(period: period, grouping: .salesRep).delays([history])
        #expect(reps.map(\.key) == ["Lucie", "Marc"])
        #expect(reps.last?.median == 1 && reps.last?.p90 == 4)
    }

    @Test func invoicesSentWrongOrWithoutTheRequiredOrderNumber() throws {
        let history = CustomerHistory(graph: Self.graph(), invoices: [
            try Self.invoice("OK", delivered: "2026-02-01", issued: "2026-02-02", euros: 100),
            try Self.invoice("PLANT", delivered: "2026-02-01", issued: "2026-02-02", euros: 200, sentTo: "plant"),
            try Self.invoice("HQ", delivered: "2026-02-01", issued: "2026-02-02", euros: 300, sentTo: "hq"),
            try Self.invoice("NOPO", delivered: "2026-02-01", issued: "2026-02-02", euros: 400, order: " "),
            try Self.invoice("UNKNOWN", delivered: "2026-02-01", issued: "2026-02-02", euros: 500, sentTo: nil),
        ])
        let issues = InvoicingReport(period: try #require(Self.period)).issues([history])
        #expect(issues.map { "\($0.kind.rawValue) \($0.invoice.id)" } == [
            "address-not-processing PLANT", "missing-purchase-order NOPO", "not-invoice-address HQ",
        ])
        #expect(issues.first?.detail == "sent to Plant (plant), where no department processes invoices")
    }
}
