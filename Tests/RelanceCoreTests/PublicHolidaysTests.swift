import RelanceCore
import Testing

@Suite struct PublicHolidaysTests {
    @Test(arguments: [
        (2024, "2024-03-31"), (2025, "2025-04-20"), (2026, "2026-04-05"), (2027, "2027-03-28"),
        (2038, "2038-04-25"), (2000, "2000-04-23"), (2019, "2019-04-21"),
        (1818, "1818-03-22"), (2285, "2285-03-22"),  // the earliest possible date, 22 March
        (1943, "1943-04-25"), (2011, "2011-04-24"),  // the latest possible date, 25 April
    ])
    func easterSunday(year: Int, expected: String) {
        #expect(HolidayRegion.easterSunday(year) == date(expected))
    }

    /// Cross-check against another algorithm (Gauss's, with Lichtenberg's corrections): the two must agree
    /// on every year, and Easter is always a Sunday between 22 March and 25 April.
    @Test func easterAgreesWithGaussOverFiveCenturies() throws {
        func gauss(_ x: Int) -> (month: Int, day: Int) {
            let k = x / 100
            let m = 15 + (3 * k + 3) / 4 - (8 * k + 13) / 25
            let s = 2 - (3 * k + 3) / 4
            let a = x % 19
            let d = (19 * a + m) % 30
            let r = (d + a / 11) / 29
            let og = 21 + d - r
            let sz = 7 - (x + x / 4 + s) % 7
            let oe = 7 - (og - sz) % 7
            let os = og + oe  // day of March; 32 = 1 April
            return os > 31 ? (4, os - 31) : (3, os)
        }
        for year in 1600...2100 {
            let easter = HolidayRegion.easterSunday(year)
            let (m, d) = gauss(year)
            let expected = try #require(CivilDate(year: year, month: m, day: d))
            #expect(easter == expected, "\(year)")
            #expect(easter.weekday == .sunday, "\(year)")
            #expect(date("\(year)-03-22") <= easter && easter <= date("\(year)-04-25"), "\(year)")
        }
    }

    @Test func theElevenFrenchHolidaysOf2026() {
        let expected = [
            "2026-01-01", "2026-04-06",  // Easter Monday (Easter 5 April)
            "2026-05-01", "2026-05-08",
            "2026-05-14",  // Ascension: Easter + 39 days
            "2026-05-25",  // Whit Monday: Easter + 50 days
            "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ].map { date($0) }
        #expect(HolidayRegion.france.holidays(in: 2026) == expected)
    }

    @Test func frenchHolidaysOf2025And2024() {
        let h2025 = HolidayRegion.france.holidays(in: 2025)
        #expect(h2025.count == 11)
        // Easter 20 April 2025: Monday 21 April, Ascension 29 May, Whit Monday 9 June.
        for d in ["2025-04-21", "2025-05-29", "2025-06-09"] { #expect(h2025.contains(date(d)), "\(d)") }
        let h2024 = HolidayRegion.france.holidays(in: 2024)
        // Easter 31 March 2024: Monday 1 April, Ascension 9 May, Whit Monday 20 May.
        for d in ["2024-04-01", "2024-05-09", "2024-05-20"] { #expect(h2024.contains(date(d)), "\(d)") }
        #expect(h2024 == h2024.sorted())
    }

    @Test func alsaceMoselleAddsGoodFridayAndSaintStephen() {
        let france = Set(HolidayRegion.france.holidays(in: 2026))
        let alsace = HolidayRegion.franceAlsaceMoselle.holidays(in: 2026)
        #expect(alsace.count == 13)
        #expect(alsace == alsace.sorted())
        #expect(Set(alsace).subtracting(france) == [date("2026-04-03"), date("2026-12-26")])  // Good Friday = Easter − 2
        #expect(france.isSubset(of: Set(alsace)))
        #expect(HolidayRegion.franceAlsaceMoselle.isHoliday(date("2026-04-03")))
        #expect(!HolidayRegion.france.isHoliday(date("2026-04-03")))
        #expect(HolidayRegion.franceAlsaceMoselle.isHoliday(date("2027-03-26")))  // Good Friday 2027 (Easter 28 March)
    }

    @Test func isHoliday() {
        #expect(HolidayRegion.france.isHoliday(date("2026-07-14")))
        #expect(HolidayRegion.france.isHoliday(date("2026-05-14")))
        #expect(!HolidayRegion.france.isHoliday(date("2026-07-13")))
        #expect(!HolidayRegion.france.isHoliday(date("2026-04-05")))  // Easter Sunday itself is not listed
        #expect(!HolidayRegion.france.isHoliday(date("2026-12-26")))
    }

    @Test func regionNoneHasNoHolidays() {
        #expect(HolidayRegion.none.holidays(in: 2026).isEmpty)
        #expect(!HolidayRegion.none.isHoliday(date("2026-12-25")))
        #expect(!HolidayRegion.none.isHoliday(date("2026-01-01")))
    }

    @Test func rawValues() {
        #expect(HolidayRegion(rawValue: "fr") == .france)
        #expect(HolidayRegion(rawValue: "fr-alsace-moselle") == .franceAlsaceMoselle)
        #expect(HolidayRegion(rawValue: "none") == HolidayRegion.none)
        #expect(HolidayRegion(rawValue: "de") == nil)
    }
}
