import ArgumentParser
import Foundation
import RelanceCore
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

    func run() throws {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try Store.create(at: path)
        let files = Samples.organisationFiles
        guard !files.isEmpty else { throw ValidationError("the bundled samples are missing from this installation") }

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
                let run = first.nextPaymentRun(forSite: site.id, onOrAfter: .today()).map { ", next run \($0)" } ?? ""
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

        section("Go on exploring")
        print("  The demo database is \(path). Try:")
        for g in graphs { print("    relance map \(g.group.id) --db \(path)") }
        print("    relance map \(graphs.first?.group.id ?? "metalux") --db \(path) --format svg --output org.svg")
        print("    relance check --db \(path)")
    }

    func section(_ title: String) {
        print("\n== \(title)")
    }
}
