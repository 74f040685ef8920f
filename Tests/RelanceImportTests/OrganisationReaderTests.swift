import Foundation
import RelanceCore
import RelanceImport
import Testing

/// Reading a complete, valid organisation: every value of the file must land in the graph, normalised.
@Suite struct OrganisationReaderTests {
    let graph: OrgGraph

    init() throws {
        graph = try OrganisationReader.read(yaml: Ferly.yaml, file: Ferly.file)
    }

    private func range(_ start: Int, _ end: Int) throws -> WorkingHours.Range {
        try #require(WorkingHours.Range(start: start, end: end))
    }

    private func monthDay(_ month: Int, _ day: Int) throws -> MonthDay {
        try #require(MonthDay(month: month, day: day))
    }

    private func date(_ y: Int, _ m: Int, _ d: Int) throws -> CivilDate {
        try #require(CivilDate(year: y, month: m, day: d))
    }

    // MARK: Elements and ids

    @Test func groupIsRead() {
        #expect(graph.group == CustomerGroup(id: "ferly", name: "Groupe Ferly", responsible: "Claire Dubois",
                                             notes: "Invoices by PDF to the shared-service centre only."))
    }

    @Test func everyElementIsReadInFileOrder() {
        #expect(graph.entities.map(\.id) == ["ferly-industrie", "ferly-services"])
        #expect(graph.sites.map(\.id) == ["ferly-hq", "ferly-lyon", "ferly-ssc"])
        #expect(graph.departments.map(\.id) == [
            "ferly-hq-purchasing", "ferly-lyon-reception", "ferly-lyon-purchasing",
            "ferly-ssc-mailroom", "ferly-ssc-ap", "ferly-ssc-treasury",
        ])
        #expect(graph.contacts.map(\.id) == [
            "ferly-hq-lefebvre", "ferly-lyon-garcia", "ferly-lyon-moreau",
            "ferly-ssc-bernard", "ferly-ssc-durand", "ferly-ssc-girard",
        ])
        #expect(graph.routes.map(\.id) == ["ferly-plants", "ferly-capex"])
    }

    @Test func elementsAreAttachedToTheirParents() {
        #expect(graph.sites(of: "ferly-industrie").map(\.id) == ["ferly-hq", "ferly-lyon"])
        #expect(graph.sites(of: "ferly-services").map(\.id) == ["ferly-ssc"])
        #expect(graph.departments(at: "ferly-lyon").map(\.id) == ["ferly-lyon-reception", "ferly-lyon-purchasing"])
        #expect(graph.departments(at: "ferly-ssc").map(\.id) == ["ferly-ssc-mailroom", "ferly-ssc-ap", "ferly-ssc-treasury"])
        #expect(graph.contacts(in: "ferly-lyon-reception").map(\.id) == ["ferly-lyon-garcia"])
        #expect(graph.contacts(in: "ferly-ssc-ap").map(\.id) == ["ferly-ssc-durand"])
    }

    @Test func theGraphIsValid() {
        #expect(graph.validate() == [])
    }

    // MARK: Entities: identifiers, terms, calendars

    @Test func entitiesAreReadAndNormalised() throws {
        let industrie = try #require(graph.entity("ferly-industrie"))
        #expect(industrie.name == "Ferly Industrie SAS")
        #expect(industrie.siren == "412330011")
        // Written `fr67 412 330 011`: spaces removed, upper-cased.
        #expect(industrie.vatNumber == "FR67412330011")
        #expect(industrie.invoiceAddress == "ferly-ssc")
        #expect(industrie.requiresPurchaseOrder)

        let services = try #require(graph.entity("ferly-services"))
        #expect(services.name == "Ferly Services Partagés SAS")
        #expect(services.siren == "412330029")
        #expect(services.vatNumber == "FR24412330029")
        #expect(services.invoiceAddress == nil)
        #expect(!services.requiresPurchaseOrder)
    }

    @Test func termsAreRead() throws {
        let industrie = try #require(graph.entity("ferly-industrie"))
        #expect(industrie.agreedTerms == PaymentTerms(days: 45, endOfMonth: .endOfMonthThenDays, basis: .invoiceDate, payDay: 10))
        // 45 days end of month from 15 January: 31 Jan + 45 = 17 March, then the next 10th: 10 April.
        #expect(industrie.terms.dueDate(from: try date(2025, 1, 15)) == (try date(2025, 4, 10)))

        // No terms in the file: none agreed, the legal default applies.
        let services = try #require(graph.entity("ferly-services"))
        #expect(services.agreedTerms == nil)
        #expect(services.terms == .legalDefault)
    }

    @Test func calendarIsRead() throws {
        let calendar = try #require(graph.entity("ferly-services")).calendar
        #expect(calendar.timeZone == "Europe/Paris")
        #expect(calendar.workingDays == [.monday, .tuesday, .wednesday, .thursday])
        #expect(calendar.holidays == .franceAlsaceMoselle)
        #expect(calendar.runWeekdays == [.tuesday])
        #expect(calendar.runDays == [.day(15), .last])
        #expect(calendar.closedPeriods == [
            ClosedPeriod(from: try monthDay(8, 1), to: try monthDay(8, 15)),
            ClosedPeriod(from: try monthDay(12, 24), to: try monthDay(1, 2)),
        ])
        // An entity without `payables-calendar` gets the default calendar.
        #expect(try #require(graph.entity("ferly-industrie")).calendar == PayablesCalendar())
    }

    @Test func calendarBehavesAsWritten() throws {
        let calendar = try #require(graph.entity("ferly-services")).calendar
        // Fridays are not worked.
        #expect(!calendar.isWorkingDay(try date(2025, 10, 31)))
        #expect(calendar.isWorkingDay(try date(2025, 10, 30)))
        #expect(!calendar.isWorkingDay(try date(2025, 8, 12)))  // Tuesday, closed period
        #expect(!calendar.isWorkingDay(try date(2025, 12, 30)))  // Tuesday, closed period wrapping the new year
        #expect(calendar.isWorkingDay(try date(2026, 1, 5)))
        #expect(!calendar.isWorkingDay(try date(2026, 4, 6)))    // Easter Monday
    }

    // MARK: Sites, departments, contacts

    @Test func sitesAreReadWithKindAndAddress() throws {
        let hq = try #require(graph.site("ferly-hq"))
        #expect(hq.entity == "ferly-industrie")
        #expect(hq.name == "Siège Ferly")
        #expect(hq.kind == .headOffice)
        #expect(!hq.receivesDeliveries)
        #expect(hq.siret == "41233001100013")  // written "412 330 011 00013"
        #expect(hq.paidBy == nil)
        #expect(hq.address == Address(lines: ["Tour Horizon", "52 quai de Dion-Bouton"], postcode: "92800", city: "Puteaux"))

        let lyon = try #require(graph.site("ferly-lyon"))
        #expect(lyon.kind == .plant)
        #expect(lyon.receivesDeliveries)
        #expect(lyon.siret == "41233001100047")
        #expect(lyon.paidBy == "ferly-services")
        #expect(lyon.address == Address(lines: ["ZI des Grandes Terres", "12 rue des Forges"], postcode: "69200", city: "Vénissieux",
                                        country: "FR"))

        let ssc = try #require(graph.site("ferly-ssc"))
        #expect(ssc.entity == "ferly-services")
        #expect(ssc.kind == .sharedServiceCentre)
        #expect(!ssc.receivesDeliveries)
        #expect(ssc.siret == "41233002900015")
        #expect(ssc.address?.oneLine == "8 rue de la Lumière, 67000 Strasbourg")
    }

    @Test func departmentsAreReadAndNormalised() throws {
        #expect(graph.department("ferly-lyon-reception") == Department(
            id: "ferly-lyon-reception", site: "ferly-lyon", name: "Réception magasin", role: .reception,
            email: nil, phone: "+33465712010"))  // written 04.65.71.20.10
        #expect(graph.department("ferly-ssc-mailroom") == Department(
            id: "ferly-ssc-mailroom", site: "ferly-ssc", name: "Numérisation factures", role: .mailroom,
            email: "factures@ssc.ferly.example", phone: nil))  // domain written SSC.Ferly.Example
        #expect(graph.department("ferly-ssc-ap")?.role == .accountsPayable)
        #expect(graph.department("ferly-ssc-ap")?.phone == "+33261915000")
        #expect(graph.department("ferly-ssc-treasury")?.role == .treasury)
        #expect(graph.department("ferly-hq-purchasing")?.site == "ferly-hq")
    }

    @Test func contactsAreReadWithHoursAndNormalisedDetails() throws {
        let garcia = try #require(graph.contact("ferly-lyon-garcia"))
        #expect(garcia == Contact(
            id: "ferly-lyon-garcia", department: "ferly-lyon-reception", name: "Karim Garcia", title: "Chef magasinier",
            phone: "+33465712011", email: nil,
            hours: WorkingHours(days: [.monday, .tuesday, .wednesday, .thursday, .friday],
                                ranges: [try range(8 * 60, 12 * 60), try range(13 * 60 + 30, 17 * 60)]),
            timeZone: "Europe/Paris", language: "fr", channel: .phone))
        #expect(garcia.hours.description == "mon-fri 08:00-12:00 13:30-17:00")

        let lefebvre = try #require(graph.contact("ferly-hq-lefebvre"))
        #expect(lefebvre.phone == "+33465711240")
        // The domain is lower-cased, the local part is kept as written.
        #expect(lefebvre.email == "Sophie.Lefebvre@ferly.example")
        #expect(lefebvre.hours == WorkingHours(days: [.monday, .tuesday, .wednesday, .thursday], ranges: [try range(540, 750)]))

        let moreau = try #require(graph.contact("ferly-lyon-moreau"))
        #expect(moreau.phone == "+33465712030")  // written +33 4 65 71 20 30
        #expect(moreau.channel == .email)
        #expect(moreau.title == nil)
        #expect(moreau.hours == .office)  // no hours given: the default

        let durand = try #require(graph.contact("ferly-ssc-durand"))
        #expect(durand.timeZone == "Europe/Brussels")
        #expect(durand.language == "en")
        #expect(durand.phone == "+33261915012")
        #expect(durand.email == "marc.durand@ferly.example")

        let bernard = try #require(graph.contact("ferly-ssc-bernard"))
        #expect(bernard.phone == nil)
        #expect(bernard.name == "Élodie Bernard")
    }

    // MARK: Routes

    @Test func plantRouteIsRead() throws {
        let r = try #require(graph.route("ferly-plants"))
        #expect(r.name == "Circuit usines")
        #expect(r.appliesTo == RouteRule(entities: ["ferly-industrie"]))
        #expect(r.steps == [
            RouteStep(id: "scan", name: "Numérisation", action: .invoiceReceipt, department: .fixed("ferly-ssc-mailroom"),
                      carries: .invoice, expectedDays: 1),
            RouteStep(id: "receipt", action: .goodsReceipt, department: .atDeliverySite(.reception), carries: .approval, expectedDays: 2),
            RouteStep(id: "bap", name: "Bon à payer", action: .approval, department: .atDeliverySite(.purchasing), after: ["receipt"],
                      expectedDays: 3.5),
            RouteStep(id: "match", action: .matching, department: .fixed("ferly-ssc-ap"), after: ["scan", "bap"], expectedDays: 2),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("ferly-ssc-treasury"), after: ["match"], expectedDays: 1),
        ])
        #expect(r.carriedByStep() == ["scan": .invoice, "receipt": .approval, "bap": .approval, "match": .both, "run": .both])
        #expect(r.finalSteps.map(\.id) == ["run"])
        #expect(r.startSteps.map(\.id) == ["scan", "receipt"])
        #expect(r.cycle() == nil)
    }

    @Test func capexRouteIsRead() throws {
        let r = try #require(graph.route("ferly-capex"))
        #expect(r.appliesTo == RouteRule(sites: ["ferly-lyon"], orderTypes: ["capex"]))
        #expect(r.steps.map(\.id) == ["scan", "approve", "pay"])
        #expect(r.step("approve")?.department == .fixed("ferly-hq-purchasing"))
        #expect(r.step("approve")?.expectedDays == 8)
        #expect(r.step("pay")?.after == ["scan", "approve"])
        #expect(r.step("pay")?.action == .payment)
        #expect(r.step("pay")?.expectedDays == nil)
        #expect(r.step("pay")?.name == nil)
    }

    // MARK: Queries on the graph read

    @Test func routeForSite() {
        #expect(graph.route(forSite: "ferly-lyon")?.id == "ferly-plants")
        #expect(graph.route(forSite: "ferly-lyon", orderType: "capex")?.id == "ferly-capex")
        #expect(graph.route(forSite: "ferly-lyon", orderType: "consumables")?.id == "ferly-plants")
        #expect(graph.route(forSite: "ferly-ssc") == nil)
        #expect(graph.route(forSite: "nowhere") == nil)
    }

    @Test func payerOfSite() {
        #expect(graph.payer(of: "ferly-lyon")?.id == "ferly-services")   // paid-by
        #expect(graph.payer(of: "ferly-hq")?.id == "ferly-industrie")    // its own entity
        #expect(graph.payer(of: "ferly-ssc")?.id == "ferly-services")
        #expect(graph.payer(of: "nowhere") == nil)
    }

    @Test func pathsForTheDeliverySite() {
        let paths = graph.paths(forSite: "ferly-lyon")
        #expect(paths.map { $0.map(\.step.id) } == [["scan", "match", "run"], ["receipt", "bap", "match", "run"]])
        #expect(paths.map { $0.map { $0.department?.id } } == [
            ["ferly-ssc-mailroom", "ferly-ssc-ap", "ferly-ssc-treasury"],
            ["ferly-lyon-reception", "ferly-lyon-purchasing", "ferly-ssc-ap", "ferly-ssc-treasury"],
        ])
        let capex = graph.paths(forSite: "ferly-lyon", orderType: "capex")
        #expect(capex.map { $0.map(\.step.id) } == [["scan", "pay"], ["approve", "pay"]])
        #expect(capex.map { $0.map { $0.department?.id } } == [
            ["ferly-ssc-mailroom", "ferly-ssc-ap"], ["ferly-hq-purchasing", "ferly-ssc-ap"],
        ])
        #expect(graph.paths(forSite: "ferly-ssc").isEmpty)
    }

    @Test func responsibleDepartmentFoundByRoleAtTheDeliverySite() throws {
        let bap = try #require(graph.route("ferly-plants")?.step("bap"))
        let responsible = try #require(graph.responsible(for: bap, deliveredAt: "ferly-lyon"))
        #expect(responsible.department.id == "ferly-lyon-purchasing")
        #expect(responsible.contacts.map(\.id) == ["ferly-lyon-moreau"])
        // The head office has purchasing too: the role is looked up where the delivery was.
        #expect(graph.department(for: bap, deliveredAt: "ferly-hq")?.id == "ferly-hq-purchasing")
        #expect(graph.department(for: bap, deliveredAt: "ferly-ssc") == nil)
    }

    @Test func paymentRunsComeFromTheSharedServiceCentre() throws {
        #expect(graph.paymentCalendarOwner(forSite: "ferly-lyon")?.id == "ferly-services")
        #expect(graph.sites(servedBy: try #require(graph.route("ferly-plants"))).map(\.id) == ["ferly-lyon"])
        // From Friday 1 August 2025 the centre is closed until the 15th (a holiday): the Tuesday run of the
        // 5th and the run of the 15th both move to Monday 18 August.
        #expect(graph.nextPaymentRun(forSite: "ferly-lyon", onOrAfter: try date(2025, 8, 1)) == (try date(2025, 8, 18)))
        // The `last` run of October 2025 falls on a Friday, not worked: it moves to Monday 3 November,
        // before the Tuesday run of the 4th.
        #expect(graph.nextPaymentRun(forSite: "ferly-lyon", onOrAfter: try date(2025, 10, 29)) == (try date(2025, 11, 3)))
        // The 15th of October 2025 is a Wednesday.
        #expect(graph.nextPaymentRun(forSite: "ferly-lyon", onOrAfter: try date(2025, 10, 15)) == (try date(2025, 10, 15)))
    }

    // MARK: Variants of the valid text

    /// SIREN and VAT numbers may be written with spaces; they are compared to the SIRETs and each other
    /// once normalised.
    @Test func sirenWithSpacesIsAccepted() throws {
        let text = breaking(#"siren: "412330011""#, #"siren: "412 330 011""#).text
        let g = try OrganisationReader.read(yaml: text, file: Ferly.file)
        #expect(g.entity("ferly-industrie")?.siren == "412330011")
        #expect(g == graph)
    }

    @Test func readingTwiceGivesTheSameGraph() throws {
        #expect(try OrganisationReader.read(yaml: Ferly.yaml, file: "other.yaml") == graph)
    }

    @Test func flowStyleIsTheSameAsBlockStyle() throws {
        let text = breaking(
            "        address:\n          lines: [8 rue de la Lumière]\n          postcode: \"67000\"\n          city: Strasbourg\n",
            "        address: {lines: [8 rue de la Lumière], postcode: \"67000\", city: Strasbourg}\n")
        #expect(text.text != Ferly.yaml)
        #expect(try OrganisationReader.read(yaml: text.text, file: Ferly.file) == graph)
    }

    @Test func aStepWithoutCarriesStartsWithTheInvoice() throws {
        let text = breaking("department: ferly-hq-purchasing\n        carries: approval\n",
                            "department: ferly-hq-purchasing\n").text
        let g = try OrganisationReader.read(yaml: text, file: Ferly.file)
        let capex = try #require(g.route("ferly-capex"))
        #expect(capex.step("approve")?.carries == nil)
        #expect(capex.carriedByStep()["approve"] == .invoice)
        #expect(capex.carriedByStep()["pay"] == .invoice)
    }
}
