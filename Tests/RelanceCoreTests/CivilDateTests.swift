import Foundation
import RelanceCore
import Testing

@Suite struct CivilDateTests {
    /// Reference: walk month by month from 1600-01-01 (day number -135140, checked against Python's
    /// `date(1970,1,1) - date(1600,1,1)`), counting days with a leap rule written out independently.
    @Test func dayNumbersMatchAMonthByMonthCount() throws {
        func refLeap(_ y: Int) -> Bool { y % 400 == 0 || (y % 100 != 0 && y % 4 == 0) }
        let lengths = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        var n = -135_140
        var checked = 0
        for year in 1600...2400 {
            for month in 1...12 {
                let length = month == 2 && refLeap(year) ? 29 : lengths[month - 1]
                for day in 1...length {
                    let d = try #require(CivilDate(year: year, month: month, day: day))
                    if d.dayNumber != n {
                        Issue.record("\(year)-\(month)-\(day): dayNumber \(d.dayNumber), expected \(n)")
                        return
                    }
                    let back = CivilDate(dayNumber: n)
                    if back.year != year || back.month != month || back.day != day {
                        Issue.record("day \(n) reads back as \(back), expected \(year)-\(month)-\(day)")
                        return
                    }
                    n += 1
                    checked += 1
                }
            }
        }
        // 801 years of the Gregorian cycle: 2 × 146 097 days (1600–2399) plus 2400, a leap year.
        #expect(checked == 2 * 146_097 + 366)
        #expect(n == CivilDate(year: 2401, month: 1, day: 1)?.dayNumber)
    }

    /// The description written byte by byte is the padded year, month and day, for every day of years 0–9999,
    /// and the years outside them still read as before (a sign, more digits).
    @Test func descriptionIsThePaddedParts() throws {
        func padded(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        // Years 0 and 10000 are leap years (divisible by 400).
        let first = try #require(CivilDate(year: 1, month: 1, day: 1)).dayNumber - 366
        let last = try #require(CivilDate(year: 9999, month: 12, day: 31)).dayNumber + 366
        var wrong = 0
        for n in stride(from: first - 400, through: last, by: 1) {
            let d = CivilDate(dayNumber: n)
            let expected = "\(padded(d.year, 4))-\(padded(d.month, 2))-\(padded(d.day, 2))"
            if d.description != expected {
                wrong += 1
                if wrong < 5 { Issue.record("day \(n): \(d.description), expected \(expected)") }
            }
        }
        #expect(wrong == 0)
        #expect(CivilDate(dayNumber: first).description == "0000-01-01")
        #expect(CivilDate(dayNumber: first - 1).description == "00-1-12-31")
        #expect(CivilDate(dayNumber: last).description == "10000-12-31")
        #expect(CivilDate(dayNumber: 20_529).description == "2026-03-17")
    }

    @Test(arguments: [
        ("1970-01-01", 0), ("1969-12-31", -1), ("2000-01-01", 10_957), ("2000-03-01", 11_017),
        ("0001-01-01", -719_162), ("9999-12-31", 2_932_896), ("2026-03-17", 20_529),
    ])
    func knownDayNumbers(iso: String, dayNumber: Int) throws {
        let d = try #require(CivilDate(iso: iso))
        #expect(d.dayNumber == dayNumber)
        #expect(CivilDate(dayNumber: dayNumber).description == iso)
    }

    @Test(arguments: ["2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31", "2026-12-31", "1900-02-28"])
    func parsesValidDates(iso: String) throws {
        let d = try #require(CivilDate(iso: iso))
        #expect(d.description == iso)
    }

    @Test(arguments: [
        "2025-02-29",  // 2025 is not a leap year
        "1900-02-29",  // 1900 is not a leap year (century not divisible by 400)
        "2024-13-01", "2024-00-10", "2024-01-00", "2024-04-31", "2024-01-32",
        "2024-1-01", "2024-01-1", "24-01-01", "02024-01-01", "0000-01-01",
        "2024/01/01", "20240101", "2024-01-01T00:00", " 2024-01-01", "2024-01-01 ",
        "-2024-01-01", "+024-01-01", "2024--01-01", "", "2024-01", "abcd-ef-gh",
        "２０２４-01-01",  // full-width digits are numbers but not ASCII
    ])
    func rejectsMalformedOrImpossibleDates(text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test func componentInitialiserRejectsImpossibleDays() {
        #expect(CivilDate(year: 2025, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2024, month: 13, day: 1) == nil)
        #expect(CivilDate(year: 0, month: 1, day: 1) == nil)
        #expect(CivilDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(CivilDate(year: 2024, month: 6, day: 31) == nil)
    }

    @Test(arguments: [
        ("2026-11-29", Weekday.sunday), ("2000-01-01", .saturday), ("1970-01-01", .thursday),
        ("1969-12-31", .wednesday), ("2026-01-01", .thursday), ("2026-07-14", .tuesday),
        ("2026-12-25", .friday), ("1900-01-01", .monday), ("2038-01-19", .tuesday),
    ])
    func weekdayOfKnownDates(iso: String, weekday: Weekday) {
        #expect(date(iso).weekday == weekday)
    }

    @Test func weekdaysCycleThroughTheWeek() {
        var d = date("2026-03-02")  // a Monday
        for expected in Weekday.allCases + Weekday.allCases {
            #expect(d.weekday == expected, "\(d)")
            d = d.adding(days: 1)
        }
    }

    @Test(arguments: [
        ("2024-01-31", 1, "2024-02-29"),   // clamped to the leap February
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-01-31", 13, "2025-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-03-31", -1, "2024-02-29"),
        ("2024-01-15", -1, "2023-12-15"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-05-31", 1, "2026-06-30"),
        ("2026-08-31", 0, "2026-08-31"),
        ("2026-01-10", 24, "2028-01-10"),
        ("2026-03-10", -27, "2023-12-10"),
    ])
    func addingMonthsClampsToTheMonthLength(start: String, months: Int, expected: String) {
        #expect(date(start).adding(months: months) == date(expected))
    }

    @Test(arguments: [
        ("2024-02-10", "2024-02-29"), ("2025-02-01", "2025-02-28"), ("2100-02-15", "2100-02-28"),
        ("2000-02-15", "2000-02-29"), ("2026-04-30", "2026-04-30"), ("2026-12-01", "2026-12-31"),
        ("2026-06-15", "2026-06-30"),
    ])
    func endOfMonth(start: String, expected: String) {
        #expect(date(start).endOfMonth == date(expected))
    }

    @Test func dayArithmeticAndOrdering() {
        let a = date("2026-01-15"), b = date("2026-03-17")
        #expect(a.days(to: b) == 61)  // 16 days to 31 Jan, 28 in February, 17 in March
        #expect(b.days(to: a) == -61)
        #expect(a.adding(days: 61) == b)
        #expect(a < b)
        #expect(!(b < a))
        #expect([b, a].sorted() == [a, b])
        #expect(date("2024-12-31").adding(days: 1) == date("2025-01-01"))
        #expect(date("2024-03-01").adding(days: -1) == date("2024-02-29"))
    }

    @Test func leapYears() {
        #expect(CivilDate.isLeap(2024))
        #expect(CivilDate.isLeap(2000))
        #expect(!CivilDate.isLeap(1900))
        #expect(!CivilDate.isLeap(2026))
        #expect(CivilDate.daysIn(month: 2, year: 2024) == 29)
        #expect(CivilDate.daysIn(month: 2, year: 2100) == 28)
        #expect(CivilDate.daysIn(month: 4, year: 2026) == 30)
        #expect(CivilDate.daysIn(month: 12, year: 2026) == 31)
    }

    @Test func codableUsesTheISOString() throws {
        let encoded = try JSONEncoder().encode([date("2026-03-17")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["2026-03-17"]"#)
        let decoded = try JSONDecoder().decode([CivilDate].self, from: Data(#"["2024-02-29"]"#.utf8))
        #expect(decoded == [date("2024-02-29")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CivilDate].self, from: Data(#"["2025-02-29"]"#.utf8))
        }
    }

    @Test(arguments: [
        ("monday", Weekday.monday), ("Mon", .monday), ("TUESDAY", .tuesday), ("lundi", .monday),
        ("lun", .monday), ("mardi", .tuesday), ("mar", .tuesday), ("mer", .wednesday), ("Jeudi", .thursday),
        ("ven", .friday), ("samedi", .saturday), ("dim", .sunday), ("sun", .sunday),
    ])
    func weekdayNames(name: String, expected: Weekday) {
        #expect(Weekday(name: name) == expected)
    }

    @Test(arguments: ["", "m", "mo", "mondays", "xyz", "lu", "dimanches"])
    func unknownWeekdayNames(name: String) {
        #expect(Weekday(name: name) == nil)
    }

    @Test func weekdaysAreOrderedMondayFirst() {
        #expect(Weekday.monday < .tuesday)
        #expect(Weekday.saturday < .sunday)
        #expect(!(Weekday.sunday < .monday))
        #expect(Weekday.wednesday.shortName == "wed")
    }

    @Test func monthDayParsing() {
        #expect(MonthDay(text: "08-01") == MonthDay(month: 8, day: 1))
        #expect(MonthDay(text: "02-29")?.description == "02-29")
        #expect(MonthDay(month: 2, day: 30) == nil)
        #expect(MonthDay(month: 13, day: 1) == nil)
        #expect(MonthDay(month: 4, day: 31) == nil)
        #expect(MonthDay(month: 0, day: 1) == nil)
        for bad in ["8-01", "08-1", "0801", "08/01", "13-01", "02-30", "aa-bb", "08-01-01"] {
            #expect(MonthDay(text: bad) == nil, "\(bad)")
        }
        #expect(MonthDay(month: 1, day: 31)! < MonthDay(month: 2, day: 1)!)
    }

    /// The parser must be as strict as the date parser: two ASCII digits, one dash, two ASCII digits.
    @Test(arguments: ["+1-01", "01-+1", "01--01", "-01-01", "01-01-", " 1-01", "٠١-٠١"])
    func monthDayRejectsSignsAndEmptyParts(text: String) {
        #expect(MonthDay(text: text) == nil)
    }

    @Test func closedPeriodContains() throws {
        let august = ClosedPeriod(from: try #require(MonthDay(text: "08-01")), to: try #require(MonthDay(text: "08-31")))
        #expect(august.contains(date("2026-08-01")))
        #expect(august.contains(date("2026-08-31")))
        #expect(!august.contains(date("2026-07-31")))
        #expect(!august.contains(date("2026-09-01")))
        #expect(august.description == "08-01 to 08-31")

        let christmas = ClosedPeriod(from: try #require(MonthDay(text: "12-24")), to: try #require(MonthDay(text: "01-02")))
        #expect(christmas.contains(date("2026-12-24")))
        #expect(christmas.contains(date("2026-12-31")))
        #expect(christmas.contains(date("2027-01-01")))
        #expect(christmas.contains(date("2027-01-02")))
        #expect(!christmas.contains(date("2027-01-03")))
        #expect(!christmas.contains(date("2026-12-23")))
        #expect(!christmas.contains(date("2026-06-15")))

        let oneDay = ClosedPeriod(from: try #require(MonthDay(text: "05-02")), to: try #require(MonthDay(text: "05-02")))
        #expect(oneDay.contains(date("2026-05-02")))
        #expect(!oneDay.contains(date("2026-05-03")))
    }

    // MARK: Instants

    private func zone(_ id: String) throws -> TimeZone { try #require(TimeZone(identifier: id)) }

    /// 2026-03-17T23:30:00Z, from its Unix time: 20 529 days × 86 400 s + 23.5 h.
    private let lateEveningUTC = Date(timeIntervalSince1970: 20_529 * 86_400 + 23.5 * 3_600)

    @Test func civilDateOfAnInstantDependsOnTheTimeZone() throws {
        #expect(CivilDate(lateEveningUTC, in: try zone("UTC")) == date("2026-03-17"))
        #expect(CivilDate(lateEveningUTC, in: try zone("Europe/Paris")) == date("2026-03-18"))       // UTC+1
        #expect(CivilDate(lateEveningUTC, in: try zone("Pacific/Noumea")) == date("2026-03-18"))     // UTC+11
        #expect(CivilDate(lateEveningUTC, in: try zone("America/Martinique")) == date("2026-03-17")) // UTC−4
    }

    @Test func startOfDay() throws {
        let paris = try zone("Europe/Paris")
        // Winter: midnight in Paris is 23:00 UTC the day before.
        #expect(date("2026-03-17").start(in: paris) == Date(timeIntervalSince1970: 20_529 * 86_400 - 3_600))
        // 29 March 2026, the switch to summer time, still starts at 23:00 UTC on the 28th (the jump is at 02:00).
        #expect(date("2026-03-29").start(in: paris) == Date(timeIntervalSince1970: 20_541 * 86_400 - 3_600))
        // Summer: 22:00 UTC the day before.
        #expect(date("2026-07-14").start(in: paris) == Date(timeIntervalSince1970: Double(date("2026-07-14").dayNumber) * 86_400 - 7_200))
    }

    @Test func startOfDayRoundTrips() throws {
        for id in ["Europe/Paris", "Pacific/Noumea", "America/Martinique", "UTC"] {
            let tz = try zone(id)
            var d = date("2026-01-01")
            while d < date("2027-01-01") {
                #expect(CivilDate(d.start(in: tz), in: tz) == d, "\(d) in \(id)")
                #expect(CivilDate(d.start(in: tz).addingTimeInterval(-1), in: tz) == d.adding(days: -1), "\(d) in \(id)")
                d = d.adding(days: 1)
            }
        }
    }

    @Test func todayIsADateNearNow() throws {
        let today = CivilDate.today(in: try zone("UTC"))
        let now = Int(Date().timeIntervalSince1970 / 86_400)
        #expect(abs(today.dayNumber - now) <= 1)
    }
}
