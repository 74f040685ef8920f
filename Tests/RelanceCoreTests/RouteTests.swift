import RelanceCore
import Testing

@Suite struct RouteTests {
    /// Invoice branch scan → match, approval branch receipt → bap → match, then run. Declared out of order
    /// on purpose, so that the topological order has to be computed.
    let route = Route(id: "r", steps: [
        RouteStep(id: "run", action: .paymentRun, department: .fixed("treasury"), after: ["match"]),
        RouteStep(id: "match", action: .matching, department: .fixed("ap"), after: ["scan", "bap"]),
        RouteStep(id: "bap", name: "Bon à payer", action: .approval, department: .fixed("purchasing"), after: ["receipt"]),
        RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("mailroom")),
        RouteStep(id: "receipt", action: .goodsReceipt, department: .atDeliverySite(.reception), carries: .approval),
    ])

    private func ids(_ steps: [RouteStep]) -> [String] { steps.map(\.id) }

    @Test func startAndFinalSteps() {
        #expect(Set(ids(route.startSteps)) == ["scan", "receipt"])
        #expect(ids(route.finalSteps) == ["run"])
    }

    @Test func successors() {
        #expect(ids(route.successors(of: "scan")) == ["match"])
        #expect(ids(route.successors(of: "receipt")) == ["bap"])
        #expect(ids(route.successors(of: "bap")) == ["match"])
        #expect(ids(route.successors(of: "match")) == ["run"])
        #expect(route.successors(of: "run").isEmpty)
        #expect(route.successors(of: "nowhere").isEmpty)
    }

    @Test func stepLookupAndLabel() throws {
        #expect(route.step("bap")?.label == "Bon à payer")
        #expect(route.step("scan")?.label == "invoice-receipt")
        #expect(route.step("nope") == nil)
        #expect(DepartmentRef.fixed("ap").description == "ap")
        #expect(DepartmentRef.atDeliverySite(.reception).description == "<reception at the delivery site>")
    }

    @Test func topologicalOrderRespectsPredecessors() throws {
        let order = try #require(route.topologicalOrder())
        #expect(Set(ids(order)) == Set(ids(route.steps)))
        #expect(order.count == route.steps.count)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1.id, $0) })
        for step in route.steps {
            for p in step.after {
                let before = try #require(position[p]), at = try #require(position[step.id])
                #expect(before < at, "\(p) must come before \(step.id)")
            }
        }
        #expect(order.last?.id == "run")
    }

    @Test func carriedByStep() {
        let carried = route.carriedByStep()
        #expect(carried == ["scan": .invoice, "receipt": .approval, "bap": .approval, "match": .both, "run": .both])
    }

    @Test func startingStepsCarryTheInvoiceByDefaultAndBranchesOfTheSameKindStaySo() {
        let r = Route(id: "r2", steps: [
            RouteStep(id: "a", action: .invoiceReceipt, department: .fixed("x")),
            RouteStep(id: "b", action: .platformRouting, department: .fixed("y")),
            RouteStep(id: "c", action: .posting, department: .fixed("z"), after: ["a", "b"]),
        ])
        #expect(r.carriedByStep() == ["a": .invoice, "b": .invoice, "c": .invoice])
    }

    @Test func pathsEnumeratesExactlyTheTwoPaths() {
        let paths = route.paths()
        #expect(paths.count == 2)
        #expect(Set(paths) == [["scan", "match", "run"], ["receipt", "bap", "match", "run"]])
        #expect(route.paths(limit: 1).count == 1)
    }

    @Test func diamondHasOnePathPerBranch() {
        // a → b → d, a → c → d, d → e: two paths through the diamond.
        let r = Route(id: "d", steps: [
            RouteStep(id: "a", action: .invoiceReceipt, department: .fixed("x")),
            RouteStep(id: "b", action: .approval, department: .fixed("x"), after: ["a"]),
            RouteStep(id: "c", action: .goodsReceipt, department: .fixed("x"), after: ["a"]),
            RouteStep(id: "d", action: .matching, department: .fixed("x"), after: ["b", "c"]),
            RouteStep(id: "e", action: .payment, department: .fixed("x"), after: ["d"]),
        ])
        #expect(Set(r.paths()) == [["a", "b", "d", "e"], ["a", "c", "d", "e"]])
        #expect(r.cycle() == nil)
    }

    @Test func acyclicRouteHasNoCycle() {
        #expect(route.cycle() == nil)
        #expect(Route(id: "one", steps: [RouteStep(id: "a", action: .payment, department: .fixed("x"))]).cycle() == nil)
    }

    /// Checks that `loop` is a closed walk in the direction of flow over exactly `members`.
    private func expectLoop(_ loop: [String]?, in r: Route, members: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let loop = try #require(loop, sourceLocation: sourceLocation)
        #expect(loop.first == loop.last, sourceLocation: sourceLocation)
        #expect(loop.count == members.count + 1, sourceLocation: sourceLocation)
        #expect(Set(loop) == members, sourceLocation: sourceLocation)
        for (from, to) in zip(loop, loop.dropFirst()) {
            let next = try #require(r.step(to), sourceLocation: sourceLocation)
            #expect(next.after.contains(from), "\(from) → \(to) is not a flow edge", sourceLocation: sourceLocation)
        }
    }

    @Test func threeStepCycleInFlowOrder() throws {
        // a → b → c → a
        let r = Route(id: "loop", steps: [
            RouteStep(id: "a", action: .invoiceReceipt, department: .fixed("x"), after: ["c"]),
            RouteStep(id: "b", action: .approval, department: .fixed("x"), after: ["a"]),
            RouteStep(id: "c", action: .matching, department: .fixed("x"), after: ["b"]),
        ])
        let loop = try #require(r.cycle())
        try expectLoop(loop, in: r, members: ["a", "b", "c"])
        // A rotation of a → b → c → a.
        let rotations: Set<[String]> = [["a", "b", "c", "a"], ["b", "c", "a", "b"], ["c", "a", "b", "c"]]
        #expect(rotations.contains(loop))
        #expect(r.topologicalOrder() == nil)
    }

    @Test func cycleBehindAnAcyclicStart() throws {
        // start → a → b → c → a, c → end
        let r = Route(id: "tail", steps: [
            RouteStep(id: "start", action: .invoiceReceipt, department: .fixed("x")),
            RouteStep(id: "a", action: .approval, department: .fixed("x"), after: ["start", "c"]),
            RouteStep(id: "b", action: .matching, department: .fixed("x"), after: ["a"]),
            RouteStep(id: "c", action: .posting, department: .fixed("x"), after: ["b"]),
            RouteStep(id: "end", action: .payment, department: .fixed("x"), after: ["c"]),
        ])
        try expectLoop(r.cycle(), in: r, members: ["a", "b", "c"])
    }

    @Test func selfLoop() throws {
        let r = Route(id: "self", steps: [
            RouteStep(id: "a", action: .invoiceReceipt, department: .fixed("x")),
            RouteStep(id: "b", action: .approval, department: .fixed("x"), after: ["a", "b"]),
        ])
        #expect(r.cycle() == ["b", "b"])
    }

    @Test func unknownPredecessorsAreNotCycles() {
        let r = Route(id: "u", steps: [
            RouteStep(id: "a", action: .invoiceReceipt, department: .fixed("x"), after: ["ghost"]),
            RouteStep(id: "b", action: .payment, department: .fixed("x"), after: ["a"]),
        ])
        #expect(r.cycle() == nil)
    }

    // MARK: Rules

    @Test func specificity() {
        let group = RouteRule()
        let entity = RouteRule(entities: ["e1"])
        let site = RouteRule(sites: ["s1"])
        let type = RouteRule(orderTypes: ["capex"])
        #expect(group.specificity < entity.specificity)
        #expect(entity.specificity < site.specificity)
        #expect(site.specificity < type.specificity)
        // An order type alone beats even a site and entity without one.
        #expect(RouteRule(entities: ["e1"], sites: ["s1"]).specificity < type.specificity)
        #expect(RouteRule(entities: ["e1"], orderTypes: ["capex"]).specificity < RouteRule(sites: ["s1"], orderTypes: ["capex"]).specificity)
        #expect(type.specificity < RouteRule(entities: ["e1"], orderTypes: ["capex"]).specificity)
        #expect(group.specificity == 0)
    }

    @Test func matches() {
        let s1 = Site(id: "s1", entity: "e1", name: "S1", kind: .plant)
        let s2 = Site(id: "s2", entity: "e2", name: "S2", kind: .store)
        #expect(RouteRule().matches(site: s1, orderType: nil))
        #expect(RouteRule().matches(site: s2, orderType: "capex"))

        let entity = RouteRule(entities: ["e1"])
        #expect(entity.matches(site: s1, orderType: nil))
        #expect(!entity.matches(site: s2, orderType: nil))

        let site = RouteRule(sites: ["s2"])
        #expect(site.matches(site: s2, orderType: nil))
        #expect(!site.matches(site: s1, orderType: nil))
        // Listed sites decide on their own: the entity list is not consulted.
        #expect(RouteRule(entities: ["e1"], sites: ["s2"]).matches(site: s2, orderType: nil))

        let type = RouteRule(orderTypes: ["capex", "it"])
        #expect(type.matches(site: s1, orderType: "capex"))
        #expect(type.matches(site: s2, orderType: "it"))
        #expect(!type.matches(site: s1, orderType: "opex"))
        #expect(!type.matches(site: s1, orderType: nil))

        let siteType = RouteRule(sites: ["s1"], orderTypes: ["capex"])
        #expect(siteType.matches(site: s1, orderType: "capex"))
        #expect(!siteType.matches(site: s2, orderType: "capex"))
        #expect(!siteType.matches(site: s1, orderType: nil))
    }

    @Test func carriedUnionAndRoles() {
        #expect(DepartmentRole.accountsPayable.pays)
        #expect(DepartmentRole.treasury.pays)
        #expect(DepartmentRole.publicAccountant.pays)
        #expect(!DepartmentRole.purchasing.pays)
        #expect(!DepartmentRole.mailroom.pays)
        #expect(DepartmentRole.mailroom.processesInvoices)
        #expect(DepartmentRole.einvoicingPlatform.processesInvoices)
        #expect(!DepartmentRole.treasury.processesInvoices)
        #expect(!DepartmentRole.reception.processesInvoices)
    }
}
