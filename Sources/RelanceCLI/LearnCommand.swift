import ArgumentParser
import Foundation
import RelanceCore
import RelancePlan
import RelanceRender
import RelanceStore

/// `relance learn`: learns every customer's dwell-time model from the database and stores it.
struct LearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Learn each customer's dwell-time model (time spent per department and step) and store it.",
        discussion: """
            Learns, for every customer group (or one), the Kaplan–Meier law of the time invoices and approvals \
            spend at each department and step, from the events known as of the day, exactly as every other \
            command learns it on the fly; then stores it with the data version it was learned from. Commands \
            that need a customer's book for that day use the stored model while no import has changed the \
            data since (docs/positions.md, docs/performance.md). Then learns each customer's forecast context \
            (its payment habit and re-calibrated interval levels) so that forecasts and the agenda for that day \
            read only the open invoices (--dwell-only skips it).

            Examples:
              relance learn --as-of 2026-11-27
              relance learn --as-of 2026-11-27 --customer metalux
              relance learn --list
            """)

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "Only this customer.") var customer: String?
    @Option(name: .customLong("minimum-observations"), help: "Completed observations before history replaces the prior.")
    var minimumObservations = 15
    @Flag(help: "List the stored models (and whether each is still current) instead of learning.") var list = false
    @Flag(name: .customLong("dwell-only"), help: "Learn the dwell-time models only, not the forecast contexts (payment habit, interval levels).")
    var dwellOnly = false

    func run() throws {
        let store = try db.open()
        if list {
            let stored = try store.storedDwellModels()
            print(PositionRenderer.table(["customer", "as_of", "current", "invoices", "events", "laws", "seconds", "learned_at", "data_version"], stored.map {
                [$0.group, $0.asOf.description, $0.current ? "yes" : "no", "\($0.invoices)", "\($0.events)", "\($0.model.laws.count)",
                 String(format: "%.3f", $0.seconds), $0.learnedAt, $0.dataVersion]
            }), terminator: "")
            let books = try store.storedOpenBooks()
            if !books.isEmpty {
                print("Packed open books (read by that day's forecasts and agenda while current):")
                print(PositionRenderer.table(["customer", "as_of", "current", "invoices", "KiB"], books.map {
                    [$0.group, $0.asOf, $0.current ? "yes" : "no", "\($0.invoices)", "\(($0.bytes + 1_023) / 1_024)"]
                }), terminator: "")
            }
            return
        }
        guard minimumObservations >= 1 else { throw ValidationError("--minimum-observations must be at least 1") }
        let date = try asOf.date()
        let clock = ContinuousClock()
        let started = clock.now
        let groups = try customer.map { [try store.resolveCustomer($0)] }
        let report = try store.learnDwellModels(asOf: date, minimumObservations: minimumObservations, groups: groups)
        let learned = clock.now
        try store.saveDwellModels(report.models, asOf: date)
        let seconds = { (d: Duration) in Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        print("Learned \(plural(report.models.count, "customer")) as of \(date): \(report.invoices) invoices, \(report.events) events, "
              + "\(report.laws) laws (\(String(format: "%.2f", seconds(learned - started))) s; stored in \(String(format: "%.2f", seconds(clock.now - learned))) s)")
        if !dwellOnly && minimumObservations == 15 {
            // The forecast contexts need the books, which now use the stored models.
            let contextStart = clock.now
            let n = try learnForecastContexts(in: store, groups: report.models.map(\.group), asOf: date)
            print("Learned \(plural(n, "forecast context")) (payment habit, interval levels) in \(String(format: "%.2f", seconds(clock.now - contextStart))) s")
            // The open books of the day, packed: what forecasts and the agenda of the day read.
            let packStart = clock.now
            let packed = try store.packOpenBooks(groups: report.models.map(\.group), asOf: date)
            print("Packed \(plural(packed.books, "open book")) (\(plural(packed.invoices, "invoice")) and credit notes, "
                  + "\(String(format: "%.1f", Double(packed.bytes) / 1_048_576)) MiB) in \(String(format: "%.2f", seconds(clock.now - packStart))) s")
            if !packed.tooLarge.isEmpty {
                print("Not packed, too large (their forecasts read the rows): \(packed.tooLarge.joined(separator: ", "))")
            }
        }
        if report.models.count <= 50 {
            print(PositionRenderer.table(["customer", "invoices", "events", "laws", "prior", "seconds"], report.models.map { m in
                [m.group, "\(m.invoices)", "\(m.events)", "\(m.model.laws.count)", "\(m.model.counts.count - m.model.laws.count)",
                 String(format: "%.3f", m.seconds)]
            }), terminator: "")
        }
    }
}
