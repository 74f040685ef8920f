import Foundation
import RelanceCore
import Testing

/// ``DwellObserver`` against the positions it stands in for: on random invoices and event logs (any state,
/// any department or none or an unknown one, ties in time, events after the as-of day, paid or not), the
/// tally it gives must be the tally of ``PositionEngine/observedPosition(of:events:asOf:)``, invoice by
/// invoice, and so must the model learned from them.
@Suite struct DwellObserverTests {
    /// SplitMix64: reproducible draws.
    struct Draws {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }
        mutating func pick<T>(_ xs: [T]) -> T { xs[int(0..<xs.count)] }
    }

    /// The fixture with more routes: a multi-level approval with posting, mandate, a payment run and a
    /// payment at a site of its own; a route without payment steps; a step whose department the site lacks;
    /// a payer in another time zone.
    static var richGraph: OrgGraph {
        var g = Fixture.graph
        g.addPlant("plant-multi", siret: nil)
        g.addPlant("plant-nopay", siret: nil)
        g.addPlant("plant-bare", siret: nil, reception: false)
        g.routes.append(Route(id: "multi", appliesTo: RouteRule(sites: ["plant-multi"]), steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
            RouteStep(id: "route", action: .platformRouting, department: .fixed("ssc-mailroom"), after: ["scan"]),
            RouteStep(id: "receipt", action: .goodsReceipt, department: .atDeliverySite(.reception), carries: .approval),
            RouteStep(id: "bap1", action: .approval, department: .fixed("ven-purchasing"), after: ["receipt"]),
            RouteStep(id: "bap2", action: .approval, department: .fixed("ven-management"), after: ["bap1"]),
            RouteStep(id: "sf", action: .serviceFait, department: .atDeliverySite(.management), after: ["receipt"]),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["route", "bap2", "sf"]),
            RouteStep(id: "post", action: .posting, department: .fixed("ssc-ap"), after: ["match"]),
            RouteStep(id: "mandate", action: .mandate, department: .fixed("ssc-ap"), after: ["post"]),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["mandate"]),
            RouteStep(id: "pay", action: .payment, department: .fixed("ssc-treasury"), after: ["run"]),
        ]))
        g.routes.append(Route(id: "nopay", appliesTo: RouteRule(sites: ["plant-nopay", "plant-bare"]), steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
            RouteStep(id: "receipt", action: .goodsReceipt, department: .atDeliverySite(.reception), carries: .approval),
            RouteStep(id: "bap", action: .approval, department: .fixed("ven-purchasing"), after: ["receipt"]),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["scan", "bap"]),
            RouteStep(id: "book", action: .publicAccounting, department: .fixed("ssc-ap"), after: ["scan"]),
        ]))
        g.editEntity("mx-services") { $0.calendar.timeZone = "Pacific/Noumea" }
        return g
    }

    /// Routes validation refuses: positions show no steps on those that do not compile (over 64 steps; two
    /// steps with one id; an unknown predecessor) or that have no order (a cycle), and two routes with one
    /// id are each followed on their own steps.
    static var awkwardGraph: OrgGraph {
        var g = Fixture.graph
        for id in ["plant-long", "plant-twice", "plant-cycle", "plant-unknown", "plant-same"] { g.addPlant(id, siret: nil) }
        let actions: [StepAction] = [.invoiceReceipt, .goodsReceipt, .approval, .matching]
        let fixed = ["ssc-ap", "ven-purchasing"]
        var long: [RouteStep] = []
        for i in 0..<70 {
            let action: StepAction = i == 69 ? .paymentRun : actions[i % 4]
            let department: DepartmentRef = i % 3 == 0 ? .atDeliverySite(.reception) : .fixed(fixed[i % 2])
            var after: [String] = i == 0 ? [] : ["s\(i - 1)"]
            if i > 5 && i % 7 == 0 { after.append("s\(i - 5)") }
            long.append(RouteStep(id: "s\(i)", action: action, department: department, after: after))
        }
        g.routes.append(Route(id: "long", appliesTo: RouteRule(sites: ["plant-long"]), steps: long))
        g.routes.append(Route(id: "twice", appliesTo: RouteRule(sites: ["plant-twice"]), steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
            RouteStep(id: "scan", action: .approval, department: .fixed("ven-purchasing")),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["scan"]),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["match"]),
        ]))
        g.routes.append(Route(id: "cycle", appliesTo: RouteRule(sites: ["plant-cycle"]), steps: [
            RouteStep(id: "a", action: .invoiceReceipt, department: .fixed("ssc-mailroom"), after: ["b"]),
            RouteStep(id: "b", action: .matching, department: .fixed("ssc-ap"), after: ["a"]),
        ]))
        g.routes.append(Route(id: "unknown", appliesTo: RouteRule(sites: ["plant-unknown"]), steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["scan", "ghost"]),
        ]))
        // Two routes named alike: positions take the facts of one of them for both.
        g.routes.append(Route(id: "same", appliesTo: RouteRule(sites: ["plant-same"]), steps: [
            RouteStep(id: "scan", action: .invoiceReceipt, department: .fixed("ssc-mailroom")),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["scan"]),
        ]))
        g.routes.append(Route(id: "same", appliesTo: RouteRule(orderTypes: ["same"]), steps: [
            RouteStep(id: "approve", action: .approval, department: .fixed("ven-management"), carries: .approval),
            RouteStep(id: "match", action: .matching, department: .fixed("ssc-ap"), after: ["approve"]),
            RouteStep(id: "run", action: .paymentRun, department: .fixed("ssc-treasury"), after: ["match"]),
        ]))
        return g
    }

    /// A random invoice of `graph` and its events in time order (ties kept in the order drawn).
    static func draw(_ r: inout Draws, graph: OrgGraph, number: Int, asOf: CivilDate) -> (Invoice, [InvoiceEvent]) {
        let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt
        let issue = asOf.adding(days: -r.int(0..<200))
        let delivery: CivilDate? = r.chance(0.3) ? nil : issue.adding(days: r.int(-10..<4))
        let amount = r.chance(0.02) ? 0 : Int64(r.int(1..<500_000))
        var payments: [Payment] = []
        if r.chance(0.5) {
            for _ in 0..<r.int(1..<3) {
                let part = r.chance(0.7) || amount == 0 ? amount : Int64(r.int(0..<Int(amount)))
                payments.append(Payment(date: issue.adding(days: r.int(0..<260)), amount: Money(minorUnits: part, currency: "EUR")))
            }
        }
        let sites = graph.sites.map(\.id) + ["nowhere"]
        let invoice = Invoice(id: "FA-\(number)", group: graph.group.id, entity: "mx-fab", site: r.pick(sites),
                              orderType: r.pick([nil, nil, "capex", "same", "other"]), issueDate: issue, deliveryDate: delivery,
                              dueDate: issue.adding(days: 45), amount: Money(minorUnits: amount, currency: "EUR"), payments: payments)
        let departments: [String?] = graph.departments.map(\.id) + [nil, nil, "not-a-department"]
        var at = issue.start(in: paris).timeIntervalSince1970 + Double(r.int(-86_400..<86_400))
        var events: [InvoiceEvent] = []
        for _ in 0..<r.int(0..<14) {
            // Ties (same second), same day, or days later; some after the as-of day.
            if !r.chance(0.15) { at += Double(r.chance(0.3) ? r.int(1..<7_200) : r.int(3_600..<(12 * 86_400))) }
            let state: CanonicalState? = r.chance(0.08) ? nil : r.pick(CanonicalState.allCases)
            events.append(InvoiceEvent(invoice: invoice.id, state: state, at: Date(timeIntervalSince1970: at.rounded(.down)),
                                       department: r.pick(departments), source: .call))
        }
        return (invoice, events)
    }

    /// What the store hands the observer for an invoice and its events.
    static func facts(_ invoice: Invoice, _ events: [InvoiceEvent], observer: DwellObserver) -> (DwellObserver.InvoiceFacts, [DwellObserver.Event]) {
        let known = invoice.payments.filter { $0.date <= observer.asOf }
        let paid = !known.isEmpty && known.reduce(Int64(0)) { $0 + $1.amount.minorUnits } >= invoice.amount.minorUnits
        let circuit = observer.circuit(site: invoice.site, orderType: invoice.orderType)
        let facts = DwellObserver.InvoiceFacts(circuit: circuit, issueDate: invoice.issueDate, deliveryDate: invoice.deliveryDate, paid: paid)
        return (facts, events.map { e in
            DwellObserver.Event(at: Int64(e.at.timeIntervalSince1970), state: e.state, department: e.department.map(observer.department) ?? -1)
        })
    }

    /// The same observations per key (in the same order when `ordered`; the learner does not read the order)
    /// and the same counts of reported completions.
    static func same(_ a: DwellTally, _ b: DwellTally, ordered: Bool = true) -> Bool {
        let arrange = { (x: [Int]) in ordered ? x : x.sorted() }
        return a.observations.count == b.observations.count
            && a.observations.allSatisfy { key, o in
                b.observations[key].map { arrange($0.completed) == arrange(o.completed) && arrange($0.censored) == arrange(o.censored) } ?? false
            }
            && a.reported.count == b.reported.count
            && a.reported.allSatisfy { action, r in b.reported[action].map { $0 == r } ?? false }
    }

    @Test(arguments: [(1, "rich"), (2, "rich"), (3, "awkward"), (4, "rich"), (5, "awkward")])
    func theTallyIsTheTallyOfTheObservedPositions(seed: UInt64, graphName: String) throws {
        let graph = graphName == "rich" ? Self.richGraph : Self.awkwardGraph
        var r = Draws(state: seed)
        let asOf = date("2026-11-27").adding(days: -r.int(0..<60))
        let engine = PositionEngine(graph: graph)
        let observer = DwellObserver(engine: engine, asOf: asOf)
        var all = DwellObserver.Tally(observer: observer)
        var positions: [InvoicePosition] = []
        var observations = 0
        for n in 0..<600 {
            let (invoice, events) = Self.draw(&r, graph: graph, number: n, asOf: asOf)
            // As the book reads it: the payments known on the day.
            let position = engine.observedPosition(of: invoice.known(on: asOf), events: events, asOf: asOf)
            let (facts, compact) = Self.facts(invoice, events, observer: observer)
            var one = DwellObserver.Tally(observer: observer)
            compact.withUnsafeBufferPointer { observer.observe(facts, events: $0, into: &one) }
            compact.withUnsafeBufferPointer { observer.observe(facts, events: $0, into: &all) }
            let expected = DwellTally(positions: [position])
            let log = events.map { "\($0.state?.rawValue ?? "-")@\($0.department ?? "-")" }
            #expect(Self.same(one.tally(), expected), "invoice \(n) at \(invoice.site) \(invoice.orderType ?? "-"): \(log)")
            positions.append(position)
            observations += expected.observations.values.reduce(0) { $0 + $1.completed.count + $1.censored.count }
        }
        #expect(observations > 300, "too few observations for the comparison to prove much")
        // Invoices that went through positions are merged last: the same observations, in another order.
        #expect(Self.same(all.tally(), DwellTally(positions: positions), ordered: false))
        for minimum in [1, 15] {
            let learner = DwellLearner(minimumObservations: minimum)
            #expect(learner.learn(tally: all.tally(), group: graph.group.id) == learner.learn(positions: positions, group: graph.group.id))
        }
    }

    @Test func talliesMergedInAnyOrderTeachTheSameModel() {
        let graph = Self.richGraph
        var r = Draws(state: 9)
        let asOf = date("2026-11-27")
        let observer = DwellObserver(graph: graph, asOf: asOf)
        var halves = [DwellObserver.Tally(observer: observer), DwellObserver.Tally(observer: observer)]
        for n in 0..<400 {
            let (invoice, events) = Self.draw(&r, graph: graph, number: n, asOf: asOf)
            let (facts, compact) = Self.facts(invoice, events, observer: observer)
            compact.withUnsafeBufferPointer { observer.observe(facts, events: $0, into: &halves[n % 2]) }
        }
        var ab = halves[0].tally(), ba = halves[1].tally()
        ab.merge(halves[1].tally())
        ba.merge(halves[0].tally())
        let learner = DwellLearner(minimumObservations: 3)
        let model = learner.learn(tally: ab, group: graph.group.id)
        #expect(!model.laws.isEmpty)
        #expect(model == learner.learn(tally: ba, group: graph.group.id))
    }
}
