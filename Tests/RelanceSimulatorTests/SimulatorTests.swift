import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceSimulator
import RelanceStore
import Testing

/// Sample organisations and simulations of them.
private enum Sim {
    static let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt

    static func graph(_ name: String) throws -> OrgGraph {
        let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "\(name).yaml" })
        return try OrganisationReader.read(contentsOf: url)
    }

    static func day(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso), "bad date literal \(iso)") }

    /// Métalux (three plants) over seven months: about a hundred invoices.
    static func small(seed: UInt64 = 11) throws -> (graphs: [OrgGraph], settings: SimulationSettings, sim: Simulation) {
        let graphs = [try graph("metalux")]
        let settings = SimulationSettings(start: try day("2026-03-02"), asOf: try day("2026-09-30"), seed: seed)
        return (graphs, settings, Simulator(settings: settings).run(graphs))
    }

    /// The end of the as-of day in Paris.
    static func cutoff(_ settings: SimulationSettings) -> Date { settings.asOf.adding(days: 1).start(in: paris) }

    static func json(_ truth: GroundTruth) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(truth)
    }

    /// Imports a simulation into a store holding its organisations, as `relance simulate --db` does.
    static func store(_ graphs: [OrgGraph], _ settings: SimulationSettings, _ sim: Simulation) throws -> (Store, ImportReport, ImportReport) {
        let store = try Store.inMemory()
        try store.save(graphs)
        let invoices = try store.importInvoices(sim.invoices.enumerated().map { i, inv in
            InvoiceInput(invoice: inv, givenDueDate: inv.dueDate, receiptDate: nil, place: "simulated invoice \(i + 1)")
        }, source: "simulator", now: cutoff(settings))
        let events = try store.appendEvents(sim.events.enumerated().map { i, e in EventInput(event: e, place: "simulated event \(i + 1)") },
                                            source: "simulator", now: cutoff(settings))
        return (store, invoices, events)
    }
}

@Suite struct SimulatorTests {
    // MARK: Reproducibility

    @Test func theSameSeedGivesTheSameHistory() throws {
        let a = try Sim.small(seed: 5), b = try Sim.small(seed: 5)
        #expect(a.sim.invoices == b.sim.invoices)
        #expect(a.sim.events == b.sim.events)
        #expect(try Sim.json(a.sim.truth) == Sim.json(b.sim.truth))
        #expect(!a.sim.invoices.isEmpty && !a.sim.events.isEmpty)
    }

    @Test func anotherSeedGivesAnotherHistory() throws {
        let a = try Sim.small(seed: 5), b = try Sim.small(seed: 6)
        #expect(a.sim.invoices != b.sim.invoices)
        #expect(a.sim.events != b.sim.events)
        #expect(try Sim.json(a.sim.truth) != Sim.json(b.sim.truth))
        #expect(a.sim.truth.seed == 5 && b.sim.truth.seed == 6)
    }

    @Test func theGeneratorIsReproducibleAndUniform() {
        var a = SeededGenerator(seed: 1), b = SeededGenerator(seed: 1), c = SeededGenerator(seed: 2)
        let xs = (0..<1000).map { _ in a.unit() }
        #expect(xs == (0..<1000).map { _ in b.unit() })
        #expect(xs != (0..<1000).map { _ in c.unit() })
        #expect(xs.allSatisfy { (0..<1).contains($0) })
        #expect(abs(xs.reduce(0, +) / 1000 - 0.5) < 0.05)
        var d = SeededGenerator(seed: 9)
        let draws = (0..<2000).map { _ in d.logNormal(median: 4, sigma: 0.5) }.sorted()
        #expect(abs(draws[1000] - 4) < 0.3, "median of 2000 log-normal draws: \(draws[1000])")
        #expect((0..<500).allSatisfy { _ in (3...7).contains(d.int(3...7)) })
    }

    // MARK: Coherence

    @Test func everyEventNamesAnInvoiceAndNothingHappensAfterTheAsOfDate() throws {
        let (_, settings, sim) = try Sim.small()
        let ids = Set(sim.invoices.map(\.id))
        #expect(ids.count == sim.invoices.count, "invoice numbers are not unique")
        #expect(sim.events.allSatisfy { ids.contains($0.invoice) })
        let cutoff = Sim.cutoff(settings)
        let late = sim.events.filter { $0.at >= cutoff }
        #expect(late.isEmpty, "\(late.count) events after the as-of date, first \(String(describing: late.first))")
        #expect(sim.invoices.allSatisfy { $0.payments.allSatisfy { $0.date <= settings.asOf } })
        #expect(sim.invoices.allSatisfy { $0.issueDate <= settings.asOf })
        // Every invoice has at least one payment or is still open at the as-of date: payments never exceed it.
        #expect(sim.invoices.allSatisfy { $0.kind == .creditNote || $0.paid.minorUnits <= $0.amount.minorUnits })
        #expect(sim.truth.invoices == sim.invoices.count)
    }

    @Test func invoicesAreNumberedUniquelyInIssueOrder() throws {
        let (_, settings, sim) = try Sim.small()
        let invoices = sim.invoices.filter { $0.kind == .invoice }
        #expect(Set(sim.invoices.map(\.id)).count == sim.invoices.count)
        let numbers = invoices.compactMap { Int($0.id.split(separator: "-").last ?? "") }
        #expect(numbers.count == invoices.count)
        #expect(numbers.first == settings.firstNumber)
        #expect(zip(numbers, invoices).allSatisfy { n, inv in inv.id == "FA-\(inv.issueDate.year)-\(n)" })
        for (a, b) in zip(invoices, invoices.dropFirst()) {
            #expect(a.issueDate <= b.issueDate, "\(a.id) issued \(a.issueDate) after \(b.id) \(b.issueDate)")
        }
        // Credit notes name an invoice of the simulation and are negative.
        for c in sim.invoices where c.kind == .creditNote {
            #expect(c.amount.minorUnits < 0)
            #expect(invoices.contains { $0.id == c.credits })
        }
    }

    @Test func invoicesFollowTheirCustomersTerms() throws {
        let (graphs, _, sim) = try Sim.small()
        let g = try #require(graphs.first)
        for inv in sim.invoices where inv.kind == .invoice {
            let payer = try #require(g.payer(of: inv.site))
            #expect(inv.entity == payer.id)
            #expect(inv.dueDate == payer.terms.dueDate(from: inv.issueDate), "\(inv.id)")
            #expect(inv.deliveryDate.map { $0 <= inv.issueDate } ?? false, "\(inv.id)")
            #expect(g.site(inv.site)?.receivesDeliveries == true)
        }
    }

    @Test func theShareOfMissingEventsIsNearTheSetting() throws {
        let graphs = [try Sim.graph("metalux"), try Sim.graph("maisonvert")]
        for rate in [0.2, 0.5] {
            var settings = SimulationSettings(start: try Sim.day("2026-05-04"), asOf: try Sim.day("2026-08-31"), seed: 21)
            settings.missingEventRate = rate
            let sim = Simulator(settings: settings).run(graphs)
            let t = sim.truth
            // Duplicates are exact copies: keep one of each.
            var seen = Set<String>()
            let unique = sim.events.filter { seen.insert($0.identityKey).inserted }
            #expect(sim.events.count - unique.count == t.eventsDuplicated)
            #expect(t.eventsGenerated == unique.count + t.eventsMissing)
            // Our own records (payments) always arrive: the rate applies to the customers' statuses.
            let statuses = unique.filter { $0.source != .erp }.count + t.eventsMissing
            #expect(statuses >= 2_000, "only \(statuses) status events")
            let share = Double(t.eventsMissing) / Double(statuses)
            #expect(abs(share - rate) < 0.05, "missing share \(share) for a rate of \(rate)")
            let duplicates = Double(t.eventsDuplicated) / Double(unique.count)
            #expect(abs(duplicates - settings.duplicateRate) < 0.01, "duplicate share \(duplicates)")
        }
    }

    @Test func aGroupCanHaveItsOwnMissingRate() throws {
        var settings = SimulationSettings(start: try Sim.day("2026-03-02"), asOf: try Sim.day("2026-09-30"), seed: 4)
        settings.missingEventRateByGroup = ["metalux": 0]
        settings.duplicateRate = 0
        let sim = Simulator(settings: settings).run([try Sim.graph("metalux")])
        #expect(sim.truth.eventsMissing == 0)
        #expect(sim.truth.eventsGenerated == sim.events.count && sim.truth.eventsDuplicated == 0)
    }

    @Test func slowDepartmentsAreMuchSlower() throws {
        let graphs = [try Sim.graph("metalux"), try Sim.graph("maisonvert")]
        let settings = SimulationSettings(start: try Sim.day("2026-01-05"), asOf: try Sim.day("2026-11-27"), seed: 3)
        let truth = Simulator(settings: settings).run(graphs).truth
        let departments = graphs.flatMap(\.departments)
        #expect(Set(truth.departments.map(\.department)) == Set(departments.map(\.id)))
        let slow = truth.departments.filter(\.slow), normal = truth.departments.filter { !$0.slow }
        #expect(!slow.isEmpty && !normal.isEmpty)
        // Paying departments are never made slow.
        let pays = Set(departments.filter(\.role.pays).map(\.id))
        #expect(slow.allSatisfy { !pays.contains($0.department) })
        let mean = { (laws: [GroundTruth.DepartmentLaw]) in laws.map(\.speedFactor).reduce(0, +) / Double(laws.count) }
        #expect(mean(slow) >= 2 && mean(slow) > 2 * mean(normal), "slow \(mean(slow)), normal \(mean(normal))")
        for d in slow {
            #expect(d.speedFactor >= 2, "\(d.department) is flagged slow with a speed factor of \(d.speedFactor)")
        }
    }

    @Test func episodesLieBetweenTheInvoicesDates() throws {
        let graphs = [try Sim.graph("metalux")]
        var settings = SimulationSettings(start: try Sim.day("2026-01-05"), asOf: try Sim.day("2026-11-27"), seed: 8)
        settings.stuckRate = 0.3
        settings.disputeRate = 0.2
        settings.missingEventRate = 0  // so that every announced episode's blocking event is there
        let sim = Simulator(settings: settings).run(graphs)
        let invoices = Dictionary(uniqueKeysWithValues: sim.invoices.map { ($0.id, $0) })
        let episodes = sim.truth.episodes
        #expect(episodes.contains { $0.kind == .stuck } && episodes.contains { $0.kind == .dispute })
        for e in episodes {
            let inv = try #require(invoices[e.invoice], "episode for unknown invoice \(e.invoice)")
            let origin = min(inv.issueDate, inv.deliveryDate ?? inv.issueDate)
            #expect(origin <= e.start && e.start < e.end, "\(e.invoice) \(e.kind): \(e.start)–\(e.end), origin \(origin)")
            #expect(e.start <= settings.asOf)
            if let paid = inv.payments.map(\.date).max() { #expect(e.end <= paid, "\(e.invoice) paid \(paid) before the end of its \(e.kind) \(e.end)") }
            let route = try #require(graphs[0].route(forSite: inv.site, orderType: inv.orderType))
            #expect(route.step(e.step) != nil)
            #expect(graphs[0].department(e.department) != nil)
            if e.kind == .dispute { #expect(e.announced && e.reason != nil) }
        }
        // An announced episode has its blocking event, and the event is on its first day.
        for e in episodes where e.announced && e.start <= settings.asOf {
            let blocking = sim.events.filter { $0.invoice == e.invoice && ($0.state?.isBlocking ?? false) && $0.department == e.department }
            #expect(blocking.contains { $0.day(in: Sim.paris) == e.start }, "no blocking event on \(e.start) for \(e.invoice)")
        }
        // Episodes open on a day are exactly those spanning it.
        let open = sim.truth.episodes(openOn: settings.asOf)
        #expect(open.allSatisfy { $0.start <= settings.asOf && settings.asOf < $0.end })
        #expect(open.count == episodes.filter { $0.start <= settings.asOf && settings.asOf < $0.end }.count)
    }

    // MARK: Into the store

    @Test func aSimulationImportsIntoTheStoreAndAgainChangesNothing() throws {
        let (graphs, settings, sim) = try Sim.small()
        let (store, invoices, events) = try Sim.store(graphs, settings, sim)
        #expect(invoices.added == sim.invoices.count && invoices.updated == 0)
        #expect(try store.count(.invoice) == sim.invoices.count)
        #expect(try store.count(.payment) == sim.invoices.map(\.payments.count).reduce(0, +))
        #expect(events.added == sim.events.count - sim.truth.eventsDuplicated)
        #expect(events.ignored == sim.truth.eventsDuplicated)
        #expect(try store.count(.event) == events.added)
        // Stored invoices are the simulated ones.
        #expect(try store.invoices(group: "metalux") == sim.invoices.sorted { $0.id < $1.id })
        // A second import of the same history changes nothing.
        let again = try store.importInvoices(sim.invoices.map { InvoiceInput(invoice: $0, givenDueDate: $0.dueDate, receiptDate: nil, place: "again") },
                                             source: "simulator", now: Sim.cutoff(settings))
        #expect(again.unchanged == sim.invoices.count && again.added == 0 && again.updated == 0)
        let eventsAgain = try store.appendEvents(sim.events.map { EventInput(event: $0, place: "again") }, source: "simulator", now: Sim.cutoff(settings))
        #expect(eventsAgain.added == 0 && eventsAgain.ignored == sim.events.count)
        #expect(try store.count(.event) == events.added && store.count(.invoiceChange) == 0)
        // Each invoice's events come back in time order.
        let byInvoice = try store.eventsByInvoice(group: "metalux")
        #expect(byInvoice.values.allSatisfy { list in zip(list, list.dropFirst()).allSatisfy { $0.at <= $1.at } })
    }

    // MARK: Measured

    /// `relance simulate --from 2026-01-05 --as-of 2026-11-27 --seed 3` on Métalux and Maison Vert (whose
    /// customers pay at the due date, as the command sets), then `relance stuck --truth`: the stuck list
    /// must mostly be right (precision ≥ 0.4) and find a fair share of the truly stuck (recall ≥ 0.15).
    @Test func stuckFinderPrecisionAndRecallOnASimulation() throws {
        let graphs = [try Sim.graph("metalux"), try Sim.graph("maisonvert")]
        var settings = SimulationSettings(start: try Sim.day("2026-01-05"), asOf: try Sim.day("2026-11-27"), seed: 3)
        settings.payAtDueDate = ["maisonvert"]
        let sim = Simulator(settings: settings).run(graphs)
        let (store, _, _) = try Sim.store(graphs, settings, sim)
        let finder = StuckFinder()
        var items: [StuckInvoice] = []
        for g in graphs {
            let book = try #require(try store.book(group: g.group.id, asOf: settings.asOf))
            for p in book.open { items += finder.stuck(p, credited: book.credited[p.invoice.id]) }
        }
        let ranked = finder.rank(items)
        let truth = sim.truth.episodes(openOn: settings.asOf)
        let e = StuckEvaluation(truth: truth, found: ranked.map { ($0.invoice.id, $0.department?.id) })
        #expect(e.actual >= 10, "only \(e.actual) episodes open on the as-of date")
        #expect(e.precision >= 0.4, "precision \(e.precision): \(e.truePositives) of \(e.flagged) flagged")
        #expect(e.recall >= 0.15, "recall \(e.recall): \(e.found) of \(e.actual) found")
        #expect(e.locatedCorrectly <= e.truePositives)
    }

    @Test func theEvaluationCountsInvoicesOnce() throws {
        // Episodes have no public initialiser: read them as truth.json has them.
        func episode(_ invoice: String, _ department: String) throws -> GroundTruth.Episode {
            let json = #"{"kind": "stuck", "invoice": "\#(invoice)", "step": "bap", "department": "\#(department)", "start": "2026-10-01", "end": "2026-10-20", "announced": false}"#
            return try JSONDecoder().decode(GroundTruth.Episode.self, from: Data(json.utf8))
        }
        let truth = try [episode("A", "d1"), episode("B", "d2"), episode("C", "d3"), episode("D", "d4")]
        #expect(truth[0].start == CivilDate(iso: "2026-10-01") && truth[0].reason == nil)
        // A flagged twice (first at the right department), B at the wrong one, X not stuck.
        let e = StuckEvaluation(truth: truth, found: [("A", "d1"), ("A", "d9"), ("B", "d9"), ("X", nil)])
        #expect(e.flagged == 3 && e.actual == 4 && e.truePositives == 2 && e.found == 2 && e.locatedCorrectly == 1)
        #expect(e.precision == 2.0 / 3 && e.recall == 0.5)
        #expect(StuckEvaluation(truth: [], found: []).precision == 1 && StuckEvaluation(truth: [], found: []).recall == 1)
    }
}
