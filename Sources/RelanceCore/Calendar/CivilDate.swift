/// A day in the proleptic Gregorian calendar, with no time and no time zone.
///
/// Invoice dates, due dates and payment-run dates are civil dates: "the 10th of March" at the
/// customer, whatever the hour. Arithmetic is done on a day count (days since 1970-01-01), so adding
/// days, finding a weekday or comparing two dates never goes through a time zone. Convert to an
/// instant only at the edges, with an explicit `TimeZone` (see ``CivilDate/init(_:in:)``).
public struct CivilDate: Hashable, Comparable, Sendable {
    /// Days since 1970-01-01 (negative before).
    public let dayNumber: Int

    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    /// Builds a date from its parts, or returns `nil` when the day does not exist (2025-02-29, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CivilDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.dayNumber = CivilDate.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` strictly (four-digit year, two-digit month and day, a real day).
    public init?(iso string: some StringProtocol) {
        // The usual case, read from the bytes: exactly YYYY-MM-DD.
        if let fast = string.utf8.withContiguousStorageIfAvailable(CivilDate.isoFields) {
            guard let (y, m, d) = fast else { return nil }
            self.init(year: y, month: m, day: d)
            return
        }
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Parses exactly `YYYY-MM-DD` from bytes (a field of a file), as ``init(iso:)``.
    public init?(isoBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard let (y, m, d) = CivilDate.isoFields(bytes) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Year, month and day of exactly `YYYY-MM-DD` (ASCII digits), without allocating.
    static func isoFields(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int)? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        var y = 0, m = 0, d = 0
        for k in 0..<10 where k != 4 && k != 7 {
            let b = bytes[k]
            guard (48...57).contains(b) else { return nil }
            let v = Int(b - 48)
            if k < 4 { y = y * 10 + v } else if k < 7 { m = m * 10 + v } else { d = d * 10 + v }
        }
        return (y, m, d)
    }

    public var year: Int { civil.year }
    public var month: Int { civil.month }
    public var day: Int { civil.day }

    /// Year, month and day.
    public var civil: (year: Int, month: Int, day: Int) { CivilDate.civilFromDays(dayNumber) }

    public var weekday: Weekday {
        // 1970-01-01 was a Thursday.
        let index = ((dayNumber % 7) + 7 + 3) % 7  // 0 = Monday
        // (Not `allCases[index]`: that array is made anew at each call.)
        switch index {
        case 0: return .monday
        case 1: return .tuesday
        case 2: return .wednesday
        case 3: return .thursday
        case 4: return .friday
        case 5: return .saturday
        default: return .sunday
        }
    }

    public func adding(days: Int) -> CivilDate { CivilDate(dayNumber: dayNumber + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(to other: CivilDate) -> Int { other.dayNumber - dayNumber }

    /// The same day `months` later, clamped to the month's last day (31 Jan + 1 month = 28 or 29 Feb).
    public func adding(months: Int) -> CivilDate {
        let (y, m, d) = civil
        let total = y * 12 + (m - 1) + months
        let ny = total / 12, nm = total % 12 + 1
        return CivilDate(dayNumber: CivilDate.daysFromCivil(year: ny, month: nm, day: min(d, CivilDate.daysIn(month: nm, year: ny))))
    }

    /// The last day of this date's month.
    public var endOfMonth: CivilDate {
        let (y, m, _) = civil
        return CivilDate(dayNumber: CivilDate.daysFromCivil(year: y, month: m, day: CivilDate.daysIn(month: m, year: y)))
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

extension CivilDate: CustomStringConvertible, Codable {
    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = civil
        guard (0...9999).contains(y) else { return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))" }
        // The usual case, its ten bytes written in place: every line of a forecast or an agenda shows
        // dates, and three padded texts interpolated cost about 2,000 instructions a date.
        return String(unsafeUninitializedCapacity: 10) { b in
            let zero = UInt8(ascii: "0"), dash = UInt8(ascii: "-")
            b[0] = zero + UInt8(y / 1000)
            b[1] = zero + UInt8(y / 100 % 10)
            b[2] = zero + UInt8(y / 10 % 10)
            b[3] = zero + UInt8(y % 10)
            b[4] = dash
            b[5] = zero + UInt8(m / 10)
            b[6] = zero + UInt8(m % 10)
            b[7] = dash
            b[8] = zero + UInt8(d / 10)
            b[9] = zero + UInt8(d % 10)
            return 10
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CivilDate(iso: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not a date YYYY-MM-DD")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let s = String(value)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// A day of the week, Monday first (ISO 8601).
public enum Weekday: String, CaseIterable, Sendable, Codable, Comparable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    /// `mon`, `tue`, …
    public var shortName: String { String(rawValue.prefix(3)) }

    /// Accepts `monday`, `mon`, `lundi`, `lun` in any case.
    public init?(name: some StringProtocol) {
        let n = name.lowercased()
        let french = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        if let day = Weekday.allCases.first(where: { $0.rawValue == n || $0.shortName == n }) {
            self = day
        } else if let i = french.firstIndex(where: { $0 == n || $0.prefix(3) == n }) {
            self = Weekday.allCases[i]
        } else {
            return nil
        }
    }

    /// 0 for Monday … 6 for Sunday.
    var index: Int {
        switch self {
        case .monday: 0
        case .tuesday: 1
        case .wednesday: 2
        case .thursday: 3
        case .friday: 4
        case .saturday: 5
        case .sunday: 6
        }
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.index < rhs.index }

    /// Hashed by its place in the week, not by its name: a calendar asks whether a set of weekdays holds a
    /// day for each of the 36,890 days of its working-day table (hashing the name was a tenth of a small
    /// portfolio's forecast).
    public func hash(into hasher: inout Hasher) { hasher.combine(index) }
}
