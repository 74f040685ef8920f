import Foundation
import RelanceCore

/// An invoice as read from a file, before it is checked against the organisations: the due date may be
/// missing (computed from the entity's terms on import).
public struct InvoiceRecord: Hashable, Sendable {
    public var number: String
    public var kind: Invoice.Kind
    public var entity: String
    public var site: String
    public var sentTo: String?
    public var orderNumber: String?
    public var orderType: String?
    public var deliveryNote: String?
    public var issueDate: CivilDate
    public var deliveryDate: CivilDate?
    public var receiptDate: CivilDate?
    public var dueDate: CivilDate?
    public var amount: Money
    public var method: PaymentMethod
    public var discounted: Bool
    public var salesRep: String?
    public var credits: String?
    public var payments: [Payment]
    public var channel: String?
    public var file: String
    public var line: Int

    public func diagnostic(field: String?, _ message: String) -> Diagnostic {
        Diagnostic(file: file, line: line, field: field, message: message)
    }
}

/// Reads invoices from CSV (columns in `docs/formats.md`).
public enum InvoiceCSVReader {
    public static let required = ["invoice", "entity", "site", "issue_date", "amount", "currency"]
    public static let optional = ["kind", "credits", "sent_to", "order_number", "order_type", "delivery_note", "delivery_date",
                                  "receipt_date", "due_date", "method", "discounted", "sales_rep", "payments", "channel"]

    public static func read(contentsOf url: URL) throws(ImportError) -> [InvoiceRecord] {
        try read(text: try readText(url), file: url.lastPathComponent)
    }

    public static func read(text: String, file: String) throws(ImportError) -> [InvoiceRecord] {
        let table = try CSVTable(text: text, file: file)
        var problems = table.checkHeader(required: required, optional: optional)
        guard problems.isEmpty else { throw ImportError(problems) }
        let columns = Dictionary(table.header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var result: [InvoiceRecord] = []
        var seen: [String: Int] = [:]
        for r in table.records {
            switch record(line: r.line, fields: r.fields, width: table.header.count, columns: columns, file: file, seen: &seen) {
            case .success(let invoice): result.append(invoice)
            case .failure(let error): problems += error.diagnostics
            }
        }
        guard problems.isEmpty else { throw ImportError(problems) }
        return result
    }

    /// Reads an invoice CSV file in chunks, handing each row to `invoice` as soon as it is read, or its
    /// problems (file, line, field) to `problems`, so that memory does not grow with the file (but for the
    /// invoice numbers seen, to refuse one given twice).
    ///
    /// A problem with the file as a whole (unreadable, not UTF-8, a bad header, an unclosed quote) is
    /// thrown as an ``ImportError``.
    public static func stream(contentsOf url: URL, chunkSize: Int = CSVFileStream.chunkSize, invoice: (InvoiceRecord) throws -> Void,
                              problems: ([Diagnostic]) throws -> Void) throws {
        let file = url.lastPathComponent
        var columns: [String: Int] = [:]
        var width = 0
        var seen: [String: Int] = [:]
        try CSVFileStream.read(url, chunkSize: chunkSize, header: { header in
            let problems = CSVTable(file: file, header: header).checkHeader(required: required, optional: optional)
            guard problems.isEmpty else { throw ImportError(problems) }
            columns = Dictionary(header.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            width = header.count
        }, record: { line, fields in
            switch record(line: line, fields: fields, width: width, columns: columns, file: file, seen: &seen) {
            case .success(let record): try invoice(record)
            case .failure(let error): try problems(error.diagnostics)
            }
        })
    }

    /// One row as an invoice, or its problems. `seen` holds the numbers read so far, with their lines.
    static func record(line: Int, fields: [String], width: Int, columns: [String: Int], file: String,
                       seen: inout [String: Int]) -> Result<InvoiceRecord, ImportError> {
        var problems: [Diagnostic] = []
        func bad(_ field: String, _ message: String) { problems.append(Diagnostic(file: file, line: line, field: field, message: message)) }
        func failed() -> Result<InvoiceRecord, ImportError> { .failure(ImportError(problems)) }
        if fields.count != width {
            bad("-", "\(fields.count) fields where the header has \(width)")
            return failed()
        }
        let v = { (c: String) -> String? in
            guard let i = columns[c], i < fields.count, !fields[i].isEmpty else { return nil }
            return fields[i]
        }
        func day(_ c: String) -> CivilDate? {
            guard let t = v(c) else { return nil }
            guard let d = Instants.day(t) else { bad(c, "'\(t)' is not a date YYYY-MM-DD between \(Instants.years.lowerBound) and \(Instants.years.upperBound)"); return nil }
            return d
        }
        guard let number = v("invoice") else { bad("invoice", "the invoice number is empty"); return failed() }
        if let first = seen[number] { bad("invoice", "invoice \(number) appears twice in the file (first on line \(first))") }
        seen[number] = line
        let currency = (v("currency") ?? "").uppercased()
        if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isLetter }) { bad("currency", "'\(currency)' is not an ISO 4217 code such as EUR") }
        var kind = Invoice.Kind.invoice
        if let k = v("kind") {
            if let parsed = Invoice.Kind(rawValue: k.lowercased()) { kind = parsed } else { bad("kind", "'\(k)' is not invoice or credit-note") }
        }
        var method = PaymentMethod.transfer
        if let m = v("method") {
            if let parsed = PaymentMethod(rawValue: m.lowercased()) { method = parsed } else {
                bad("method", "'\(m)' is not one of: \(PaymentMethod.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var discounted = false
        if let d = v("discounted") {
            switch d.lowercased() {
            case "yes", "true", "oui", "1": discounted = true
            case "no", "false", "non", "0": discounted = false
            default: bad("discounted", "'\(d)' is not yes or no")
            }
            if discounted && !method.isBillOfExchange { bad("discounted", "only a bill of exchange (lcr, bor) can be discounted") }
        }
        let amountText = v("amount") ?? ""
        guard let amount = Money(parsing: amountText, currency: currency.count == 3 ? currency : "EUR") else {
            bad("amount", "'\(amountText)' is not an amount (such as 1234.56 or 1 234,56)"); return failed()
        }
        if kind == .invoice && amount.minorUnits <= 0 { bad("amount", "an invoice amount must be positive (a credit note has kind credit-note)") }
        if kind == .creditNote && amount.minorUnits >= 0 { bad("amount", "a credit note amount must be negative") }
        if kind == .creditNote && v("credits") == nil { bad("credits", "a credit note must name the invoice it credits") }
        var payments: [Payment] = []
        for part in (v("payments") ?? "").split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let d = Instants.day(pair[0]), let a = Money(parsing: pair[1], currency: amount.currency), a.minorUnits > 0 else {
                bad("payments", "'\(part)' is not DATE=AMOUNT (such as 2026-03-10=1200.00)"); continue
            }
            payments.append(Payment(date: d, amount: a))
        }
        guard let issue = day("issue_date") else {
            if v("issue_date") == nil { bad("issue_date", "the issue date is empty") }
            return failed()
        }
        let delivery = day("delivery_date"), receipt = day("receipt_date"), due = day("due_date")
        if let due, due < issue { bad("due_date", "due date \(due) is before the issue date \(issue)") }
        if let delivery, delivery.dayNumber > issue.dayNumber + 366 { bad("delivery_date", "delivery \(delivery) is more than a year after the invoice") }
        for p in payments where p.date < issue.adding(days: -366) { bad("payments", "payment on \(p.date) is long before the invoice date \(issue)") }
        if payments.reduce(Int64(0), { $0 + $1.amount.minorUnits }) > abs(amount.minorUnits) && kind == .invoice {
            bad("payments", "payments exceed the invoice amount")
        }
        guard let entity = v("entity") else { bad("entity", "the legal entity is empty"); return failed() }
        guard let site = v("site") else { bad("site", "the delivery site is empty"); return failed() }
        guard problems.isEmpty else { return failed() }
        return .success(InvoiceRecord(
            number: number, kind: kind, entity: entity, site: site, sentTo: v("sent_to"), orderNumber: v("order_number"),
            orderType: v("order_type"), deliveryNote: v("delivery_note"), issueDate: issue, deliveryDate: delivery,
            receiptDate: receipt, dueDate: due, amount: amount, method: method, discounted: discounted, salesRep: v("sales_rep"),
            credits: v("credits"), payments: payments, channel: v("channel")?.lowercased(), file: file, line: line))
    }
}

/// The text of a UTF-8 file, or an ImportError naming it.
func readText(_ url: URL) throws(ImportError) -> String {
    guard let data = try? Data(contentsOf: url) else {
        throw ImportError([Diagnostic(file: url.path, message: "cannot read the file")])
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw ImportError([Diagnostic(file: url.lastPathComponent, message: "the file is not UTF-8 text")])
    }
    return text
}
