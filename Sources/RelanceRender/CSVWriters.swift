import Foundation
import RelanceCore

/// Writes invoices and events in the CSV formats the importers read (`docs/formats.md`), so that a
/// simulated or exported portfolio can be imported again unchanged.
public enum CSVWriters {
    public static func invoices(_ invoices: [Invoice]) -> String {
        var out = "invoice,kind,credits,entity,site,sent_to,order_number,order_type,delivery_note,issue_date,delivery_date,due_date,amount,currency,method,discounted,sales_rep,payments,channel\n"
        for i in invoices {
            let payments = i.payments.map { "\($0.date)=\(plain($0.amount))" }.joined(separator: ";")
            out += [i.id, i.kind.rawValue, i.credits ?? "", i.entity, i.site, i.sentTo ?? "", i.orderNumber ?? "", i.orderType ?? "",
                    i.deliveryNote ?? "", i.issueDate.description, i.deliveryDate?.description ?? "", i.dueDateGiven ? i.dueDate.description : "",
                    plain(i.amount), i.amount.currency, i.method.rawValue, i.discounted ? "yes" : "no", i.salesRep ?? "", payments, i.channel ?? ""]
                .map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    public static func events(_ events: [InvoiceEvent]) -> String {
        let iso = ISO8601DateFormatter()
        var out = "invoice,state,at,time_zone,department,contact,source,raw_code,reason,action,note,amount,currency,date\n"
        for e in events {
            let zone = TimeZone(identifier: e.timeZone) ?? .gmt
            iso.timeZone = zone
            out += [e.invoice, e.state?.rawValue ?? "note", iso.string(from: e.at), e.timeZone, e.department ?? "", e.contact ?? "",
                    e.source.rawValue, e.rawCode ?? "", e.reason ?? "", e.action ?? "", e.note ?? "", e.amount.map(plain) ?? "",
                    e.amount?.currency ?? "", e.date?.description ?? ""].map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    /// `1234.56`: no grouping, a dot, the currency's decimals.
    static func plain(_ m: Money) -> String { m.amountText.replacingOccurrences(of: ",", with: "") }

    /// A CSV field, quoted when needed (RFC 4180).
    public static func field(_ s: String) -> String {
        // Scanned as bytes: the characters are ASCII, and a scan by Character (grapheme clusters) costs
        // more than the rest of a forecast's line.
        guard s.utf8.contains(where: needsQuotes) else { return s }
        // Quoted, each quote doubled, byte by byte (Foundation's replacingOccurrences cost 2% of a portfolio's forecast).
        var quoted: [UInt8] = []
        quoted.reserveCapacity(s.utf8.count + 8)
        appendQuoted(s.utf8, to: &quoted)
        return String(decoding: quoted, as: UTF8.self)
    }

    /// Appends `fields` as one CSV line ending in a newline, each field as ``field(_:)`` writes it: the bytes
    /// of a long table's lines made without a string per field or per line (joining them was 6% of a
    /// portfolio's forecast).
    public static func appendLine(_ fields: [String], to out: inout [UInt8]) {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            var f = f
            f.withUTF8 { bytes in
                if bytes.contains(where: needsQuotes) { appendQuoted(bytes, to: &out) } else { out.append(contentsOf: bytes) }
            }
        }
        out.append(UInt8(ascii: "\n"))
    }

    private static func needsQuotes(_ b: UInt8) -> Bool {
        b == UInt8(ascii: ",") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\n") || b == UInt8(ascii: "\r")
    }

    private static func appendQuoted<Bytes: Sequence<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}
