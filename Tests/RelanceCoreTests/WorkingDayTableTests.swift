import Foundation
@testable import RelanceCore
import Testing

/// The table's shortcut from a working day to its payment run (what a payment-run step's law is mapped
/// through) against the long way round: the date of the working day, its next run, that run's count.
@Suite struct WorkingDayTableTests {
    static let noRuns = PayablesCalendar()
    static let monthly = PayablesCalendar(timeZone: "Europe/Paris", runDays: [.last])
    static let closedInAugust = PayablesCalendar(
        timeZone: "Europe/Paris", closedPeriods: [ClosedPeriod(from: MonthDay(month: 8, day: 1)!, to: MonthDay(month: 8, day: 31)!)],
        runWeekdays: [.tuesday])

    @Test(arguments: [noRuns, monthly, closedInAugust])
    func theRunAfterAWorkingDayIsTheNextRunOfItsDate(calendar: PayablesCalendar) {
        let table = WorkingDayTable.shared(for: calendar)
        let from = table.count(before: date("2026-01-01"))
        for w in from..<(from + 400) {
            let day = table.workday(w)
            let expected = table.count(before: table.nextPaymentRun(onOrAfter: day) ?? day)
            #expect(table.runAfter(workday: w) == expected, "working day \(w) (\(day))")
        }
        // Beyond the table (after 2100) and before it (1999), the long way round is taken.
        for w in [table.count(before: date("2100-12-20")) + 30, -20] {
            let day = table.workday(w)
            #expect(table.runAfter(workday: w) == table.count(before: table.nextPaymentRun(onOrAfter: day) ?? day), "working day \(w)")
        }
    }

    static let varied: [PayablesCalendar] = [
        noRuns, monthly, closedInAugust,
        PayablesCalendar(timeZone: "Europe/Paris", workingDays: [.monday, .tuesday, .wednesday, .thursday, .friday, .saturday],
                         holidays: .franceAlsaceMoselle, runDays: [.day(10), .day(25), .day(31), .last]),
        PayablesCalendar(timeZone: "America/New_York", holidays: .none,
                         closedPeriods: [ClosedPeriod(from: MonthDay(month: 12, day: 24)!, to: MonthDay(month: 1, day: 2)!),
                                         ClosedPeriod(from: MonthDay(month: 2, day: 29)!, to: MonthDay(month: 3, day: 1)!)],
                         runWeekdays: [.monday, .thursday], runDays: [.day(1)]),
        PayablesCalendar(timeZone: "Europe/Paris", workingDays: [.sunday, .wednesday], holidays: .france, runWeekdays: [.wednesday], runDays: [.day(30)]),
        // Days before the 1st, which validation refuses: the table must still count them as the calendar does.
        PayablesCalendar(timeZone: "Europe/Paris", runDays: [.day(0), .day(-3), .day(15)]),
    ]

    /// The table is built month by month; every day of its century must be what the calendar says of it.
    @Test(arguments: varied)
    func everyDayOfTheTableIsTheCalendarsOwn(calendar: PayablesCalendar) {
        let (working, scheduled) = WorkingDayTable.days(of: calendar, from: WorkingDayTable.first, through: WorkingDayTable.last)
        #expect(working.count == WorkingDayTable.first.days(to: WorkingDayTable.last) + 1)
        var wrong = 0, first: [CivilDate] = []
        for k in working.indices {
            let day = WorkingDayTable.first.adding(days: k)
            if working[k] != calendar.isWorkingDay(day) || scheduled[k] != calendar.isScheduledRun(day) {
                wrong += 1
                if first.count < 5 { first.append(day) }
            }
        }
        #expect(wrong == 0, "days that differ, the first: \(first)")
        // A range that starts and ends within months.
        let from = date("2024-02-27"), through = date("2024-06-03")
        let part = WorkingDayTable.days(of: calendar, from: from, through: through)
        #expect(part.working.count == from.days(to: through) + 1)
        for k in part.working.indices {
            let day = from.adding(days: k)
            #expect(part.working[k] == calendar.isWorkingDay(day) && part.scheduled[k] == calendar.isScheduledRun(day), "\(day)")
        }
        let table = WorkingDayTable.shared(for: calendar)
        let feb = date("2028-02-29")
        #expect(table.count(before: feb.adding(days: 1)) - table.count(before: feb) == (calendar.isWorkingDay(feb) ? 1 : 0))
    }

    @Test func aMonthlyRunGathersTheWholeMonth() {
        let table = WorkingDayTable.shared(for: Self.monthly)
        let run = table.count(before: date("2026-11-30"))
        // October's run (Saturday 31st) moves to Monday 2 November.
        #expect(table.runAfter(workday: table.count(before: date("2026-11-02"))) == table.count(before: date("2026-11-02")))
        for d in ["2026-11-03", "2026-11-16", "2026-11-27", "2026-11-30"] {
            #expect(table.runAfter(workday: table.count(before: date(d))) == run, "\(d)")
        }
        #expect(table.runAfter(workday: table.count(before: date("2026-12-01"))) == table.count(before: date("2026-12-31")))
    }
}
