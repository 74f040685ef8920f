import ArgumentParser
import Foundation
import RelanceCore
import RelanceRender
import RelanceStore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List structural findings a credit manager can act on.",
        discussion: """
            Deliveries whose route reaches no payer, steps with no contact or no phone, one approver on whom many \
            sites depend, invoice addresses that do not process invoices, terms over the legal cap, unknown \
            payment runs, sites without SIRET.

            Examples:
              relance check
              relance check metalux --format json
            """
    )

    @OptionGroup var db: DatabaseOptions

    @Argument(help: "The customer (all customers when omitted).")
    var customer: String?

    @Option(help: "text, json or csv.")
    var format: OutputFormat = .text

    @Option(help: "Report a single approver when at least this many sites depend on them.")
    var singleApproverSites = OrgGraph.defaultSingleApproverSites

    func run() throws {
        let store = try db.open()
        let graphs: [OrgGraph]
        if let customer {
            graphs = try [store.graph(try store.resolveCustomer(customer))].compactMap { $0 }
        } else {
            graphs = try store.allGraphs()
        }
        let rows = graphs.flatMap { g in g.findings(singleApproverSites: singleApproverSites).map { (g.group.id, $0) } }
        switch format {
        case .text:
            if graphs.isEmpty { print("No customer in the database: import one with 'relance import org FILE'."); return }
            for g in graphs {
                let mine = rows.filter { $0.0 == g.group.id }.map(\.1)
                let w = mine.filter { $0.severity == .warning }.count
                print("\(g.group.name) (\(g.group.id)): \(plural(w, "warning")), \(plural(mine.count - w, "notice"))")
                for f in mine {
                    print("  \(f.severity == .warning ? "warning" : "notice ") [\(f.code)] \(f.message)")
                    print("          → \(f.advice)")
                }
            }
        case .json:
            struct Row: Encodable { var customer, code, severity, subject, message, advice: String }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(rows.map {
                Row(customer: $0.0, code: $0.1.code, severity: $0.1.severity.rawValue, subject: $0.1.subject.description,
                    message: $0.1.message, advice: $0.1.advice)
            })
            print(String(decoding: data, as: UTF8.self))
        case .csv:
            print("customer,severity,code,subject,message,advice")
            for (c, f) in rows {
                print([c, f.severity.rawValue, f.code, f.subject.description, f.message, f.advice].map(CSVWriters.field).joined(separator: ","))
            }
        default:
            throw ValidationError("relance check writes text, json or csv")
        }
    }
}
