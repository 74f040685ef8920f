import RelanceCore
import Testing

@Suite struct ValidationTests {
    /// Validates `g` and expects exactly one issue, at `ref`, whose message contains every one of `phrases`.
    private func expectSingleIssue(
        _ g: OrgGraph, at ref: FieldRef, _ phrases: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let issues = g.validate()
        #expect(issues.count == 1, "\(issues)", sourceLocation: sourceLocation)
        guard let issue = issues.first else { return }
        #expect(issue.at == ref, "\(issue)", sourceLocation: sourceLocation)
        for p in phrases {
            #expect(issue.message.contains(p), "'\(p)' not in: \(issue.message)", sourceLocation: sourceLocation)
        }
    }

    @Test func theFixtureIsValid() {
        #expect(Fixture.graph.validate() == [])
    }

    @Test func anEmptyGroupIsValid() {
        #expect(OrgGraph(group: Fixture.group).validate().isEmpty)
    }

    // MARK: Ids and references

    @Test func duplicateIdAcrossKinds() {
        var g = Fixture.graph
        g.contacts.append(Contact(id: "plant-ven", department: "ven-reception", name: "Homonym", phone: "+33472001199"))
        expectSingleIssue(g, at: FieldRef(.contact, "plant-ven", "id"), "duplicate id 'plant-ven'", "already used by a site")
    }

    @Test func duplicateIdOfTheSameKind() {
        var g = Fixture.graph
        g.departments.append(Department(id: "ssc-ap", site: "ssc-lyon", name: "Second AP", role: .accountsPayable))
        expectSingleIssue(g, at: FieldRef(.department, "ssc-ap", "id"), "duplicate id 'ssc-ap'", "department")
    }

    @Test(arguments: ["bad id", "-leading-dash", "", "été", String(repeating: "x", count: 65)])
    func malformedId(id: String) {
        var g = Fixture.graph
        g.contacts.append(Contact(id: id, department: "ven-reception", name: "Odd", phone: "+33472001199"))
        expectSingleIssue(g, at: FieldRef(.contact, id, "id"), "must be letters, digits")
    }

    @Test func unknownPaidBy() {
        var g = Fixture.graph
        g.editSite("plant-cor") { $0.paidBy = "mx-ghost" }
        expectSingleIssue(g, at: FieldRef(.site, "plant-cor", "paid-by"), "unknown entity 'mx-ghost'")
    }

    @Test func unknownSiteEntity() {
        var g = Fixture.graph
        g.editSite("ssc-lyon") { $0.entity = "mx-ghost" }
        expectSingleIssue(g, at: FieldRef(.site, "ssc-lyon", "entity"), "unknown entity 'mx-ghost'")
    }

    @Test func unknownInvoiceAddress() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.invoiceAddress = "hq-paris" }
        expectSingleIssue(g, at: FieldRef(.entity, "mx-fab", "invoice-address"), "unknown site 'hq-paris'")
    }

    @Test func unknownStepDepartment() {
        var g = Fixture.graph
        g.editStep("standard", "bap") { $0.department = .fixed("ven-achats") }
        expectSingleIssue(g, at: FieldRef(.step, "standard/bap", "department"), "unknown department 'ven-achats'")
    }

    @Test func unknownPredecessor() {
        var g = Fixture.graph
        g.editStep("standard", "bap") { $0.after = ["receipt", "ghost"] }
        expectSingleIssue(g, at: FieldRef(.step, "standard/bap", "after"), "unknown step 'ghost'", "route standard")
    }

    @Test func unknownContactDepartment() {
        var g = Fixture.graph
        g.editContact("c-ven-mgt") { $0.department = "direction" }
        expectSingleIssue(g, at: FieldRef(.contact, "c-ven-mgt", "department"), "unknown department 'direction'")
    }

    @Test func unknownDepartmentSite() {
        var g = Fixture.graph
        g.departments.append(Department(id: "ghost-dept", site: "ghost-site", name: "Ghost", role: .management))
        expectSingleIssue(g, at: FieldRef(.department, "ghost-dept", "site"), "unknown site 'ghost-site'")
    }

    @Test func unknownRouteAppliesToSite() {
        var g = Fixture.graph
        g.editRoute("cor-direct") { $0.appliesTo.sites = ["plant-cor", "plant-xyz"] }
        expectSingleIssue(g, at: FieldRef(.route, "cor-direct", "applies-to.sites"), "unknown site 'plant-xyz'")
    }

    @Test func unknownRouteAppliesToEntity() {
        var g = Fixture.graph
        g.editRoute("capex") { $0.appliesTo.entities = ["mx-ghost"] }
        expectSingleIssue(g, at: FieldRef(.route, "capex", "applies-to.entities"), "unknown entity 'mx-ghost'")
    }

    // MARK: Route shape

    @Test func cycleInRoute() {
        var g = Fixture.graph
        g.editStep("standard", "match") { $0.after = ["scan", "bap", "run"] }  // match → run → match
        let issues = g.validate()
        #expect(issues.count == 1, "\(issues)")
        let issue = issues.first
        #expect(issue?.at == FieldRef(.route, "standard", "steps"))
        #expect(issue?.message.contains("cycle") == true)
        let loop = issue?.message ?? ""
        #expect(loop.contains("match → run → match") || loop.contains("run → match → run"), "\(loop)")
    }

    @Test func stepWaitingForItself() {
        var g = Fixture.graph
        g.editStep("standard", "bap") { $0.after = ["receipt", "bap"] }
        let issues = g.validate()
        #expect(issues.contains { $0.at == FieldRef(.step, "standard/bap", "after") && $0.message.contains("waits for itself") })
        #expect(issues.contains { $0.at == FieldRef(.route, "standard", "steps") && $0.message.contains("bap → bap") })
        #expect(issues.count == 2, "\(issues)")
    }

    @Test func routeWithoutSteps() {
        var g = Fixture.graph
        g.routes.append(Route(id: "empty", appliesTo: RouteRule(orderTypes: ["services"]), steps: []))
        expectSingleIssue(g, at: FieldRef(.route, "empty", "steps"), "at least one step")
    }

    @Test func aRouteOfMoreThan64StepsIsRefused() {
        var g = Fixture.graph
        let chain = { (n: Int) in
            (0..<n).map { i in
                RouteStep(id: "s\(i)", action: i == n - 1 ? .paymentRun : .approval, department: .fixed(i == n - 1 ? "ssc-treasury" : "ven-purchasing"),
                          after: i == 0 ? [] : ["s\(i - 1)"])
            }
        }
        g.routes.append(Route(id: "long", appliesTo: RouteRule(orderTypes: ["services"]), steps: chain(64)))
        #expect(g.validate() == [], "64 steps fit")
        g.routes[g.routes.count - 1].steps = chain(65)
        expectSingleIssue(g, at: FieldRef(.route, "long", "steps"), "65 steps", "at most 64")
    }

    @Test func duplicateStepId() {
        var g = Fixture.graph
        g.editRoute("standard") {
            $0.steps.append(RouteStep(id: "scan", action: .platformRouting, department: .fixed("ssc-mailroom")))
        }
        expectSingleIssue(g, at: FieldRef(.step, "standard/scan", "id"), "duplicate step id 'scan'")
    }

    @Test func routeEndingAtANonPayingDepartment() {
        var g = Fixture.graph
        g.editStep("cor-direct", "run") { $0.department = .fixed("ven-purchasing") }
        expectSingleIssue(g, at: FieldRef(.step, "cor-direct/run", "department"), "ends at ven-purchasing", "does not pay")
    }

    @Test func routeEndingAtANonPayingDeliverySiteRole() {
        var g = Fixture.graph
        g.editStep("cor-direct", "run") { $0.department = .atDeliverySite(.reception) }
        expectSingleIssue(g, at: FieldRef(.step, "cor-direct/run", "site-role"), "reception", "does not pay")
    }

    @Test func routeEndingAtAPayingDeliverySiteRoleIsFine() {
        var g = Fixture.graph
        g.departments.append(Department(id: "cor-ap", site: "plant-cor", name: "Corbas AP", role: .accountsPayable))
        g.contacts.append(Contact(id: "c-cor-ap", department: "cor-ap", name: "Léa", phone: "+33472001188"))
        g.editStep("cor-direct", "run") { $0.department = .atDeliverySite(.accountsPayable) }
        #expect(g.validate().isEmpty)
    }

    @Test func carriesOnlyOnStartingSteps() {
        var g = Fixture.graph
        g.editStep("standard", "bap") { $0.carries = .invoice }  // receives the approval from receipt
        expectSingleIssue(g, at: FieldRef(.step, "standard/bap", "carries"), "only a starting step", "receipt")
        var same = Fixture.graph
        same.editStep("standard", "bap") { $0.carries = .approval }  // agrees with what it receives
        #expect(same.validate().isEmpty)
    }

    @Test(arguments: [-1.0, 366.0])
    func expectedDaysOutOfRange(days: Double) {
        var g = Fixture.graph
        g.editStep("standard", "match") { $0.expectedDays = days }
        expectSingleIssue(g, at: FieldRef(.step, "standard/match", "expected-days"), "out of range")
    }

    // MARK: Coverage

    @Test func deliverySiteWithNoRoute() {
        var g = Fixture.graph
        g.editRoute("standard") { $0.appliesTo.entities = ["mx-fab"] }
        g.editRoute("capex") { $0.appliesTo.entities = ["mx-fab"] }
        g.addPlant("plant-lil", entity: "mx-services", siret: "54205118000025")
        expectSingleIssue(g, at: FieldRef(.site, "plant-lil"), "delivery site plant-lil has no route")
    }

    @Test func aSiteThatReceivesNoDeliveriesNeedsNoRoute() {
        var g = Fixture.graph
        g.editRoute("standard") { $0.appliesTo.entities = ["mx-fab"] }
        g.editRoute("capex") { $0.appliesTo.entities = ["mx-fab"] }
        g.sites.append(Site(id: "office-lil", entity: "mx-services", name: "Lille office", kind: .office))
        #expect(g.validate().isEmpty)
    }

    @Test func siteRoleDepartmentMissingAtAServedSite() {
        var g = Fixture.graph
        g.addPlant("plant-a", siret: "73282932000033", reception: false)
        expectSingleIssue(g, at: FieldRef(.step, "standard/receipt", "site-role"),
                          "site plant-a has no reception department", "route standard")
    }

    @Test func twoEquallySpecificRoutes() {
        var g = Fixture.graph
        var twin = Fixture.standard
        twin.id = "standard-bis"
        g.routes.append(twin)
        expectSingleIssue(g, at: FieldRef(.route, "standard-bis", "applies-to"),
                          "routes standard and standard-bis both apply to site plant-ven", "more specific")
    }

    @Test func twoEquallySpecificOrderTypeRoutes() {
        var g = Fixture.graph
        var twin = Fixture.capex
        twin.id = "capex-bis"
        twin.appliesTo = RouteRule(orderTypes: ["capex", "it"])
        g.routes.append(twin)
        // Both plants take capex orders: one issue per site, each naming the order type.
        let issues = g.validate()
        #expect(issues.count == 2, "\(issues)")
        #expect(issues.allSatisfy { $0.at == FieldRef(.route, "capex-bis", "applies-to") && $0.message.contains("for order type capex") })
        #expect(Set(issues.map(\.message)).count == 2)
    }

    // MARK: Identifiers and contact details

    @Test func malformedDepartmentPhone() {
        var g = Fixture.graph
        g.editDepartment("ven-purchasing") { $0.phone = "04 72 00 11" }
        expectSingleIssue(g, at: FieldRef(.department, "ven-purchasing", "phone"), "04 72 00 11")
    }

    @Test func malformedDepartmentEmail() {
        var g = Fixture.graph
        g.editDepartment("ssc-ap") { $0.email = "fournisseurs@metalux" }
        expectSingleIssue(g, at: FieldRef(.department, "ssc-ap", "email"), "fournisseurs@metalux")
    }

    @Test func malformedContactPhoneAndEmail() {
        var g = Fixture.graph
        g.editContact("c-ssc-ap") {
            $0.phone = "+33 0 4 78 00 11 02"
            $0.email = "j.fournier@@metalux.fr"
        }
        let issues = g.validate()
        #expect(issues.map(\.at) == [FieldRef(.contact, "c-ssc-ap", "phone"), FieldRef(.contact, "c-ssc-ap", "email")])
        #expect(issues.first?.message.contains("9 digits after +33") == true)
    }

    @Test func malformedSIREN() {
        var g = Fixture.graph
        // Without VAT number and SIRETs, nothing else depends on the SIREN.
        g.editEntity("mx-fab") {
            $0.siren = "732829321"
            $0.vatNumber = nil
        }
        g.editSite("plant-ven") { $0.siret = nil }
        g.editSite("plant-cor") { $0.siret = nil }
        expectSingleIssue(g, at: FieldRef(.entity, "mx-fab", "siren"), "732829321", "Luhn")
    }

    @Test func malformedSIRET() {
        var g = Fixture.graph
        g.editSite("plant-ven") { $0.siret = "73282932000018" }
        expectSingleIssue(g, at: FieldRef(.site, "plant-ven", "siret"), "Luhn")
    }

    @Test func siretOfAnotherEntity() {
        var g = Fixture.graph
        g.editSite("plant-ven") { $0.siret = "54205118000017" }  // valid, but mx-services' SIREN
        expectSingleIssue(g, at: FieldRef(.site, "plant-ven", "siret"), "does not start with the entity's SIREN 732829320")
    }

    @Test func wrongVATKey() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.vatNumber = "FR45732829320" }
        expectSingleIssue(g, at: FieldRef(.entity, "mx-fab", "vat"), "gives 44")
    }

    @Test func vatOfAnotherSIREN() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.vatNumber = "FR59542051180" }  // valid key, but mx-services' SIREN
        expectSingleIssue(g, at: FieldRef(.entity, "mx-fab", "vat"), "does not end with the entity's SIREN 732829320")
    }

    @Test func foreignVATIsNotComparedWithTheSIREN() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.vatNumber = "BE0123456789" }
        #expect(g.validate().isEmpty)
    }

    /// Identifiers.siren ignores spaces, so "732 829 320" is a valid SIREN; the SIRET and VAT checks must
    /// compare against the normalised SIREN, not the text as written.
    @Test func spacedSIRENStillMatchesItsSIRETAndVAT() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.siren = "732 829 320" }
        #expect(g.validate() == [])
    }

    @Test func normalizedPutsIdentifiersInCanonicalForm() {
        var g = Fixture.graph
        g.editEntity("mx-fab") {
            $0.siren = "732 829 320"
            $0.vatNumber = "fr 44 732829320"
        }
        g.editSite("plant-ven") { $0.siret = "732 829 320 00017" }
        g.editDepartment("ven-purchasing") {
            $0.phone = "04 72 00 11 00"
            $0.email = "achats@Metalux.FR"
        }
        g.editContact("c-ssc-ap") { $0.phone = "0033 4 78 00 11 02" }
        let n = g.normalized()
        #expect(n.entity("mx-fab")?.siren == "732829320")
        #expect(n.entity("mx-fab")?.vatNumber == "FR44732829320")
        #expect(n.site("plant-ven")?.siret == "73282932000017")
        #expect(n.department("ven-purchasing")?.phone == "+33472001100")
        #expect(n.department("ven-purchasing")?.email == "achats@metalux.fr")
        #expect(n.contact("c-ssc-ap")?.phone == "+33478001102")
        #expect(n == Fixture.graph)
        #expect(n.validate().isEmpty)
    }

    @Test func normalizedLeavesInvalidValuesForValidation() {
        var g = Fixture.graph
        g.editDepartment("ven-purchasing") { $0.phone = "04 72 00 11" }
        let n = g.normalized()
        #expect(n.department("ven-purchasing")?.phone == "04 72 00 11")
        #expect(n.validate().map(\.at) == [FieldRef(.department, "ven-purchasing", "phone")])
    }

    // MARK: Calendars, terms, time zones, languages

    @Test func impossibleCalendar() throws {
        var g = Fixture.graph
        let all = ClosedPeriod(from: try #require(MonthDay(text: "01-01")), to: try #require(MonthDay(text: "12-31")))
        g.editEntity("mx-fab") { $0.calendar.closedPeriods = [all] }
        expectSingleIssue(g, at: FieldRef(.entity, "mx-fab", "payables-calendar.closed"), "impossible calendar", "no working day in the year")
    }

    @Test func calendarWithSeveralProblems() {
        var g = Fixture.graph
        g.editEntity("mx-services") { $0.calendar = PayablesCalendar(runWeekdays: [.sunday], runDays: [.day(32)]) }
        let issues = g.validate()
        #expect(issues.count == 2, "\(issues)")
        #expect(Set(issues.map(\.at)) == [FieldRef(.entity, "mx-services", "payables-calendar.payment-runs.weekdays"),
                                           FieldRef(.entity, "mx-services", "payables-calendar.payment-runs.days-of-month")])
    }

    @Test func unknownCalendarTimeZone() {
        var g = Fixture.graph
        g.editEntity("mx-fab") { $0.calendar.timeZone = "Europe/Lyon" }
        expectSingleIssue(g, at: FieldRef(.entity, "mx-fab", "payables-calendar.time-zone"), "unknown time zone 'Europe/Lyon'")
    }

    @Test func unknownContactTimeZone() {
        var g = Fixture.graph
        g.editContact("c-ssc-tre") { $0.timeZone = "Mars/Olympus_Mons" }
        expectSingleIssue(g, at: FieldRef(.contact, "c-ssc-tre", "time-zone"), "Mars/Olympus_Mons")
    }

    @Test func otherTimeZonesAreAccepted() {
        var g = Fixture.graph
        g.editContact("c-ssc-tre") { $0.timeZone = "America/Martinique" }
        g.editEntity("mx-fab") { $0.calendar.timeZone = "Indian/Reunion" }
        #expect(g.validate().isEmpty)
    }

    @Test(arguments: ["FR", "fra", "", "f", "é1", "f1"])
    func badLanguageCode(language: String) {
        var g = Fixture.graph
        g.editContact("c-ssc-tre") { $0.language = language }
        expectSingleIssue(g, at: FieldRef(.contact, "c-ssc-tre", "language"), "two-letter ISO 639-1")
    }

    @Test(arguments: [-1, 366])
    func termsOutOfRange(days: Int) {
        var g = Fixture.graph
        g.editEntity("mx-services") { $0.terms = PaymentTerms(days: days) }
        expectSingleIssue(g, at: FieldRef(.entity, "mx-services", "terms.days"), "out of range")
    }

    @Test func termsOverTheLegalCapAreAFindingNotAnIssue() {
        var g = Fixture.graph
        g.editEntity("mx-services") { $0.terms = PaymentTerms(days: 90) }
        #expect(g.validate().isEmpty)
    }

    @Test(arguments: [0, 32])
    func payDayOutOfRange(payDay: Int) {
        var g = Fixture.graph
        g.editEntity("mx-services") { $0.terms.payDay = payDay }
        expectSingleIssue(g, at: FieldRef(.entity, "mx-services", "terms.pay-day"), "pay day \(payDay)")
    }

    @Test func issuesDescribeTheirPlace() {
        let issue = ValidationIssue(at: FieldRef(.department, "ven-achats", "phone"), "bad")
        #expect(issue.description == "department ven-achats, field phone: bad")
        #expect(FieldRef(.site, "s").description == "site s")
        #expect(FieldRef(.step, "r/s", "after").element == FieldRef(.step, "r/s"))
    }
}
