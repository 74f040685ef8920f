import Foundation
import RelanceCore

/// Parsing of dates and times as they appear in files.
enum Instants {
    /// The range of dates Relance accepts: anything outside is a typo (0206 for 2026) or a wrong column.
    static let years = 2000...2100

    /// An instant from ISO 8601 with an offset (`2026-11-12T09:30:00+01:00`, `…Z`), or a local date-time
    /// (`2026-11-12 09:30`, `2026-11-12T09:30:00`) or a date alone (taken at noon) in `zone`.
    /// Returns the instant and the zone it was given in (`+01:00` for an explicit offset).
    static func parse(_ text: String, zone: TimeZone) -> (Date, String)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let date = CivilDate(iso: t) {
            guard years.contains(date.year) else { return nil }
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = zone
            let noon = cal.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))
            return (noon ?? date.start(in: zone).addingTimeInterval(12 * 3600), zone.identifier)
        }
        let normalised = t.replacingOccurrences(of: " ", with: "T")
        // Foundation's ISO 8601 parser is lenient on Linux (it ignores trailing text): check the shape first.
        guard normalised.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/) != nil else { return nil }
        let withZone = ISO8601DateFormatter()
        withZone.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = withZone.date(from: normalised) ?? fractional.date(from: normalised) {
            return inRange(d) ? (d, zoneName(ofOffsetIn: normalised)) : nil
        }
        // Local time, no offset.
        let parts = normalised.split(separator: "T")
        guard parts.count == 2, let day = CivilDate(iso: parts[0]), years.contains(day.year) else { return nil }
        let hms = parts[1].split(separator: ":")
        guard (2...3).contains(hms.count), let h = Int(hms[0]), let m = Int(hms[1]), (0..<24).contains(h), (0..<60).contains(m) else { return nil }
        let sec = hms.count == 3 ? Double(hms[2]) ?? -1 : 0
        guard (0..<60).contains(sec) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        let (y, mo, d) = day.civil
        guard let date = cal.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: m, second: Int(sec))) else { return nil }
        return (date, zone.identifier)
    }

    /// A time-zone identifier Foundation understands for the offset ending an ISO 8601 time:
    /// `UTC` for `Z`, `GMT+0200` for `+02:00`.
    static func zoneName(ofOffsetIn text: String) -> String {
        if text.hasSuffix("Z") { return "UTC" }
        guard let match = text.firstMatch(of: /([+-])(\d{2}):?(\d{2})$/) else { return "UTC" }
        return "GMT\(match.1)\(match.2)\(match.3)"
    }

    static func inRange(_ d: Date) -> Bool {
        let y = Calendar(identifier: .gregorian).component(.year, from: d)
        return years.contains(y)
    }

    /// A civil date `YYYY-MM-DD` within the accepted years; also accepts `DD/MM/YYYY` (French) when `dayFirst`.
    static func day(_ text: String, dayFirst: Bool = true) -> CivilDate? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if let d = CivilDate(iso: t) { return years.contains(d.year) ? d : nil }
        let p = t.split(separator: "/")
        guard p.count == 3, p[2].count == 4, let a = Int(p[0]), let b = Int(p[1]), let y = Int(p[2]), years.contains(y) else { return nil }
        return dayFirst ? CivilDate(year: y, month: b, day: a) : CivilDate(year: y, month: a, day: b)
    }
}
