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
    @Option(help: ArgumentHelp("Scale mode: this many customer groups, variants of the organisation files, written to OUT/orgs.",
                               valueName: "n"))
    var groups: Int?
    @Option(help: ArgumentHelp("Scale mode: about this many invoices in all (replaces --rate).", valueName: "n"))
    var invoices: Int?

    func validate() throws {
        guard from < asOf else { throw ValidationError("--from must be before --as-of") }
        guard (0...1).contains(missing) else { throw ValidationError("--missing is a share between 0 and 1") }
        guard rate > 0 && rate <= 10_000 else { throw ValidationError("--rate must be between 0 and 10000") }
        guard (groups == nil) == (invoices == nil) else { throw ValidationError("--groups and --invoices go together") }
        if let groups, let invoices {
            guard (1...100_000).contains(groups) else { throw ValidationError("--groups must be between 1 and 100000") }
            guard (groups...100_000_000).contains(invoices) else { throw ValidationError("--invoices must be between --groups and 100000000") }
        }
    }

    func run() throws {
        let urls = orgFiles.isEmpty ? Samples.organisationFiles : orgFiles.map { URL(fileURLWithPath: $0) }
        if let groups, let invoices {
            print(try simulateAtScale(templates: urls, groups: groups, invoices: invoices, from: from, asOf: asOf, seed: seed, missing: missing,
                                      out: URL(fileURLWithPath: out), db: db))
            return
        }
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
    try writeSimulation(sim, settings: settings, invoicesTo: invoicesURL, eventsTo: eventsURL)
    try writeTruth(sim.truth, to: out.appendingPathComponent("truth.json"))
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

/// Writes the invoices and events as `CSVWriters` would, through buffers.
func writeSimulation(_ sim: Simulation, settings: SimulationSettings, invoicesTo invoicesURL: URL, eventsTo eventsURL: URL) throws {
    let invoiceFile = try BufferedFile(creating: invoicesURL)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(1 << 16)
    try invoiceFile.write(CSVRows.invoiceHeader)
    for invoice in sim.invoices {
        CSVRows.appendInvoice(invoice, to: &bytes)
        if bytes.count >= 1 << 16 {
            try invoiceFile.write(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
    }
    try invoiceFile.write(bytes)
    try invoiceFile.close()
    bytes.removeAll(keepingCapacity: true)
    let eventFile = try BufferedFile(creating: eventsURL)
    let offsets = ZoneOffsets(zones: Set(sim.events.map(\.timeZone)), from: settings.start.adding(days: -31), to: settings.asOf.adding(days: 1))
    try eventFile.write(CSVRows.eventHeader)
    for event in sim.events {
        CSVRows.appendEvent(event, offsets: offsets, to: &bytes)
        if bytes.count >= 1 << 16 {
            try eventFile.write(bytes)
            bytes.removeAll(keepingCapacity: true)
        }
    }
    try eventFile.write(bytes)
    try eventFile.close()
}

func writeTruth(_ truth: GroundTruth, to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try encoder.encode(truth).write(to: url)
}

/// Scale mode: `groups` customer groups made from the template organisation files, written to OUT/orgs
/// and read back (so that the simulation runs on what `relance import org` would load), then about
/// `invoices` invoices across them, streamed to the CSV files; optionally imported.
func simulateAtScale(templates urls: [URL], groups: Int, invoices: Int, from: CivilDate, asOf: CivilDate, seed: UInt64, missing: Double,
                     out: URL, db: String?, payAtDueDate templatesPayingAtDueDate: Set<String> = ["maisonvert"]) throws -> String {
    var templates: [OrganisationVariants.Template] = []
    var problems: [Diagnostic] = []
    for url in urls {
        let text = try String(contentsOf: url, encoding: .utf8)
        switch readOrganisation(text, file: url.lastPathComponent) {
        case .success(let graph): templates.append(.init(text: text, graph: graph))
        case .failure(let error): problems += error.diagnostics
        }
    }
    guard problems.isEmpty else { throw ImportError(problems) }
    guard !templates.isEmpty else { throw ValidationError("no organisation file to make customer groups from") }
    let orgFolder = out.appendingPathComponent("orgs")
    try FileManager.default.createDirectory(at: orgFolder, withIntermediateDirectories: true)

    // The groups' files, written and read back on all cores.
    let variants = OrganisationVariants(templates: templates)
    let orgMeter = TerminalProgress.meter("organisations", total: groups)
    let made = Array(1...groups).concurrentMap(minimumChunk: 1) { k -> (url: URL, graph: Result<OrgGraph, ImportError>) in
        let variant = variants.variant(k, seed: seed)
        let url = orgFolder.appendingPathComponent("\(variant.id).yaml")
        defer { orgMeter?.advance() }
        do {
            try variant.yaml.write(to: url, atomically: false, encoding: .utf8)
        } catch {
            return (url, .failure(ImportError([Diagnostic(file: url.path, message: "could not write the file: \(error.localizedDescription)")])))
        }
        return (url, readOrganisation(variant.yaml, file: url.lastPathComponent))
    }
    TerminalProgress.finish(orgMeter)
    var graphs: [OrgGraph] = []
    var orgURLs: [URL] = []
    for result in made {
        switch result.graph {
        case .success(let graph): graphs.append(graph); orgURLs.append(result.url)
        case .failure(let error): problems += error.diagnostics
        }
    }
    guard problems.isEmpty else { throw ImportError(problems) }

    let paying = Set(graphs.map(\.group.id).filter { id in templatesPayingAtDueDate.contains { id.hasPrefix($0 + "-") } })
    var settings = SimulationSettings(start: from, asOf: asOf, seed: seed)
    settings.missingEventRate = missing
    settings.payAtDueDate = paying
    settings.followUpEvents = true
    settings.invoicesPerSiteMonth = Simulator.rate(forInvoices: invoices, graphs: graphs, settings: settings)
    let invoicesURL = out.appendingPathComponent("invoices.csv"), eventsURL = out.appendingPathComponent("events.csv")
    let invoiceFile = try BufferedFile(creating: invoicesURL), eventFile = try BufferedFile(creating: eventsURL)
    let meter = TerminalProgress.meter("invoices", total: invoices)
    let result = try Simulator(settings: settings).runAtScale(graphs, invoicesTo: invoiceFile, eventsTo: eventFile, progress: meter)
    TerminalProgress.finish(meter)
    try invoiceFile.close()
    try eventFile.close()
    try writeTruth(result.truth, to: out.appendingPathComponent("truth.json"))
    let t = result.truth
    var summary = "simulated \(plural(groups, "customer group")) (\(orgFolder.path)/*.yaml), \(plural(result.invoices, "invoice")) "
        + "and \(plural(result.creditNotes, "credit note")), \(plural(result.events, "event")) (\(t.eventsMissing) missing, "
        + "\(t.eventsDuplicated) duplicated, \(plural(t.episodes.count, "stuck or disputed episode"))) from \(from) to \(asOf), seed \(seed): "
        + "\(out.path)/invoices.csv, events.csv, truth.json"
    if let db {
        let store = try Store.create(at: db)
        _ = try importOrganisations(orgURLs, into: store, archive: false)
        let i = try importInvoiceFiles([invoicesURL], into: store)
        let e = try importEventFiles([eventsURL], format: .events, into: store)
        summary += "\nimported into \(db): \(i.added) invoices added, \(e.added) events added, \(e.ignored) duplicates ignored"
    }
    return summary
}

/// The organisation in `text`, or the reader's diagnostics (a plain result: the typed throw stays in here).
func readOrganisation(_ text: String, file: String) -> Result<OrgGraph, ImportError> {
    do {
        return .success(try OrganisationReader.read(yaml: text, file: file))
    } catch {
        return .failure(error)
    }
}
