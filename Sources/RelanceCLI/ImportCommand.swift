import ArgumentParser
import Foundation
import RelanceCore
import RelanceImport
import RelanceStore

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load data files into the database. Each import is all or nothing.",
        discussion: """
            Examples:
              relance import org samples/orgs/metalux.yaml
              relance import invoices samples/invoices.csv
              relance import cdar samples/messages/*.cdar.xml
            """,
        subcommands: [ImportOrgCommand.self, ImportInvoicesCommand.self, ImportEventsCommand.self, ImportCDARCommand.self,
                      ImportPeppolCommand.self, ImportChorusCommand.self, ImportLedgerCommand.self]
    )
}

struct ImportOrgCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Load organisation files (YAML, one customer group per file).",
        discussion: """
            Every file is checked before anything is written; one problem anywhere and nothing is saved. \
            Importing an edited file again updates the customer in place. Removing a department or contact \
            that history refers to is refused unless --archive is given.

            Example: relance import org samples/orgs/metalux.yaml samples/orgs/maisonvert.yaml
            """
    )

    @OptionGroup var db: DatabaseOptions

    @Flag(help: "Keep elements that the new files remove but history refers to, as archived.")
    var archive = false

    @Argument(help: ArgumentHelp("Organisation files (format: docs/formats.md).", valueName: "file"))
    var files: [String]

    func run() throws {
        let store = try db.open()
        let reports = try importOrganisations(files.map { URL(fileURLWithPath: $0) }, into: store, archive: archive)
        print(reports.joined(separator: "\n"))
    }
}

/// Reads every file, then saves them all in one transaction; returns one line per customer.
func importOrganisations(_ urls: [URL], into store: Store, archive: Bool) throws -> [String] {
    var graphs: [OrgGraph] = []
    var problems: [Diagnostic] = []
    var seen: [String: String] = [:]
    for url in urls {
        do {
            let g = try OrganisationReader.read(contentsOf: url)
            if let other = seen[g.group.id] {
                problems.append(Diagnostic(file: url.lastPathComponent, field: "group.id",
                                           message: "customer group '\(g.group.id)' is also described by \(other): one file per group"))
            }
            seen[g.group.id] = url.lastPathComponent
            graphs.append(g)
        } catch {
            problems += error.diagnostics
        }
    }
    guard problems.isEmpty else { throw ImportError(problems) }
    let reports = try store.save(graphs, sources: urls.map(\.lastPathComponent), archiveRemoved: archive)
    return zip(graphs, reports).map { g, r in
        var parts: [String] = []
        if r.added > 0 { parts.append("\(r.added) added") }
        if r.updated > 0 { parts.append("\(r.updated) updated") }
        if r.unchanged > 0 { parts.append("\(r.unchanged) unchanged") }
        if r.removed > 0 { parts.append("\(r.removed) removed") }
        if r.archived > 0 { parts.append("\(r.archived) archived") }
        let warnings = g.findings().filter { $0.severity == .warning }.count
        let verb = r.isNew ? "new customer" : (r.added + r.updated + r.removed + r.archived == 0 ? "unchanged" : "updated")
        return "\(g.group.id): \(verb) \(g.group.name): "
            + [plural(g.entities.count, "entity", "entities"), plural(g.sites.count, "site"), plural(g.departments.count, "department"),
               plural(g.contacts.count, "contact"), plural(g.routes.count, "route")].joined(separator: ", ")
            + " (\(parts.isEmpty ? "nothing" : parts.joined(separator: ", ")))"
            + (warnings > 0 ? "; \(plural(warnings, "warning")): relance check \(g.group.id)" : "")
    }
}

/// "1 site", "2 sites".
func plural(_ n: Int, _ one: String, _ many: String? = nil) -> String {
    "\(n) \(n == 1 ? one : many ?? one + "s")"
}
