import RelanceCore
import Testing

private func period(_ from: String, _ to: String) -> ClosedPeriod {
    guard let f = MonthDay(text: from), let t = MonthDay(text: to) else {
        Issue.record("bad period \(from) \(to)")
        return ClosedPeriod(from: MonthDay(month: 1, day: 1)!, to: MonthDay(month: 1, day: 1)!)
    }
    return ClosedPeriod(from: f, to: t)
}

@Suite struct PayablesCalendarTests {
    let tenAndTwentyFifth = PayablesCalendar(runDays: [.day(10), .day(25)])

    // MARK: Working days

    @Test func workingDaysSkipWeekendsHolidaysAndClosures() {
        let c = PayablesCalendar(closedPeriods: [period("08-01", "08-31")])
        #expect(c.isWorkingDay(date("2026-03-10")))   // Tuesday
        #expect(!c.isWorkingDay(date("2026-03-14")))  // Saturday
        #expect(!c.isWorkingDay(date("2026-03-15")))  // Sunday
        #expect(!c.isWorkingDay(date("2026-07-14")))  // Tuesday, Bastille Day
        #expect(!c.isWorkingDay(date("2026-08-04")))  // Tuesday, closed for August
        #expect(c.isWorkingDay(date("2026-09-01")))   // Tuesday after the closure
        let noHolidays = PayablesCalendar(holidays: .none)
        #expect(noHolidays.isWorkingDay(date("2026-07-14")))
        let weekendShop = PayablesCalendar(workingDays: [.saturday, .sunday], holidays: .none)
        #expect(weekendShop.isWorkingDay(date("2026-03-14")))
        #expect(!weekendShop.isWorkingDay(date("2026-03-10")))
    }

    @Test func nextWorkingDay() {
        let c = PayablesCalendar()
        #expect(c.nextWorkingDay(onOrAfter: date("2026-03-10")) == date("2026-03-10"))
        #expect(c.nextWorkingDay(onOrAfter: date("2026-03-14")) == date("2026-03-16"))
        // Friday 8 May (Victory in Europe Day), then the weekend.
        #expect(c.nextWorkingDay(onOrAfter: date("2026-05-08")) == date("2026-05-11"))
        #expect(PayablesCalendar(workingDays: []).nextWorkingDay(onOrAfter: date("2026-01-01")) == nil)
    }

    // MARK: Runs on days of the month

    /// Every run of 2026 on the 10th and the 25th, moved to the next working day where needed.
    /// Moved ones: 10 Jan (Sat) → 12, 25 Jan (Sun) → 26, 25 Apr (Sat) → 27, 10 May (Sun) → 11,
    /// 25 May (Whit Monday) → 26, 25 Jul (Sat) → 27, 10 Oct (Sat) → 12, 25 Oct (Sun) → 26,
    /// 25 Dec (Christmas, Friday) → 28 (Saturday and Sunday in between).
    @Test func runsOnThe10thAnd25thOf2026() {
        let expected = [
            "2026-01-12", "2026-01-26", "2026-02-10", "2026-02-25", "2026-03-10", "2026-03-25",
            "2026-04-10", "2026-04-27", "2026-05-11", "2026-05-26", "2026-06-10", "2026-06-25",
            "2026-07-10", "2026-07-27", "2026-08-10", "2026-08-25", "2026-09-10", "2026-09-25",
            "2026-10-12", "2026-10-26", "2026-11-10", "2026-11-25", "2026-12-10", "2026-12-28",
        ].map { date($0) }
        // Walk the year: from the day after each run, the next run is the following one.
        var runs: [CivilDate] = []
        var d = date("2026-01-01")
        while let run = tenAndTwentyFifth.nextPaymentRun(onOrAfter: d), run.year == 2026 {
            runs.append(run)
            d = run.adding(days: 1)
        }
        #expect(runs == expected)
    }

    @Test(arguments: [
        ("2026-01-01", "2026-01-12"),
        ("2026-01-10", "2026-01-12"),  // the run itself is on Saturday
        ("2026-01-11", "2026-01-12"),
        ("2026-01-12", "2026-01-12"),
        ("2026-01-13", "2026-01-26"),
        ("2026-02-10", "2026-02-10"),
        ("2026-02-11", "2026-02-25"),
        ("2026-05-12", "2026-05-26"),  // 25 May is Whit Monday
        ("2026-05-25", "2026-05-26"),
        ("2026-12-11", "2026-12-28"),  // 25 Dec is Christmas, then the weekend
        ("2026-12-26", "2026-12-28"),
        ("2026-12-29", "2027-01-11"),  // 10 Jan 2027 is a Sunday
    ])
    func nextRunOnThe10thAnd25th(from: String, expected: String) {
        #expect(tenAndTwentyFifth.nextPaymentRun(onOrAfter: date(from)) == date(expected))
    }

    @Test func weeklyRunsEveryTuesday() {
        let c = PayablesCalendar(runWeekdays: [.tuesday])
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-09")) == date("2026-03-10"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-10")) == date("2026-03-10"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-11")) == date("2026-03-17"))
        // Tuesday 14 July is Bastille Day: that week's run moves to Wednesday 15.
        #expect(c.nextPaymentRun(onOrAfter: date("2026-07-13")) == date("2026-07-15"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-07-15")) == date("2026-07-15"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-07-16")) == date("2026-07-21"))
        #expect(c.isScheduledRun(date("2026-07-14")))
        #expect(!c.isScheduledRun(date("2026-07-15")))
    }

    @Test func weekdayAndMonthDayRulesCombine() {
        let c = PayablesCalendar(runWeekdays: [.friday], runDays: [.day(15)])
        // Monday 9 March: Friday 13 comes before the 15th (a Sunday, which would move to Monday 16).
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-09")) == date("2026-03-13"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-14")) == date("2026-03-16"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-17")) == date("2026-03-20"))
    }

    @Test func lastDayOfTheMonth() {
        let c = PayablesCalendar(runDays: [.last])
        // 31 January 2026 is a Saturday: that run is on Monday 2 February.
        #expect(c.nextPaymentRun(onOrAfter: date("2026-02-01")) == date("2026-02-02"))
        // 28 February 2026 is a Saturday: Monday 2 March.
        #expect(c.nextPaymentRun(onOrAfter: date("2026-02-03")) == date("2026-03-02"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-03")) == date("2026-03-31"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-04-01")) == date("2026-04-30"))
        // 31 May 2026 is a Sunday: Monday 1 June.
        #expect(c.nextPaymentRun(onOrAfter: date("2026-05-02")) == date("2026-06-01"))
        #expect(c.isScheduledRun(date("2024-02-29")))
        #expect(!c.isScheduledRun(date("2024-02-28")))
        #expect(c.isScheduledRun(date("2026-02-28")))
    }

    @Test func runDay31InShortMonths() {
        let c = PayablesCalendar(runDays: [.day(31)])
        #expect(c.nextPaymentRun(onOrAfter: date("2026-04-01")) == date("2026-04-30"))  // Thursday
        // 31 May 2026 is a Sunday: that run is on Monday 1 June; the next one is Tuesday 30 June.
        #expect(c.nextPaymentRun(onOrAfter: date("2026-06-01")) == date("2026-06-01"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-06-02")) == date("2026-06-30"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-09-01")) == date("2026-09-30"))  // Wednesday
        #expect(c.nextPaymentRun(onOrAfter: date("2026-02-03")) == date("2026-03-02"))  // 28 Feb is a Saturday
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-03")) == date("2026-03-31"))
        #expect(c.isScheduledRun(date("2026-04-30")))
        #expect(!c.isScheduledRun(date("2026-04-29")))
        let day30 = PayablesCalendar(runDays: [.day(30)])
        #expect(day30.isScheduledRun(date("2026-02-28")))
        #expect(!day30.isScheduledRun(date("2026-03-31")))
    }

    // MARK: Closed periods

    @Test func runInsideAnAugustClosureMovesToTheFirstWorkingDayAfterIt() {
        let c = PayablesCalendar(closedPeriods: [period("08-01", "08-31")], runDays: [.day(10), .day(25)])
        // 27 July is the shifted 25 July run; from 28 July, the 10 and 25 August runs both land on Tuesday 1 September.
        #expect(c.nextPaymentRun(onOrAfter: date("2026-07-27")) == date("2026-07-27"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-07-28")) == date("2026-09-01"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-08-20")) == date("2026-09-01"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-09-01")) == date("2026-09-01"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-09-02")) == date("2026-09-10"))
    }

    @Test func closureWrappingTheNewYear() {
        let c = PayablesCalendar(closedPeriods: [period("12-24", "01-01")], runDays: [.day(10), .day(25)])
        #expect(c.isWorkingDay(date("2026-12-23")))
        #expect(!c.isWorkingDay(date("2026-12-24")))
        #expect(!c.isWorkingDay(date("2026-12-31")))
        #expect(!c.isWorkingDay(date("2027-01-01")))
        // 25 Dec is closed; 2 and 3 Jan 2027 are a weekend: Monday 4 January.
        #expect(c.nextPaymentRun(onOrAfter: date("2026-12-11")) == date("2027-01-04"))
        #expect(c.nextPaymentRun(onOrAfter: date("2027-01-04")) == date("2027-01-04"))
        #expect(c.nextPaymentRun(onOrAfter: date("2027-01-05")) == date("2027-01-11"))
    }

    /// A closure longer than the two months the search looks back: from 20 September, the 10 June run
    /// (102 days earlier) is out of reach, but the July, August and September runs, closed too, all move
    /// to the same day, Thursday 1 October.
    @Test func longClosure() {
        let c = PayablesCalendar(closedPeriods: [period("06-01", "09-30")], runDays: [.day(10)])
        #expect(c.nextPaymentRun(onOrAfter: date("2026-05-20")) == date("2026-10-01"))  // Thursday
        #expect(c.nextPaymentRun(onOrAfter: date("2026-09-20")) == date("2026-10-01"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-10-02")) == date("2026-10-12"))  // 10 Oct is a Saturday
    }

    @Test func unknownRunsMeanTheNextWorkingDay() {
        let c = PayablesCalendar()
        #expect(!c.hasKnownRuns)
        #expect(c.nextPaymentRun(onOrAfter: date("2026-03-10")) == date("2026-03-10"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-05-08")) == date("2026-05-11"))  // holiday, then weekend
        #expect(c.nextPaymentRun(onOrAfter: date("2026-12-24")) == date("2026-12-24"))
        #expect(c.nextPaymentRun(onOrAfter: date("2026-12-25")) == date("2026-12-28"))
        #expect(PayablesCalendar(runWeekdays: [.monday]).hasKnownRuns)
        #expect(PayablesCalendar(runDays: [.last]).hasKnownRuns)
    }

    /// Property: the next run is a working day on or after the date, and nothing earlier is a run: stepping
    /// through every day of 2026–2027 must visit the runs in increasing order.
    @Test(arguments: [
        PayablesCalendar(runDays: [.day(10), .day(25)]),
        PayablesCalendar(runWeekdays: [.tuesday, .thursday]),
        PayablesCalendar(holidays: .franceAlsaceMoselle, closedPeriods: [period("08-01", "08-20"), period("12-24", "01-02")],
                         runDays: [.day(5), .last]),
        PayablesCalendar(),
    ])
    func nextRunIsAWorkingDayOnOrAfterTheDate(calendar: PayablesCalendar) throws {
        var d = date("2026-01-01")
        var previous: CivilDate?
        while d < date("2028-01-01") {
            let run = try #require(calendar.nextPaymentRun(onOrAfter: d))
            #expect(run >= d)
            #expect(calendar.isWorkingDay(run), "\(run)")
            if let p = previous, p >= d { #expect(run == p, "from \(d): \(run), yesterday \(p)") }
            previous = run
            d = d.adding(days: 1)
        }
    }

    // MARK: Counting working days

    @Test func addingWorkingDays() {
        let c = PayablesCalendar()
        #expect(c.adding(workingDays: 1, to: date("2026-04-03")) == date("2026-04-07"))  // Friday; Monday 6 is Easter Monday
        #expect(c.adding(workingDays: 0, to: date("2026-04-04")) == date("2026-04-07"))  // Saturday → next working day
        #expect(c.adding(workingDays: 0, to: date("2026-04-08")) == date("2026-04-08"))
        #expect(c.adding(workingDays: 2, to: date("2026-05-13")) == date("2026-05-18"))  // 14 May is Ascension
        #expect(c.adding(workingDays: 3, to: date("2026-12-24")) == date("2026-12-30"))  // 25 Dec, then the weekend
        #expect(c.adding(workingDays: 5, to: date("2026-03-09")) == date("2026-03-16"))  // a plain week
        #expect(c.adding(workingDays: 252, to: date("2026-01-02")) == date("2027-01-04"))  // 252 working days in 2026
        #expect(PayablesCalendar(workingDays: []).adding(workingDays: 1, to: date("2026-01-01")) == nil)
    }

    @Test func countingWorkingDays() {
        let c = PayablesCalendar()
        // May 2026: 21 weekdays, of which 1, 8, 14 (Ascension) and 25 (Whit Monday) are holidays.
        #expect(c.workingDays(from: date("2026-05-01"), to: date("2026-06-01")) == 17)
        // 2026: 261 weekdays; 9 holidays fall on a weekday (15 Aug is a Saturday, 1 Nov a Sunday).
        #expect(c.workingDays(from: date("2026-01-01"), to: date("2027-01-01")) == 252)
        #expect(c.workingDays(from: date("2026-03-09"), to: date("2026-03-16")) == 5)  // half-open: Monday to Monday
        #expect(c.workingDays(from: date("2026-03-09"), to: date("2026-03-09")) == 0)
        #expect(c.workingDays(from: date("2026-03-16"), to: date("2026-03-09")) == 0)
        #expect(c.workingDays(from: date("2026-03-14"), to: date("2026-03-16")) == 0)  // a weekend
        let closed = PayablesCalendar(closedPeriods: [period("08-01", "08-31")])
        #expect(closed.workingDays(from: date("2026-08-01"), to: date("2026-09-01")) == 0)
    }

    @Test func addingAndCountingAgree() throws {
        let c = PayablesCalendar(closedPeriods: [period("08-03", "08-21")])
        let start = date("2026-07-01")  // a Wednesday, a working day
        for n in 0..<60 {
            let end = try #require(c.adding(workingDays: n, to: start))
            #expect(c.workingDays(from: start, to: end) == n, "\(n) working days → \(end)")
            #expect(c.isWorkingDay(end))
        }
    }

    // MARK: Impossible calendars

    @Test func soundCalendarsHaveNoProblems() {
        #expect(PayablesCalendar().problems().isEmpty)
        #expect(tenAndTwentyFifth.problems().isEmpty)
        #expect(PayablesCalendar(closedPeriods: [period("08-01", "08-31"), period("12-24", "01-01")],
                                 runWeekdays: [.tuesday], runDays: [.day(31), .last]).problems().isEmpty)
    }

    @Test func noWorkingDay() {
        let problems = PayablesCalendar(workingDays: []).problems()
        #expect(problems == ["no working day in the week"])
    }

    @Test(arguments: [0, 32, -1])
    func runDayOutOfTheMonth(day: Int) throws {
        let problems = PayablesCalendar(runDays: [.day(10), .day(day)]).problems()
        #expect(problems.count == 1)
        let p = try #require(problems.first)
        #expect(p.contains("\(day)") && p.contains("not a day of the month"))
    }

    @Test func runsOnANonWorkingWeekday() {
        let problems = PayablesCalendar(runWeekdays: [.saturday, .tuesday, .sunday]).problems()
        #expect(problems == [
            "payment runs on saturday, which is not a working day",
            "payment runs on sunday, which is not a working day",
        ])
    }

    @Test(arguments: [
        [period("01-01", "12-31")],
        [period("01-02", "12-31")],  // 1 January is a holiday anyway
        [period("07-01", "06-30")],  // wraps the new year and covers it all
        [period("01-01", "06-30"), period("07-01", "12-31")],
    ])
    func closedAllYear(periods: [ClosedPeriod]) {
        let problems = PayablesCalendar(closedPeriods: periods).problems()
        #expect(problems == ["closed periods and holidays leave no working day in the year"])
    }

    @Test func almostClosedAllYearIsFine() {
        // Open on 30 and 31 December only: 31 Dec 2029 is a Monday, so the department does work.
        #expect(PayablesCalendar(closedPeriods: [period("01-01", "12-29")]).problems().isEmpty)
    }

    @Test func runDayDescription() {
        #expect(RunDay.day(10).description == "10")
        #expect(RunDay.last.description == "last")
    }
}
