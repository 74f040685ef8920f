import ArgumentParser
import Foundation
import RelanceCore
import RelanceImport
import RelanceStore

struct ImportInvoicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoices",
        abstract: "Load invoices and credit notes from CSV (columns: docs/formats.md).",
        discussion: """
            Each invoice must name a known legal entity and a delivery site of the same customer. A missing due \
            date is computed from the entity's terms. Importing the same file again changes nothing; a changed \
            row updates the invoice and records each changed field.

            Example: relance import invoices samples/invoices.csv
            """
    )

    @OptionGroup var db: DatabaseOptions
    @Argument(help: ArgumentHelp("Invoice files (CSV).", valueName: "file")) var files: [String]

    func run() throws {
        let store = try db.open()
        let report = try importInvoiceFiles(files.map { URL(fileURLWithPath: $0) }, into: store)
        print("invoices: \(report.added) added, \(report.updated) updated, \(report.unchanged) unchanged")
    }
}

func importInvoiceFiles(_ urls: [URL], into store: Store) throws -> ImportReport {
    var records: [InvoiceRecord] = []
    var problems: [Diagnostic] = []
    for url in urls {
        do { records += try InvoiceCSVReader.read(contentsOf: url) } catch { problems += error.diagnostics }
    }
    guard problems.isEmpty else { throw ImportError(problems) }
    let inputs = records.map { r in
        InvoiceInput(invoice: Invoice(
            id: r.number, kind: r.kind, group: "", entity: r.entity, site: r.site, sentTo: r.sentTo, orderNumber: r.orderNumber,
            orderType: r.orderType, deliveryNote: r.deliveryNote, issueDate: r.issueDate, deliveryDate: r.deliveryDate,
            dueDate: r.dueDate ?? r.issueDate, dueDateGiven: r.dueDate != nil, amount: r.amount, method: r.method, salesRep: r.salesRep,
            credits: r.credits, discounted: r.discounted, payments: r.payments, channel: r.channel),
            givenDueDate: r.dueDate, receiptDate: r.receiptDate, place: "\(r.file):\(r.line)")
    }
    return try store.importInvoices(inputs, source: urls.map(\.lastPathComponent).joined(separator: ", "))
}

/// The formats of event files.
enum EventFormat: String, CaseIterable {
    case events, cdar, peppol, chorus

    var abstract: String {
        switch self {
        case .events: return "Load events from CSV or JSON Lines (.jsonl): the canonical format (docs/formats.md)."
        case .cdar: return "Load French e-invoicing lifecycle messages (CDAR, status codes 200 to 213)."
        case .peppol: return "Load Peppol Invoice Responses (UBL ApplicationResponse, UNCL4343 codes)."
        case .chorus: return "Load Chorus Pro status histories (CSV or JSON from the API)."
        }
    }

    func read(_ url: URL) throws(ImportError) -> [EventRecord] {
        if self == .events { return try EventFileReader.read(contentsOf: url) }
        guard let data = try? Data(contentsOf: url) else {
            throw ImportError([Diagnostic(file: url.path, message: "cannot read the file")])
        }
        switch self {
        case .cdar: return try CDARReader.read(data, file: url.lastPathComponent)
        case .peppol: return try PeppolReader.read(data, file: url.lastPathComponent)
        case .chorus: return try ChorusProReader.read(data, file: url.lastPathComponent)
        case .events: return []
        }
    }
}

/// Reads event files of one format and appends them to the log, all or nothing. Events that do not name
/// their department get the department of the route step their state shows done, when there is one.
func importEventFiles(_ urls: [URL], format: EventFormat, into store: Store) throws -> ImportReport {
    var records: [EventRecord] = []
    var problems: [Diagnostic] = []
    for url in urls {
        do { records += try format.read(url) } catch { problems += error.diagnostics }
    }
    guard problems.isEmpty else { throw ImportError(problems) }
    var graphs: [String: OrgGraph] = [:]
    var invoices: [String: Invoice] = [:]
    let inputs: [EventInput] = try records.map { r in
        var e = r.event
        let identity = e.identityKey
        if e.department == nil, let state = e.state {
            if invoices[e.invoice] == nil { invoices[e.invoice] = try store.invoice(e.invoice) }
            if let inv = invoices[e.invoice] {
                if graphs[inv.group] == nil { graphs[inv.group] = try store.graph(inv.group) }
                e.department = graphs[inv.group]?.likelyDepartment(of: state, for: inv)
            }
        }
        return EventInput(event: e, place: "\(r.file)" + (r.line.map { ":\($0)" } ?? ""), contactName: r.learnedContact?.name,
                          contactPhone: r.learnedContact?.phone, contactEmail: r.learnedContact?.email, identity: identity)
    }
    return try store.appendEvents(inputs, source: urls.map(\.lastPathComponent).joined(separator: ", "))
}

struct ImportEventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: EventFormat.events.abstract,
        discussion: """
            Events may arrive late and out of order; duplicates are recognised and ignored. An event for an \
            unknown invoice, department or contact refuses the whole import.

            Example: relance import events calls.csv portal.jsonl
            """)
    @OptionGroup var db: DatabaseOptions
    @Argument(help: ArgumentHelp("Event files (.csv or .jsonl).", valueName: "file")) var files: [String]
    func run() throws { try runEventImport(files, .events, db) }
}

struct ImportCDARCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdar", abstract: EventFormat.cdar.abstract,
        discussion: "Example: relance import cdar samples/messages/metalux-FA-2026-10412.cdar.xml")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: ArgumentHelp("CDAR XML files.", valueName: "file")) var files: [String]
    func run() throws { try runEventImport(files, .cdar, db) }
}

struct ImportPeppolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peppol", abstract: EventFormat.peppol.abstract,
        discussion: "The buyer contact a response carries becomes a known contact of the customer.\n\nExample: relance import peppol samples/messages/maisonvert-FA-2026-10503.peppol.xml")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: ArgumentHelp("Peppol XML files.", valueName: "file")) var files: [String]
    func run() throws { try runEventImport(files, .peppol, db) }
}

struct ImportChorusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chorus", abstract: EventFormat.chorus.abstract,
        discussion: "Example: relance import chorus samples/messages/chu-armor-FA-2026-10377.chorus.csv")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: ArgumentHelp("Chorus Pro files (.csv or .json).", valueName: "file")) var files: [String]
    func run() throws { try runEventImport(files, .chorus, db) }
}

func runEventImport(_ files: [String], _ format: EventFormat, _ db: DatabaseOptions) throws {
    let store = try db.open()
    let r = try importEventFiles(files.map { URL(fileURLWithPath: $0) }, format: format, into: store)
    print("events: \(r.added) added, \(r.ignored) duplicate\(r.ignored == 1 ? "" : "s") ignored"
          + (r.learnedContacts > 0 ? ", \(plural(r.learnedContacts, "contact")) learned" : ""))
}
