import ArgumentParser
import Foundation
import RelanceCore
import RelanceRender
import RelanceStore

/// `relance export`: data out of the database, in the import formats.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export data from the database in the formats import reads.",
        subcommands: [ExportEventsCommand.self])
}

/// `relance export events`: the event log as a canonical events CSV (docs/formats.md).
struct ExportEventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Write every stored event as a canonical events CSV.",
        discussion: """
            The columns of docs/formats.md (invoice, state, at, time_zone, department, contact, source, raw_code, \
            reason, action, note, amount, currency, date), one row per stored event, by invoice then time. `at` is \
            the instant in UTC (2026-10-26T08:12:00Z) and `time_zone` the zone it was received in; a state-less \
            event is written as `note`. `relance import events` reads the file back.

            Examples:
              relance export events --out events.csv
              relance export events --out events.csv --as-of 2026-11-27
            """)

    @OptionGroup var db: DatabaseOptions
    @Option(help: ArgumentHelp("The CSV file to write ('-' for standard output).", valueName: "file")) var out: String
    @Option(name: .customLong("as-of"), help: ArgumentHelp("Only events up to the end of this day (Paris time).", valueName: "date"))
    var asOf: String?

    func run() throws {
        let store = try db.open()
        let until = try asOf.map { try day($0, option: "--as-of").adding(days: 1).start(in: TimeZone(identifier: "Europe/Paris") ?? .gmt) }
        let writer = try CSVFileWriter(path: out)
        writer.append("invoice,state,at,time_zone,department,contact,source,raw_code,reason,action,note,amount,currency,date\n")
        let count = try store.forEachEvent(until: until) { e in
            writer.append(ExportEventsCommand.row(e))
        }
        try writer.close()
        if out != "-" {
            print("\(plural(count, "event")) written to \(out)")
        }
    }

    /// One CSV line (with its newline).
    static func row(_ e: InvoiceEvent) -> String {
        var fields = [e.invoice, e.state?.rawValue ?? "note", instant(e.at), e.timeZone, e.department ?? "", e.contact ?? "", e.source.rawValue,
                      e.rawCode ?? "", e.reason ?? "", e.action ?? "", e.note ?? ""]
        if let amount = e.amount {
            fields += [amount.amountText.replacingOccurrences(of: ",", with: ""), amount.currency]
        } else {
            fields += ["", ""]
        }
        fields.append(e.date?.description ?? "")
        return fields.map(CSVWriters.field).joined(separator: ",") + "\n"
    }

    /// `2026-10-26T08:12:00Z`, from the whole seconds since 1970 (what the store keeps).
    static func instant(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - day * 86_400
        return "\(CivilDate(dayNumber: Int(day)))T\(pad(rest / 3600)):\(pad(rest / 60 % 60)):\(pad(rest % 60))Z"
    }

    private static func pad(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

/// Text appended to a file (or standard output) through a buffer written in large blocks.
final class CSVFileWriter {
    private let handle: FileHandle
    private let ownsHandle: Bool
    private var buffer: [UInt8] = []

    init(path: String) throws {
        if path == "-" {
            handle = .standardOutput
            ownsHandle = false
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw UserError("cannot write \(path)") }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            ownsHandle = true
        }
        buffer.reserveCapacity(1 << 20)
    }

    func append(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        if ownsHandle { try handle.close() }
    }
}
