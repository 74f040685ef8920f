import ArgumentParser
import Foundation
import RelanceCore
import RelanceImport
import RelanceStore

struct ImportLedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Load a plain receivables ledger: customers, invoices, payments and dispute flags in one CSV.",
        discussion: """
            The usual first import: no organisation file is needed. Each customer not yet known becomes a \
            customer group with one legal entity and no route, so its forecasts come from its payment history \
            until its organisation is described. Columns (rename with --map NAME=COLUMN): customer, invoice, \
            issue_date, due_date, amount (required); currency, paid_date, paid_amount, channel, disputed, \
            customer_name (optional). A disputed invoice gets an in-dispute event on its issue date. \
            docs/forecasting.md has the recipe for the public IBM sample.

            Example:
              relance import ledger ledger.csv --date-format mdy --currency USD \\
                --map customer=customerID --map invoice=invoiceNumber --map issue_date=InvoiceDate \\
                --map due_date=DueDate --map amount=InvoiceAmount --map paid_date=SettledDate \\
                --map channel=PaperlessBill --map disputed=Disputed
            """)

    enum DateFormat: String, ExpressibleByArgument { case ymd, dmy, mdy }

    @OptionGroup var db: DatabaseOptions
    @Argument(help: ArgumentHelp("The ledger (CSV).", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("A column's name in the file: NAME=COLUMN.", valueName: "name=column")) var map: [String] = []
    @Option(name: .customLong("date-format"), help: "ymd (2026-03-10), dmy (10/03/2026) or mdy (3/10/2026).") var dateFormat: DateFormat = .ymd
    @Option(help: "Currency when the file has no currency column.") var currency = "EUR"

    static let fields = ["customer", "invoice", "issue_date", "due_date", "amount", "currency", "paid_date", "paid_amount", "channel",
                         "disputed", "customer_name"]

    func run() throws {
        var columns: [String: String] = [:]
        for m in map {
            let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, ImportLedgerCommand.fields.contains(parts[0]) else {
                throw ValidationError("--map '\(m)' must be NAME=COLUMN with NAME one of: \(ImportLedgerCommand.fields.joined(separator: ", "))")
            }
            columns[parts[0]] = parts[1]
        }
        let store = try db.open()
        let url = URL(fileURLWithPath: file)
        let ledger = try LedgerReader.read(contentsOf: url, columns: columns, dateFormat: dateFormat.rawValue, currency: currency)
        let known = Set(try store.groups().map(\.id))
        var graphs: [OrgGraph] = []
        for (id, name) in ledger.customers where !known.contains(id) {
            var g = OrgGraph(group: CustomerGroup(id: id, name: name, notes: "Created from the ledger \(url.lastPathComponent)"))
            g.entities = [LegalEntity(id: "\(id).entity", name: name)]
            g.sites = [Site(id: "\(id).site", entity: "\(id).entity", name: name, kind: .office, receivesDeliveries: false)]
            graphs.append(g)
        }
        let invoices = ledger.rows.map { r in
            InvoiceInput(invoice: Invoice(id: r.invoice, group: r.customer, entity: "\(r.customer).entity", site: "\(r.customer).site",
                                          issueDate: r.issue, dueDate: r.due, dueDateGiven: true, amount: r.amount,
                                          payments: r.paid.map { [Payment(date: $0, amount: r.paidAmount ?? r.amount)] } ?? [], channel: r.channel),
                         givenDueDate: r.due, receiptDate: nil, place: "\(url.lastPathComponent):\(r.line)")
        }
        let zone = TimeZone(identifier: "Europe/Paris") ?? .gmt
        let events = ledger.rows.filter(\.disputed).map { r in
            EventInput(event: InvoiceEvent(invoice: r.invoice, state: .inDispute, at: r.issue.start(in: zone).addingTimeInterval(12 * 3600),
                                           source: .erp, note: "disputed in the ledger"),
                       place: "\(url.lastPathComponent):\(r.line)")
        }
        let (i, e) = try store.importLedger(organisations: graphs, invoices: invoices, events: events, source: url.lastPathComponent)
        print("ledger: \(plural(graphs.count, "new customer")), invoices \(i.added) added, \(i.updated) updated, \(i.unchanged) unchanged; "
              + "\(plural(e.added, "dispute event")) added, \(e.ignored) already known")
    }
}

/// One row of a plain ledger.
struct LedgerRow {
    var line: Int
    var customer, invoice: String
    var issue, due: CivilDate
    var amount: Money
    var paid: CivilDate?
    var paidAmount: Money?
    var channel: String?
    var disputed: Bool
}

/// Reads a plain ledger CSV with a column mapping.
enum LedgerReader {
    static func read(contentsOf url: URL, columns: [String: String], dateFormat: String, currency: String) throws
        -> (customers: [(String, String)], rows: [LedgerRow]) {
        let name = url.lastPathComponent
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch { throw ImportError([Diagnostic(file: url.path, message: "cannot read the file")]) }
        let records = try EventFileReader.csvRecords(text: text, file: name)
        let header = records.header
        func column(_ field: String) -> Int? {
            let wanted = CSVNames.normalise(columns[field] ?? field)
            return header.firstIndex(of: wanted)
        }
        var problems: [Diagnostic] = []
        for f in ["customer", "invoice", "issue_date", "due_date", "amount"] where column(f) == nil {
            problems.append(Diagnostic(file: name, line: 1, field: columns[f] ?? f, message: "missing column for \(f) (use --map \(f)=COLUMN)"))
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        func day(_ s: String) -> CivilDate? {
            let t = s.trimmingCharacters(in: .whitespaces)
            if dateFormat == "ymd" { return CivilDate(iso: t) }
            let p = t.split(separator: "/").compactMap { Int($0) }
            guard p.count == 3, (2000...2100).contains(p[2]) else { return nil }
            return dateFormat == "dmy" ? CivilDate(year: p[2], month: p[1], day: p[0]) : CivilDate(year: p[2], month: p[0], day: p[1])
        }
        var rows: [LedgerRow] = []
        var customers: [(String, String)] = []
        var seenCustomers = Set<String>(), seenInvoices = Set<String>()
        for r in records.rows {
            func value(_ f: String) -> String? {
                guard let i = column(f), i < r.fields.count else { return nil }
                let v = r.fields[i].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            func bad(_ f: String, _ m: String) { problems.append(Diagnostic(file: name, line: r.line, field: columns[f] ?? f, message: m)) }
            guard let rawCustomer = value("customer") else { bad("customer", "the customer is empty"); continue }
            let customer = String(rawCustomer.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? Character($0.lowercased()) : "-" })
            guard let invoice = value("invoice") else { bad("invoice", "the invoice number is empty"); continue }
            if !seenInvoices.insert(invoice).inserted { bad("invoice", "invoice \(invoice) appears twice") }
            let cur = (value("currency") ?? currency).uppercased()
            guard let issue = value("issue_date").flatMap(day) else { bad("issue_date", "'\(value("issue_date") ?? "")' is not a \(dateFormat) date"); continue }
            guard let due = value("due_date").flatMap(day) else { bad("due_date", "'\(value("due_date") ?? "")' is not a \(dateFormat) date"); continue }
            guard let amount = value("amount").flatMap({ Money(parsing: $0, currency: cur) }), amount.minorUnits > 0 else {
                bad("amount", "'\(value("amount") ?? "")' is not a positive amount"); continue
            }
            var paid: CivilDate?
            if let p = value("paid_date") {
                guard let d = day(p) else { bad("paid_date", "'\(p)' is not a \(dateFormat) date"); continue }
                if d < issue { bad("paid_date", "paid \(d) before the invoice date \(issue)") }
                paid = d
            }
            var paidAmount: Money?
            if let a = value("paid_amount") {
                guard let m = Money(parsing: a, currency: cur) else { bad("paid_amount", "'\(a)' is not an amount"); continue }
                paidAmount = m
            }
            var disputed = false
            if let d = value("disputed")?.lowercased() {
                switch d {
                case "yes", "y", "true", "1", "oui": disputed = true
                case "no", "n", "false", "0", "non": disputed = false
                default: bad("disputed", "'\(d)' is not yes or no")
                }
            }
            if seenCustomers.insert(customer).inserted { customers.append((customer, value("customer_name") ?? rawCustomer)) }
            rows.append(LedgerRow(line: r.line, customer: customer, invoice: invoice, issue: issue, due: due, amount: amount, paid: paid,
                                  paidAmount: paidAmount, channel: value("channel")?.lowercased(), disputed: disputed))
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return (customers, rows)
    }
}
