import RelanceCore
import Testing

@Suite struct FindingsTests {
    private func codes(_ findings: [Finding]) -> [String] { findings.map(\.code) }

    /// The findings of `g` with `code`, expecting exactly one, at `subject`, whose message contains `phrases`.
    @discardableResult
    private func expectSingleFinding(
        _ g: OrgGraph, code: String, severity: Finding.Severity, at subject: FieldRef, _ phrases: String...,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Finding? {
        let all = g.findings()
        let matching = all.filter { $0.code == code }
        #expect(matching.count == 1, "\(all)", sourceLocation: sourceLocation)
        guard let f = matching.first else { return nil }
        #expect(f.severity == severity, sourceLocation: sourceLocation)
        #expect(f.subject == subject, sourceLocation: sourceLocation)
        #expect(!f.advice.isEmpty, sourceLocation: sourceLocation)
        for p in phrases {
            #expect(f.message.contains(p), "'\(p)' not in: \(f.message)", sourceLocation: sourceLocation)
        }
        return f
    }

    @Test func cleanGraphHasNoFindings() {
        let g = Fixture.graph
        #expect(g.validate().isEmpty)
        #expect(g.findings().isEmpty, "\(g.findings())")
    }

    @Test func noContact() {
        var g = Fixture.graph
        g.contacts.removeAll { $0.department == "ssc-ap" }
        expectSingleFinding(g, code: "no-contact", severity: .warning, at: FieldRef(.department, "ssc-ap"),
                            "ssc-ap", "step match")
        #expect(codes(g.findings()) == ["no-contact"])
    }

    @Test func noContactAtASiteRoleDepartment() {
        var g = Fixture.graph
        g.contacts.removeAll { $0.department == "cor-reception" }
        expectSingleFinding(g, code: "no-contact", severity: .warning, at: FieldRef(.department, "cor-reception"),
                            "step receipt of route cor-direct")
    }

    @Test func noPhone() {
        var g = Fixture.graph
        g.editContact("c-ssc-tre") {
            $0.phone = nil
            $0.email = "c.girard@metalux.fr"
        }
        expectSingleFinding(g, code: "no-phone", severity: .warning, at: FieldRef(.department, "ssc-treasury"), "ssc-treasury")
        #expect(codes(g.findings()) == ["no-phone"])
    }

    @Test func aDepartmentPhoneIsEnough() {
        var g = Fixture.graph
        g.editContact("c-ven-pur") { $0.phone = nil }  // ven-purchasing has its own line
        #expect(g.findings().isEmpty)
    }

    @Test func unreachableContact() {
        var g = Fixture.graph
        g.contacts.append(Contact(id: "c-ven-pur-2", department: "ven-purchasing", name: "Marc Blanc"))
        expectSingleFinding(g, code: "unreachable-contact", severity: .notice, at: FieldRef(.contact, "c-ven-pur-2"), "Marc Blanc")
    }

    @Test func singleApprover() {
        var g = Fixture.graph
        g.addPlant("plant-a", siret: "73282932000033")
        g.addPlant("plant-b", siret: "73282932000041")
        #expect(g.validate().isEmpty)
        // ven-purchasing approves for plant-ven, plant-a and plant-b, and only Sophie Bernard is there.
        expectSingleFinding(g, code: "single-approver", severity: .warning, at: FieldRef(.department, "ven-purchasing"),
                            "3 sites", "Sophie Bernard")
        #expect(codes(g.findings()) == ["single-approver"])

        // A deputy removes it.
        g.contacts.append(Contact(id: "c-ven-pur-2", department: "ven-purchasing", name: "Marc Blanc", phone: "+33472001105"))
        #expect(g.findings().isEmpty)
    }

    @Test func singleApproverThreshold() {
        var g = Fixture.graph
        g.addPlant("plant-a", siret: "73282932000033")
        // Two sites depend on ven-purchasing: below the default of 3, at a threshold of 2.
        #expect(!codes(g.findings()).contains("single-approver"))
        #expect(codes(g.findings(singleApproverSites: 2)) == ["single-approver"])
        // ven-management (capex approval for three plants) is not an approving role the check covers.
        g.addPlant("plant-b", siret: "73282932000041")
        #expect(g.sitesDepending(on: "ven-management").count == 4)
        #expect(!g.findings().contains { $0.subject.id == "ven-management" })
    }

    @Test func invoiceAddressWithoutInvoiceProcessing() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.invoiceAddress = "plant-ven" }
        expectSingleFinding(g, code: "invoice-address", severity: .warning, at: FieldRef(.entity, "mx-fab", "invoice-address"),
                            "Metalux Fabrication", "plant-ven")
        #expect(codes(g.findings()) == ["invoice-address"])
    }

    @Test func invoiceAddressWithAnEInvoicingPlatformIsFine() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.invoiceAddress = "plant-ven" }
        g.departments.append(Department(id: "ven-pdp", site: "plant-ven", name: "PDP", role: .einvoicingPlatform))
        #expect(!codes(g.findings()).contains("invoice-address"))
    }

    @Test func termsOverCap() {
        var g = Fixture.graph
        g.editEntity("mx-services") { $0.terms = PaymentTerms(days: 75) }
        expectSingleFinding(g, code: "terms-over-cap", severity: .warning, at: FieldRef(.entity, "mx-services", "terms"),
                            "Metalux Services", "75 days net")
        var eom = Fixture.graph
        eom.editEntity("mx-fab") { $0.terms = PaymentTerms(days: 50, endOfMonth: .daysThenEndOfMonth) }
        expectSingleFinding(eom, code: "terms-over-cap", severity: .warning, at: FieldRef(.entity, "mx-fab", "terms"),
                            "50 days end of month")
    }

    @Test func unknownPaymentRuns() {
        var g = Fixture.graph
        g.editEntity("mx-services") { $0.calendar.runWeekdays = [] }
        expectSingleFinding(g, code: "unknown-payment-runs", severity: .notice,
                            at: FieldRef(.entity, "mx-services", "payables-calendar"), "Metalux Services")
        #expect(codes(g.findings()) == ["unknown-payment-runs"])
    }

    @Test func unknownRunsOfAnEntityThatDecidesNoRunAreNotReported() {
        var g = Fixture.graph
        // mx-fab pays for its plants, but every route ends at the SSC: mx-services' calendar decides.
        g.editEntity("mx-fab") { $0.calendar.runDays = [] }
        #expect(g.findings().isEmpty, "\(g.findings())")
    }

    /// Capital expenditure ends at the treasury of a third entity whose runs are unknown: that calendar
    /// decides when capex invoices are paid (nextPaymentRun(forSite:orderType:) uses it), so its unknown runs
    /// matter as much as for the usual route.
    @Test func unknownRunsOfAnEntityThatDecidesOnlyForAnOrderType() {
        var g = Fixture.graph
        g.entities.append(LegalEntity(id: "mx-holding", name: "Metalux Holding", siren: "552100554", terms: .net60))
        g.sites.append(Site(id: "hq", entity: "mx-holding", name: "Group treasury centre", kind: .sharedServiceCentre))
        g.departments.append(Department(id: "hq-treasury", site: "hq", name: "Group treasury", role: .treasury))
        g.contacts.append(Contact(id: "c-hq-tre", department: "hq-treasury", name: "Anne Duval", phone: "+33140001122"))
        g.editStep("capex", "run") { $0.department = .fixed("hq-treasury") }
        #expect(g.validate().isEmpty)
        #expect(g.paymentCalendarOwner(forSite: "plant-ven", orderType: "capex")?.id == "mx-holding")
        #expect(g.findings().allSatisfy { $0.code == "unknown-payment-runs" }, "\(g.findings())")
        #expect(codes(g.findings()) == ["unknown-payment-runs"])
    }

    @Test func termsUnknown() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.agreedTerms = nil }
        #expect(g.entity("mx-fab")?.terms == .legalDefault)
        expectSingleFinding(g, code: "terms-unknown", severity: .notice, at: FieldRef(.entity, "mx-fab", "terms"),
                            "Metalux Fabrication", "30 days after delivery")
        #expect(codes(g.findings()) == ["terms-unknown"])
    }

    @Test func termsUnknownOnlyForEntitiesThatPayForDeliveries() {
        var g = Fixture.graph
        g.entities.append(LegalEntity(id: "mx-holding", name: "Metalux Holding", calendar: PayablesCalendar(runDays: [.last])))
        #expect(g.validate().isEmpty)
        #expect(g.findings().isEmpty, "\(g.findings())")
    }

    @Test func noSIRET() {
        var g = Fixture.graph
        g.editSite("plant-cor") { $0.siret = nil }
        g.editSite("ssc-lyon") { $0.siret = nil }  // no deliveries there: not reported
        expectSingleFinding(g, code: "no-siret", severity: .notice, at: FieldRef(.site, "plant-cor", "siret"), "Corbas plant")
        #expect(codes(g.findings()) == ["no-siret"])
    }

    @Test func noRoute() {
        var g = Fixture.graph
        g.editRoute("standard") { $0.appliesTo.entities = ["mx-fab"] }
        g.editRoute("capex") { $0.appliesTo.entities = ["mx-fab"] }
        g.addPlant("plant-lil", entity: "mx-services", siret: "54205118000025")
        expectSingleFinding(g, code: "no-route", severity: .warning, at: FieldRef(.site, "plant-lil"), "plant-lil")
    }

    @Test func noPayer() {
        var g = Fixture.graph
        g.editStep("cor-direct", "run") { $0.department = .fixed("ven-purchasing") }
        expectSingleFinding(g, code: "no-payer", severity: .warning, at: FieldRef(.route, "cor-direct"), "plant-cor")
    }

    @Test func payerMismatch() {
        var g = Fixture.graph
        // plant-cor is paid by mx-services, but its route would end at a treasury of mx-fab (a plant, not an SSC).
        g.departments.append(Department(id: "ven-treasury", site: "plant-ven", name: "Vénissieux treasury", role: .treasury))
        g.contacts.append(Contact(id: "c-ven-tre", department: "ven-treasury", name: "Hugo Lemaire", phone: "+33472001106"))
        g.editStep("cor-direct", "run") { $0.department = .fixed("ven-treasury") }
        expectSingleFinding(g, code: "payer-mismatch", severity: .warning, at: FieldRef(.route, "cor-direct"),
                            "ven-treasury", "mx-fab", "mx-services pays for plant-cor")
        // Without paid-by, mx-fab pays for plant-cor and the route is right.
        g.editSite("plant-cor") { $0.paidBy = nil }
        #expect(!codes(g.findings()).contains("payer-mismatch"))
    }

    @Test func publicAccountantsPayForOtherEntitiesByDesign() {
        var g = Fixture.graph
        g.departments.append(Department(id: "ven-dgfip", site: "plant-ven", name: "Comptable public", role: .publicAccountant))
        g.contacts.append(Contact(id: "c-ven-dgfip", department: "ven-dgfip", name: "Comptable", phone: "+33472001107"))
        g.editStep("cor-direct", "run") { $0.department = .fixed("ven-dgfip") }
        #expect(!codes(g.findings()).contains("payer-mismatch"))
    }

    @Test func warningsComeBeforeNotices() {
        var g = Fixture.graph
        g.editSite("plant-cor") { $0.siret = nil }                               // notice
        g.editEntity("mx-services") { $0.calendar.runWeekdays = [] }             // notice
        g.contacts.removeAll { $0.department == "ssc-ap" }                       // warning
        g.editEntity("mx-fab") { $0.terms = PaymentTerms(days: 90) }             // warning
        let found = g.findings()
        #expect(Set(codes(found)) == ["no-siret", "unknown-payment-runs", "no-contact", "terms-over-cap"])
        #expect(found.map(\.severity) == [.warning, .warning, .notice, .notice])
        // Within a severity, the order of discovery is kept: contacts are checked before terms.
        #expect(codes(found).prefix(2) == ["no-contact", "terms-over-cap"])
        #expect(Finding.Severity.warning < .notice)
        #expect(!(Finding.Severity.notice < .warning))
    }
}
