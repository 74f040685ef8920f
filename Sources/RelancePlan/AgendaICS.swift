import Foundation
import RelanceCore

/// The agenda's calls as an iCalendar file (RFC 5545): one VEVENT per placed call, times in UTC, lines
/// folded at 75 octets, text escaped, CRLF line ends.
public enum AgendaICS {
    /// Renders the calls that have a slot; `stamp` is the DTSTAMP (the moment the file is made).
    public static func render(_ agenda: Agenda, stamp: Date) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Relance//Follow-up agenda//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        for call in agenda.calls {
            guard let start = call.slot else { continue }
            let end = start.addingTimeInterval(Double(call.minutes) * 60)
            let invoices = call.invoices.map { i in
                "\(i.invoice) (\(i.openAmount), due \(i.dueDate)\(i.forecastP50.map { ", forecast \($0)" } ?? "")): \(i.reason). \(i.question)"
            }
            let description = ([call.role, call.phone.map { "Phone: \($0)" }, call.email.map { "E-mail: \($0)" }].compactMap { $0 } + invoices)
                .joined(separator: "\n")
            lines += [
                "BEGIN:VEVENT",
                "UID:\(agenda.date)-\(uidPart(call.group))-\(uidPart(call.contactKey))@relance",
                "DTSTAMP:\(utc(stamp))",
                "DTSTART:\(utc(start))",
                "DTEND:\(utc(end))",
                "SUMMARY:" + escape("Call \(call.name) (\(call.customer)): \(call.invoices.count) invoice\(call.invoices.count == 1 ? "" : "s")"),
                "DESCRIPTION:" + escape(description),
                "CATEGORIES:" + escape("Relance"),
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// `20261127T083000Z`.
    static func utc(_ d: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            case "\r": continue
            default: out.append(ch)
            }
        }
        return out
    }

    static func uidPart(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }

    /// Folds a content line at 75 octets (§3.1): continuation lines start with a space; never inside a
    /// UTF-8 sequence.
    public static func fold(_ line: String) -> String {
        var result: [String] = []
        var current = "", octets = 0
        for ch in line {
            let n = String(ch).utf8.count
            let limit = result.isEmpty ? 75 : 74
            if octets + n > limit {
                result.append(current)
                current = ""
                octets = 0
            }
            current.append(ch)
            octets += n
        }
        result.append(current)
        return result.joined(separator: "\r\n ")
    }
}
