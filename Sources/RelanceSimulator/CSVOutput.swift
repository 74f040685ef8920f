import Foundation
import RelanceCore

/// A file written through a 1 MiB buffer, so that a million-row CSV never sits whole in memory.
public final class BufferedFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private static let capacity = 1 << 20

    /// Creates (or empties) the file at `url`.
    public init(creating url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = try FileHandle(forWritingTo: url)
        buffer.reserveCapacity(BufferedFile.capacity)
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        try flushIfFull()
    }

    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        try flushIfFull()
    }

    private func flushIfFull() throws {
        if buffer.count >= BufferedFile.capacity { try flush() }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and closes the file.
    public func close() throws {
        try flush()
        try handle.close()
    }
}

/// The rows of invoices.csv and events.csv, byte for byte as `CSVWriters` in RelanceRender writes them (the
/// formats of docs/formats.md), appended to a byte buffer without building intermediate strings.
public enum CSVRows {
    public static let invoiceHeader = "invoice,kind,credits,entity,site,sent_to,order_number,order_type,delivery_note,issue_date,delivery_date,due_date,amount,currency,method,discounted,sales_rep,payments,channel\n"
    public static let eventHeader = "invoice,state,at,time_zone,department,contact,source,raw_code,reason,action,note,amount,currency,date\n"

    public static func appendInvoice(_ i: Invoice, to out: inout [UInt8]) {
        field(i.id, &out); comma(&out)
        field(i.kind.rawValue, &out); comma(&out)
        field(i.credits ?? "", &out); comma(&out)
        field(i.entity, &out); comma(&out)
        field(i.site, &out); comma(&out)
        field(i.sentTo ?? "", &out); comma(&out)
        field(i.orderNumber ?? "", &out); comma(&out)
        field(i.orderType ?? "", &out); comma(&out)
        field(i.deliveryNote ?? "", &out); comma(&out)
        date(i.issueDate, &out); comma(&out)
        if let d = i.deliveryDate { date(d, &out) }
        comma(&out)
        if i.dueDateGiven { date(i.dueDate, &out) }
        comma(&out)
        amount(i.amount, &out); comma(&out)
        field(i.amount.currency, &out); comma(&out)
        field(i.method.rawValue, &out); comma(&out)
        field(i.discounted ? "yes" : "no", &out); comma(&out)
        field(i.salesRep ?? "", &out); comma(&out)
        // Payments `date=amount;…`: dates and plain amounts never need quoting.
        for (k, p) in i.payments.enumerated() {
            if k > 0 { out.append(UInt8(ascii: ";")) }
            date(p.date, &out)
            out.append(UInt8(ascii: "="))
            amount(p.amount, &out)
        }
        comma(&out)
        field(i.channel ?? "", &out)
        out.append(UInt8(ascii: "\n"))
    }

    /// One event row; `invoice` replaces the event's own invoice number when given.
    public static func appendEvent(_ e: InvoiceEvent, invoice: String? = nil, offsets: ZoneOffsets, to out: inout [UInt8]) {
        field(invoice ?? e.invoice, &out); comma(&out)
        field(e.state?.rawValue ?? "note", &out); comma(&out)
        offsets.appendISO8601(e.at, zone: e.timeZone, to: &out); comma(&out)
        field(e.timeZone, &out); comma(&out)
        field(e.department ?? "", &out); comma(&out)
        field(e.contact ?? "", &out); comma(&out)
        field(e.source.rawValue, &out); comma(&out)
        field(e.rawCode ?? "", &out); comma(&out)
        field(e.reason ?? "", &out); comma(&out)
        field(e.action ?? "", &out); comma(&out)
        field(e.note ?? "", &out); comma(&out)
        if let a = e.amount { amount(a, &out) }
        comma(&out)
        if let a = e.amount { field(a.currency, &out) }
        comma(&out)
        if let d = e.date { date(d, &out) }
        out.append(UInt8(ascii: "\n"))
    }

    @inline(__always) static func comma(_ out: inout [UInt8]) { out.append(UInt8(ascii: ",")) }

    /// A CSV field, quoted when it holds a comma, a quote or a line end (RFC 4180).
    static func field(_ s: String, _ out: inout [UInt8]) {
        let bytes = s.utf8
        guard bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }) else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `1234.56`: no grouping, a dot, the currency's decimals (as `Money.amountText` without its commas).
    static func amount(_ m: Money, _ out: inout [UInt8]) {
        let exp = Money.exponent(of: m.currency)
        var scale: UInt64 = 1
        for _ in 0..<exp { scale *= 10 }
        let absolute = m.minorUnits.magnitude
        if m.minorUnits < 0 { out.append(UInt8(ascii: "-")) }
        digits(absolute / scale, minimumWidth: 1, &out)
        if exp > 0 {
            out.append(UInt8(ascii: "."))
            digits(absolute % scale, minimumWidth: exp, &out)
        }
    }

    /// `2026-03-17`.
    static func date(_ d: CivilDate, _ out: inout [UInt8]) {
        let (y, m, day) = d.civil
        if y < 0 { out.append(UInt8(ascii: "-")) }
        digits(UInt64(y.magnitude), minimumWidth: 4, &out)
        out.append(UInt8(ascii: "-"))
        digits(UInt64(m), minimumWidth: 2, &out)
        out.append(UInt8(ascii: "-"))
        digits(UInt64(day), minimumWidth: 2, &out)
    }

    static func digits(_ n: UInt64, minimumWidth: Int, _ out: inout [UInt8]) {
        var scratch: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = n
        withUnsafeMutableBytes(of: &scratch) { buf in
            repeat {
                buf[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0
            while count < minimumWidth && count < buf.count {
                buf[count] = UInt8(ascii: "0")
                count += 1
            }
            for k in stride(from: count - 1, through: 0, by: -1) { out.append(buf[k]) }
        }
    }
}

/// Time-zone offsets worked out by the hour over a range of days, to write instants as ISO 8601 with the
/// zone's offset (`2026-07-27T12:34:46+02:00`, `Z` at offset zero) as `ISO8601DateFormatter` does, without
/// its cost. Exact for zones whose offset changes on the hour (all current ones); instants outside the
/// range, or in other zones, are computed as they come.
public final class ZoneOffsets: Sendable {
    private let firstHour: Int
    private let offsets: [String: [Int32]]

    public init(zones: Set<String>, from: CivilDate, to: CivilDate) {
        firstHour = (from.dayNumber - 1) * 24
        let hours = max(0, (to.dayNumber - from.dayNumber + 3) * 24)
        var offsets: [String: [Int32]] = [:]
        for id in zones {
            let zone = TimeZone(identifier: id) ?? .gmt
            let first = firstHour
            offsets[id] = (0..<hours).map { h in Int32(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double((first + h) * 3_600)))) }
        }
        self.offsets = offsets
    }

    func offset(at instant: Date, zone identifier: String) -> Int {
        let hour = Int((instant.timeIntervalSince1970 / 3_600).rounded(.down))
        if let table = offsets[identifier], hour - firstHour >= 0 && hour - firstHour < table.count {
            return Int(table[hour - firstHour])
        }
        return (TimeZone(identifier: identifier) ?? .gmt).secondsFromGMT(for: instant)
    }

    func appendISO8601(_ instant: Date, zone identifier: String, to out: inout [UInt8]) {
        let offset = offset(at: instant, zone: identifier)
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - day * 86_400
        CSVRows.date(CivilDate(dayNumber: day), &out)
        out.append(UInt8(ascii: "T"))
        CSVRows.digits(UInt64(secondOfDay / 3_600), minimumWidth: 2, &out)
        out.append(UInt8(ascii: ":"))
        CSVRows.digits(UInt64(secondOfDay % 3_600 / 60), minimumWidth: 2, &out)
        out.append(UInt8(ascii: ":"))
        CSVRows.digits(UInt64(secondOfDay % 60), minimumWidth: 2, &out)
        if offset == 0 {
            out.append(UInt8(ascii: "Z"))
            return
        }
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let minutes = abs(offset) / 60
        CSVRows.digits(UInt64(minutes / 60), minimumWidth: 2, &out)
        out.append(UInt8(ascii: ":"))
        CSVRows.digits(UInt64(minutes % 60), minimumWidth: 2, &out)
    }
}
