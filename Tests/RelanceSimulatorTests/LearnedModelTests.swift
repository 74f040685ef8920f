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

    /// A scale-mode portfolio (groups made from the three samples, our follow-up events, several time zones)
    /// in a database file, as `relance simulate --scale` then the imports make it.
    static func scalePortfolio(groups: Int, invoices: Int, seed: UInt64) throws -> (store: Store, run: Scale.Run, folder: URL) {
        let run = try Scale.run(groups: groups, invoices: invoices, seed: seed)
        let store = try Store.create(at: run.folder.appendingPathComponent("relance.sqlite").path)
        try store.save(run.graphs)
        let now = run.summary.truth.asOf.adding(days: 1).start(in: paris)
        let records = try invoiceRecords(run.folder.appendingPathComponent("invoices.csv"))
        _ = try store.importInvoices(records.map { r in
            InvoiceInput(invoice: Invoice(
                id: r.number, kind: r.kind, group: "", entity: r.entity, site: r.site, sentTo: r.sentTo, orderNumber: r.orderNumber,
                orderType: r.orderType, deliveryNote: r.deliveryNote, issueDate: r.issueDate, deliveryDate: r.deliveryDate,
                dueDate: r.dueDate ?? r.issueDate, dueDateGiven: r.dueDate != nil, amount: r.amount, method: r.method, salesRep: r.salesRep,
                credits: r.credits, discounted: r.discounted, payments: r.payments, channel: r.channel),
                givenDueDate: r.dueDate, receiptDate: r.receiptDate, place: "\(r.file):\(r.line)")
        }, source: "invoices.csv", now: now)
        _ = try store.appendEvents(try eventRecords(run.folder.appendingPathComponent("events.csv")).map { r in
            EventInput(event: r.event, place: "\(r.file):\(r.line ?? 0)")
        }, source: "events.csv", now: now)
        return (store, run, run.folder)
    }

    /// The readers, with their typed throws kept apart (see `Scale.read`).
    static func invoiceRecords(_ url: URL) throws -> [InvoiceRecord] { try InvoiceCSVReader.read(contentsOf: url) }
    static func eventRecords(_ url: URL) throws -> [EventRecord] { try EventFileReader.read(contentsOf: url) }

    static func json(_ model: LearnedDwellModel) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(model), as: UTF8.self)
    }

    /// `relance learn` reads only the columns it needs and tallies observations without positions
    /// (`DwellObserver`); every model must be the one the book learns from positions, whatever the day and the
    /// minimum of observations, learned across groups or one group alone over the cores.
    @Test func learnAtScaleGivesEveryGroupTheModelItsBookLearns() throws {
        let (store, run, folder) = try Self.scalePortfolio(groups: 12, invoices: 3_000, seed: 11)
        defer { try? FileManager.default.removeItem(at: folder) }
        let asOf = run.summary.truth.asOf
        var laws = 0
        for day in [asOf.adding(days: -75), asOf] {
            for minimum in [1, 15] {
                let report = try store.learnDwellModels(asOf: day, minimumObservations: minimum)
                #expect(report.models.count == 12)
                for m in report.models {
                    let book = try #require(try store.book(group: m.group, asOf: day, minimumObservations: minimum, useStoredModel: false))
                    #expect(m.model == book.model, "\(m.group) as of \(day), minimum \(minimum)")
                    #expect(try Self.json(m.model) == Self.json(book.model))
                    #expect(m.invoices == book.invoices.count(where: { $0.kind == .invoice }))
                    #expect(m.events == book.events.values.reduce(0) { $0 + $1.count })
                }
                laws += report.laws
            }
        }
        #expect(laws > 0, "nothing learned: the comparison would prove nothing")
        // One group alone (the largest): its invoices spread over the cores, the tallies merged.
        let largest = try store.learnDwellModels(asOf: asOf, minimumObservations: 1).models.max { $0.invoices < $1.invoices }
        let group = try #require(largest?.group)
        let alone = try #require(try store.learnDwellModels(asOf: asOf, minimumObservations: 1, groups: [group]).models.first)
        #expect(alone.model == (try store.book(group: group, asOf: asOf, minimumObservations: 1, useStoredModel: false))?.model)
        #expect(alone.invoices > 128, "too few invoices to be spread over the cores")
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
