import Foundation

/// Precomputed working days and payment runs of one calendar over 2000–2100: O(1) answers to "how many
/// working days before this date", "which is the n-th working day" and "the next payment run", which
/// positions, forecasts and the simulator ask millions of times. Tables are shared per calendar.
public final class WorkingDayTable: Sendable {
    public let calendar: PayablesCalendar
    /// The first day covered.
    public let start: CivilDate
    /// `cumulative[k]` = working days in `start ..< start + k`.
    let cumulative: [Int32]
    /// The working days, in order.
    let workdays: [Int32]
    /// `nextRun[k]` = day offset of the first payment run on or after `start + k`, or -1.
    let nextRun: [Int32]
    /// `runAfterWorkday[w]` = the working-day count (``count(before:)``) of the first payment run on or after
    /// working day `w`, or `w` itself when there is none: what a payment-run step's law maps each day to.
    let runAfterWorkday: [Int32]

    static let first = CivilDate(dayNumber: CivilDate.daysFromCivil(year: 2000, month: 1, day: 1))
    static let last = CivilDate(dayNumber: CivilDate.daysFromCivil(year: 2100, month: 12, day: 31))

    init(calendar: PayablesCalendar) {
        self.calendar = calendar
        start = WorkingDayTable.first
        let (working, scheduled) = WorkingDayTable.days(of: calendar, from: WorkingDayTable.first, through: WorkingDayTable.last)
        let n = working.count
        var cumulative = [Int32](repeating: 0, count: n + 1)
        var workdays: [Int32] = []
        workdays.reserveCapacity(n * 5 / 7 + 1)
        for k in 0..<n {
            cumulative[k + 1] = cumulative[k] + (working[k] ? 1 : 0)
            if working[k] { workdays.append(Int32(k)) }
        }
        // A scheduled run moves to the next working day; then sweep backwards for "next run on or after".
        var isRun = [Bool](repeating: false, count: n)
        var nextWorking = [Int32](repeating: -1, count: n + 1)
        for k in stride(from: n - 1, through: 0, by: -1) { nextWorking[k] = working[k] ? Int32(k) : nextWorking[k + 1] }
        for k in 0..<n {
            let isScheduled = calendar.hasKnownRuns ? scheduled[k] : working[k]
            if isScheduled, nextWorking[k] >= 0 { isRun[Int(nextWorking[k])] = true }
        }
        var nextRun = [Int32](repeating: -1, count: n + 1)
        for k in stride(from: n - 1, through: 0, by: -1) { nextRun[k] = isRun[k] ? Int32(k) : nextRun[k + 1] }
        self.cumulative = cumulative
        self.workdays = workdays
        self.nextRun = nextRun
        runAfterWorkday = workdays.indices.map { w in
            let r = nextRun[Int(workdays[w])]
            return r >= 0 ? cumulative[Int(r)] : Int32(w)
        }
    }

    /// For each day from `first` through `last`, whether it is a working day (``PayablesCalendar/isWorkingDay(_:)``)
    /// and whether a payment run is scheduled on it (``PayablesCalendar/isScheduledRun(_:)``), worked out month
    /// by month: the weekday rules once for each of the seven days of the week, Easter and the run days once
    /// a year or a month, rather than a date's year, month, day and weekday worked out again for every rule.
    /// (Day by day, a table cost about 30 million instructions, most of a small portfolio's first forecast.)
    static func days(of calendar: PayablesCalendar, from first: CivilDate, through last: CivilDate) -> (working: [Bool], scheduled: [Bool]) {
        let n = max(0, first.days(to: last) + 1)
        var working = [Bool](repeating: false, count: n), scheduled = [Bool](repeating: false, count: n)
        guard n > 0 else { return (working, scheduled) }
        // By the day's place in the week, counted from `first`.
        let works = (0..<7).map { calendar.workingDays.contains(first.adding(days: $0).weekday) }
        let runs = (0..<7).map { calendar.runWeekdays.contains(first.adding(days: $0).weekday) }
        let (y0, m0, _) = first.civil
        var (year, month) = (y0, m0)
        var easter = HolidayRegion.easterSunday(year).dayNumber
        // Written through the buffers: the arrays' uniqueness was checked at every day's write.
        working.withUnsafeMutableBufferPointer { working in
            scheduled.withUnsafeMutableBufferPointer { scheduled in
                while true {
                    let monthStart = CivilDate.daysFromCivil(year: year, month: month, day: 1)
                    guard monthStart <= last.dayNumber else { break }
                    let length = CivilDate.daysIn(month: month, year: year)
                    // The month's run days as bits, without an array made for each month. A day before the 1st
                    // (a calendar that validation refuses) falls in the month before, as the calendar counts it.
                    var runDays: UInt64 = 0
                    var elsewhere: [Int] = []
                    for r in calendar.runDays {
                        let d = r.day(inMonthOf: length)
                        if d >= 1 { runDays |= 1 << UInt64(d) } else { elsewhere.append(monthStart + d - 1) }
                    }
                    for day in 1...length {
                        let number = monthStart + day - 1
                        let k = number - first.dayNumber
                        guard k >= 0 else { continue }
                        guard k < n else { break }
                        let weekday = k % 7
                        working[k] = calendar.isWorkingDay(weekdayWorks: works[weekday], month: month, day: day) { number - easter }
                        scheduled[k] = runs[weekday] || runDays & (1 << UInt64(day)) != 0 || (!elsewhere.isEmpty && elsewhere.contains(number))
                    }
                    month += 1
                    if month > 12 {
                        month = 1
                        year += 1
                        easter = HolidayRegion.easterSunday(year).dayNumber
                    }
                }
            }
        }
        return (working, scheduled)
    }

    /// Tables by calendar, for the whole process (none is ever dropped).
    private static let tables = Memo<PayablesCalendar, WorkingDayTable>(limit: .max)

    /// The shared table of a calendar (built on first use, about 37,000 days).
    public static func shared(for calendar: PayablesCalendar) -> WorkingDayTable {
        tables.value(for: calendar) { WorkingDayTable(calendar: calendar) }
    }

    func offset(_ date: CivilDate) -> Int? {
        let k = start.days(to: date)
        return k >= 0 && k < cumulative.count - 1 ? k : nil
    }

    /// Working days strictly before `date` since 2000-01-01.
    public func count(before date: CivilDate) -> Int {
        if let k = offset(date) { return Int(cumulative[k]) }
        return date < start ? -calendar.workingDays(from: date, to: start) : Int(cumulative[cumulative.count - 1]) + calendar.workingDays(from: WorkingDayTable.last.adding(days: 1), to: date)
    }

    /// The working day with `count(before:)` equal to `i`.
    public func workday(_ i: Int) -> CivilDate {
        if i >= 0 && i < workdays.count { return start.adding(days: Int(workdays[i])) }
        if i < 0 { return start.adding(days: i * 7 / 5 - 1) }
        let lastDay = start.adding(days: Int(workdays[workdays.count - 1]))
        return calendar.adding(workingDays: i - workdays.count + 1, to: lastDay) ?? lastDay
    }

    /// The working-day count of the first payment run on or after working day `w` (`w` when there is none),
    /// as ``count(before:)`` of ``nextPaymentRun(onOrAfter:)`` of ``workday(_:)`` gives it.
    func runAfter(workday w: Int) -> Int {
        if w >= 0 && w < runAfterWorkday.count { return Int(runAfterWorkday[w]) }
        let day = workday(w)
        return count(before: nextPaymentRun(onOrAfter: day) ?? day)
    }

    /// The first payment run on or after `date` (same answer as ``PayablesCalendar/nextPaymentRun(onOrAfter:)``).
    public func nextPaymentRun(onOrAfter date: CivilDate) -> CivilDate? {
        if let k = offset(date) {
            let r = nextRun[k]
            return r >= 0 ? start.adding(days: Int(r)) : nil
        }
        return calendar.nextPaymentRun(onOrAfter: date)
    }
}

/// Working days counted from an origin on one calendar: index 0 is the first working day on or after the
/// origin. Turns dates into working-day offsets and back, so that durations are learned and forecast in
/// the customer's working days (weekends, holidays and closed periods do not count).
public struct WorkingDayAxis: Sendable {
    public let origin: CivilDate
    public let table: WorkingDayTable
    let base: Int

    public init(origin: CivilDate, calendar: PayablesCalendar) {
        self.init(origin: origin, table: WorkingDayTable.shared(for: calendar))
    }

    /// The axis on a table already looked up (``WorkingDayTable/shared(for:)``).
    public init(origin: CivilDate, table: WorkingDayTable) {
        self.origin = origin
        self.table = table
        self.base = table.count(before: origin)
    }

    public var calendar: PayablesCalendar { table.calendar }

    /// Working days from the origin to `date`: the number of working days in `origin ..< date`
    /// (negative before the origin).
    public func index(of date: CivilDate) -> Int { table.count(before: date) - base }

    /// The date of working day `i` after the origin.
    public func date(at i: Int) -> CivilDate { table.workday(base + i) }
}

extension OrgGraph {
    /// The working-day table of the calendar that decides when `invoice` is paid.
    public func paymentTable(for invoice: Invoice) -> WorkingDayTable? {
        paymentCalendarOwner(forSite: invoice.site, orderType: invoice.orderType).map { WorkingDayTable.shared(for: $0.calendar) }
    }

    /// ``paymentTable(for:)`` remembered per site and order type, for one loop over many invoices (not
    /// to be shared between threads).
    public func paymentTableLookup() -> (Invoice) -> WorkingDayTable? {
        final class Memo { var tables: [String: WorkingDayTable?] = [:] }
        let memo = Memo()
        return { invoice in
            let key = invoice.site + "|" + (invoice.orderType ?? "")
            if let known = memo.tables[key] { return known }
            let table = self.paymentTable(for: invoice)
            memo.tables[key] = table
            return table
        }
    }
}
