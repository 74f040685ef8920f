/// A month and day that recur every year (`08-01`), used for closed periods.
public struct MonthDay: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let month: Int
    public let day: Int

    /// `nil` when the day never exists (`02-30`, `13-01`). `02-29` is allowed: it exists in leap years.
    public init?(month: Int, day: Int) {
        guard (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: 2000)).contains(day) else { return nil }
        self.month = month
        self.day = day
    }

    /// Parses `MM-DD` strictly (two ASCII digits, a dash, two ASCII digits).
    public init?(text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let m = Int(parts[0]), let d = Int(parts[1]) else { return nil }
        self.init(month: m, day: d)
    }

    public var description: String { "\(pad(month, 2))-\(pad(day, 2))" }
    var ordinal: Int { month * 100 + day }
    public static func < (l: MonthDay, r: MonthDay) -> Bool { l.ordinal < r.ordinal }
}

/// A period, repeated every year, when the customer's payables do not work (August, Christmas week).
/// `from` may be later than `to`: the period then wraps over the new year (`12-24` to `01-02`).
public struct ClosedPeriod: Hashable, Sendable, CustomStringConvertible {
    public let from: MonthDay
    public let to: MonthDay

    public init(from: MonthDay, to: MonthDay) {
        self.from = from
        self.to = to
    }

    public func contains(_ date: CivilDate) -> Bool {
        let (_, m, d) = date.civil
        return contains(month: m, day: d)
    }

    /// Whether the period holds this day of the year (what ``contains(_:)`` asks of a date).
    func contains(month: Int, day: Int) -> Bool {
        let o = month * 100 + day
        return from.ordinal <= to.ordinal ? (from.ordinal...to.ordinal).contains(o) : (o >= from.ordinal || o <= to.ordinal)
    }

    public var description: String { "\(from) to \(to)" }
}

/// A day of the month on which payment runs happen: a number (clamped to the month's length) or its last day.
public enum RunDay: Hashable, Sendable, CustomStringConvertible {
    case day(Int)
    case last

    func date(year: Int, month: Int) -> CivilDate {
        CivilDate(dayNumber: CivilDate.daysFromCivil(year: year, month: month, day: day(inMonthOf: CivilDate.daysIn(month: month, year: year))))
    }

    /// The day of the month of the run in a month of `length` days.
    func day(inMonthOf length: Int) -> Int {
        switch self {
        case .day(let n): min(n, length)
        case .last: length
        }
    }

    public var description: String {
        switch self {
        case .day(let n): return String(n)
        case .last: return "last"
        }
    }
}

/// When the customer's payables department releases payments, and which days it works.
///
/// Payment runs are given by weekdays (every Tuesday), by days of the month (the 10th and the 25th),
/// or both. A run that falls on a day the department does not work (weekend, public holiday, closed
/// period) moves to the next working day. With no run rule at all, the runs are unknown and any working
/// day may be a payment day. Working days and business-day counts use the same calendar.
public struct PayablesCalendar: Hashable, Sendable {
    public var timeZone: String
    public var workingDays: Set<Weekday>
    public var holidays: HolidayRegion
    public var closedPeriods: [ClosedPeriod]
    public var runWeekdays: Set<Weekday>
    public var runDays: [RunDay]

    public init(
        timeZone: String = "Europe/Paris",
        workingDays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday],
        holidays: HolidayRegion = .france,
        closedPeriods: [ClosedPeriod] = [],
        runWeekdays: Set<Weekday> = [],
        runDays: [RunDay] = []
    ) {
        self.timeZone = timeZone
        self.workingDays = workingDays
        self.holidays = holidays
        self.closedPeriods = closedPeriods
        self.runWeekdays = runWeekdays
        self.runDays = runDays
    }

    /// `true` when payment runs are known; `false` means any working day may be a payment day.
    public var hasKnownRuns: Bool { !runWeekdays.isEmpty || !runDays.isEmpty }

    public func isWorkingDay(_ date: CivilDate) -> Bool {
        guard workingDays.contains(date.weekday) else { return false }
        let (y, m, d) = date.civil
        return isWorkingDay(weekdayWorks: true, month: m, day: d) { HolidayRegion.easterSunday(y).days(to: date) }
    }

    /// The rule of ``isWorkingDay(_:)`` from whether the day's weekday is worked, its month and day of the month,
    /// and its distance from the year's Easter Sunday (asked only when the holidays need it): what a working-day
    /// table built month by month and a single date share.
    func isWorkingDay(weekdayWorks: Bool, month: Int, day: Int, daysFromEaster: () -> Int) -> Bool {
        weekdayWorks && !holidays.isHoliday(month: month, day: day, daysFromEaster: daysFromEaster)
            && !closedPeriods.contains { $0.contains(month: month, day: day) }
    }

    /// The first working day on or after `date`, or `nil` if none within two years (a calendar that
    /// passed ``problems()`` always has one).
    public func nextWorkingDay(onOrAfter date: CivilDate) -> CivilDate? {
        var d = date
        for _ in 0..<732 {
            if isWorkingDay(d) { return d }
            d = d.adding(days: 1)
        }
        return nil
    }

    /// `date` moved forward by `days` working days (0 gives the next working day on or after `date`).
    public func adding(workingDays days: Int, to date: CivilDate) -> CivilDate? {
        guard var d = nextWorkingDay(onOrAfter: date) else { return nil }
        var left = days
        while left > 0 {
            guard let next = nextWorkingDay(onOrAfter: d.adding(days: 1)) else { return nil }
            d = next
            left -= 1
        }
        return d
    }

    /// Working days in the half-open range `from ..< to` (0 when `to <= from`).
    public func workingDays(from: CivilDate, to: CivilDate) -> Int {
        guard from < to else { return 0 }
        var count = 0
        var d = from
        while d < to {
            if isWorkingDay(d) { count += 1 }
            d = d.adding(days: 1)
        }
        return count
    }

    /// The first payment run on or after `date`.
    ///
    /// Each scheduled run (a run weekday or a run day of the month) moves to the next working day when it
    /// falls on a day off; the earliest such run on or after `date` is returned. With no run rule, the next
    /// working day is returned. `nil` only for a calendar with no working day at all.
    public func nextPaymentRun(onOrAfter date: CivilDate) -> CivilDate? {
        guard hasKnownRuns else { return nextWorkingDay(onOrAfter: date) }
        var best: CivilDate?
        // A scheduled run up to ~2 months earlier may have been moved past a closed period onto `date`.
        var nominal = date.adding(days: -62)
        let limit = date.adding(days: 800)
        while nominal <= limit {
            if let b = best, nominal > b { break }
            if isScheduledRun(nominal), let shifted = nextWorkingDay(onOrAfter: nominal), shifted >= date {
                if best.map({ shifted < $0 }) ?? true { best = shifted }
            }
            nominal = nominal.adding(days: 1)
        }
        return best
    }

    /// `true` when a run is scheduled on `date` before any move to a working day.
    public func isScheduledRun(_ date: CivilDate) -> Bool {
        if runWeekdays.contains(date.weekday) { return true }
        let (y, m, _) = date.civil
        return runDays.contains { $0.date(year: y, month: m) == date }
    }

    /// What makes this calendar impossible, in words; empty when it is sound.
    public func problems() -> [String] { problemsByField().map(\.message) }

    /// What makes this calendar impossible, each with the field it is about (`working-days`,
    /// `payment-runs.days-of-month`, `payment-runs.weekdays`, `closed`).
    public func problemsByField() -> [(field: String, message: String)] {
        var found: [(field: String, message: String)] = []
        if workingDays.isEmpty { found.append(("working-days", "no working day in the week")) }
        for case .day(let n) in runDays where !(1...31).contains(n) {
            found.append(("payment-runs.days-of-month", "payment-run day \(n) is not a day of the month (1 to 31, or last)"))
        }
        for day in runWeekdays.sorted() where !workingDays.contains(day) {
            found.append(("payment-runs.weekdays", "payment runs on \(day.rawValue), which is not a working day"))
        }
        if found.isEmpty {
            // Every day of a leap year and the following one closed means the department never works.
            let start = CivilDate(dayNumber: CivilDate.daysFromCivil(year: 2028, month: 1, day: 1))
            let open = (0..<731).contains { isWorkingDay(start.adding(days: $0)) }
            if !open { found.append(("closed", "closed periods and holidays leave no working day in the year")) }
        }
        return found
    }
}
