import RelanceCore
import Testing

@Suite struct OrgGraphTests {
    let graph = Fixture.graph

    @Test func lookUps() {
        #expect(graph.entity("mx-fab")?.name == "Metalux Fabrication")
        #expect(graph.site("ssc-lyon")?.kind == .sharedServiceCentre)
        #expect(graph.department("ssc-ap")?.role == .accountsPayable)
        #expect(graph.contact("c-ssc-ap")?.name == "Julien Fournier")
        #expect(graph.route("capex")?.steps.count == 4)
        #expect(graph.entity("nope") == nil && graph.site("nope") == nil && graph.route("nope") == nil)
        #expect(graph.sites(of: "mx-fab").map(\.id) == ["plant-ven", "plant-cor"])
        #expect(graph.departments(at: "ssc-lyon").map(\.id) == ["ssc-mailroom", "ssc-ap", "ssc-treasury"])
        #expect(graph.contacts(in: "ven-purchasing").map(\.id) == ["c-ven-pur"])
        #expect(graph.contacts(in: "nope").isEmpty)
    }

    @Test func sitesReceiveDeliveriesByKind() {
        #expect(graph.site("plant-ven")?.receivesDeliveries == true)
        #expect(graph.site("ssc-lyon")?.receivesDeliveries == false)
        #expect(Site(id: "o", entity: "e", name: "O", kind: .office, receivesDeliveries: true).receivesDeliveries)
        #expect(!Site(id: "w", entity: "e", name: "W", kind: .warehouse, receivesDeliveries: false).receivesDeliveries)
    }

    @Test(arguments: [
        ("plant-ven", nil, "standard"),
        ("plant-ven", "capex", "capex"),
        ("plant-ven", "opex", "standard"),   // an order type no route knows falls back to the usual route
        ("plant-cor", nil, "cor-direct"),    // site beats group
        ("plant-cor", "capex", "capex"),     // order type beats site
        ("ssc-lyon", nil, "standard"),       // a rule match, whether or not goods arrive there
    ] as [(String, String?, String)])
    func routeForSite(site: String, orderType: String?, expected: String) {
        #expect(graph.route(forSite: site, orderType: orderType)?.id == expected)
    }

    @Test func routeForAnUnknownSite() {
        #expect(graph.route(forSite: "nowhere") == nil)
    }

    @Test func entityRouteBeatsGroupButNotSite() {
        var g = graph
        g.routes.append(Route(id: "fab-route", appliesTo: RouteRule(entities: ["mx-fab"]), steps: Fixture.standard.steps))
        #expect(g.route(forSite: "plant-ven")?.id == "fab-route")
        #expect(g.route(forSite: "plant-cor")?.id == "cor-direct")
        #expect(g.route(forSite: "ssc-lyon")?.id == "standard")  // entity mx-services
        #expect(g.route(forSite: "plant-ven", orderType: "capex")?.id == "capex")
    }

    @Test func departmentForAStep() throws {
        let receipt = try #require(Fixture.standard.step("receipt"))
        #expect(graph.department(for: receipt, deliveredAt: "plant-ven")?.id == "ven-reception")
        #expect(graph.department(for: receipt, deliveredAt: "plant-cor")?.id == "cor-reception")
        #expect(graph.department(for: receipt, deliveredAt: "ssc-lyon") == nil)
        let match = try #require(Fixture.standard.step("match"))
        #expect(graph.department(for: match, deliveredAt: "plant-ven")?.id == "ssc-ap")
        #expect(graph.department(for: match, deliveredAt: "plant-cor")?.id == "ssc-ap")
        let ghost = RouteStep(id: "g", action: .approval, department: .fixed("ghost"))
        #expect(graph.department(for: ghost, deliveredAt: "plant-ven") == nil)
    }

    @Test func responsible() throws {
        let receipt = try #require(Fixture.standard.step("receipt"))
        let atCorbas = try #require(graph.responsible(for: receipt, deliveredAt: "plant-cor"))
        #expect(atCorbas.department.id == "cor-reception")
        #expect(atCorbas.contacts.map(\.id) == ["c-cor-rec"])
        let bap = try #require(Fixture.standard.step("bap"))
        let approver = try #require(graph.responsible(for: bap, deliveredAt: "plant-ven"))
        #expect(approver.department.id == "ven-purchasing")
        #expect(approver.contacts.map(\.name) == ["Sophie Bernard"])
        #expect(graph.responsible(for: receipt, deliveredAt: "ssc-lyon") == nil)

        var g = graph
        g.contacts.removeAll { $0.department == "ven-purchasing" }
        let nobody = try #require(g.responsible(for: bap, deliveredAt: "plant-ven"))
        #expect(nobody.department.id == "ven-purchasing" && nobody.contacts.isEmpty)
    }

    @Test func payer() {
        #expect(graph.payer(of: "plant-ven")?.id == "mx-fab")        // its own entity
        #expect(graph.payer(of: "plant-cor")?.id == "mx-services")   // paid-by
        #expect(graph.payer(of: "ssc-lyon")?.id == "mx-services")
        #expect(graph.payer(of: "nowhere") == nil)
        var g = graph
        g.editSite("plant-cor") { $0.paidBy = "ghost" }
        #expect(g.payer(of: "plant-cor") == nil)
    }

    @Test func pathsForSite() {
        let ven = graph.paths(forSite: "plant-ven")
        let venPaths = Set(ven.map { $0.map { "\($0.step.id)@\($0.department?.id ?? "-")" } })
        #expect(venPaths == [
            ["scan@ssc-mailroom", "match@ssc-ap", "run@ssc-treasury"],
            ["receipt@ven-reception", "bap@ven-purchasing", "match@ssc-ap", "run@ssc-treasury"],
        ])
        let cor = graph.paths(forSite: "plant-cor")
        let corPaths = Set(cor.map { $0.map { "\($0.step.id)@\($0.department?.id ?? "-")" } })
        #expect(corPaths == [
            ["scan@ssc-mailroom", "match@ssc-ap", "run@ssc-treasury"],
            ["receipt@cor-reception", "match@ssc-ap", "run@ssc-treasury"],
        ])
        let capex = graph.paths(forSite: "plant-cor", orderType: "capex")
        #expect(Set(capex.map { $0.map(\.step.id) }) == [["scan", "match", "run"], ["approve", "match", "run"]])
        #expect(graph.paths(forSite: "nowhere").isEmpty)
        // No reception at the SSC: the step is listed with no department.
        let ssc = graph.paths(forSite: "ssc-lyon")
        #expect(ssc.flatMap { $0 }.contains { $0.step.id == "receipt" && $0.department == nil })
    }

    @Test func paymentCalendarOwner() {
        // Every fixture route ends at the SSC's treasury, which belongs to mx-services.
        #expect(graph.paymentCalendarOwner(forSite: "plant-ven")?.id == "mx-services")
        #expect(graph.paymentCalendarOwner(forSite: "plant-cor")?.id == "mx-services")
        #expect(graph.paymentCalendarOwner(forSite: "plant-ven", orderType: "capex")?.id == "mx-services")
        #expect(graph.paymentCalendarOwner(forSite: "nowhere") == nil)
    }

    @Test func nextPaymentRunForSite() {
        // The SSC (mx-services) pays on Tuesdays: from Friday 11 December, Tuesday 15.
        #expect(graph.nextPaymentRun(forSite: "plant-ven", onOrAfter: date("2026-12-11")) == date("2026-12-15"))
        // Tuesday 14 July is a holiday: Wednesday 15.
        #expect(graph.nextPaymentRun(forSite: "plant-cor", onOrAfter: date("2026-07-13")) == date("2026-07-15"))
        #expect(graph.nextPaymentRun(forSite: "nowhere", onOrAfter: date("2026-07-13")) == nil)
    }

    @Test func nextPaymentRunFollowsThePayingDepartmentAtTheEndOfTheRoute() {
        var g = graph
        g.departments.append(Department(id: "ven-treasury", site: "plant-ven", name: "Vénissieux treasury", role: .treasury))
        g.contacts.append(Contact(id: "c-ven-tre", department: "ven-treasury", name: "Hugo Lemaire", phone: "+33472001106"))
        g.editStep("standard", "run") { $0.department = .fixed("ven-treasury") }
        // Now plant-ven's invoices end at mx-fab's own treasury: runs on the 10th and 25th;
        // 25 December is Christmas, then the weekend: Monday 28.
        #expect(g.paymentCalendarOwner(forSite: "plant-ven")?.id == "mx-fab")
        #expect(g.nextPaymentRun(forSite: "plant-ven", onOrAfter: date("2026-12-11")) == date("2026-12-28"))
        // Capital expenditure still ends at the SSC, on Tuesdays.
        #expect(g.nextPaymentRun(forSite: "plant-ven", orderType: "capex", onOrAfter: date("2026-12-11")) == date("2026-12-15"))
    }

    @Test func nextPaymentRunFallsBackToThePayer() {
        var g = graph
        // A route that reaches no paying department: the calendar is the payer's.
        g.editStep("cor-direct", "run") { $0.department = .fixed("ven-purchasing") }
        #expect(g.paymentCalendarOwner(forSite: "plant-cor")?.id == "mx-services")  // paid-by
        #expect(g.nextPaymentRun(forSite: "plant-cor", onOrAfter: date("2026-07-13")) == date("2026-07-15"))
        // Without paid-by, plant-cor follows mx-fab: after 10 July, the 25 July run (a Saturday) is on Monday 27.
        g.editSite("plant-cor") { $0.paidBy = nil }
        #expect(g.paymentCalendarOwner(forSite: "plant-cor")?.id == "mx-fab")
        #expect(g.nextPaymentRun(forSite: "plant-cor", onOrAfter: date("2026-07-13")) == date("2026-07-27"))
    }

    @Test func sitesServedByARoute() {
        #expect(graph.sites(servedBy: Fixture.standard).map(\.id) == ["plant-ven"])
        #expect(graph.sites(servedBy: Fixture.corDirect).map(\.id) == ["plant-cor"])
        #expect(graph.sites(servedBy: Fixture.capex).map(\.id) == ["plant-ven", "plant-cor"])
    }

    @Test(arguments: [
        ("ven-reception", ["plant-ven"]),
        ("ven-purchasing", ["plant-ven"]),                // bap is only on the standard route
        ("cor-reception", ["plant-cor"]),
        ("ven-management", ["plant-ven", "plant-cor"]),   // capex approval for both plants
        ("ssc-ap", ["plant-ven", "plant-cor"]),
        ("ssc-treasury", ["plant-ven", "plant-cor"]),
        ("nowhere", []),
    ])
    func sitesDependingOnADepartment(department: String, expected: [String]) {
        #expect(graph.sitesDepending(on: department).map(\.id) == expected)
    }

    @Test func moreSitesDependOnACentralApprover() {
        var g = graph
        g.addPlant("plant-a", siret: "73282932000033")
        g.addPlant("plant-b", siret: "73282932000041")
        #expect(g.sitesDepending(on: "ven-purchasing").map(\.id) == ["plant-ven", "plant-a", "plant-b"])
        #expect(g.sitesDepending(on: "plant-a-reception").map(\.id) == ["plant-a"])
    }

    @Test func addressOneLine() {
        let fr = Address(lines: ["12 rue des Forges"], postcode: "69200", city: "Vénissieux")
        #expect(fr.oneLine == "12 rue des Forges, 69200 Vénissieux")
        let be = Address(lines: ["Rue Haute 1", "Bât. B"], postcode: "1000", city: "Bruxelles", country: "BE")
        #expect(be.oneLine == "Rue Haute 1, Bât. B, 1000 Bruxelles, BE")
    }
}
