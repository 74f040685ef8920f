import ArgumentParser
import Foundation
import RelanceCore
import RelancePlan
import RelanceRender
import RelanceSimulator
import RelanceStore

struct WhereCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "where",
        abstract: "Show where an invoice and its approval are inside the customer, and its timeline.",
        discussion: """
            Each step of the invoice's route is done (an event says so, or a later step does), pending (the \
            invoice or the approval is there, unless it moved on unreported: the probability is inferred from \
            the department's usual times and how often its steps are reported) or waiting.

            Example: relance where FA-2026-10455 --as-of 2026-11-27
            """)

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: "The invoice number.") var invoice: String
    @Option(help: "text or json.") var format: OutputFormat = .text

    func run() throws {
        let store = try db.open()
        let (book, p) = try position(of: invoice, in: store, asOf: try asOf.date())
        switch format {
        case .text: print(PositionRenderer.whereText(p, graph: book.graph, credited: book.credited[invoice]), terminator: "")
        case .json: print(try PositionJSON.render([p], credited: book.credited), terminator: "")
        default: throw ValidationError("relance where writes text or json")
        }
    }
}

struct StuckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stuck",
        abstract: "List stuck invoices, most at stake first.",
        discussion: """
            A step is stuck when a blocking event is not lifted (dispute, suspension, payment block, refusal) \
            or when the invoice has been there longer than the department's 90th percentile and is probably \
            still there. The stake is the open amount weighted by urgency: days left before the due date, or \
            before a bill of exchange must reach the bank.

            Examples:
              relance stuck --as-of 2026-11-27
              relance stuck --customer metalux --format csv
            """)

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var asOf: AsOfOption
    @Option(help: "Only this customer.") var customer: String?
    @Option(help: "text, json or csv.") var format: OutputFormat = .text
    @Option(help: "At most this many rows (0: all).") var limit = 0
    @Option(help: ArgumentHelp("Compare with a simulation's truth.json and print precision and recall.", valueName: "file"))
    var truth: String?
    @Option(help: "How sure we must be that an invoice is still at a slow step to call it stuck (0 to 1).")
    var minProbability = StuckFinder().minimumProbability

    func run() throws {
        let store = try db.open()
        let date = try asOf.date()
        let groups = try customer.map { [try store.resolveCustomer($0)] } ?? store.groups().map(\.id)
        guard (0...1).contains(minProbability) else { throw ValidationError("--min-probability is between 0 and 1") }
        let finder = StuckFinder(minimumProbability: minProbability)
        let (ranked, graphOf, _, openCount) = try stuckInvoices(in: store, groups: groups, asOf: date, finder: finder)
        let shown = limit > 0 ? Array(ranked.prefix(limit)) : ranked
        let rows = shown.compactMap { s in graphOf[s.invoice.id].map { PositionRenderer.stuckRow(s, graph: $0) } }
        switch format {
        case .text:
            print("\(plural(ranked.count, "stuck step")) among \(plural(openCount, "open invoice")) as of \(date)" + (shown.count < ranked.count ? " (top \(shown.count) shown)" : ""))
            if !rows.isEmpty { print(PositionRenderer.table(PositionRenderer.stuckColumns, rows), terminator: "") }
        case .csv:
            print(PositionRenderer.stuckColumns.joined(separator: ","))
            for r in rows { print(r.map(CSVWriters.field).joined(separator: ",")) }
        case .json:
            let objects = rows.map { Dictionary(uniqueKeysWithValues: zip(PositionRenderer.stuckColumns, $0)) }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        default: throw ValidationError("relance stuck writes text, json or csv")
        }
        if let truth {
            let t = try JSONDecoder().decode(GroundTruth.self, from: Data(contentsOf: URL(fileURLWithPath: truth)))
            let e = StuckEvaluation(truth: t.episodes(openOn: date), found: ranked.map { ($0.invoice.id, $0.department?.id) })
            let line = String(format: "against %@: precision %.2f (%d of %d flagged are truly stuck), recall %.2f (%d of %d stuck found)",
                         truth, e.precision, e.truePositives, e.flagged, e.recall, e.found, e.actual)
            // On standard error, so that --format json or csv stays parseable.
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}

struct WhoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who",
        abstract: "Whom to call about an invoice, what to ask, and who comes next.",
        discussion: "Example: relance who FA-2026-10398 --as-of 2026-11-27")

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var asOf: AsOfOption
    @Argument(help: "The invoice number.") var invoice: String

    func run() throws {
        let store = try db.open()
        let date = try asOf.date()
        let (book, p) = try position(of: invoice, in: store, asOf: date)
        let stuck = StuckFinder().stuck(p, credited: book.credited[invoice]).first
        let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt
        // From 08:00 on the as-of day, or now when that is today.
        let moment = date == .today() ? Date() : date.start(in: zone).addingTimeInterval(8 * 3600)
        let plan = CallPlanner(graph: book.graph, learned: book.learned).plan(for: p, stuck: stuck, at: moment)
        print(PositionRenderer.callPlanText(plan, position: p, graph: book.graph), terminator: "")
    }
}
