import Foundation
import RelanceCore
import RelanceImport
import RelanceSamples
import RelanceSimulator
import RelanceStore
import Testing

/// `relance learn` on a simulated portfolio: the models it learns and stores are the ones the books learn,
/// and a book built on a stored model is the book built without it.
@Suite struct LearnedModelTests {
    static let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt

    /// Métalux and CHU d'Armor over seven months, imported as `relance simulate --db` does.
    static func portfolio() throws -> (store: Store, groups: [String], asOf: CivilDate) {
        let graphs = try ["metalux", "chu-armor"].map { name in
            let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "\(name).yaml" })
            return try OrganisationReader.read(contentsOf: url)
        }
        let settings = SimulationSettings(start: try #require(CivilDate(iso: "2026-03-02")), asOf: try #require(CivilDate(iso: "2026-09-30")), seed: 5)
        let sim = Simulator(settings: settings).run(graphs)
        let store = try Store.inMemory()
        try store.save(graphs)
        let now = settings.asOf.adding(days: 1).start(in: paris)
        _ = try store.importInvoices(sim.invoices.enumerated().map { i, inv in
            InvoiceInput(invoice: inv, givenDueDate: inv.dueDate, receiptDate: nil, place: "simulated invoice \(i + 1)")
        }, source: "simulator", now: now)
        _ = try store.appendEvents(sim.events.enumerated().map { i, e in EventInput(event: e, place: "simulated event \(i + 1)") },
                               source: "simulator", now: now)
        return (store, graphs.map(\.group.id), settings.asOf)
    }

    /// Every figure of two books' positions, compared exactly.
    static func sameBook(_ a: CustomerBook, _ b: CustomerBook) -> Bool {
        guard a.positions.count == b.positions.count, a.model == b.model else { return false }
        return zip(a.positions, b.positions).allSatisfy { p, q in
            p.invoice.id == q.invoice.id && p.closed == q.closed && p.completion == q.completion && p.blocks.count == q.blocks.count
                && p.steps.count == q.steps.count
                && zip(p.steps, q.steps).allSatisfy { s, t in
                    s.step.id == t.step.id && s.status == t.status && s.law == t.law && s.lawSource == t.lawSource && s.dwellDays == t.dwellDays
                        && s.probabilityDone.bitPattern == t.probabilityDone.bitPattern && s.probabilityHere.bitPattern == t.probabilityHere.bitPattern
                }
        }
    }

    @Test func learnGivesTheModelTheBookLearnsAndTheBookUsesItUnchanged() throws {
        let (store, groups, asOf) = try Self.portfolio()
        let report = try store.learnDwellModels(asOf: asOf, minimumObservations: 5)
        #expect(report.models.map(\.group).sorted() == groups.sorted())
        #expect(report.laws > 0, "nothing learned: the comparison would prove nothing")
        #expect(report.events == (try store.count(.event)))
        var learnedBooks: [String: CustomerBook] = [:]
        for m in report.models {
            let book = try #require(try store.book(group: m.group, asOf: asOf, minimumObservations: 5, useStoredModel: false))
            #expect(m.model == book.model, "\(m.group)")
            #expect(m.model.laws.count == book.model.laws.count && !m.model.counts.isEmpty)
            // The reference: learning from full positions with the prior, as the book did before `relance learn`.
            let prior = PositionEngine(graph: book.graph)
            let full = book.invoices.filter { $0.kind == .invoice }.map { prior.position(of: $0, events: book.events[$0.id] ?? [], asOf: asOf) }
            #expect(DwellLearner(minimumObservations: 5).learn(positions: full, group: m.group) == m.model, "\(m.group)")
            learnedBooks[m.group] = book
        }
        try store.saveDwellModels(report.models, asOf: asOf)
        for m in report.models {
            #expect(try store.dwellModel(group: m.group, asOf: asOf, minimumObservations: 5) == m.model)
            let stored = try #require(try store.book(group: m.group, asOf: asOf, minimumObservations: 5))
            let learned = try #require(learnedBooks[m.group])
            #expect(Self.sameBook(stored, learned), "\(m.group): the book differs with the stored model")
            #expect(stored.open.count == learned.open.count)
        }
        // Learning one group on its own, with its positions spread over the cores, gives the same model.
        let one = try store.learnDwellModels(asOf: asOf, minimumObservations: 5, groups: ["metalux"])
        #expect(one.models.first?.model == report.models.first { $0.group == "metalux" }?.model)
    }

    @Test func aCurrentStoredModelIsWhatTheBookUses() throws {
        let (store, _, asOf) = try Self.portfolio()
        let report = try store.learnDwellModels(asOf: asOf, minimumObservations: 5, groups: ["metalux"])
        var m = try #require(report.models.first)
        // A model that differs from what learning gives: the book shows it was read, not re-learned.
        m.model.reporting["metalux|approval"] = 0.123
        try store.saveDwellModels([m], asOf: asOf)
        #expect(try store.book(group: "metalux", asOf: asOf, minimumObservations: 5)?.model.reporting["metalux|approval"] == 0.123)
        #expect(try store.book(group: "metalux", asOf: asOf, minimumObservations: 5, useStoredModel: false)?.model.reporting["metalux|approval"] != 0.123)
        // Another minimum of observations, another day: learned again.
        #expect(try store.book(group: "metalux", asOf: asOf, minimumObservations: 6)?.model.reporting["metalux|approval"] != 0.123)
        #expect(try store.dwellModel(group: "metalux", asOf: asOf.adding(days: -1), minimumObservations: 5) == nil)
        #expect(try store.dwellModel(group: "chu-armor", asOf: asOf, minimumObservations: 5) == nil)
        let listed = try store.storedDwellModels()
        #expect(listed.count == 1 && listed.first?.current == true && listed.first?.group == "metalux" && listed.first?.asOf == asOf)
    }
}
