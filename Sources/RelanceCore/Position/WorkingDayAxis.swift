/// Working days counted from an origin on one calendar: index 0 is the first working day on or after the
/// origin. Turns dates into working-day offsets and back, so that durations are learned and forecast in
/// the customer's working days (weekends, holidays and closed periods do not count).
public struct WorkingDayAxis: Sendable {
    public let origin: CivilDate
    public let calendar: PayablesCalendar
    /// `days[i]` is the i-th working day on or after the origin.
    public let days: [CivilDate]

    public init(origin: CivilDate, calendar: PayablesCalendar, length: Int = DwellDistribution.horizon * 3) {
        self.origin = origin
        self.calendar = calendar
        var result: [CivilDate] = []
        result.reserveCapacity(length)
        var d = origin
        var guardDays = 0
        while result.count < length && guardDays < length * 4 {
            if calendar.isWorkingDay(d) { result.append(d) }
            d = d.adding(days: 1)
            guardDays += 1
        }
        if result.isEmpty { result = [origin] }
        self.days = result
    }

    /// Working days from the origin to `date` (the number of working days strictly before `date`);
    /// negative for dates before the origin (counted in calendar days, an approximation).
    public func index(of date: CivilDate) -> Int {
        guard date > origin else { return date == origin ? 0 : origin.days(to: date) }
        var lo = 0, hi = days.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if days[mid] < date { lo = mid + 1 } else { hi = mid }
        }
        if lo == days.count, let last = days.last { return days.count + calendar.workingDays(from: last.adding(days: 1), to: date) }
        return lo
    }

    /// The date of working day `i` (past the axis, counted on from its end).
    public func date(at i: Int) -> CivilDate {
        if i < 0 { return origin.adding(days: i) }
        if i < days.count { return days[i] }
        return calendar.adding(workingDays: i - days.count + 1, to: days[days.count - 1]) ?? days[days.count - 1].adding(days: i - days.count + 1)
    }
}
