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
