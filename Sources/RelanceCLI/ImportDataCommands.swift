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
        let urls = files.map { URL(fileURLWithPath: $0) }
        // The total is an estimate of the rows from the files' sizes (exact counts would mean reading them twice).
        let meter = TerminalProgress.meter("invoices", total: estimatedRows(urls))
        let report = try withProgress(meter) { try importInvoiceFiles(urls, into: store, progress: meter) }
        print("invoices: \(report.added) added, \(report.updated) updated, \(report.unchanged) unchanged")
    }
}

/// Reads invoice files and stores them, all or nothing, streamed: each row is checked and written as it is
/// read, inside one transaction. Any problem refuses the whole import with every problem found.
func importInvoiceFiles(_ urls: [URL], into store: Store, progress: ProgressMeter? = nil) throws -> ImportReport {
    var diagnostics: [Diagnostic] = []
    let source = urls.map(\.lastPathComponent).joined(separator: ", ")
    return try store.importInvoices(source: source, progress: progress.map { meter in { meter.advance(by: $0) } }) { importer in
        for url in urls {
            do {
                try InvoiceCSVReader.stream(contentsOf: url, invoice: { r in
                    try importer.add(InvoiceInput(invoice: Invoice(
                        id: r.number, kind: r.kind, group: "", entity: r.entity, site: r.site, sentTo: r.sentTo, orderNumber: r.orderNumber,
                        orderType: r.orderType, deliveryNote: r.deliveryNote, issueDate: r.issueDate, deliveryDate: r.deliveryDate,
                        dueDate: r.dueDate ?? r.issueDate, dueDateGiven: r.dueDate != nil, amount: r.amount, method: r.method, salesRep: r.salesRep,
                        credits: r.credits, discounted: r.discounted, payments: r.payments, channel: r.channel),
                        givenDueDate: r.dueDate, receiptDate: r.receiptDate, place: "\(r.file):\(r.line)"))
                }, problems: { problems in
                    diagnostics += problems
                    importer.stopWriting()
                })
            } catch let error as ImportError {
                diagnostics += error.diagnostics
                importer.stopWriting()
            }
        }
        guard diagnostics.isEmpty else {
            throw ImportError(diagnostics + importer.problems.map { Diagnostic(file: $0.place, field: $0.field, message: $0.message) })
        }
    }
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
///
/// CSV event files are streamed: each row is checked and inserted as it is read, inside one transaction,
/// so memory does not grow with the file. Any problem (a malformed row, an unknown invoice…) refuses the
/// whole import with every problem found, and nothing is written.
func importEventFiles(_ urls: [URL], format: EventFormat, into store: Store, progress: ProgressMeter? = nil) throws -> ImportReport {
    var diagnostics: [Diagnostic] = []
    let source = urls.map(\.lastPathComponent).joined(separator: ", ")
    return try store.appendEvents(source: source, inferDepartments: true, progress: progress.map { meter in { meter.advance(by: $0) } }) { appender in
        func append(_ r: EventRecord) throws {
            try appender.append(EventInput(event: r.event, place: r.file + (r.line.map { ":\($0)" } ?? ""),
                                           contactName: r.learnedContact?.name, contactPhone: r.learnedContact?.phone,
                                           contactEmail: r.learnedContact?.email))
        }
        for url in urls {
            do {
                if format == .events && !EventFileReader.isJSONLines(url) {
                    let file = url.lastPathComponent
                    try EventFileReader.streamCSVFields(contentsOf: url, fields: { try appender.append($0, file: file, line: $1) },
                                                        event: append, problems: { problems in
                        diagnostics += problems
                        appender.stopInserting()
                    })
                } else {
                    for r in try format.read(url) { try append(r) }
                }
            } catch let error as ImportError {
                diagnostics += error.diagnostics
                appender.stopInserting()
            }
        }
        guard diagnostics.isEmpty else {
            throw ImportError(diagnostics + appender.problems.map { Diagnostic(file: $0.place, field: $0.field, message: $0.message) })
        }
    }
}

/// Runs `body`, then ends the progress line (before the command prints its summary, so that the two do not
/// share a line).
func withProgress<T>(_ meter: ProgressMeter?, _ body: () throws -> T) rethrows -> T {
    defer { TerminalProgress.finish(meter) }
    return try body()
}

/// An estimate of the number of rows in files (from their sizes and the average length of the lines in
/// the first 64 KiB of the first one), for the progress line's total and time left.
func estimatedRows(_ urls: [URL]) -> Int? {
    let sizes = urls.compactMap { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? NSNumber)?.intValue }
    guard let first = urls.first, let handle = try? FileHandle(forReadingFrom: first),
          let sample = try? handle.read(upToCount: 64 * 1024), !sample.isEmpty else { return nil }
    try? handle.close()
    let lines = sample.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    guard lines > 1 else { return nil }
    let total = sizes.reduce(0, +)
    return max(0, total * lines / sample.count - urls.count)
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
    let urls = files.map { URL(fileURLWithPath: $0) }
    // The total is an estimate of the rows from the files' sizes (exact counts would mean reading them twice).
    let meter = TerminalProgress.meter("events", total: format == .events ? estimatedRows(urls) : nil)
    let r = try withProgress(meter) { try importEventFiles(urls, format: format, into: store, progress: meter) }
    print("events: \(r.added) added, \(r.ignored) duplicate\(r.ignored == 1 ? "" : "s") ignored"
          + (r.learnedContacts > 0 ? ", \(plural(r.learnedContacts, "contact")) learned" : ""))
}
