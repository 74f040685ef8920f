import Foundation
import RelanceCore
import RelanceImport
import RelanceInsights
import RelanceSamples
import RelanceSimulator
import RelanceStore
import Testing

/// The three sample customers simulated with a known seed, imported into an in-memory store as
/// `relance simulate --db` does, and loaded back as the reports see them.
struct SimulatedPortfolio {
    static let paris = TimeZone(identifier: "Europe/Paris") ?? .gmt

    var truth: GroundTruth
    var histories: [CustomerHistory]
    var period: ReportPeriod

    static func day(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso), "bad date literal \(iso)") }

    /// `from` to `asOf`, all three samples, Maison Vert paying at the due date as in the demo.
    init(seed: UInt64, from: String = "2026-01-05", asOf: String = "2026-11-27", orgs: [String] = ["chu-armor", "maisonvert", "metalux"]) throws {
        let graphs = try orgs.map { name in
            let url = try #require(Samples.organisationFiles.first { $0.lastPathComponent == "\(name).yaml" })
            return try OrganisationReader.read(contentsOf: url)
        }
        var settings = SimulationSettings(start: try Self.day(from), asOf: try Self.day(asOf), seed: seed)
        settings.payAtDueDate = ["maisonvert"]
        let sim = Simulator(settings: settings).run(graphs)
        let store = try Store.inMemory()
        try store.save(graphs)
        let cutoff = settings.asOf.adding(days: 1).start(in: Self.paris)
        _ = try store.importInvoices(sim.invoices.enumerated().map { i, inv in
            InvoiceInput(invoice: inv, givenDueDate: inv.dueDate, receiptDate: nil, place: "simulated invoice \(i + 1)")
        }, source: "simulator", now: cutoff)
        _ = try store.appendEvents(sim.events.enumerated().map { i, e in EventInput(event: e, place: "simulated event \(i + 1)") },
                                   source: "simulator", now: cutoff)
        histories = try graphs.map { g in
            let book = try #require(try store.book(group: g.group.id, asOf: settings.asOf))
            return CustomerHistory(graph: book.graph, invoices: book.invoices, positions: book.positions)
        }
        truth = sim.truth
        period = try #require(ReportPeriod(from: settings.start, to: settings.asOf))
    }
}
