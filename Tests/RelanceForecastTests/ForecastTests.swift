import Foundation
import RelanceCore
import RelanceForecast
import Testing

private func day(_ s: String) -> CivilDate { CivilDate(iso: s) ?? CivilDate(dayNumber: 0) }

@Suite struct DayDistributionTests {
    @Test func quantilesAndConditioning() {
        // 10%, 40%, 30%, 20% on the 1st to the 4th.
        let d = DayDistribution(start: day("2026-03-01"), mass: [1, 4, 3, 2])
        #expect(d.quantile(0.1) == day("2026-03-01"))
        #expect(d.quantile(0.5) == day("2026-03-02"))   // 0.1 + 0.4 reaches 0.5 on the 2nd
        #expect(d.quantile(0.9) == day("2026-03-04"))
        #expect(abs(d.cdf(day("2026-03-03")) - 0.8) < 1e-9)
        // Unpaid on the 3rd: 30% and 20% renormalised to 60% and 40%.
        let g = d.given(notBefore: day("2026-03-03"))
        #expect(g.start == day("2026-03-03"))
        #expect(abs(g.mass[0] - 0.6) < 1e-9 && abs(g.mass[1] - 0.4) < 1e-9)
        // No chance left: everything on the day.
        #expect(d.given(notBefore: day("2026-03-09")).quantile(0.5) == day("2026-03-09"))
    }

    @Test func mixtureWeighsEachPart() {
        let m = DayDistribution.point(day("2026-03-10")).mixed(with: .point(day("2026-03-20")), weight: 0.7)
        #expect(abs(m.cdf(day("2026-03-10")) - 0.7) < 1e-9)
        #expect(m.quantile(0.5) == day("2026-03-10"))
        #expect(m.quantile(0.8) == day("2026-03-20"))
    }

    /// Expected days late: each day's chance times the days past the due date (none before it).
    @Test func expectedDaysLateCountsOnlyTheDaysPastTheDueDate() {
        // 10%, 40%, 30%, 20% on the 1st to the 4th; due on the 2nd: 0.3 × 1 + 0.2 × 2.
        let d = DayDistribution(start: day("2026-03-01"), mass: [1, 4, 3, 2])
        func forecast(due: String) -> PaymentForecast {
            PaymentForecast(invoice: "F", asOf: day("2026-02-27"), dueDate: day(due), distribution: d, method: .route, explanation: "")
        }
        #expect(abs(forecast(due: "2026-03-02").expectedDaysLate - 0.7) < 1e-12)
        #expect(forecast(due: "2026-03-04").expectedDaysLate == 0)
        #expect(forecast(due: "2026-03-09").expectedDaysLate == 0)
        // Due before the law starts: every day is late, the 1st by 3 days.
        #expect(abs(forecast(due: "2026-02-26").expectedDaysLate - (0.1 * 3 + 0.4 * 4 + 0.3 * 5 + 0.2 * 6)) < 1e-12)
        // The same, to the bit, as the sum over every day with a date made for each (the old way).
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let law = DayDistribution(start: day("2026-03-01").adding(days: Int.random(in: -40...40, using: &rng)),
                                      mass: (0..<Int.random(in: 1...120, using: &rng)).map { _ in Double.random(in: 0...1, using: &rng) })
            let f = PaymentForecast(invoice: "F", asOf: day("2026-02-27"), dueDate: day("2026-03-15"), distribution: law, method: .route, explanation: "")
            let old = law.mass.enumerated().reduce(0.0) { acc, x in
                acc + x.element * Double(max(0, f.dueDate.days(to: law.start.adding(days: x.offset))))
            }
            #expect(f.expectedDaysLate == old)
        }
    }
}

@Suite struct LedgerModelUnitTests {
    func settled(_ id: String, _ customer: String, issue: String, days: Int, channel: String, disputed: Bool = false) -> LedgerInvoice {
        let i = day(issue)
        return LedgerInvoice(id: id, customer: customer, issueDate: i, dueDate: i.adding(days: 30), channel: channel,
                             settledOn: i.adding(days: days), disputedFrom: disputed ? i : nil)
    }

    @Test func levelIsTheTrimmedMean() {
        let m = LedgerModel()
        // Ten electronic invoices: 10 … 18 and one very late 60; the 10% trimmed mean drops 10 and 60.
        let days = [10, 11, 12, 13, 14, 15, 16, 17, 18, 60]
        for (k, d) in days.enumerated() { m.learn(settled("e\(k)", "c1", issue: "2026-01-0\(k % 9 + 1)", days: d, channel: "electronic")) }
        let new = LedgerInvoice(id: "n", customer: "c1", issueDate: day("2026-06-01"), dueDate: day("2026-07-01"), channel: "electronic",
                                settledOn: nil, disputedFrom: nil)
        let (estimate, why) = m.pointForecast(new, disputed: false)
        #expect(abs(estimate - Double(11 + 12 + 13 + 14 + 15 + 16 + 17 + 18) / 8) < 1e-9)   // 14.5
        #expect(why.contains("over 10 invoices"))
    }

    @Test func otherChannelAndDisputedInvoicesAreMovedThenPooled() {
        let m = LedgerModel()
        // Portfolio: two customers paying 10 days faster electronically, and 15 days later when disputed.
        for (c, paper, elec) in [("a", 40, 30), ("b", 30, 20)] {
            for k in 1...3 { m.learn(settled("\(c)p\(k)", c, issue: "2026-01-0\(k)", days: paper, channel: "paper")) }
            for k in 1...3 { m.learn(settled("\(c)e\(k)", c, issue: "2026-02-0\(k)", days: elec, channel: "electronic")) }
            m.learn(settled("\(c)d", c, issue: "2026-02-10", days: elec + 15, channel: "electronic", disputed: true))
        }
        // Customer c: five paper invoices at 50 days, one electronic at 44, one disputed electronic at 61.
        for k in 1...5 { m.learn(settled("cp\(k)", "c", issue: "2026-01-1\(k)", days: 50, channel: "paper")) }
        m.learn(settled("ce1", "c", issue: "2026-03-01", days: 44, channel: "electronic"))
        m.learn(settled("ce2", "c", issue: "2026-03-02", days: 61, channel: "electronic", disputed: true))
        let new = LedgerInvoice(id: "n", customer: "c", issueDate: day("2026-06-01"), dueDate: day("2026-07-01"), channel: "electronic",
                                settledOn: nil, disputedFrom: nil)
        let (estimate, why) = m.pointForecast(new, disputed: false)
        // Paper 50 − 10 = 40 (five times), 44, and 61 − 15 = 46: seven values, none trimmed.
        #expect(abs(estimate - Double(5 * 40 + 44 + 46) / 7) < 1e-9)
        #expect(why.contains("over 7 invoices") && why.contains("1 disputed"))
        // A dispute known at the forecast date adds the portfolio's dispute effect.
        #expect(abs(m.pointForecast(new, disputed: true).days - estimate - 15) < 1e-9)
        // The same customer's paper forecast moves the electronic invoices the other way (+10).
        var paper = new
        paper.channel = "paper"
        #expect(abs(m.pointForecast(paper, disputed: false).days - Double(5 * 50 + 54 + 56) / 7) < 1e-9)
    }

    @Test func aNewCustomerGetsThePortfolioMedian() {
        let m = LedgerModel()
        for (k, d) in [20, 30, 40].enumerated() { m.learn(settled("x\(k)", "x", issue: "2026-01-0\(k + 1)", days: d, channel: "paper")) }
        let new = LedgerInvoice(id: "n", customer: "unknown", issueDate: day("2026-06-01"), dueDate: day("2026-07-01"), channel: "paper",
                                settledOn: nil, disputedFrom: nil)
        let (estimate, why) = m.pointForecast(new, disputed: false)
        #expect(estimate == 30)
        #expect(why.hasPrefix("new customer"))
    }

    @Test func intervalsComeFromPastErrors() {
        let m = LedgerModel()
        for k in 0..<5 { m.learn(settled("s\(k)", "c", issue: "2026-01-0\(k + 1)", days: 20, channel: "paper")) }
        for r in 0..<100 { m.learnResidual(r % 2 == 0 ? -4 : 4, disputed: false) }
        let f = m.forecast(LedgerInvoice(id: "n", customer: "c", issueDate: day("2026-05-04"), dueDate: day("2026-06-03"), channel: "paper",
                                         settledOn: nil, disputedFrom: nil), asOf: day("2026-05-04"))
        #expect(f.p10 == day("2026-05-24").adding(days: -4))
        #expect(f.p90 == day("2026-05-24").adding(days: 4))
        #expect(f.method == .ledger)
    }
}

@Suite struct PaymentHabitTests {
    @Test func aCustomerThatPaysAtTheDueDateIsRecognisedWithItsLead() throws {
        // Weekly runs on Tuesdays; every invoice paid in the first run on or after due − 3, received two working days later.
        let calendar = PayablesCalendar(runWeekdays: [.tuesday])
        let table = WorkingDayTable.shared(for: calendar)
        var invoices: [Invoice] = []
        var events: [String: [InvoiceEvent]] = [:]
        let zone = try #require(TimeZone(identifier: "Europe/Paris"))
        for k in 0..<20 {
            let issue = day("2026-01-05").adding(days: k * 3)
            let due = issue.adding(days: 60)
            let run = try #require(table.nextPaymentRun(onOrAfter: due.adding(days: -3)))
            let paid = table.workday(table.count(before: run) + 2)
            let id = "F\(k)"
            invoices.append(Invoice(id: id, group: "g", entity: "e", site: "s", issueDate: issue, dueDate: due,
                                    amount: Money(minorUnits: 10_000, currency: "EUR"), payments: [Payment(date: paid, amount: Money(minorUnits: 10_000, currency: "EUR"))]))
            events[id] = [InvoiceEvent(invoice: id, state: .paymentSent, at: run.start(in: zone).addingTimeInterval(36_000), source: .erp)]
        }
        let habit = PaymentHabit.learn(invoices: invoices, events: events, table: { _ in table }, asOf: day("2026-12-31"))
        #expect(habit.paysAtDueDate)
        #expect(habit.leadDays == 3)
        #expect(habit.bankLagDays == 2)
        #expect(habit.settledCount == 20)
    }

    @Test func withFewPaymentsTheDueDateIsAwaitedAndTheBankDelayIsUncertain() throws {
        // Three payments, each two working days after a Tuesday run: too few to tell the habit or trust the delay.
        let calendar = PayablesCalendar(runWeekdays: [.tuesday])
        let table = WorkingDayTable.shared(for: calendar)
        let zone = try #require(TimeZone(identifier: "Europe/Paris"))
        var invoices: [Invoice] = []
        var events: [String: [InvoiceEvent]] = [:]
        for k in 0..<3 {
            let issue = day("2026-01-05").adding(days: k * 7)
            let run = try #require(table.nextPaymentRun(onOrAfter: issue.adding(days: 20)))
            let paid = table.workday(table.count(before: run) + 2)
            invoices.append(Invoice(id: "F\(k)", group: "g", entity: "e", site: "s", issueDate: issue, dueDate: issue.adding(days: 60),
                                    amount: Money(minorUnits: 100, currency: "EUR"), payments: [Payment(date: paid, amount: Money(minorUnits: 100, currency: "EUR"))]))
            events["F\(k)"] = [InvoiceEvent(invoice: "F\(k)", state: .paymentSent, at: run.start(in: zone).addingTimeInterval(36_000), source: .erp)]
        }
        let habit = PaymentHabit.learn(invoices: invoices, events: events, table: { _ in table }, asOf: day("2026-12-31"))
        #expect(habit.settledCount == 3 && habit.paysAtDueDate)   // paid long before the due date, but only three times
        #expect(habit.bankLagDays == 2 && habit.bankLagObservations == 3)
        #expect(habit.bankLags.map(\.days) == [1, 2, 3] && habit.bankLags.allSatisfy { abs($0.weight - 1.0 / 3) < 1e-12 })
        // Five measured delays: the median alone.
        var measured = habit
        measured.bankLagObservations = PaymentHabit.minimumBankLags
        #expect(measured.bankLags.map(\.days) == [2])
    }

    @Test func aHabitStoredBeforeTheDelayCountDecodesAsMeasured() throws {
        let old = #"{"paysAtDueDate":true,"leadDays":3,"bankLagDays":2,"disputeDays":15,"settledCount":40}"#
        let habit = try JSONDecoder().decode(PaymentHabit.self, from: Data(old.utf8))
        #expect(habit.leadDays == 3 && habit.bankLags.map(\.days) == [2])
        let back = try JSONDecoder().decode(PaymentHabit.self, from: JSONEncoder().encode(habit))
        #expect(back == habit)
    }
}
