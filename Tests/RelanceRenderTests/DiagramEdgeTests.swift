import Foundation
import RelanceCore
import RelanceImport
import RelanceRender
import RelanceSamples
import Testing

@Suite struct DiagramEdgeTests {
    @Test func metaluxApprovalGoesFromVenissieuxReceptionToItsPurchasing() throws {
        let edges = OrgDiagramRenderer.edges(try sampleGraph(named: "metalux"))
        let approval = try #require(edges.first { $0.from == "mtx-ven-reception" && $0.to == "mtx-ven-purchasing" },
                                    "no edge mtx-ven-reception → mtx-ven-purchasing")
        #expect(approval.carried == .approval)
        #expect(approval.routes == ["mtx-plants"])
        // Capital expenditure delivered at Vénissieux goes to group purchasing instead.
        let capex = try #require(edges.first { $0.from == "mtx-ven-reception" && $0.to == "mtx-hq-purchasing" })
        #expect(capex.carried == .approval)
        #expect(capex.routes == ["mtx-capex"])
        // Saint-Étienne's approvals go to Vénissieux's purchasing (it has none of its own).
        let ste = try #require(edges.first { $0.from == "mtx-ste-reception" && $0.to == "mtx-ven-purchasing" })
        #expect(ste.routes == ["mtx-saint-etienne"])
    }

    @Test func metaluxInvoiceGoesFromTheMailroomToAccountsPayable() throws {
        let edges = OrgDiagramRenderer.edges(try sampleGraph(named: "metalux"))
        let invoice = try #require(edges.first { $0.from == "mtx-ssc-mailroom" && $0.to == "mtx-ssc-ap" })
        #expect(invoice.carried == .invoice)
        // Merged across the three routes, each named once.
        #expect(Set(invoice.routes) == ["mtx-plants", "mtx-saint-etienne", "mtx-capex"])
        #expect(invoice.routes.count == 3)
        // After matching, invoice and approval travel together to treasury.
        let joined = try #require(edges.first { $0.from == "mtx-ssc-ap" && $0.to == "mtx-ssc-treasury" })
        #expect(joined.carried == .both)
        // The shared-service centre never hands the invoice back to a plant.
        #expect(!edges.contains { $0.from.hasPrefix("mtx-ssc") && !$0.to.hasPrefix("mtx-ssc") })
    }

    @Test func metaluxHasExactlyTheExpectedHandOffs() throws {
        let edges = OrgDiagramRenderer.edges(try sampleGraph(named: "metalux"))
        let found = Set(edges.map { "\($0.from) -> \($0.to) \($0.carried.rawValue)" })
        #expect(found == [
            "mtx-ven-reception -> mtx-ven-purchasing approval",
            "mtx-dun-reception -> mtx-dun-purchasing approval",
            "mtx-ste-reception -> mtx-ven-purchasing approval",
            "mtx-ven-reception -> mtx-hq-purchasing approval",
            "mtx-dun-reception -> mtx-hq-purchasing approval",
            "mtx-ste-reception -> mtx-hq-purchasing approval",
            "mtx-ven-purchasing -> mtx-ssc-ap approval",
            "mtx-dun-purchasing -> mtx-ssc-ap approval",
            "mtx-hq-purchasing -> mtx-ssc-ap approval",
            "mtx-ssc-mailroom -> mtx-ssc-ap invoice",
            "mtx-ssc-ap -> mtx-ssc-treasury both",
        ])
        #expect(found.count == edges.count, "an edge is listed twice instead of merged")
    }

    @Test(arguments: Samples.organisationFiles)
    func noDepartmentHandsOffToItself(_ url: URL) throws {
        let g = try sampleGraph(url)
        let edges = OrgDiagramRenderer.edges(g)
        #expect(!edges.isEmpty)
        let departments = Set(g.departments.map(\.id))
        for e in edges {
            #expect(e.from != e.to, "self edge at \(e.from)")
            #expect(departments.contains(e.from) && departments.contains(e.to))
            #expect(!e.routes.isEmpty && Set(e.routes).count == e.routes.count, "\(e.from) -> \(e.to): routes \(e.routes)")
        }
        let keys = edges.map { "\($0.from)|\($0.to)|\($0.carried)" }
        #expect(Set(keys).count == keys.count, "edges are merged by (from, to, carried)")
    }

    @Test func aStepAtTheSameDepartmentAsItsPredecessorDrawsNoArrow() {
        // receipt and approval both at one department: no arrow between them, but one to accounts payable.
        let g = OrgGraph(
            group: CustomerGroup(id: "g", name: "G"),
            entities: [LegalEntity(id: "e", name: "E")],
            sites: [Site(id: "s", entity: "e", name: "S", kind: .plant)],
            departments: [Department(id: "d", site: "s", name: "D", role: .purchasing),
                          Department(id: "ap", site: "s", name: "AP", role: .accountsPayable)],
            routes: [Route(id: "r", steps: [
                RouteStep(id: "receipt", action: .goodsReceipt, department: .fixed("d"), carries: .approval),
                RouteStep(id: "bap", action: .approval, department: .fixed("d"), after: ["receipt"]),
                RouteStep(id: "pay", action: .payment, department: .fixed("ap"), after: ["bap"]),
            ])]
        )
        let edges = OrgDiagramRenderer.edges(g)
        #expect(edges.map { "\($0.from)->\($0.to)" } == ["d->ap"])
        #expect(edges.first?.carried == .approval)
    }
}
