import ArgumentParser
import Foundation
import RelanceCore
import RelanceImport
import RelanceRender
import RelanceSamples
import RelanceSimulator
import RelanceStore

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate a realistic, reproducible invoice and event history, with its ground truth.",
        discussion: """
            For the given organisation files (the bundled samples by default), writes invoices.csv, events.csv \
            (some events missing, some duplicated, in no order) and truth.json (each department's true dwell-time \
            law, the stuck episodes and disputes, each site's invoicing delay) to the output folder; with --db, \
            also imports them. The same seed gives the same files. docs/simulator.md describes the model.

            Example: relance simulate --from 2026-01-05 --as-of 2026-11-27 --seed 7 --out sim
            """)

    @Option(name: .customLong("org"), help: ArgumentHelp("Organisation files (default: the bundled samples).", valueName: "file"))
    var orgFiles: [String] = []
    @Option(help: ArgumentHelp("First delivery date.", valueName: "date")) var from: CivilDate
    @Option(name: .customLong("as-of"), help: ArgumentHelp("The day the history stops.", valueName: "date")) var asOf: CivilDate
    @Option(help: "Random seed.") var seed: UInt64 = 42
    @Option(help: "Invoices per delivery site and month.") var rate = 5.0
    @Option(help: "Share of status events that never arrive.") var missing = 0.2
    @Option(help: ArgumentHelp("Output folder.", valueName: "dir")) var out: String
    @Option(name: .customLong("db"), help: ArgumentHelp("Also import into this database (organisations included).", valueName: "path"))
    var db: String?

    func validate() throws {
        guard from < asOf else { throw ValidationError("--from must be before --as-of") }
        guard (0...1).contains(missing) else { throw ValidationError("--missing is a share between 0 and 1") }
        guard rate > 0 && rate <= 10_000 else { throw ValidationError("--rate must be between 0 and 10000") }
    }

    func run() throws {
        let urls = orgFiles.isEmpty ? Samples.organisationFiles : orgFiles.map { URL(fileURLWithPath: $0) }
        let result = try simulate(orgs: urls, from: from, asOf: asOf, seed: seed, rate: rate, missing: missing, out: URL(fileURLWithPath: out), db: db)
        print(result)
    }
}

/// Simulates, writes the files, and optionally imports them; returns a summary.
func simulate(orgs: [URL], from: CivilDate, asOf: CivilDate, seed: UInt64, rate: Double, missing: Double, out: URL, db: String?,
              payAtDueDate: Set<String> = ["maisonvert"]) throws -> String {
    var graphs: [OrgGraph] = []
    var problems: [Diagnostic] = []
    for url in orgs {
        do { graphs.append(try OrganisationReader.read(contentsOf: url)) } catch { problems += error.diagnostics }
    }
    guard problems.isEmpty else { throw ImportError(problems) }
    var settings = SimulationSettings(start: from, asOf: asOf, seed: seed)
    settings.invoicesPerSiteMonth = rate
    settings.missingEventRate = missing
    settings.payAtDueDate = payAtDueDate
    let sim = Simulator(settings: settings).run(graphs)
    try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
    let invoicesURL = out.appendingPathComponent("invoices.csv"), eventsURL = out.appendingPathComponent("events.csv")
    try CSVWriters.invoices(sim.invoices).write(to: invoicesURL, atomically: true, encoding: .utf8)
    try CSVWriters.events(sim.events).write(to: eventsURL, atomically: true, encoding: .utf8)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(sim.truth).write(to: out.appendingPathComponent("truth.json"))
    var summary = "simulated \(plural(sim.invoices.count, "invoice")) and \(plural(sim.events.count, "event")) "
        + "(\(sim.truth.eventsMissing) missing, \(sim.truth.eventsDuplicated) duplicated, \(plural(sim.truth.episodes.count, "stuck or disputed episode"))) "
        + "from \(from) to \(asOf), seed \(seed): \(out.path)/invoices.csv, events.csv, truth.json"
    if let db {
        let store = try Store.create(at: db)
        _ = try importOrganisations(orgs, into: store, archive: false)
        let i = try importInvoiceFiles([invoicesURL], into: store)
        let e = try importEventFiles([eventsURL], format: .events, into: store)
        summary += "\nimported into \(db): \(i.added) invoices added, \(e.added) events added, \(e.ignored) duplicates ignored"
    }
    return summary
}
