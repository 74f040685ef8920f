/// Which public holidays close the customer's offices.
public enum HolidayRegion: String, Sendable, Codable, CaseIterable {
    /// No public holidays (weekends and closed periods still apply).
    case none
    /// The eleven French public holidays (Code du travail L3133-1).
    case france = "fr"
    /// France plus Good Friday and St Stephen's Day, as in Alsace and Moselle (L3134-13).
    case franceAlsaceMoselle = "fr-alsace-moselle"

    /// The holidays of `year`, sorted.
    public func holidays(in year: Int) -> [CivilDate] {
        guard self != .none else { return [] }
        let easter = HolidayRegion.easterSunday(year)
        var days: [CivilDate] = [
            (1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25),
        ].compactMap { CivilDate(year: year, month: $0.0, day: $0.1) }
        days += [easter.adding(days: 1), easter.adding(days: 39), easter.adding(days: 50)]
        if self == .franceAlsaceMoselle {
            days.append(easter.adding(days: -2))
            if let stephen = CivilDate(year: year, month: 12, day: 26) { days.append(stephen) }
        }
        return days.sorted()
    }

    /// Whether `date` is a public holiday (no allocation: this is on every working-day count's path).
    public func isHoliday(_ date: CivilDate) -> Bool {
        guard self != .none else { return false }
        let (y, m, d) = date.civil
        return isHoliday(month: m, day: d) { HolidayRegion.easterSunday(y).days(to: date) }
    }

    /// The rule of ``isHoliday(_:)`` from the day's month and day of the month, and its distance from the
    /// year's Easter Sunday (in days, negative before), asked only for days from March to June: what a
    /// working-day table built month by month (Easter worked out once a year) and a single date share.
    func isHoliday(month m: Int, day d: Int, daysFromEaster: () -> Int) -> Bool {
        guard self != .none else { return false }
        switch (m, d) {
        case (1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25): return true
        case (12, 26): return self == .franceAlsaceMoselle
        default: break
        }
        guard (3...6).contains(m) else { return false }
        let offset = daysFromEaster()
        return offset == 1 || offset == 39 || offset == 50 || (offset == -2 && self == .franceAlsaceMoselle)
    }

    /// Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm, "Meeus/Jones/Butcher").
    public static func easterSunday(_ year: Int) -> CivilDate {
        let a = year % 19, b = year / 100, c = year % 100
        let d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CivilDate(dayNumber: CivilDate.daysFromCivil(year: year, month: month, day: day))
    }
}
