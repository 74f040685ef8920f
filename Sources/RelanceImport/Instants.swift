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
        var t = trimmed(text)
        guard let (seconds, given) = t.withUTF8({ parse(bytes: $0, zone: zone) }) else { return nil }
        return (Date(timeIntervalSince1970: seconds), given.name(zone))
    }

    /// The zone a time was given in: the file's zone (local times), UTC (`Z`) or an offset (`+02:00`).
    enum GivenZone: Equatable {
        case local
        case utc
        case offset(negative: Bool, hours: Int, minutes: Int)

        /// The zone's name as stored: the zone's identifier, `UTC` or `GMT+0200`.
        func name(_ zone: TimeZone) -> String {
            switch self {
            case .local: return zone.identifier
            case .utc: return "UTC"
            case .offset(let negative, let hours, let minutes): return zoneNameForOffset(negative: negative, hours: hours, minutes: minutes)
            }
        }
    }

    /// ``parse(_:zone:)`` from the bytes of a field without white space at its ends: seconds since 1970
    /// and the zone the time was given in.
    static func parse(bytes chars: UnsafeBufferPointer<UInt8>, zone: TimeZone) -> (Double, GivenZone)? {
        if let date = CivilDate(isoBytes: chars) {
            guard years.contains(date.year) else { return nil }
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = zone
            let noon = cal.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: 12))
            return ((noon ?? date.start(in: zone).addingTimeInterval(12 * 3600)).timeIntervalSince1970, .local)
        }
        // Parsed by hand (Foundation's ISO 8601 parser is lenient on Linux, ignoring trailing text, and
        // creating formatters per row is slow): YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|±HH[:]MM].
        guard chars.count >= 16, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: " "),
              let day = CivilDate(isoBytes: UnsafeBufferPointer(rebasing: chars[0..<10])), years.contains(day.year) else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= chars.count else { return nil }
            var n = 0
            for k in r {
                guard (48...57).contains(chars[k]) else { return nil }
                n = n * 10 + Int(chars[k] - 48)
            }
            return n
        }
        guard let h = number(11..<13), chars[13] == UInt8(ascii: ":"), let m = number(14..<16), h < 24, m < 60 else { return nil }
        var i = 16
        var seconds = 0.0
        if i < chars.count, chars[i] == UInt8(ascii: ":") {
            guard let sec = number(i + 1..<i + 3), sec < 60 else { return nil }
            seconds = Double(sec)
            i += 3
            if i < chars.count, chars[i] == UInt8(ascii: ".") {
                var j = i + 1
                var scale = 0.1
                while j < chars.count, (48...57).contains(chars[j]) { seconds += Double(chars[j] - 48) * scale; scale /= 10; j += 1 }
                guard j > i + 1 else { return nil }
                i = j
            }
        }
        let local = Double(day.dayNumber) * 86_400 + Double(h * 3600 + m * 60) + seconds
        if i == chars.count {
            // Local time in `zone`: its offset at that moment (looked up twice around a change of offset).
            let first = local - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: local)))
            let instant = local - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: first)))
            return (instant, .local)
        }
        var offset = 0
        var given = GivenZone.utc
        if chars[i] == UInt8(ascii: "Z") {
            guard i + 1 == chars.count else { return nil }
        } else {
            guard chars[i] == UInt8(ascii: "+") || chars[i] == UInt8(ascii: "-"), let oh = number(i + 1..<i + 3) else { return nil }
            var k = i + 3
            if k < chars.count, chars[k] == UInt8(ascii: ":") { k += 1 }
            guard let om = number(k..<k + 2), k + 2 == chars.count, oh < 24, om < 60 else { return nil }
            let negative = chars[i] == UInt8(ascii: "-")
            offset = (oh * 3600 + om * 60) * (negative ? -1 : 1)
            given = .offset(negative: negative, hours: oh, minutes: om)
        }
        let d = local - Double(offset)
        return inRange(Date(timeIntervalSince1970: d)) ? (d, given) : nil
    }

    /// A time-zone identifier Foundation understands for an ISO 8601 offset: `GMT+0200` for `+02:00`.
    static func zoneNameForOffset(negative: Bool, hours: Int, minutes: Int) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "GMT\(negative ? "-" : "+")\(two(hours))\(two(minutes))"
    }

    static func inRange(_ d: Date) -> Bool {
        years.contains(CivilDate(dayNumber: Int((d.timeIntervalSince1970 / 86_400).rounded(.down))).year)
    }

    /// The text without white space at its ends (as is, without Foundation, when it starts and ends with ASCII
    /// non-blanks: the usual case).
    static func trimmed(_ text: String) -> String {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 >= 0x80 }  // non-ASCII: maybe a no-break space
        guard let first = text.utf8.first, let last = text.utf8.last, blank(first) || blank(last) else { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// A civil date `YYYY-MM-DD` within the accepted years; also accepts `DD/MM/YYYY` (French) when `dayFirst`.
    static func day(_ text: String, dayFirst: Bool = true) -> CivilDate? {
        let t = trimmed(text)
        if let d = CivilDate(iso: t) { return years.contains(d.year) ? d : nil }
        let p = t.split(separator: "/")
        guard p.count == 3, p[2].count == 4, let a = Int(p[0]), let b = Int(p[1]), let y = Int(p[2]), years.contains(y) else { return nil }
        return dayFirst ? CivilDate(year: y, month: b, day: a) : CivilDate(year: y, month: a, day: b)
    }
}
