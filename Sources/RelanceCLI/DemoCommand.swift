import ArgumentParser
import Foundation
import RelanceCore
import RelancePlan
import RelanceForecast
import RelanceRender
import RelanceSamples
import RelanceStore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a fresh database from the bundled samples and show what Relance does.",
        discussion: """
            Works from any folder: the samples travel with the program. The database is left in the current \
            folder (relance-demo.sqlite unless --db says otherwise) so you can go on exploring it.

            Example: relance demo && relance map maisonvert --db relance-demo.sqlite
            """
    )

    @Option(name: .customLong("db"), help: ArgumentHelp("Where to build the demo database (replaced if it exists).", valueName: "path"))
    var path = "relance-demo.sqlite"

    /// The day the demo looks from: the bundled messages and the simulated history stop there, so the
    /// demo shows the same thing whatever the date it is run.
    static let asOf = CivilDate(year: 2026, month: 11, day: 27) ?? .today()

    func run() throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try Store.create(at: path)
        let files = Samples.organisationFiles
        guard !files.isEmpty, let invoices = Samples.invoices, let events = Samples.events else {
            throw ValidationError("the bundled samples are missing from this installation")
        }
        let asOf = DemoCommand.asOf
        let data = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + "-data"

        section("1. Import the sample customers (relance import org)")
        for line in try importOrganisations(files, into: store, archive: false) { print("  " + line) }

        let graphs = try store.allGraphs()
        if let first = graphs.first(where: { $0.group.id == "metalux" }) ?? graphs.first {
            section("2. A customer's organisation and routes (relance map \(first.group.id))")
            print(OrgTextRenderer.render(first), terminator: "")
            section("3. Where an invoice goes (relance map \(first.group.id) --format json: routes[].paths)")
            for site in first.sites where site.receivesDeliveries {
                guard let r = first.route(forSite: site.id), let payer = first.payer(of: site.id),
                      let runs = first.paymentCalendarOwner(forSite: site.id) else { continue }
                let run = first.nextPaymentRun(forSite: site.id, onOrAfter: asOf).map { ", next run after \(asOf): \($0)" } ?? ""
                print("  \(site.name): route \(r.id), owed by \(payer.name), paid in the runs of \(runs.name)\(run)")
                for path in first.paths(forSite: site.id) {
                    print("    " + path.map { "\($0.step.id)@\($0.department?.id ?? "?")" }.joined(separator: " → "))
                }
            }
        }

        section("4. What to fix in what we know of each customer (relance check)")
        for g in graphs {
            let findings = g.findings()
            let warnings = findings.filter { $0.severity == .warning }
            print("  \(g.group.name): \(plural(warnings.count, "warning")), \(plural(findings.count - warnings.count, "notice"))")
            for f in warnings.prefix(4) { print("    [\(f.code)] \(f.message)") }
            if warnings.count > 4 { print("    … and \(warnings.count - 4) more: relance check \(g.group.id) --db \(path)") }
        }

        section("5. A year of history (relance simulate, then relance import invoices / events)")
        print("  " + (try simulate(orgs: files, from: CivilDate(year: 2026, month: 1, day: 5) ?? asOf.adding(days: -326), asOf: asOf, seed: 7,
                                  rate: 5, missing: 0.2, out: URL(fileURLWithPath: data), db: nil)))
        let si = try importInvoiceFiles([URL(fileURLWithPath: data + "/invoices.csv"), invoices], into: store)
        print("  invoices: \(si.added) added (the simulated ones and samples/invoices.csv)")
        let se = try importEventFiles([URL(fileURLWithPath: data + "/events.csv"), events], format: .events, into: store)
        print("  events: \(se.added) added, \(se.ignored) duplicates ignored")
        for (format, suffix) in [(EventFormat.cdar, ".cdar.xml"), (.peppol, ".peppol.xml"), (.chorus, ".chorus.csv")] {
            let urls = Samples.messages(ending: suffix)
            guard !urls.isEmpty else { continue }
            let r = try importEventFiles(urls, format: format, into: store)
            print("  \(format.rawValue): \(urls.map(\.lastPathComponent).joined(separator: ", ")): \(plural(r.added, "event")) added"
                  + (r.learnedContacts > 0 ? ", \(plural(r.learnedContacts, "contact")) learned" : ""))
        }

        section("6. Stuck invoices as of \(asOf), most at stake first (relance stuck --as-of \(asOf))")
        let finder = StuckFinder()
        let (allStuck, graphOf, books, _) = try stuckInvoices(in: store, groups: graphs.map(\.group.id), asOf: asOf, finder: finder)
        let ranked = allStuck.prefix(8)
        print(PositionRenderer.table(PositionRenderer.stuckColumns, ranked.compactMap { s in graphOf[s.invoice.id].map { PositionRenderer.stuckRow(s, graph: $0) } })
            .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))

        for (id, title) in [("FA-2026-10455", "a disputed bill of exchange"), ("FA-2026-10398", "a capital expenditure awaiting approval")] {
            guard let inv = try store.invoice(id), let book = books[inv.group], let p = book.positions.first(where: { $0.invoice.id == id }) else { continue }
            section("7. Where is \(id), \(title) (relance where \(id) --as-of \(asOf))")
            print(PositionRenderer.whereText(p, graph: book.graph, credited: book.credited[id]), terminator: "")
            let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt
            let plan = CallPlanner(graph: book.graph, learned: book.learned)
                .plan(for: p, stuck: finder.stuck(p, credited: book.credited[id]).first, at: asOf.start(in: zone).addingTimeInterval(8 * 3600))
            section("8. Whom to call about \(id) (relance who \(id) --as-of \(asOf))")
            print(PositionRenderer.callPlanText(plan, position: p, graph: book.graph), terminator: "")
        }

        if let book = books["metalux"] {
            section("9. When Groupe Métalux will pay (relance forecast --customer metalux --as-of \(asOf))")
            let fs = forecasts(for: book, asOf: asOf).sorted { ($0.p50, $0.invoice) < ($1.p50, $1.invoice) }
            let open = Dictionary(book.open.map { ($0.invoice.id, $0.invoice.openAmount(credited: book.credited[$0.invoice.id])) }, uniquingKeysWith: { a, _ in a })
            let rows = fs.prefix(8).map { f in
                [f.invoice, open[f.invoice]?.description ?? "", f.dueDate.description, f.p10.description, f.p50.description, f.p90.description,
                 String(format: "%.0f%%", f.probabilityByDue * 100), f.explanation]
            }
            print(PositionRenderer.table(["invoice", "open", "due", "p10", "p50", "p90", "p_by_due", "why"], rows)
                .split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }

        section("10. Today's follow-up agenda, short (relance agenda --date \(asOf))")
        let today = try agenda(in: store, date: asOf)
        print(AgendaText.render(today, limit: 3).split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "  " + $0 }
            .joined(separator: "\n"), terminator: "")
        let policies = try followUpPolicies(in: store)
        if let letter = today.letters.first(where: { $0.level == .overdue }) ?? today.letters.first {
            section("11. A letter of the day (relance letters --date \(asOf) --out letters/)")
            let r = try LetterRenderer.render(letter, date: asOf, policy: policies[letter.group] ?? FollowUpPolicy(), sender: "Service crédit clients")
            print("  \(r.fileName)")
            print(r.body.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }.joined(separator: "\n"), terminator: "")
        }

        section("Go on exploring")
        print("  The demo database is \(path); the simulated files are in \(data)/. Try:")
        print("    relance map maisonvert --db \(path)")
        print("    relance map metalux --db \(path) --format svg --output metalux.svg")
        print("    relance stuck --db \(path) --as-of \(asOf) --truth \(data)/truth.json")
        print("    relance where FA-2026-10503 --db \(path) --as-of \(asOf)")
        print("    relance who FA-2026-10503 --db \(path) --as-of \(asOf)")
        print("    relance forecast --db \(path) --as-of \(asOf) --customer maisonvert")
        print("    relance cashflow --db \(path) --as-of \(asOf) --by week")
        print("    relance backtest --db \(path) --at before-due --days 10 --from 2026-03-01")
        print("    relance agenda --db \(path) --date \(asOf) --for \"Claire Dubois\"")
        print("    relance letters --db \(path) --date \(asOf) --out letters/")
        print("    relance check --db \(path)")
    }

    func section(_ title: String) {
        print("\n== \(title)")
    }
}
